// The simulated `snap` and `microk8s` commands. Formats, exit codes and state changes follow
// docs/microk8s-behaviour.md (section numbers in comments); the action under test must not be able to
// tell them from the real ones for everything it calls.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as os from 'node:os'
import * as zlib from 'node:zlib'
import {
  loadState,
  saveState,
  logCall,
  sleepSim,
  sleepUntil,
  realMs,
  latencyOf,
  takeFault,
  isRoot,
  viaSudo,
  stateDir,
  Out
} from './state.mjs'
import { resolveChannel, renderInfo, tracks } from './store.mjs'
import { enableManifest, parseXable, coreAddonNames, labelOf, DESCRIPTIONS, IMAGES } from './addons.mjs'
import { branchOf, branchMinor } from './addon-releases.mjs'
import { kindOfResource, isClusterScoped, served, sameObject, makeObject, METALLB_KINDS } from './objects.mjs'
import { convergeLoadBalancers, overlappingPool } from './metallb.mjs'
import {
  installHook,
  writeDefaultArgs,
  loadSideloadedArchives,
  imageNamesInArchive,
  addImages,
  hostPath,
  podTrafficForwarded,
  parseLaunchConfig,
  writeSnapFiles,
  SNAP_COMMON
} from './host.mjs'
import { parseAllDocuments } from 'yaml'

const RISKS = ['stable', 'candidate', 'beta', 'edge']

/** Runs one simulated command; returns its exit code. */
export async function runTool(tool, argv) {
  const state = loadState()
  runBackground(state)
  const started = Date.now()
  const out = new Out()
  const ctx = { state, out, simSeconds: 0 }
  const line = [tool, ...argv].join(' ')
  let code
  const fault = takeFault(state, line)
  const words = [tool, ...argv.filter((a) => !a.startsWith('-'))]
  const latency = latencyOf(state, words)
  ctx.simSeconds += latency
  await sleepSim(state, latency)
  if (fault) {
    if (fault.hangSeconds) {
      ctx.simSeconds += fault.hangSeconds
      await sleepSim(state, fault.hangSeconds)
    }
    if (fault.stdout) out.out(fault.stdout)
    if (fault.stderr) out.err(fault.stderr)
    code = fault.exit ?? 1
  } else if (tool === 'snap') {
    code = await snapCommand(ctx, argv)
  } else {
    code = await microk8sCommand(ctx, argv)
  }
  const record = {
    tool,
    args: argv,
    sudo: viaSudo(),
    // When this process started (before Node loaded it): the command's time as its caller sees it.
    spawned: Math.round(performance.timeOrigin),
    start: started,
    simSeconds: Math.round(ctx.simSeconds * 1000) / 1000,
    exit: code,
    ...(fault ? { fault: fault.match } : {}),
    ...(ctx.readyAt ? { readyAt: ctx.readyAt } : {}),
    stdoutTail: out.stdout.slice(-300),
    stderrTail: out.stderr.slice(-300)
  }
  saveState(state)
  // The end is taken after the state is saved, as the process exits: all of it is the command's time.
  process.on('exit', () => logCall({ ...record, end: Date.now() }))
  return code
}

// ------------------------------------------------------------------------------------------------ snap (§2)

function optionValue(argv, name) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1]
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1)
  }
  return undefined
}

