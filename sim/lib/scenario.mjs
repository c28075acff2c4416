// Builds a simulator state from a scenario file (YAML): where the runner starts, what the cluster holds, how
// long commands take and which faults to inject. See sim/README.md for the fields.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { buildStore, resolveChannel } from './store.mjs'
import { installSnap, hostEnv, applyHostEffects, addonEnabled } from './cluster.mjs'
import { enableManifest } from './addons.mjs'
import { makeObject, sameObject } from './objects.mjs'
import { dockerNetwork, writeHostFile, writeSecurityFs, addImages } from './host.mjs'
import { helmReleaseSecret } from './helm.mjs'
import { internetOf } from './internet.mjs'
import { apiRequestsOf, stampOnceRequests } from './apiserver-metrics.mjs'
export { helmReleaseSecret } from './helm.mjs'

export const SIM_BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin')

/** Reads a scenario; `extends: other.yaml` (relative to the file) starts from another scenario's fields. */
export function readScenario(file) {
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) ?? {}
  if (!doc.extends) return doc
  const { extends: base, ...rest } = doc
  return { ...readScenario(path.resolve(path.dirname(file), base)), ...rest }
}

/** A FlowSchema (or other object) authored at `apiVersion`, with the evidence a real client would leave. */
function authoredObject(spec) {
  const kind = spec.kind ?? 'FlowSchema'
  const obj = makeObject(kind, {
    name: spec.name,
    namespace: spec.namespace,
    apiVersion: spec.servedVersion ?? 'flowcontrol.apiserver.k8s.io/v1'
  })
  const annotations = {}
  const manifest = {
    apiVersion: spec.apiVersion,
    kind,
    metadata: { name: spec.name, ...(spec.namespace ? { namespace: spec.namespace } : {}) }
  }
  if ((spec.evidence ?? 'last-applied') === 'last-applied') {
    annotations['kubectl.kubernetes.io/last-applied-configuration'] = `${JSON.stringify(manifest)}\n`
    obj.metadata.managedFields = [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: spec.apiVersion,
        time: obj.metadata.creationTimestamp
      }
    ]
  } else {
    obj.metadata.managedFields = [
      {
        manager: spec.manager ?? 'argocd-controller',
        operation: 'Apply',
        apiVersion: spec.apiVersion,
        time: obj.metadata.creationTimestamp
      }
    ]
  }
  obj.metadata.annotations = annotations
  return obj
}

const APPARMOR = ['network_v9', 'network', 'disabled', 'unmounted']

