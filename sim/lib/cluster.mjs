// The cluster model every command reads and changes: what a fresh install creates (the node, Calico, the APF
// defaults, the addons it enables), whether the cluster is ready, which addons are enabled and what enabling
// one puts in the cluster, and what runs in the background once MicroK8s is up (containerd's sideload plugin,
// the cluster-agent's launch configuration watcher). Facts: docs/microk8s-behaviour.md §0.3 (what a fresh install
// enables), §1.2 and §3.1 (how an addon counts as enabled), §3.6 (Calico comes with the snap), §4 (the images);
// docs/kubernetes-upgrades.md §3.4 (the API server's own FlowSchemas), §4 (when the API server process starts).
import * as fs from 'node:fs'
import { realMs } from './state.mjs'
import { enableManifest, coreAddonNames, labelOf, DESCRIPTIONS, IMAGES } from './addons.mjs'
import { branchOf, branchMinor } from './addon-releases.mjs'
import { sameObject, makeObject } from './objects.mjs'
import {
  writeDefaultArgs,
  loadSideloadedArchives,
  hostPath,
  writeSnapFiles,
  readHostFile,
  refreshOptIn,
  SNAP_COMMON,
  SNAP_DATA
} from './host.mjs'
import { crdsOf, definedBy } from './crds.mjs'
import { writeSnapAddonScripts } from './internet.mjs'
import { restartApiServer } from './apiserver-metrics.mjs'

export function minorOfVersion(v) {
  return Number(/^v?1\.(\d+)/.exec(v)?.[1])
}

export function isReady(state) {
  const c = state.cluster
  return Boolean(c && !c.broken && !c.stopped && c.readyAt !== null && Date.now() >= c.readyAt)
}

export function serverMinor(state) {
  return minorOfVersion(state.cluster.serverVersion)
}

/** A fresh install: the snap, a node, Calico, and the addons every 1.27+ install enables (microk8s-behaviour.md §0.3). */
export function installSnap(state, channel, row, readyNow = false) {
  state.snap = {
    tracking: channel,
    version: row.version,
    revision: row.revision,
    confinement: row.confinement,
    held: false
  }
  const minor = minorOfVersion(row.version)
  const branch = branchOf(channel)
  writeSnapFiles(state, IMAGES.calico(minor))
  writeSnapAddonScripts(state, branch)
  const readyAt = readyNow ? 0 : Date.now() + realMs(state, state.readiness?.afterInstall ?? 40)
  state.cluster = {
    readyAt,
    // The local kubelet: the version it last reported and when (facts §2.1: kubelite is one binary with the API
    // server). After a refresh the node object keeps showing this until the new kubelet reports.
    kubelet: {
      version: row.version,
      reportedAt: readyNow ? Date.now() : readyAt,
      readySince: readyNow ? Date.now() : readyAt
    },
    kubeletReportsAt: null,
    // When the API server process (kubelite) started: its deprecated-API gauge holds what was asked since then.
    apiServerStartedAt: Date.now(),
    broken: null,
    repoBranch: branch,
    flags: { 'ha-cluster': true },
    communityRepo: false,
    hostpathData: { present: false, destroyed: false },
    serverVersion: row.version,
    objects: [
      Object.assign(
        makeObject('Node', {
          name: state.hostname ?? 'fv-az1234-567',
          // The labels MicroK8s' kubelet args give a control-plane node (microk8s-resources/default-args/kubelet).
          labels: {
            'kubernetes.io/hostname': state.hostname ?? 'fv-az1234-567',
            'microk8s.io/cluster': 'true',
            'node.kubernetes.io/microk8s-controlplane': 'microk8s-controlplane'
          },
          extra: { status: { nodeInfo: {}, conditions: [] } }
        }),
        { _local: true }
      ),
      // The snap's calico.yaml: selectors `k8s-app`, calico-node privileged (docs/strict-apparmor.md §3).
      makeObject('DaemonSet', {
        namespace: 'kube-system',
        name: 'calico-node',
        labels: { 'k8s-app': 'calico-node' },
        spec: {
          selector: { matchLabels: { 'k8s-app': 'calico-node' } },
          template: {
            spec: {
              containers: [
                {
                  name: 'calico-node',
                  image: `docker.io/calico/node:${IMAGES.calico(minor)}`,
                  securityContext: { privileged: true }
                }
              ]
            }
          }
        }
      }),
      makeObject('Deployment', {
        namespace: 'kube-system',
        name: 'calico-kube-controllers',
        labels: { 'k8s-app': 'calico-kube-controllers' },
        spec: {
          selector: { matchLabels: { 'k8s-app': 'calico-kube-controllers' } },
          template: {
            spec: {
              containers: [
                { name: 'calico-kube-controllers', image: `docker.io/calico/kube-controllers:${IMAGES.calico(minor)}` }
              ]
            }
          }
        }
      }),
      ...defaultFlowSchemas(minor)
    ]
  }
  if (state.root) writeDefaultArgs(state)
  applyManifest(state, 'dns', [])
}

