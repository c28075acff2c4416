// `microk8s kubectl` as the API server answers it: get (served versions, selectors), wait, rollout status and
// restart, apply (client- and server-side; MetalLB's admission webhook), delete, version. Served versions are
// objects.mjs's (docs/kubernetes-upgrades.md §2); the local node shows what its kubelet last reported (the
// cluster model's `kubelet`); MetalLB's controller assigns LoadBalancer addresses while it runs (metallb.mjs);
// Docker's FORWARD DROP keeps addon rollouts from completing (host.mjs); pods, their logs and the workloads'
// status, and each Deployment's ReplicaSets, come from pods.mjs (a crash-looping pod's workload never rolls out);
// `get --raw /metrics` is apiserver-metrics.mjs's exposition (the deprecated-API gauge).
import { onServiceNetwork } from './service-network.mjs'
import * as fs from 'node:fs'
import * as os from 'node:os'
import { sleepSim, sleepUntil, realMs, optionValue } from './state.mjs'
import { kindOfResource, isClusterScoped, served, sameObject, makeObject } from './objects.mjs'
import { CUSTOM_GROUPS, crdForObject, resolveCustomResource } from './crds.mjs'
import { convergeLoadBalancers, overlappingPool } from './metallb.mjs'
import { podTrafficForwarded } from './host.mjs'
import { isReady, serverMinor, minorOfVersion, addonEnabled, removeObjects } from './cluster.mjs'
import { controllerObjects, crashLooping, podLogs } from './pods.mjs'
import { metricsText } from './apiserver-metrics.mjs'

function refused(out) {
  out.err('The connection to the server 127.0.0.1:16443 was refused - did you specify the right host or port?')
  return 1
}

/** RFC 3339 with whole seconds, as the API server writes times. */
function kubeTime(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** This machine's first external IPv4 address (the node's InternalIP), else loopback. */
function hostAddress() {
  const all = Object.values(os.networkInterfaces()).flat()
  return all.find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1'
}

/**
 * The objects as the API server shows them now. The local node shows what its kubelet last reported: after a
 * refresh, the old version and the old Ready condition (with its old heartbeat) until the new kubelet reports.
 */
function liveObjects(state) {
  const c = state.cluster
  if (c.kubeletReportsAt !== null && c.kubeletReportsAt !== undefined && Date.now() >= c.kubeletReportsAt) {
    c.kubelet = { ...c.kubelet, version: c.serverVersion, reportedAt: c.kubeletReportsAt }
    c.kubeletReportsAt = null
  }
  for (const o of c.objects) {
    if (o.kind === 'Node' && o._local) {
      const kubelet = c.kubelet ?? { version: c.serverVersion, reportedAt: Date.now(), readySince: Date.now() }
      o.status.nodeInfo = {
        kubeletVersion: kubelet.version,
        containerRuntimeVersion: 'containerd://1.7.29',
        osImage: 'Ubuntu 24.04.3 LTS'
      }
      o.status.addresses = [
        { type: 'InternalIP', address: hostAddress() },
        { type: 'Hostname', address: o.metadata.name }
      ]
      o.status.conditions = [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: kubeTime(kubelet.reportedAt),
          lastTransitionTime: kubeTime(kubelet.readySince)
        }
      ]
    }
  }
  // MetalLB's controller assigns LoadBalancer addresses from the pools while it runs.
  if (addonEnabled(state, 'metallb')) convergeLoadBalancers(state.cluster.objects)
  // The workloads' controllers report their pods (and set each workload's status from them).
  const controlled = controllerObjects(state)
  return [...c.objects, ...controlled]
}

/**
 * `kubectl wait KIND/NAME --for=jsonpath={.a.b}=VALUE --timeout=Ns`: re-reads the object (as the API server
 * shows it now) until the value matches; `node/NAME condition met`, or after the timeout `error: timed out
 * waiting for the condition on nodes/NAME`, exit 1. Only jsonpath conditions on dotted paths are simulated.
 */
async function kubectlWait(ctx, target, condition, timeoutText, ns) {
  const { state, out } = ctx
  const [kindWord, name] = (target ?? '').split('/')
  const kind = kindOfResource(kindWord)
  const m = /^jsonpath=\{\.([\w.]+)\}=(.*)$/.exec(condition ?? '')
  if (!kind || !name || !m) {
    out.err(`error: 'kubectl wait ${target} --for=${condition}' is not simulated`)
    return 1
  }
  const [, dotted, want] = m
  const timeout = Number((timeoutText ?? '30s').replace(/s$/, ''))
  const deadline = Date.now() + realMs(state, timeout)
  const plural = `${kind.toLowerCase()}s`
  const started = Date.now()
  for (;;) {
    const obj = liveObjects(state).find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (isClusterScoped(kind) || (o.metadata.namespace ?? '') === (ns ?? 'default'))
    )
    if (!obj) {
      out.err(`Error from server (NotFound): ${plural} "${name}" not found`)
      return 1
    }
    const value = dotted.split('.').reduce((v, k) => v?.[k], obj)
    if (String(value) === want) {
      ctx.simSeconds += (Date.now() - started) / 1000 / (state.timeScale ?? 0.001)
      out.out(`${kindWord}/${name} condition met`)
      return 0
    }
    if (Date.now() >= deadline) {
      ctx.simSeconds += timeout
      out.err(`error: timed out waiting for the condition on ${plural}/${name}`)
      return 1
    }
    const step = Math.max(1, realMs(state, 1))
    await sleepUntil(Math.min(deadline, Date.now() + step))
  }
}

