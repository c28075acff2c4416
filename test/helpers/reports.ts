// Report fixtures built the way the action builds them (buildInventory over kubectl-shaped objects), with fixed
// timestamps so renderings are stable.
import { buildInventory, compareInventories, NOT_READY } from '../../src/cluster/inventory.js'
import { newReport, type Report } from '../../src/report/model.js'
import type { MicroK8sStatus } from '../../src/cluster/microk8s.js'
import type { Finding } from '../../src/preflight/removed-apis.js'
import type { OutageRecord, TargetDisruption } from '../../src/probes/outages.js'

const workload = (kind: string, namespace: string, name: string, image: string) => ({
  kind,
  metadata: { namespace, name },
  spec: { template: { spec: { containers: [{ name, image }] } } }
})
const node = (version: string) => ({
  kind: 'Node',
  metadata: { name: 'fv-az1234-567' },
  status: { nodeInfo: { kubeletVersion: version }, conditions: [{ type: 'Ready', status: 'True' }] }
})
const pvc = {
  kind: 'PersistentVolumeClaim',
  metadata: { namespace: 'default', name: 'app-data' },
  spec: { volumeName: 'pvc-1' },
  status: { phase: 'Bound' }
}
const pv = { kind: 'PersistentVolume', metadata: { name: 'pvc-1' } }
const status = (names: string[]): MicroK8sStatus => ({
  running: true,
  haEnabled: true,
  addons: names.map((name) => ({
    name,
    repository: 'core',
    enabled: true,
    label: name === 'ingress' ? '1.8.0' : undefined
  }))
})
const ADDONS = ['dns', 'ha-cluster', 'helm', 'helm3', 'hostpath-storage', 'ingress']

function snap(version: string, revision: number, channel: string) {
  return { version, revision, tracking: channel, confinement: 'classic' as const, held: true }
}

export function typicalUpgrade(): Report {
  const before = buildInventory(snap('v1.28.15', 7971, '1.28/stable'), status(ADDONS), 'v1.28.15', [
    node('v1.28.15'),
    workload('DaemonSet', 'kube-system', 'calico-node', 'docker.io/calico/node:v3.25.1'),
    workload('Deployment', 'kube-system', 'coredns', 'coredns/coredns:1.10.1'),
    workload(
      'DaemonSet',
      'ingress',
      'nginx-ingress-microk8s-controller',
      'registry.k8s.io/ingress-nginx/controller:v1.8.0@sha256:744ae2afd433a395eeb13dc03d3313facba92e96ad71d9feaafc85925493fee3'
    ),
    workload('Deployment', 'kube-system', 'hostpath-provisioner', 'cdkbot/hostpath-provisioner:1.4.2'),
    pv,
    pvc
  ])
  const after = buildInventory(snap('v1.30.14', 8248, '1.30/stable'), status(ADDONS), 'v1.30.14', [
    node('v1.30.14'),
    workload('DaemonSet', 'kube-system', 'calico-node', 'docker.io/calico/node:v3.25.1'),
    workload('Deployment', 'kube-system', 'coredns', 'coredns/coredns:1.10.1'),
    workload(
      'DaemonSet',
      'ingress',
      'nginx-ingress-microk8s-controller',
      'registry.k8s.io/ingress-nginx/controller:v1.11.5'
    ),
    workload('Deployment', 'kube-system', 'hostpath-provisioner', 'cdkbot/hostpath-provisioner:1.5.0'),
    pv,
    pvc
  ])
  for (const inv of [before, after]) inv.takenAt = '2026-11-24T12:00:00.000Z'
  const r = newReport('1.30/stable', 30)
  r.startedAt = '2026-11-24T12:00:00.000Z'
  r.finishedAt = '2026-11-24T12:09:30.000Z'
  r.before = before
  r.after = after
  r.plan = {
    kind: 'upgrade',
    fromMinor: 28,
    targetMinor: 30,
    hops: ['1.29/stable', '1.30/stable'],
    cycling: true,
    cyclingWhy: 'the Kubernetes version changed',
    enableOrder: ['dns', 'ingress', 'hostpath-storage'],
    disableOrder: ['hostpath-storage', 'ingress', 'dns'],
    thenEnable: [],
    notes: []
  }
  r.hops = [
    {
      channel: '1.29/stable',
      minor: 29,
      status: 'done',
      durationMs: 61000,
      atMs: 3000,
      readyAfterMs: 30500,
      serverVersion: 'v1.29.15'
    },
    {
      channel: '1.30/stable',
      minor: 30,
      status: 'done',
      durationMs: 58000,
      atMs: 64000,
      readyAfterMs: 29100,
      serverVersion: 'v1.30.14'
    }
  ]
  r.steps = [
    { name: 'inspect', status: 'ok', durationMs: 2100 },
    { name: 'refresh 1.29/stable', status: 'ok', durationMs: 61000, detail: 'v1.29.15' },
    { name: 'refresh 1.30/stable', status: 'ok', durationMs: 58000, detail: 'v1.30.14' },
    { name: 'addon cycle', status: 'ok', durationMs: 73000, detail: 'dns → ingress → hostpath-storage' }
  ]
  r.addons = [
    {
      name: 'dns',
      status: 'cycled',
      durationMs: 28000,
      atMs: 132000,
      args: '1.1.1.1,8.8.8.8',
      argsSource: 'recovered',
      note: 'upstreams 1.1.1.1,8.8.8.8 read from the CoreDNS ConfigMap'
    },
    { name: 'ingress', status: 'cycled', durationMs: 51000, atMs: 127000, argsSource: 'none' },
    { name: 'hostpath-storage', status: 'cycled', durationMs: 73000, atMs: 122000, argsSource: 'none' },
    {
      name: 'ha-cluster',
      status: 'kept',
      note: 'enabled on every install; its disable resets the datastore (the cluster is wiped)'
    }
  ]
  r.dataChecks = [
    { name: 'PersistentVolumes', before: '1', after: '1', ok: true },
    { name: 'PersistentVolumeClaims bound', before: '1 of 1', after: '1 of 1', ok: true },
    { name: 'Helm releases', before: '1', after: '1', ok: true },
    { name: 'CoreDNS Corefile', before: 'customised', after: 'restored', ok: true }
  ]
  r.changes = compareInventories(before, after, () => ({}))
  r.runUrl = 'https://github.com/octo-org/octo-repo/actions/runs/4242'
  return r
}