async function snapCommand(ctx, argv) {
  const { state, out } = ctx
  const [verb, ...rest] = argv
  const names = rest.filter((a) => !a.startsWith('-'))
  startScheduledChanges(state, ['snap', ...argv].join(' '))
  switch (verb) {
    case 'changes':
      return snapChanges(ctx, names[0])
    case 'watch':
      return snapWatch(ctx, names[0])
    case 'list': {
      if (!state.snap) {
        out.err('error: no matching snaps installed')
        return 1
      }
      const s = state.snap
      const notes =
        [s.confinement === 'classic' ? 'classic' : '', s.devmode ? 'devmode' : '', s.held ? 'held' : '']
          .filter(Boolean)
          .join(',') || '-'
      const row = ['microk8s', s.version, String(s.revision), s.tracking, 'canonical**', notes]
      const head = ['Name', 'Version', 'Rev', 'Tracking', 'Publisher', 'Notes']
      const widths = head.map((h, i) => Math.max(h.length, row[i].length))
      const fmt = (cols) => cols.map((c, i) => (i < cols.length - 1 ? c.padEnd(widths[i] + 2) : c)).join('')
      out.out(`${fmt(head)}\n${fmt(row)}`)
      return 0
    }
    case 'info':
      out.out(renderInfo(state))
      return 0
    case 'install':
    case 'refresh': {
      if (!isRoot()) {
        out.err('error: access denied (try with sudo)')
        return 1
      }
      if (rest.includes('--hold') || rest.some((a) => a.startsWith('--hold='))) {
        if (!state.snap) return notInstalled(out)
        state.snap.held = true
        out.out('General refreshes of "microk8s" held indefinitely')
        return 0
      }
      if (rest.includes('--unhold')) {
        if (!state.snap) return notInstalled(out)
        state.snap.held = false
        out.out('Removed general refresh hold of "microk8s"')
        return 0
      }
      if (names[0] !== 'microk8s') {
        out.err(`error: snap "${names[0]}" not found`)
        return 1
      }
      const busy = unfinishedChange(state)
      if (busy) {
        // snapd's conflict check (overlord/snapstate/conflict.go): exit 10, retryable (facts §2.5).
        out.err(`error: snap "microk8s" has "${busy.kind}" change in progress`)
        return 10
      }
      const channel = optionValue(rest, '--channel')
      return verb === 'install'
        ? snapInstall(ctx, channel, rest.includes('--classic'), rest.includes('--devmode'))
        : snapRefresh(ctx, channel, rest.includes('--classic'))
    }
    case 'restart': {
      // `snap restart microk8s.daemon-containerd`: containerd, and with it the node, back after a while.
      if (!isRoot()) {
        out.err('error: access denied (try with sudo)')
        return 1
      }
      if (!state.snap) return notInstalled(out)
      if (!/^microk8s(\.daemon-[a-z-]+)?$/.test(names[0] ?? '')) {
        out.err(`error: snap "${names[0]}" not found`)
        return 1
      }
      state.cluster.restarts = [...(state.cluster.restarts ?? []), names[0]]
      state.cluster.readyAt = Date.now() + realMs(state, state.readiness?.afterRestart ?? 10)
      out.out('Restarted.')
      return 0
    }
    default:
      out.err(`error: unknown command "${verb}", see 'snap help'.`)
      return 1
  }
}

// snapd changes (facts §2.5, §2.6). A scenario's `snapdChanges` start when a command matching `startsOn` runs
// (an auto-refresh snapd begins just as the job wants to refresh) and last `seconds` simulated seconds; while
// one is unfinished, install/refresh of microk8s conflict with it. Its effect on the snap is not simulated.

function startScheduledChanges(state, line) {
  const snapd = (state.snapd ??= { nextId: 170, changes: [] })
  for (const planned of state.snapdChanges ?? []) {
    if (planned.started || !new RegExp(planned.startsOn ?? '^snap (install|refresh) microk8s --channel').test(line))
      continue
    planned.started = true
    const kind = planned.kind ?? 'auto-refresh'
    snapd.changes.push({
      id: String(snapd.nextId++),
      kind,
      summary: planned.summary ?? (kind === 'auto-refresh' ? 'Auto-refresh snap "microk8s"' : `${kind} of "microk8s"`),
      spawn: Date.now(),
      ready: Date.now() + realMs(state, planned.seconds ?? 150)
    })
  }
}

function unfinishedChange(state) {
  return (state.snapd?.changes ?? []).find((c) => Date.now() < c.ready)
}

/** `today at 10:01 UTC`: snap's humanised times, whose spaces a parser must cope with. */
function humanTime(ms) {
  return `today at ${new Date(ms).toISOString().slice(11, 16)} UTC`
}

/** `snap changes [snap]`: columns ID Status Spawn Ready Summary (cmd/snap/cmd_changes.go); none is an error. */
function snapChanges(ctx, name) {
  const { state, out } = ctx
  const changes = (state.snapd?.changes ?? []).filter((c) => !name || name === 'microk8s')
  if (changes.length === 0) {
    out.err('error: no changes found')
    return 1
  }
  const rows = changes.map((c) => {
    const done = Date.now() >= c.ready
    return [c.id, done ? 'Done' : 'Doing', humanTime(c.spawn), done ? humanTime(c.ready) : '-', c.summary]
  })
  const all = [['ID', 'Status', 'Spawn', 'Ready', 'Summary'], ...rows]
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)))
  out.out(
    all.map((r) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i] + 2) : cell)).join('')).join('\n') +
      '\n'
  )
  return 0
}

/** `snap watch ID`: blocks until the change is ready (no progress bar without a terminal). */
async function snapWatch(ctx, id) {
  const { state, out } = ctx
  const change = (state.snapd?.changes ?? []).find((c) => c.id === id)
  if (!change) {
    out.err(`error: cannot find change with id "${id}"`)
    return 1
  }
  ctx.simSeconds += Math.max(0, change.ready - Date.now()) / 1000 / (state.timeScale ?? 0.001)
  await sleepUntil(change.ready)
  return 0
}

function notInstalled(out) {
  out.err('error: snap "microk8s" is not installed')
  return 1
}

