// The simulated `snap` command (docs/microk8s-behaviour.md §2.2–§2.6, channel grammar §6): list, info, install,
// refresh (channels, classic confinement), holds, restart, and snapd's changes (§2.5: `snap changes`, `snap
// watch`, exit 10 while one conflicts with install/refresh). What an install does to the cluster is the cluster
// model's (cluster.mjs), what a refresh does to the pods pod-lifecycle.mjs's; the store's channels are store.mjs's;
// the install hook and the snap's files host.mjs's.
import { sleepUntil, realMs, isRoot, optionValue } from './state.mjs'
import { resolveChannel, renderInfo, tracks } from './store.mjs'
import { IMAGES } from './addons.mjs'
import { installSnap, minorOfVersion } from './cluster.mjs'
import { installHook, parseLaunchConfig, writeSnapFiles } from './host.mjs'
import { writeSnapAddonScripts } from './internet.mjs'
import { refreshPods } from './pod-lifecycle.mjs'
import { branchOf } from './addon-releases.mjs'
import { restartApiServer } from './apiserver-metrics.mjs'

const RISKS = ['stable', 'candidate', 'beta', 'edge']

export async function snapCommand(ctx, argv) {
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
      // Restarting kubelite (or every service) restarts the API server's process.
      if (['microk8s', 'microk8s.daemon-kubelite'].includes(names[0])) restartApiServer(state)
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

function showChannel(channel) {
  return channel === 'latest/stable' ? '' : ` (${channel.replace(/^latest\//, '')})`
}

async function snapInstall(ctx, channelText, classic, devmode) {
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
  // Loaded here, not at the top: the YAML parser is most of a command's start-up time, and only install needs it.
  const { parseAllDocuments } = await import('yaml')
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
  // The refresh restarts kubelite: a new API server process, its deprecated-API gauge empty.
  restartApiServer(state)
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
  // What the restarted kubelet and the configure hook do to the pods once kubelite is back (pod-lifecycle.mjs).
  if (!never && !cluster.broken) refreshPods(state, { from, to, channel: c.channel, at: cluster.readyAt })
  // Calico is not upgraded by a refresh (microk8s-behaviour.md §3.6); addons keep running what they run.
  // The new revision's files replace the old ones under /snap/microk8s/current.
  writeSnapFiles(state, IMAGES.calico(to))
  writeSnapAddonScripts(state, branchOf(c.channel))
  out.out(`microk8s${showChannel(c.channel)} ${row.version} from Canonical** refreshed`)
  return 0
}
