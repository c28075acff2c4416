// The simulated `microk8s` command: the wrapper's permission check and its subcommands status (`--wait-ready`,
// `--format`, `-a`; docs/microk8s-behaviour.md §1), version (§2.1), config, inspect, start/stop, `ctr image ls`
// and `images import` (a strict snap reads only what its home interface allows). enable, disable and `addons repo` are addon-commands.mjs's; kubectl is kubectl.mjs's.
import { apiServerConfig } from './service-network.mjs'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { sleepUntil, realMs, isRoot, stateDir, optionValue } from './state.mjs'
import { isReady, addonEnabled, addonList } from './cluster.mjs'
import { INSUFFICIENT, enable, disable, addonsRepo } from './addon-commands.mjs'
import { kubectl } from './kubectl.mjs'
import { imageNamesInArchive, addImages, hostPath } from './host.mjs'
import { restartApiServer } from './apiserver-metrics.mjs'

export async function microk8sCommand(ctx, argv) {
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
      out.out(kubeconfig(apiServerConfig(ctx.state)))
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
        restartApiServer(state)
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

function kubeconfig(api) {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${api.ca}
    server: ${api.server}
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
    client-certificate-data: ${api.cert}
    client-key-data: ${api.key}
`
}