/** Client-side channel parsing (snapd channel.go): returns the normalised `track/risk` or an error text. */
function cleanChannel(text) {
  const parts = (text ?? 'latest/stable').split('/')
  if (parts.length > 3) return { error: `channel name has too many components: ${text}` }
  let [track, risk] =
    parts.length === 1 ? (RISKS.includes(parts[0]) ? ['latest', parts[0]] : [parts[0], 'stable']) : parts
  if (RISKS.includes(track) && parts.length === 2) [track, risk] = ['latest', track]
  if (!track) return { error: `invalid track in channel name: ${text}` }
  if (!RISKS.includes(risk)) return { error: `invalid risk in channel name: ${text}` }
  return { channel: `${track}/${risk}` }
}

function notAvailable(ctx, verb, channel) {
  const { state, out } = ctx
  const [, risk] = channel.split('/')
  const lines = tracks(state.store)
    .filter((t) => state.store.find((r) => r.channel === `${t}/${risk}` && r.version))
    .map((t) => `       ${`${t}/${risk}`.padEnd(19)} snap ${verb} --channel=${t} microk8s`)
  out.err(
    `error: snap "microk8s" is not available on ${channel} but is available to ${verb} on the\n       following tracks:\n\n${lines.join('\n')}\n\n` +
      "       Please be mindful that different tracks may include different features.\n       Get more information with 'snap info microk8s'."
  )
  return 1
}

function classicRefusal(out) {
  out.err(
    'error: This revision of snap "microk8s" was published using classic confinement and thus may\n' +
      '       perform arbitrary system changes outside of the security sandbox that snaps are\n' +
      '       usually confined to, which may put your system at risk.\n\n' +
      '       If you understand and want to proceed repeat the command including --classic.'
  )
  return 1
}

function minorOfVersion(v) {
  return Number(/^v?1\.(\d+)/.exec(v)?.[1])
}

function showChannel(channel) {
  return channel === 'latest/stable' ? '' : ` (${channel.replace(/^latest\//, '')})`
}