export function noOpRun(): Report {
  const r = typicalUpgrade()
  r.before = r.after
  r.plan = {
    kind: 'none',
    targetMinor: 30,
    hops: [],
    cycling: false,
    cyclingWhy: 'the Kubernetes version did not change and cycle-addons is auto',
    enableOrder: [],
    disableOrder: [],
    thenEnable: [],
    notes: []
  }
  r.hops = []
  r.addons = r.addons.filter((a) => a.status === 'kept')
  r.steps = r.steps.slice(0, 1)
  r.changes = compareInventories(r.before!, r.after!)
  return r
}

export function failedRun(): Report {
  const r = typicalUpgrade()
  r.status = 'failure'
  // What the action reads after the failure: the snap answers, the cluster is not ready.
  r.after = {
    ...buildInventory(
      snap('v1.30.14', 8248, '1.30/stable'),
      { running: false, haEnabled: true, addons: [] },
      undefined,
      []
    ),
    takenAt: '2026-11-24T12:11:00.000Z',
    unreadable: NOT_READY
  }
  r.hops = [r.hops[0], { channel: '1.30/stable', minor: 30, status: 'failed', durationMs: 600500, atMs: 64000 }]
  r.steps = [
    ...r.steps.slice(0, 2),
    {
      name: 'refresh 1.30/stable',
      status: 'failed',
      durationMs: 600500,
      detail: 'MicroK8s did not become ready within wait-timeout (600s)'
    }
  ]
  r.addons = []
  r.dataChecks = []
  r.changes = compareInventories(r.before!, r.after)
  r.failure = {
    step: 'refresh 1.30/stable',
    message:
      'MicroK8s did not become ready within wait-timeout (600s): microk8s is not running. Use microk8s inspect for a deeper inspection.',
    output: 'microk8s:\n  running: False',
    clusterState: 'microk8s v1.30.14 (rev 8248, 1.30/stable), not ready; enabled addons: unknown (not ready)'
  }
  r.diagnostics = '/home/runner/work/_temp/microk8s-inspect-1764000000000.tar.gz'
  return r
}

/** `n` removed-API findings (v1beta2 FlowSchemas removed in 1.29), for the size limits. */
export function manyFindings(n: number): Finding[] {
  return Array.from({ length: n }, (_, i) => ({
    removedIn: 29,
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
    kind: 'FlowSchema',
    name: `fs-${i}`,
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
    evidence: 'last-applied',
    source: 'guide' as const
  }))
}

/** One outage of a probed target, as OutageTracker records it (1 s samples, `refused`, in the second refresh). */
export function probeOutage(startMs: number, durationMs: number, extra: Partial<OutageRecord> = {}): OutageRecord {
  const failedSamples = Math.max(1, Math.round(durationMs / 1000))
  return {
    startMs,
    endMs: startMs + durationMs,
    durationMs,
    failedSamples,
    kind: 'refused',
    kinds: { refused: failedSamples },
    during: 'refresh 1.30/stable',
    ...extra
  }
}

/** A probed target with these outages (`answered: false`: it never answered, so it has none). */
export function probeTarget(label: string, outages: OutageRecord[] = [], answered = true): TargetDisruption {
  const failures = outages.reduce((n, o) => n + o.failedSamples, 0)
  return {
    label,
    kind: label === 'API server' ? 'apiserver' : 'http',
    samples: answered ? 190 : 0,
    failures,
    notYetUp: answered ? 0 : 190,
    answered,
    ...(answered ? { availability: (190 - failures) / 190 } : {}),
    longestOutageMs: Math.max(0, ...outages.map((o) => o.durationMs)),
    maxGapMs: 1000,
    outages
  }
}

/** The typical upgrade sampled every second from its first change to its end, with these targets. */
export function probedUpgrade(targets: TargetDisruption[], limitMs?: number): Report {
  const r = typicalUpgrade()
  r.disruption = {
    intervalMs: 1000,
    startedAtMs: 2500,
    stoppedAtMs: 196_000,
    ...(limitMs !== undefined ? { limitMs } : {}),
    targets
  }
  return r
}
