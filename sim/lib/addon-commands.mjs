// `microk8s enable`, `microk8s disable` and `microk8s addons repo` (docs/microk8s-behaviour.md §3.2 what
// enable.py and disable.py check before any script runs, §3.3 the arguments checked, §3.4 dependencies, §3.5 what
// each disable deletes and the answers it reads from stdin, §5.4 and §7 `addons repo update`). The arguments are split as parse_xable_addon_args does (addons.mjs); what an addon puts in
// the cluster is the cluster model's (cluster.mjs).
import * as fs from 'node:fs'
import { isRoot } from './state.mjs'
import { enableManifest, parseXable, coreAddonNames } from './addons.mjs'
import { branchOf, branchMinor } from './addon-releases.mjs'
import { makeObject } from './objects.mjs'
import { nvidiaDisable } from './nvidia.mjs'
import { skipOptIn } from './host.mjs'
import { restartApiServer } from './apiserver-metrics.mjs'
import { crdsOf, gatewayApiCrds, metallbCrds } from './crds.mjs'
import { downloadsOf, internetReachable, unreachableLines } from './internet.mjs'
import {
  isReady,
  addonEnabled,
  addonList,
  applyManifest,
  deleteNamespace,
  removeAddonObjects,
  hostEnv,
  removeObjects
} from './cluster.mjs'

export const INSUFFICIENT =
  "Insufficient permissions to access MicroK8s.\nYou can either try again with sudo or add the user runner to the 'microk8s' group:\n\n" +
  "    sudo usermod -a -G microk8s runner\n    sudo chown -R runner ~/.kube\n\nAfter this, reload the user groups either via a reboot or by running 'newgrp microk8s'."

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