function snapInstall(ctx, channelText, classic, devmode) {
  const { state, out } = ctx
  if (state.snap) {
    out.err(`snap "microk8s" is already installed, see 'snap help refresh'`)
    return 0
  }
  const c = cleanChannel(channelText ?? `${state.defaultTrack ?? '1.32'}/stable`)
  if (c.error) {
    out.err(`error: cannot parse channel: ${c.error}`)
    return 1
  }
  const row = resolveChannel(state.store, c.channel)
  if (!row) return notAvailable(ctx, 'install', c.channel)
  if (row.confinement === 'classic' && !classic) return classicRefusal(out)
  if (row.confinement !== 'classic' && classic)
    out.err('Warning: flag --classic ignored for strictly confined snap microk8s')
  // The install hook reads a launch configuration and sideloaded archives placed before the install.
  const maxVersion = minorOfVersion(row.version) >= 28 ? '0.2.0' : '0.1.0'
  const hook = installHook(state, (text) => parseLaunchConfig(text, parseAllDocuments, maxVersion))
  if (hook.error) {
    out.err(
      `error: cannot perform the following tasks:\n- Run install hook of "microk8s" snap if present (run hook "install": ${hook.error})`
    )
    return 1
  }
  installSnap(state, c.channel, row)
  if (devmode) state.snap.devmode = true
  if (hook.launch) {
    // Applied by the cluster-agent once it runs (it polls $SNAP_COMMON/etc/launcher every 5 s).
    state.cluster.launch = { parts: hook.launch.parts }
    const cni = Object.assign({}, ...hook.launch.parts.map((p) => p.extraCNIEnv ?? {}))
    if (cni.IPv4_CLUSTER_CIDR) state.cluster.podCidr = cni.IPv4_CLUSTER_CIDR
  }
  out.out(`microk8s${showChannel(c.channel)} ${row.version} from Canonical** installed`)
  return 0
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
      makeObject('DaemonSet', {
        namespace: 'kube-system',
        name: 'calico-node',
        spec: {
          template: {
            spec: { containers: [{ name: 'calico-node', image: `docker.io/calico/node:${IMAGES.calico(minor)}` }] }
          }
        }
      }),
      makeObject('Deployment', {
        namespace: 'kube-system',
        name: 'calico-kube-controllers',
        spec: {
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
  applyManifest(state, 'dns', [])
  if (state.root) writeDefaultArgs(state)
}

/**
 * What runs in the background once MicroK8s is up, applied lazily when a command looks: containerd's sideload
 * plugin and the cluster-agent's launch configuration watcher, both polling every 5 s.
 */
export function runBackgroundNow(state) {
  runBackground(state)
}

function runBackground(state) {
  const c = state.cluster
  if (!c || !isReady(state) || Date.now() < c.readyAt + realMs(state, 5)) return
  if (state.root) loadSideloadedArchives(state)
  if (c.launch && !c.launch.applied) {
    for (const part of c.launch.parts) {
      for (const a of part.addons ?? []) {
        if (a.disable) removeAddonObjects(state, a.name)
        else {
          const m = enableManifest(a.name, c.repoBranch, a.args ?? [])
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

function snapRefresh(ctx, channelText, classic) {
  const { state, out } = ctx
  if (!state.snap) return notInstalled(out)
  const c = cleanChannel(channelText ?? state.snap.tracking)
  if (c.error) {
    out.err(`error: cannot parse channel: ${c.error}`)
    return 1
  }
  const row = resolveChannel(state.store, c.channel)
  if (!row) return notAvailable(ctx, 'refresh', c.channel)
  if (row.confinement === 'classic' && state.snap.confinement !== 'classic' && !classic) return classicRefusal(out)
  if (c.channel === state.snap.tracking && row.revision === state.snap.revision) {
    out.err('snap "microk8s" has no updates available')
    return 0
  }
  const from = minorOfVersion(state.snap.version)
  const to = minorOfVersion(row.version)
  state.snap = { ...state.snap, tracking: c.channel, version: row.version, revision: row.revision }
  const cluster = state.cluster
  // Skipping a minor or going back breaks the datastore in the field (canonical/microk8s#3007, #984).
  if (to > from + 1) cluster.broken = `refreshed from 1.${from} to 1.${to}, skipping a minor: k8s-dqlite is not running`
  if (to < from) cluster.broken = `refreshed from 1.${from} back to 1.${to}: the datastore cannot be downgraded`
  cluster.serverVersion = state.serverVersionAfter?.[c.channel] ?? row.version
  const never = (state.readiness?.neverOn ?? []).includes(c.channel)
  cluster.readyAt = never ? null : Date.now() + realMs(state, state.readiness?.afterRefresh ?? 30)
  // The API server answers before the restarted kubelet posts its node status: until then the node object still
  // shows the old kubelet version and the old Ready condition (readiness.kubeletAfterReady, simulated seconds).
  const silent = (state.readiness?.kubeletNeverReportsOn ?? []).includes(c.channel)
  cluster.kubeletReportsAt =
    never || silent ? null : cluster.readyAt + realMs(state, state.readiness?.kubeletAfterReady ?? 5)
  // The API server rewrites its own APF defaults at its preferred version.
  for (const o of cluster.objects) {
    if (o._default && o.kind === 'FlowSchema')
      o.metadata.managedFields[0].apiVersion = `flowcontrol.apiserver.k8s.io/${to >= 29 ? 'v1' : 'v1beta3'}`
  }
  // Calico is not upgraded by a refresh (microk8s-behaviour.md §3.6); addons keep running what they run.
  // The new revision's files replace the old ones under /snap/microk8s/current.
  writeSnapFiles(state, IMAGES.calico(to))
  out.out(`microk8s${showChannel(c.channel)} ${row.version} from Canonical** refreshed`)
  return 0
}

// ------------------------------------------------------------------------------------------- microk8s (§1, §3)

function isReady(state) {
  const c = state.cluster
  return Boolean(c && !c.broken && !c.stopped && c.readyAt !== null && Date.now() >= c.readyAt)
}

function serverMinor(state) {
  return minorOfVersion(state.cluster.serverVersion)
}

const INSUFFICIENT =
  "Insufficient permissions to access MicroK8s.\nYou can either try again with sudo or add the user runner to the 'microk8s' group:\n\n" +
  "    sudo usermod -a -G microk8s runner\n    sudo chown -R runner ~/.kube\n\nAfter this, reload the user groups either via a reboot or by running 'newgrp microk8s'."

async function microk8sCommand(ctx, argv) {
  const { state, out } = ctx
  if (!state.snap || state.microk8sMissing) {
    out.err('microk8s: command not found')
    return 127
  }
  if (!isRoot() && !(state.groupMembers ?? []).includes(process.env.USER)) {
    out.err(INSUFFICIENT)
    return 1
  }
  const [verb, ...rest] = argv
  switch (verb) {
    case 'status':
      return status(ctx, rest)
    case 'version':
      out.out(`MicroK8s ${state.snap.version} revision ${state.snap.revision}`)
      return 0
    case 'enable':
      return enable(ctx, rest)
    case 'disable':
      return disable(ctx, rest)
    case 'kubectl':
      return kubectl(ctx, rest)
    case 'config':
      out.out(kubeconfig())
      return 0
    case 'addons':
      return addonsRepo(ctx, rest)
    case 'inspect':
      return inspect(ctx)
    case 'ctr':
      return ctr(ctx, rest)
    case 'images':
      return images(ctx, rest)
    case 'start':
      if (!isRoot()) {
        out.err(INSUFFICIENT)
        return 1
      }
      if (state.cluster.stopped) {
        state.cluster.stopped = false
        state.cluster.readyAt = Date.now() + realMs(state, state.readiness?.afterStart ?? 20)
      }
      return 0
    case 'stop':
      state.cluster.stopped = true
      out.out('Stopped.')
      return 0
    default:
      out.out(`'${verb}' is not a valid MicroK8s subcommand.`)
      return 1
  }
}

function addonEnabled(state, name) {
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
    default:
      return Boolean(c.flags[name])
  }
}

function addonList(state) {
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

async function status(ctx, argv) {
  const { state, out } = ctx
  const format = optionValue(argv, '--format') ?? 'pretty'
  const wait = argv.includes('--wait-ready') || argv.includes('-w')
  const timeout = Number(optionValue(argv, '--timeout') ?? optionValue(argv, '-t') ?? 0)
  if (state.cluster.stopped) {
    out.out('microk8s is not running, try microk8s start')
    return 0
  }
  if (wait && !isReady(state)) {
    const c = state.cluster
    const limit = timeout > 0 ? Date.now() + realMs(state, timeout) : Infinity
    if (!c.broken && c.readyAt !== null && c.readyAt <= limit) {
      ctx.simSeconds += (c.readyAt - Date.now()) / 1000 / (state.timeScale ?? 0.001)
      await sleepUntil(c.readyAt)
      ctx.readyAt = c.readyAt
    } else {
      ctx.simSeconds += timeout
      await sleepUntil(limit === Infinity ? Date.now() + 3_600_000 : limit)
    }
  } else if (wait) {
    ctx.readyAt = state.cluster.readyAt
  }
  const ready = isReady(state)
  const addon = optionValue(argv, '--addon') ?? optionValue(argv, '-a')
  if (addon) {
    out.out(ready && addonEnabled(state, addon.split('/').pop()) ? 'enabled' : 'disabled')
    return ready ? 0 : 1
  }
  const notRunning = 'microk8s is not running. Use microk8s inspect for a deeper inspection.'
  const ha = state.cluster.flags['ha-cluster']
  if (format === 'yaml') {
    const lines = [
      'microk8s:',
      `  running: ${ready ? 'True' : 'False'}`,
      'high-availability:',
      `  enabled: ${ha ? 'True' : 'False'}`
    ]
    if (ha) lines.push('  nodes:', '    - address: 127.0.0.1:19001', '      role: voter')
    if (!ready) {
      lines.push(`  message: ${notRunning}`)
    } else {
      lines.push('addons:')
      for (const a of addonList(state)) {
        lines.push(
          `  - name: ${a.name}`,
          `    repository: ${a.repository}`,
          `    description: ${a.description}`,
          `    version: ${a.version || ' '}`,
          `    status: ${a.enabled ? 'enabled' : 'disabled'}`
        )
      }
    }
    out.out(lines.join('\n'))
  } else if (format === 'short') {
    if (!ready) out.out(notRunning)
    else
      out.out(
        [
          'microk8s is running',
          'addons:',
          ...addonList(state).map((a) => `${a.repository}/${a.name}: ${a.enabled ? 'enabled' : 'disabled'}`)
        ].join('\n')
      )
  } else {
    if (!ready) out.out(notRunning)
    else {
      const list = addonList(state)
      const row = (a) => `    ${a.name.padEnd(20)} # (${a.repository}) ${a.description}`
      out.out(
        [
          'microk8s is running',
          'high-availability: no',
          '  datastore master nodes: 127.0.0.1:19001',
          '  datastore standby nodes: none',
          'addons:',
          '  enabled:',
          ...list.filter((a) => a.enabled).map(row),
          '  disabled:',
          ...list.filter((a) => !a.enabled).map(row)
        ].join('\n')
      )
    }
  }
  return ready ? 0 : 1
}

function findAddon(state, repo, name) {
  return addonList(state).find((a) => a.name === name && (!repo || a.repository === repo))
}

/** Reads one line from stdin the way bash `read` does: blocks on an open pipe, empty on EOF. */
function readLine() {
  const buf = Buffer.alloc(1)
  let line = ''
  for (;;) {
    let n
    try {
      n = fs.readSync(0, buf, 0, 1, null)
    } catch (e) {
      if (e.code === 'EAGAIN') continue
      if (e.code === 'EOF') return { line, eof: true }
      throw e
    }
    if (n === 0) return { line, eof: true }
    const ch = buf.toString()
    if (ch === '\n') return { line, eof: false }
    line += ch
  }
}

function applyManifest(state, name, args) {
  const m = enableManifest(name, state.cluster.repoBranch, args)
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
 * What enable.py and disable.py do before any script runs (microk8s-behaviour.md §3.2): root, a running cluster, the addon found
 * in a repository (`Infer repository core for addon dns` on stderr). Returns the addon, or the exit code.
 */
function resolveAddon(ctx, argv) {
  const { state, out } = ctx
  if (!isRoot()) {
    out.err(INSUFFICIENT)
    return { code: 1 }
  }
  if (!isReady(state)) {
    out.err('microk8s is not running, try microk8s start')
    return { code: 1 }
  }
  const words = argv
  const names = new Set(addonList(state).flatMap((a) => [a.name, `${a.repository}/${a.name}`]))
  const parsed = parseXable(words, (n) => names.has(n))
  if (parsed.error) {
    out.out(parsed.error)
    return { code: 1 }
  }
  const { repo, name, args } = parsed
  const addon = findAddon(state, repo, name)
  if (!addon) {
    out.err(`Addon ${name} was not found in any repository`)
    return { code: 1 }
  }
  if (!repo) out.err(`Infer repository ${addon.repository} for addon ${name}`)
  return { addon, name, args }
}

async function enable(ctx, argv) {
  const { state, out } = ctx
  const resolved = resolveAddon(ctx, argv)
  if (!resolved.addon) return resolved.code
  const { addon, name, args } = resolved
  if (addon.enabled) {
    out.out(`Addon ${addon.repository}/${name} is already enabled`)
    return 0
  }
  const real = name === 'storage' ? 'hostpath-storage' : name
  const m = enableManifest(real, state.cluster.repoBranch, args)
  if (m.prompt) {
    if (process.stdin.isTTY) process.stderr.write(m.prompt) // `read -p`: a prompt only on a terminal
    const answer = readLine().line.trim()
    if (!answer) {
      out.out('Invalid IP address range. Exiting.')
      return 1
    }
    return enable(ctx, [name, answer])
  }
  if (m.error) {
    for (const l of m.error.lines) out.out(l)
    return m.error.code
  }
  for (const dep of m.needs ?? []) {
    if (!addonEnabled(state, dep)) {
      out.err(`Infer repository core for addon ${dep}`)
      applyManifest(state, dep, []).out?.forEach((l) => out.out(l))
    } else {
      out.out(`Addon core/${dep} is already enabled`)
    }
  }
  if (addon.repository === 'community') {
    state.cluster.flags[name] = true
    state.cluster.objects.push(
      Object.assign(
        makeObject('Deployment', {
          namespace: name,
          name,
          spec: { template: { spec: { containers: [{ name, image: `example/${name}:${state.cluster.repoBranch}` }] } } }
        }),
        { _addon: name }
      )
    )
    out.out(`${name} is enabled`)
  } else {
    for (const l of applyManifest(state, real, args).out ?? []) out.out(l)
  }
  return 0
}

function deleteNamespace(state, namespace) {
  state.cluster.objects = state.cluster.objects.filter(
    (o) => (o.metadata.namespace ?? '') !== namespace && !(o.kind === 'Namespace' && o.metadata.name === namespace)
  )
}

function removeAddonObjects(state, name, keep = () => false) {
  state.cluster.objects = state.cluster.objects.filter((o) => o._addon !== name || keep(o))
}

async function disable(ctx, argv) {
  const { state, out } = ctx
  const force = argv.includes('--force')
  const resolved = resolveAddon(ctx, argv)
  if (!resolved.addon) return resolved.code
  const { addon, name, args } = resolved
  const alwaysRuns = ['helm', 'helm3', 'ha-cluster'].includes(name)
  if (!addon.enabled && !alwaysRuns) {
    out.out(`Addon ${addon.repository}/${name} is already disabled`)
    return 0
  }
  switch (name) {
    case 'ha-cluster':
      if (!force) {
        out.out('Disabling HA will reset your cluster in a clean state.')
        out.out('Any running workloads will be stopped and any cluster configuration will be lost.')
        out.out("If you are sure you want to proceed please use the '--force' flag.")
        return 2
      }
      state.cluster.flags['ha-cluster'] = false
      state.cluster.objects = state.cluster.objects.filter((o) => o.kind === 'Node')
      state.cluster.wiped = true
      out.out('Reverting to a non-HA setup')
      return 0
    case 'helm':
    case 'helm3':
      out.out('Helm comes pre-installed with MicroK8s')
      return 0
    case 'hostpath-storage':
    case 'storage': {
      out.out('Disabling hostpath storage.')
      removeAddonObjects(state, 'hostpath-storage')
      out.out(
        'deployment.apps "hostpath-provisioner" deleted',
        'storageclass.storage.k8s.io "microk8s-hostpath" deleted'
      )
      out.out('Storage removed.')
      let destroy = args[0] === 'destroy-storage'
      if (!destroy) {
        // `read -p` shows its prompt (on stderr) only when stdin is a terminal: in CI nothing is printed.
        if (process.stdin.isTTY)
          process.stderr.write('Remove PVC storage at /var/snap/microk8s/common/default-storage ? (Y/N): ')
        const answer = readLine().line.trim().toLowerCase()
        destroy = answer === 'y' || answer === 'yes'
      }
      if (!destroy) return 1 // data kept; the script exits 1 (microk8s-behaviour.md §3.5)
      state.cluster.hostpathData.destroyed = true
      out.out('Storage space reclaimed.')
      return 0
    }
    case 'registry':
      removeAddonObjects(state, 'registry')
      state.cluster.objects = state.cluster.objects.filter((o) => (o.metadata.namespace ?? '') !== 'container-registry')
      out.out(
        'Disabling the private registry',
        'namespace "container-registry" deleted',
        "Use 'microk8s disable hostpath-storage:destroy-storage' to free the storage space."
      )
      return 0
    case 'ingress':
      // 1.28–1.34: `kubectl delete` of ingress.yaml, whose namespace `ingress` takes every object in it along
      // (the user's ConfigMap edits, a default TLS certificate Secret) (microk8s-behaviour.md §3.5).
      out.out('Disabling Ingress')
      removeAddonObjects(state, 'ingress')
      deleteNamespace(state, 'ingress')
      out.out('namespace "ingress" deleted', 'Ingress is disabled')
      return 0
    case 'metallb':
      // Deletes the webhooks, the CRDs (and with them every IPAddressPool, L2Advertisement, BGPPeer and
      // BGPAdvertisement) and namespace metallb-system (microk8s-behaviour.md §3.5).
      out.out('Disabling MetalLB')
      removeAddonObjects(state, 'metallb')
      state.cluster.objects = state.cluster.objects.filter((o) => !METALLB_KINDS.includes(o.kind))
      deleteNamespace(state, 'metallb-system')
      out.out('namespace "metallb-system" deleted', 'MetalLB is terminated')
      return 0
    case 'dns':
      out.out('Disabling DNS', 'Reconfiguring kubelet', 'Removing DNS manifest')
      removeAddonObjects(state, 'dns')
      out.out(
        'deployment.apps "coredns" deleted',
        'configmap "coredns" deleted',
        'service "kube-dns" deleted',
        'DNS is disabled'
      )
      return 0
    default:
      removeAddonObjects(state, name)
      state.cluster.flags[name] = false
      if (name === 'community') state.cluster.communityRepo = false
      out.out(`Disabling ${name}`, `${name} is disabled`)
      return 0
  }
}

function addonsRepo(ctx, argv) {
  const { state, out } = ctx
  const [sub, repo] = argv
  if (sub !== 'repo' || !['update', 'add', 'list', 'remove'].includes(repo)) {
    out.err('Usage: microk8s addons repo [add|remove|update|list]')
    return 2
  }
  const name = argv[2]
  if (repo === 'list') {
    out.out(
      `REPO       ADDONS SOURCE\ncore           ${String(coreAddonNames(state.cluster.repoBranch).length).padStart(2)} /snap/microk8s/current/addons/core@3b5772`
    )
    return 0
  }
  if (!isRoot()) {
    out.out('Elevated permissions is needed for this operation. Please run this command with sudo.')
    return 50
  }
  if (repo === 'update') {
    if (name !== 'core' && !(name === 'community' && state.cluster.communityRepo)) {
      out.out(`Error: repository '${name}' does not exist`)
      return 1
    }
    out.out(`Updating repository ${name}`)
    // A re-clone or a pull brings every directory to the snap's commit.
    if (name === 'core') state.cluster.staleAddons = []
    const bundled = branchOf(state.snap.tracking)
    if (state.cluster.repoBranch !== bundled) {
      out.err(`Cloning into '/var/snap/microk8s/common/addons/${name}'...`)
      state.cluster.repoBranch = bundled
    } else {
      out.out('Already up to date.')
    }
    return 0
  }
  out.err(`error: 'addons repo ${repo}' is not simulated`)
  return 1
}

function inspect(ctx) {
  const { state, out } = ctx
  const dir = path.join(stateDir(), 'var', 'snap', 'microk8s', String(state.snap.revision))
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `inspection-report-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}.tar.gz`)
  fs.writeFileSync(
    file,
    zlib.gzipSync(JSON.stringify({ snap: state.snap, ready: isReady(state), broken: state.cluster.broken }, null, 1))
  )
  out.out('Inspecting system')
  out.out('Inspecting Certificates')
  out.out('Inspecting services')
  out.out('  Service snap.microk8s.daemon-kubelite is running')
  out.out('Building the report tarball')
  out.out(`  Report tarball is at ${file}`)
  return 0
}

/** `microk8s ctr image ls -q` (containerd's k8s.io namespace): the images containerd holds. */
function ctr(ctx, argv) {
  const { state, out } = ctx
  const [group, verb] = argv
  if (['image', 'images', 'i'].includes(group) && ['ls', 'list'].includes(verb)) {
    const quiet = argv.includes('-q') || argv.includes('--quiet')
    const names = [...(state.cluster.images ?? [])].sort()
    out.out(quiet ? names.join('\n') : ['REF', ...names].join('\n'))
    return 0
  }
  out.err(`ctr: '${argv.join(' ')}' is not simulated`)
  return 1
}

/**
 * `microk8s images import FILE` (scripts/wrappers/images.py): posts the archive to every node's cluster-agent.
 * A rejected archive is only a printed line: the command still exits 0.
 */
function images(ctx, argv) {
  const { state, out } = ctx
  const [verb, file] = argv
  if (verb !== 'import' || !file) {
    out.err(`images: '${argv.join(' ')}' is not simulated`)
    return 1
  }
  // Strict confinement (not devmode) with the home interface: images.py runs inside the snap, which reaches
  // non-hidden files under /home only; anything else is denied by AppArmor before the file is opened.
  if (state.snap?.confinement === 'strict' && !state.snap.devmode && !strictReadable(file)) {
    out.err(`Error: failed to read ${file}: [Errno 13] Permission denied: '${file}'`)
    return 1
  }
  let data
  try {
    data = fs.readFileSync(hostPath(state, file))
  } catch (e) {
    out.err(`Error: failed to read ${file}: [Errno 2] No such file or directory: '${file}'`)
    return 1
  }
  out.out('Pushing OCI images to 127.0.0.1:25000')
  const names = imageNamesInArchive(data)
  if (!names) out.out('Failed to import images on 127.0.0.1:25000: ctr: unrecognized image format')
  else addImages(state, names)
  return 0
}

/** What a strict snap's home interface lets it read: a path under /home with no hidden component. */
export function strictReadable(file) {
  const parts = path.posix.normalize(file).split('/').filter(Boolean)
  return parts[0] === 'home' && parts.length > 2 && !parts.some((p) => p.startsWith('.'))
}

function kubeconfig() {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: U0lNVUxBVE9SLUNB
    server: https://127.0.0.1:16443
  name: microk8s-cluster
contexts:
- context:
    cluster: microk8s-cluster
    user: admin
  name: microk8s
current-context: microk8s
kind: Config
preferences: {}
users:
- name: admin
  user:
    client-certificate-data: U0lNVUxBVE9SLUNFUlQ=
    client-key-data: U0lNVUxBVE9SLUtFWQ==
`
}

// --------------------------------------------------------------------------------------------------- kubectl

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
  return c.objects
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

function matchesSelector(obj, selector) {
  if (!selector) return true
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=')
    return (obj.metadata.labels ?? {})[k] === v
  })
}

async function kubectl(ctx, argv) {
  const { state, out } = ctx
  if (!isReady(state)) return refused(out)
  const [verb, ...rest] = argv
  const ns = optionValue(rest, '-n') ?? optionValue(rest, '--namespace')
  const all = rest.includes('-A') || rest.includes('--all-namespaces')
  const positional = []
  for (let i = 0; i < rest.length; i++) {
    if (['-n', '--namespace', '-o', '-l', '--field-selector', '-f'].includes(rest[i])) i++
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
      const [types, name] = positional
      const kinds = []
      for (const t of (types ?? '').split(',')) {
        const kind = kindOfResource(t)
        if (!kind || (METALLB_KINDS.includes(kind) && !addonEnabled(state, 'metallb'))) {
          out.err(`error: the server doesn't have a resource type "${t}"`)
          return 1
        }
        kinds.push(kind)
      }
      const selector = optionValue(rest, '-l')
      const field = optionValue(rest, '--field-selector')
      const fieldType = field?.startsWith('type=') ? field.slice(5) : undefined
      const items = liveObjects(state)
        .filter((o) => kinds.includes(o.kind))
        .filter((o) => isClusterScoped(o.kind) || all || (o.metadata.namespace ?? '') === (ns ?? 'default'))
        .filter((o) => !name || o.metadata.name === name)
        .filter((o) => matchesSelector(o, selector))
        .filter((o) => !fieldType || o.type === fieldType)
        .map((o) => served(o, serverMinor(state)))
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
      const never = blocked || (state.rolloutNeverCompletes ?? []).includes(`${ns}/${name}`)
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
        if (METALLB_KINDS.includes(d.kind) && !addonEnabled(state, 'metallb')) {
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
    case 'delete': {
      const [type, name] = positional
      const kind = kindOfResource(type ?? '')
      if (!kind || (METALLB_KINDS.includes(kind) && !addonEnabled(state, 'metallb'))) {
        out.err(`error: the server doesn't have a resource type "${type}"`)
        return 1
      }
      const target = { kind, metadata: { name, namespace: isClusterScoped(kind) ? undefined : (ns ?? 'default') } }
      const before = state.cluster.objects.length
      state.cluster.objects = state.cluster.objects.filter((o) => !sameObject(o, target))
      if (state.cluster.objects.length === before) {
        if (rest.includes('--ignore-not-found')) return 0
        out.err(`Error from server (NotFound): ${type} "${name}" not found`)
        return 1
      }
      out.out(`${kind.toLowerCase()} "${name}" deleted`)
      return 0
    }
    default:
      out.err(`error: unknown command "${verb}" for "kubectl"`)
      return 1
  }
}