/** The host files enable scripts read (enableManifest's `host`): the API server's arguments. */
export function hostEnv(state) {
  return state.root ? { kubeApiserverArgs: readHostFile(state, `${SNAP_DATA}/args/kube-apiserver`) } : {}
}

/** What an enable script changes on the host besides the cluster: the kubelet arguments it sets. */
export function applyHostEffects(state, manifest) {
  if (!state.root) return
  const before = readHostFile(state, `${SNAP_DATA}/args/kubelet`)
  for (const [opt, value] of Object.entries(manifest.kubeletArgs ?? {})) refreshOptIn(state, 'kubelet', opt, value)
  // dns's enable restarts the kubelet when it changed its arguments: in kubelite, the API server with it.
  if (readHostFile(state, `${SNAP_DATA}/args/kubelet`) !== before) restartApiServer(state)
}

/**
 * What runs in the background once MicroK8s is up, applied lazily when a command looks: containerd's sideload
 * plugin and the cluster-agent's launch configuration watcher, both polling every 5 s.
 */
export function runBackground(state) {
  const c = state.cluster
  if (!c || !isReady(state) || Date.now() < c.readyAt + realMs(state, 5)) return
  if (state.root) loadSideloadedArchives(state)
  if (c.launch && !c.launch.applied) {
    for (const part of c.launch.parts) {
      for (const a of part.addons ?? []) {
        if (a.disable) removeAddonObjects(state, a.name)
        else {
          const m = enableManifest(a.name, c.repoBranch, a.args ?? [], hostEnv(state))
          for (const dep of m.needs ?? []) if (!addonEnabled(state, dep)) applyManifest(state, dep, [])
          applyManifest(state, a.name, a.args ?? [])
        }
      }
    }
    c.launch.applied = true
    const file = hostPath(state, `${SNAP_COMMON}/etc/launcher/install.yaml`)
    if (fs.existsSync(file)) fs.renameSync(file, `${file}.applied`)
  }
}

/** The API server's own APF defaults: written by its bootstrap manager, marked auto-update (docs/kubernetes-upgrades.md §3.4). */
function defaultFlowSchemas(minor) {
  const apiVersion = `flowcontrol.apiserver.k8s.io/${minor >= 29 ? 'v1' : 'v1beta3'}`
  return ['exempt', 'system-nodes', 'workload-leader-election', 'global-default', 'catch-all'].map((name) => {
    const o = makeObject('FlowSchema', {
      name,
      apiVersion,
      annotations: { 'apf.kubernetes.io/autoupdate-spec': 'true' }
    })
    o.metadata.managedFields = [
      {
        manager: 'api-priority-and-fairness-config-producer-v1',
        operation: 'Update',
        apiVersion,
        time: o.metadata.creationTimestamp,
        fieldsType: 'FieldsV1',
        fieldsV1: {}
      }
    ]
    o._default = true
    return o
  })
}