export function buildState(scenario, root) {
  if (scenario.kernel?.apparmor !== undefined && !APPARMOR.includes(scenario.kernel.apparmor))
    throw new Error(`scenario: kernel.apparmor '${scenario.kernel.apparmor}' is not one of ${APPARMOR.join(', ')}`)
  const state = {
    root,
    network: dockerNetwork(Boolean(scenario.runner?.docker)),
    timeScale: scenario.timeScale ?? 0.001,
    latency: scenario.latency ?? {},
    readiness: scenario.readiness ?? {},
    store: buildStore(scenario.store ?? {}),
    faults: scenario.faults ?? [],
    snapdChanges: scenario.snapdChanges ?? [],
    serverVersionAfter: scenario.serverVersionAfter ?? {},
    rolloutNeverCompletes: scenario.rolloutNeverCompletes ?? [],
    rolloutSeconds: scenario.rolloutSeconds ?? 10,
    communityAddons: scenario.communityAddons ?? [],
    microk8sMissing: scenario.microk8sMissing ?? false,
    snapCalicoManifestMissing: scenario.snapCalicoManifestMissing ?? false,
    hostname: scenario.hostname ?? 'fv-az1234-567',
    internet: internetOf(scenario.internet),
    kernel: { apparmor: scenario.kernel?.apparmor ?? 'network' },
    crashLoops: scenario.crashLoops ?? [],
    apiRequests: apiRequestsOf(scenario),
    templateChanges: scenario.templateChanges ?? [],
    groupMembers: [],
    snap: null,
    cluster: null
  }
  if (root) writeSecurityFs(state, state.kernel.apparmor)
  if (root) for (const [p, content] of Object.entries(scenario.hostFiles ?? {})) writeHostFile(state, p, content)
  const inst = scenario.installed
  if (inst) {
    const row = resolveChannel(state.store, inst.channel)
    if (!row) throw new Error(`scenario: channel ${inst.channel} is not in the simulated store`)
    installSnap(
      state,
      inst.channel,
      inst.version ? { ...row, version: inst.version, revision: inst.revision ?? row.revision } : row,
      true
    )
    state.snap.held = Boolean(inst.held)
    const cluster = state.cluster
    if (inst.repoBranch) cluster.repoBranch = inst.repoBranch
    if (inst.staleAddons) cluster.staleAddons = inst.staleAddons
    for (const entry of scenario.addons ?? []) {
      // `name[:args]` or `name --option value …`, as the words of `microk8s enable`.
      const [first, ...words] = String(entry).split(' ')
      const [name, ...colon] = first.split(':')
      const args = [...colon, ...words]
      if (name === 'dns') cluster.objects = cluster.objects.filter((o) => o._addon !== 'dns')
      if (state.communityAddons.includes(name)) {
        cluster.communityRepo = true
        cluster.flags[name] = true
        cluster.objects.push(
          Object.assign(
            makeObject('Deployment', {
              namespace: name,
              name,
              spec: { template: { spec: { containers: [{ name, image: `example/${name}:${cluster.repoBranch}` }] } } }
            }),
            { _addon: name }
          )
        )
        continue
      }
      const m = enableManifest(name === 'storage' ? 'hostpath-storage' : name, cluster.repoBranch, args, hostEnv(state))
      if (m.error || m.prompt)
        throw new Error(`scenario: addon ${entry} cannot be enabled: ${JSON.stringify(m.error ?? m.prompt)}`)
      for (const dep of m.needs ?? []) {
        if (addonEnabled(state, dep)) continue
        const d = enableManifest(dep, cluster.repoBranch, [], hostEnv(state))
        applyHostEffects(state, d)
        addObjects(cluster, dep, d)
      }
      applyHostEffects(state, m)
      addObjects(cluster, name, m)
    }
    // Running images that differ from what the branch ships today (a cluster enabled long ago).
    for (const [workload, image] of Object.entries(scenario.images ?? {})) {
      const [ns, name] = workload.split('/')
      const obj = cluster.objects.find((o) => o.metadata.name === name && o.metadata.namespace === ns)
      if (!obj) throw new Error(`scenario: images: no workload ${workload}`)
      obj.spec.template.spec.containers[0].image = image
    }
    if (scenario.corefileExtra) {
      const cm = cluster.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'coredns')
      cm.data.Corefile = cm.data.Corefile.replace(/\n}\n$/, `\n    ${scenario.corefileExtra}\n}\n`)
    }
    for (const v of scenario.volumes ?? []) {
      const pvName = `pvc-${v.name}-${Math.random().toString(16).slice(2, 10)}`
      cluster.objects.push(
        makeObject('PersistentVolume', {
          name: pvName,
          extra: {
            spec: {
              storageClassName: 'microk8s-hostpath',
              claimRef: { namespace: v.namespace ?? 'default', name: v.name },
              capacity: { storage: v.size ?? '1Gi' },
              hostPath: {
                path: `/var/snap/microk8s/common/default-storage/${v.namespace ?? 'default'}-${v.name}-${pvName}`
              }
            },
            status: { phase: 'Bound' }
          }
        }),
        makeObject('PersistentVolumeClaim', {
          namespace: v.namespace ?? 'default',
          name: v.name,
          extra: { spec: { storageClassName: 'microk8s-hostpath', volumeName: pvName }, status: { phase: 'Bound' } }
        })
      )
    }
    for (const r of scenario.helmReleases ?? []) cluster.objects.push(helmReleaseSecret(r))
    for (const o of scenario.authoredObjects ?? []) cluster.objects.push(authoredObject(o))
    // Raw objects; one with the identity of an addon's object replaces it (a user's edit) and stays the addon's.
    for (const o of scenario.objects ?? []) {
      const replaced = cluster.objects.find((x) => sameObject(x, o))
      const obj = makeObject(o.kind, { ...o.metadata, apiVersion: o.apiVersion, extra: withoutIdentity(o) })
      if (replaced?._addon) obj._addon = replaced._addon
      cluster.objects = cluster.objects.filter((x) => !sameObject(x, o))
      cluster.objects.push(obj)
    }
    if (scenario.containerImages) addImages(state, scenario.containerImages)
    if (scenario.readyAtStart === false) cluster.readyAt = null
    if (scenario.stopped) cluster.stopped = true
    // Host files as the run finds them: one the install wrote its default over (hosts.toml) is the scenario's.
    if (root) for (const [p, content] of Object.entries(scenario.hostFiles ?? {})) writeHostFile(state, p, content)
  }
  stampOnceRequests(state)
  return state
}

function withoutIdentity({ apiVersion: _a, kind: _k, metadata: _m, ...rest }) {
  return rest
}

function addObjects(cluster, name, manifest) {
  for (const obj of manifest.objects ?? []) {
    obj._addon = name
    cluster.objects = cluster.objects.filter((o) => !sameObject(o, obj))
    cluster.objects.push(obj)
  }
  if (manifest.flag) cluster.flags[name] = true
  if (name === 'hostpath-storage') cluster.hostpathData.present = true
}

/** Writes the state for a scenario into `dir`; returns the environment a run needs (PATH first, state file). */
export function createSimulation(scenario, dir, overrides = {}) {
  fs.mkdirSync(dir, { recursive: true })
  // System paths the action writes (/etc, /var/snap, …) live under DIR/root (sim/lib/host.mjs).
  const state = buildState({ ...scenario, ...overrides }, path.join(dir, 'root'))
  const statePath = path.join(dir, 'sim-state.json')
  fs.writeFileSync(statePath, JSON.stringify(state, null, 1))
  return {
    statePath,
    binDir: SIM_BIN,
    env: { MICROK8S_SIM_STATE: statePath, PATH: `${SIM_BIN}${path.delimiter}${process.env.PATH}` }
  }
}