export async function enable(ctx, argv) {
  const { state, out } = ctx
  const resolved = resolveAddon(ctx, argv)
  if (!resolved.addon) return resolved.code
  const { addon, name, args } = resolved
  if (addon.enabled) {
    out.out(`Addon ${addon.repository}/${name} is already enabled`)
    return 0
  }
  // Aliases run the real addon's script: storage → hostpath-storage, gpu → nvidia from 1.29.
  const real =
    name === 'storage'
      ? 'hostpath-storage'
      : name === 'gpu' && branchMinor(state.cluster.repoBranch) >= 29
        ? 'nvidia'
        : name
  const m = enableManifest(real, state.cluster.repoBranch, args, hostEnv(state))
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
  // The chart repository (and for ingress the Gateway API manifest) comes first: nothing is created without it.
  if (downloadsOf(real, state.cluster.repoBranch) && !internetReachable(state)) {
    for (const l of unreachableLines(real, state.cluster.repoBranch, state)) out.err(l)
    return 1
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

export async function disable(ctx, argv) {
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
      if (branchMinor(state.cluster.repoBranch) >= 35) return disableTraefik(ctx)
      // 1.28–1.34: `kubectl delete` of ingress.yaml, whose namespace `ingress` takes every object in it along
      // (the user's ConfigMap edits, a default TLS certificate Secret) (microk8s-behaviour.md §3.5).
      out.out('Disabling Ingress')
      removeAddonObjects(state, 'ingress')
      deleteNamespace(state, 'ingress')
      out.out('namespace "ingress" deleted', 'Ingress is disabled')
      return 0
    case 'metallb':
      return disableMetallb(ctx)
    case 'dns':
      // Deletes coredns.yaml's objects, then removes (not resets) the kubelet's --cluster-domain and
      // --cluster-dns and restarts it (the same script on every branch, microk8s-behaviour.md §3.5).
      out.out('Disabling DNS', 'Reconfiguring kubelet', 'Removing DNS manifest')
      removeAddonObjects(state, 'dns')
      skipOptIn(state, 'kubelet', 'cluster-domain')
      skipOptIn(state, 'kubelet', 'cluster-dns')
      // `restart_service kubelet` restarts kubelite, and with it the API server (docs/kubernetes-upgrades.md §4).
      restartApiServer(state)
      out.out(
        'deployment.apps "coredns" deleted',
        'configmap "coredns" deleted',
        'service "kube-dns" deleted',
        'DNS is disabled'
      )
      return 0
    case 'nvidia':
    case 'gpu':
      // helm uninstall of gpu-operator (its chart's ClusterPolicy goes with it); from 1.33 the CRDs too.
      removeAddonObjects(state, 'nvidia')
      removeAddonObjects(state, 'gpu')
      state.cluster.flags.nvidia = false
      state.cluster.flags.gpu = false
      for (const line of nvidiaDisable(state, state.cluster.repoBranch)) out.out(line)
      return 0
    default:
      removeAddonObjects(state, name)
      state.cluster.flags[name] = false
      if (name === 'community') state.cluster.communityRepo = false
      out.out(`Disabling ${name}`, `${name} is disabled`)
      return 0
  }
}

const isCrd = (o) => o.kind === 'CustomResourceDefinition'

/**
 * 1.35 and main (addons/ingress/disable, identical on both): the legacy nginx objects and IngressClasses nginx and
 * public, `helm uninstall traefik` (Helm never deletes the CRDs it installed from the chart's crds/), `kubectl delete
 * -f` Gateway API v1.4.0's standard-install.yaml from GitHub (those six CRDs by name; without the internet it
 * fails silently), every CRD whose name matches `traefik.io` (grep's `.` is any character: hub.traefik.io too),
 * then namespace ingress. Every step ends `|| true`. Deleting a CRD deletes every object of its kind everywhere.
 */
function disableTraefik({ state, out }) {
  out.out('Disabling Traefik ingress controller', 'Cleaning up legacy nginx-ingress resources...')
  removeObjects(
    state,
    (o) =>
      (o.kind === 'IngressClass' && ['nginx', 'public'].includes(o.metadata.name)) ||
      (o.kind === 'DaemonSet' && o.metadata.name === 'nginx-ingress-microk8s-controller')
  )
  out.out('Uninstalling Traefik...')
  removeAddonObjects(state, 'ingress', (o) => isCrd(o) || o.kind === 'TLSStore')
  out.out('Removing Gateway API CRDs...')
  if (internetReachable(state)) {
    const names = gatewayApiCrds('v1.4.0').map((c) => `${c.plural}.${c.group}`)
    removeObjects(state, (o) => isCrd(o) && names.includes(o.metadata.name))
  }
  out.out('Cleaning up Traefik CRDs...')
  removeObjects(state, (o) => isCrd(o) && /traefik.io/.test(o.metadata.name))
  out.out('Removing ingress namespace...')
  deleteNamespace(state, 'ingress')
  out.out('Ingress is disabled')
  return 0
}

/**
 * addons/metallb/disable (set -e): the webhooks, `kubectl delete -f crd.yaml` — the branch's own CRD list, every
 * pool, advertisement, BGP peer, BFD profile and community (and on 1.28–1.32 every legacy AddressPool) with them;
 * a CRD listed there but absent makes kubectl exit 1 and the script stops before the namespace — then namespace
 * metallb-system (microk8s-behaviour.md §3.5).
 */
function disableMetallb({ state, out }) {
  out.out('Disabling MetalLB')
  const listed = metallbCrds(branchMinor(state.cluster.repoBranch)).map((c) => `${c.plural}.${c.group}`)
  const present = new Set(crdsOf(state.cluster.objects).map((c) => c.metadata.name))
  removeObjects(state, (o) => isCrd(o) && listed.includes(o.metadata.name))
  const missing = listed.filter((n) => !present.has(n))
  for (const name of missing)
    out.err(
      `Error from server (NotFound): error when deleting "/var/snap/microk8s/common/addons/core/addons/metallb/crd.yaml": customresourcedefinitions.apiextensions.k8s.io "${name}" not found`
    )
  if (missing.length) return 1
  deleteNamespace(state, 'metallb-system')
  removeAddonObjects(state, 'metallb')
  out.out('namespace "metallb-system" deleted', 'MetalLB is terminated')
  return 0
}

export function addonsRepo(ctx, argv) {
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