const groupOf = (apiVersion) => (String(apiVersion ?? '').includes('/') ? apiVersion.split('/')[0] : '')

/**
 * A resource word as the API server resolves it: a built-in kind, or one an installed CRD defines (at the version
 * the word names, else the preferred one). Undefined when the server has no such resource type.
 */
function resolveType(state, word) {
  const kind = kindOfResource(word)
  if (kind) return { kind, clusterScoped: isClusterScoped(kind) }
  const cr = resolveCustomResource(state.cluster.objects, word)
  if (!cr) return undefined
  const { names, group, scope } = cr.crd.spec
  return { kind: names.kind, group, version: cr.version, clusterScoped: scope === 'Cluster' }
}

const ofType = (o, t) => o.kind === t.kind && (t.group === undefined || groupOf(o.apiVersion) === t.group)

function matchesSelector(obj, selector) {
  if (!selector) return true
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=')
    return (obj.metadata.labels ?? {})[k] === v
  })
}

export async function kubectl(ctx, argv) {
  const { state, out } = ctx
  if (!isReady(state)) return refused(out)
  const [verb, ...rest] = argv
  const ns = optionValue(rest, '-n') ?? optionValue(rest, '--namespace')
  const all = rest.includes('-A') || rest.includes('--all-namespaces')
  const positional = []
  for (let i = 0; i < rest.length; i++) {
    if (['-n', '--namespace', '-o', '-l', '--field-selector', '-f', '-c', '--container'].includes(rest[i])) i++
    else if (!rest[i].startsWith('-')) positional.push(rest[i])
  }
  switch (verb) {
    case 'version': {
      const v = state.cluster.serverVersion
      const minor = String(serverMinor(state))
      out.out(
        JSON.stringify(
          {
            clientVersion: {
              major: '1',
              minor: String(minorOfVersion(state.snap.version)),
              gitVersion: state.snap.version
            },
            kustomizeVersion: 'v5.0.4',
            serverVersion: { major: '1', minor, gitVersion: v, platform: 'linux/amd64' }
          },
          null,
          2
        )
      )
      return 0
    }
    case 'get': {
      const raw = optionValue(rest, '--raw')
      if (raw !== undefined) {
        // `get --raw PATH`: the API server's answer as it is; only /metrics is simulated.
        if (raw !== '/metrics') {
          out.err('Error from server (NotFound): the server could not find the requested resource')
          return 1
        }
        out.out(metricsText(state, serverMinor(state)))
        return 0
      }
      const [types, name] = positional
      const wanted = []
      for (const t of (types ?? '').split(',')) {
        const type = resolveType(state, t)
        if (!type) {
          out.err(`error: the server doesn't have a resource type "${t}"`)
          return 1
        }
        wanted.push(type)
      }
      const selector = optionValue(rest, '-l')
      const field = optionValue(rest, '--field-selector')
      const fieldType = field?.startsWith('type=') ? field.slice(5) : undefined
      // In the order the objects are held (the simulator's order since before CRDs were modelled).
      const items = liveObjects(state)
        .map((o) => ({ o, t: wanted.find((t) => ofType(o, t)) }))
        .filter(({ o, t }) => t && (t.clusterScoped || all || (o.metadata.namespace ?? '') === (ns ?? 'default')))
        .filter(({ o }) => !name || o.metadata.name === name)
        .filter(({ o }) => matchesSelector(o, selector))
        .filter(({ o }) => !fieldType || o.type === fieldType)
        .map(({ o, t }) => {
          const shown = served(o, serverMinor(state))
          // A custom resource is converted to the version asked for (or the preferred one).
          if (t.group) shown.apiVersion = `${t.group}/${t.version}`
          return onServiceNetwork(state, shown)
        })
      if (name) {
        if (items.length === 0) {
          out.err(`Error from server (NotFound): ${(types ?? '').split(',')[0]} "${name}" not found`)
          return 1
        }
        out.out(JSON.stringify(items[0], null, 2))
        return 0
      }
      out.out(JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items }, null, 2))
      return 0
    }
    case 'wait':
      return kubectlWait(ctx, positional[0], optionValue(rest, '--for'), optionValue(rest, '--timeout'), ns)
    case 'rollout': {
      const [sub, target] = positional
      const [kindWord, name] = (target ?? '').split('/')
      const kind = kindOfResource(kindWord)
      const obj = state.cluster.objects.find(
        (o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? '') === (ns ?? 'default')
      )
      if (!obj) {
        out.err(`Error from server (NotFound): ${kindWord}s.apps "${name}" not found`)
        return 1
      }
      if (sub === 'restart') {
        out.out(`${kind.toLowerCase()}.apps/${name} restarted`)
        return 0
      }
      const timeout = Number((optionValue(rest, '--timeout') ?? '0s').replace(/s$/, ''))
      // Addon pods cannot reach the API server or each other while Docker's FORWARD DROP blocks pod traffic.
      const blocked = obj._addon && !podTrafficForwarded(state, state.cluster.podCidr)
      const never = blocked || crashLooping(state, obj) || (state.rolloutNeverCompletes ?? []).includes(`${ns}/${name}`)
      if (never) {
        out.out(
          `Waiting for ${kind === 'DaemonSet' ? 'daemon set' : 'deployment'} "${name}" rollout to finish: 0 of 1 updated pods are available...`
        )
        ctx.simSeconds += timeout
        await sleepSim(state, timeout)
        out.err('error: timed out waiting for the condition')
        return 1
      }
      const rollout = state.rolloutSeconds ?? 10
      ctx.simSeconds += rollout
      await sleepSim(state, rollout)
      out.out(`${kind === 'DaemonSet' ? 'daemon set' : 'deployment'} "${name}" successfully rolled out`)
      return 0
    }
    case 'apply': {
      // Client-side or server-side (`--server-side`) apply of one object or a List, read from stdin.
      // Loaded here, not at the top: the YAML parser is most of a command's start-up time, and only apply needs it.
      const { parse: parseYaml } = await import('yaml')
      const doc = parseYaml(fs.readFileSync(0, 'utf8'))
      const docs = doc?.kind === 'List' ? (doc.items ?? []) : [doc]
      for (const d of docs) {
        // A kind of a CRD group needs its CRD installed, serving that version.
        const cr = crdForObject(state.cluster.objects, d)
        if (CUSTOM_GROUPS.includes(groupOf(d.apiVersion)) && !cr?.served) {
          out.err(
            `error: resource mapping not found for name: "${d.metadata.name}" namespace: "${d.metadata.namespace ?? ''}": no matches for kind "${d.kind}" in version "${d.apiVersion}"`
          )
          return 1
        }
        const overlaps =
          d.kind === 'IPAddressPool' &&
          overlappingPool(
            [...state.cluster.objects, ...docs.filter((x) => x !== d)].filter((o) => o.kind === 'IPAddressPool'),
            d
          )
        if (overlaps) {
          out.err(
            `Error from server (Forbidden): admission webhook "ipaddresspoolvalidationwebhook.metallb.io" denied the request: CIDR overlaps with already defined CIDR in pool ${overlaps}`
          )
          return 1
        }
        if (d.metadata.resourceVersion && rest.includes('--server-side')) {
          out.err(`Error from server (Conflict): metadata.resourceVersion: Invalid value: 0: must be empty on apply`)
          return 1
        }
      }
      for (const d of docs) {
        const { apiVersion, kind, metadata, status, ...fields } = d
        const existing = state.cluster.objects.find((o) => sameObject(o, d))
        if (existing) {
          Object.assign(existing, fields)
          existing.metadata.labels = { ...(existing.metadata.labels ?? {}), ...(metadata.labels ?? {}) }
          existing.metadata.annotations = { ...(existing.metadata.annotations ?? {}), ...(metadata.annotations ?? {}) }
          if (status && !['Service'].includes(kind)) existing.status = status
          out.out(
            `${kind.toLowerCase()}/${metadata.name} ${rest.includes('--server-side') ? 'serverside-applied' : 'configured'}`
          )
        } else {
          state.cluster.objects.push(
            makeObject(kind, { ...metadata, apiVersion, extra: { ...fields, ...(status ? { status } : {}) } })
          )
          out.out(
            `${kind.toLowerCase()}/${metadata.name} ${rest.includes('--server-side') ? 'serverside-applied' : 'created'}`
          )
        }
      }
      return 0
    }
    case 'logs': {
      const previous = rest.includes('--previous') || rest.includes('-p') || rest.includes('--previous=true')
      const r = podLogs(state, positional[0], ns ?? 'default', previous)
      if (r.err) out.err(r.err)
      if (r.out) {
        const tail = Number(optionValue(rest, '--tail') ?? -1)
        const lines = r.out.trimEnd().split('\n')
        out.out(`${(tail >= 0 ? lines.slice(-tail) : lines).join('\n')}\n`)
      }
      return r.code
    }
    case 'delete': {
      const [type, name] = positional
      const t = resolveType(state, type ?? '')
      if (!t) {
        out.err(`error: the server doesn't have a resource type "${type}"`)
        return 1
      }
      const target = { kind: t.kind, metadata: { name, namespace: t.clusterScoped ? undefined : (ns ?? 'default') } }
      const before = state.cluster.objects.length
      // Deleting a CRD deletes every object of its kind.
      removeObjects(state, (o) => ofType(o, t) && sameObject(o, target))
      if (state.cluster.objects.length === before) {
        if (rest.includes('--ignore-not-found')) return 0
        out.err(`Error from server (NotFound): ${type} "${name}" not found`)
        return 1
      }
      out.out(`${t.kind.toLowerCase()} "${name}" deleted`)
      return 0
    }
    default:
      out.err(`error: unknown command "${verb}" for "kubectl"`)
      return 1
  }
}