export function addonEnabled(state, name) {
  const c = state.cluster
  const has = (kind, ns, n) =>
    c.objects.some((o) => o.kind === kind && o.metadata.name === n && (o.metadata.namespace ?? '') === ns)
  switch (name) {
    case 'dns':
      return has('Deployment', 'kube-system', 'coredns')
    case 'ingress':
      // check_status: the nginx pod on 1.28–1.34, IngressClass `public` from 1.35 (facts §3.1).
      return branchMinor(c.repoBranch) >= 35
        ? has('IngressClass', '', 'public')
        : has('DaemonSet', 'ingress', 'nginx-ingress-microk8s-controller')
    case 'hostpath-storage':
    case 'storage':
      return has('Deployment', 'kube-system', 'hostpath-provisioner')
    case 'metrics-server':
      return has('Deployment', 'kube-system', 'metrics-server')
    case 'dashboard':
      // `pod/kubernetes-dashboard` matched as a substring: the 2.x Deployment or the 7.x chart's.
      return c.objects.some((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('kubernetes-dashboard'))
    case 'cert-manager':
      return has('Deployment', 'cert-manager', 'cert-manager')
    case 'metallb':
      return has('DaemonSet', 'metallb-system', 'speaker')
    case 'registry':
      return has('Deployment', 'container-registry', 'registry')
    case 'helm':
    case 'helm3':
      return true // ${SNAP}/bin/helm exists
    case 'community':
      return c.communityRepo
    case 'nvidia':
    case 'gpu':
      // One check_status for both names (gpu is an alias of nvidia from 1.29).
      return Boolean(c.flags.nvidia || c.flags.gpu)
    default:
      return Boolean(c.flags[name])
  }
}

export function addonList(state) {
  const core = coreAddonNames(state.cluster.repoBranch).map((name) => ({
    name,
    repository: 'core',
    description: DESCRIPTIONS[name],
    version: labelOf(name, state.cluster.repoBranch)
  }))
  const community = state.cluster.communityRepo
    ? (state.communityAddons ?? []).map((name) => ({
        name,
        repository: 'community',
        description: `Community addon ${name}`,
        version: '1.0.0'
      }))
    : []
  const all = [...core, ...community].map((a) => ({ ...a, enabled: addonEnabled(state, a.name) }))
  const sort = (list) =>
    list.sort((a, b) =>
      a.repository === b.repository ? a.name.localeCompare(b.name) : a.repository.localeCompare(b.repository)
    )
  return [...sort(all.filter((a) => a.enabled)), ...sort(all.filter((a) => !a.enabled))]
}

export function applyManifest(state, name, args) {
  const m = enableManifest(name, state.cluster.repoBranch, args, hostEnv(state))
  applyHostEffects(state, m)
  for (const obj of m.objects ?? []) {
    obj._addon = name
    state.cluster.objects = state.cluster.objects.filter((o) => !sameObject(o, obj))
    state.cluster.objects.push(obj)
  }
  if (m.flag) state.cluster.flags[name] = true
  if (name === 'hostpath-storage') state.cluster.hostpathData.present = true
  return m
}

/**
 * Removes the objects `drop` selects. A CustomResourceDefinition takes every object of its kind along, in every
 * namespace, as the API server does.
 */
export function removeObjects(state, drop) {
  const crds = crdsOf(state.cluster.objects.filter(drop))
  state.cluster.objects = state.cluster.objects.filter((o) => !drop(o) && !crds.some((c) => definedBy(o, c)))
}

export function deleteNamespace(state, namespace) {
  removeObjects(
    state,
    (o) => (o.metadata.namespace ?? '') === namespace || (o.kind === 'Namespace' && o.metadata.name === namespace)
  )
}

export function removeAddonObjects(state, name, keep = () => false) {
  removeObjects(state, (o) => o._addon === name && !keep(o))
}
