// The simulated addon repositories: the snap's (`/snap/microk8s/current/addons/core`, at the branch the installed
// track bundles) and the active one (`/var/snap/microk8s/common/addons/core`, at the branch it was cloned or last
// updated at), as `git ls-tree HEAD addons/` shows them.
//
// Which addon directories differ between branches is upstream data: the abbreviated tree ids below are
// `git ls-tree <branch> addons/` of canonical/microk8s-core-addons at the branch heads 1.28 (3b5772c) … 1.35
// (ec06cfb) and main (f689811). A simulated directory's content is that upstream id together with what the
// simulator deploys from it (images, addons.yaml label), and its tree hash is the hash of that content: two
// branches' hashes are equal exactly when the simulated contents are.
import { createHash } from 'node:crypto'
import { BRANCHES, branchOf, contentBranch, IMAGES, labelOf, pick } from './addon-releases.mjs'
import { loadState, logCall, isRoot, viaSudo } from './state.mjs'

export const SNAP_REPO = '/snap/microk8s/current/addons/core'
export const ACTIVE_REPO = '/var/snap/microk8s/common/addons/core'

/** Upstream tree id (abbreviated) of each addon directory per branch; null where the branch has none. */
const UPSTREAM_TREES = {
  'cert-manager': [
    [['1.28', '1.29', '1.30'], '81b9994'],
    [['1.31', '1.32'], '7ba7ffd'],
    [['1.33'], '38d233b'],
    [['1.34'], '2703c81'],
    [['1.35'], '07f4f09'],
    [['main'], '7f8b37c']
  ],
  'cis-hardening': [
    [['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35'], 'be43e9e'],
    [['main'], '2afd211']
  ],
  common: [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], 'a888544']],
  community: [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], '4fd2ab2']],
  dashboard: [
    [['1.28', '1.29', '1.30', '1.31', '1.32'], '1e4641d'],
    [['1.33'], '957c194'],
    [['1.34'], 'd061347'],
    [['1.35'], '114fac6'],
    [['main'], null]
  ],
  dns: [
    [['1.28', '1.29', '1.30', '1.31', '1.32'], '6633a71'],
    [['1.33'], 'ef6b501'],
    [['1.34'], 'f182b77'],
    [['1.35'], '9f2b838'],
    [['main'], '5b578c7']
  ],
  gpu: [
    [['1.28'], 'e1b9a2a'],
    [['1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], '1c74218']
  ],
  'ha-cluster': [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], '7995b5e']],
  helm: [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], '953a6f0']],
  helm3: [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], '6267abe']],
  'host-access': [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], '16c240f']],
  'hostpath-storage': [
    [['1.28'], '189ac41'],
    [['1.29', '1.30', '1.31', '1.32', '1.33'], 'fca0453'],
    [['1.34', '1.35', 'main'], '528ba0c']
  ],
  ingress: [
    [['1.28', '1.29', '1.30'], '054c0ec'],
    [['1.31'], 'b53c83f'],
    [['1.32', '1.33', '1.34'], '15e052e'],
    [['1.35'], '36aa2f8'],
    [['main'], 'baeae58']
  ],
  'kube-ovn': [
    [['1.28', '1.29', '1.30'], '711be6b'],
    [['1.31'], '2a7f7e8'],
    [['1.32'], '11ff286'],
    [['1.33', '1.34', '1.35', 'main'], '007e547']
  ],
  mayastor: [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], '19b997c']],
  metallb: [
    [['1.28', '1.29', '1.30'], '0f4d31f'],
    [['1.31'], 'f9438bb'],
    [['1.32'], '70b3f48'],
    [['1.33'], '2d18d15'],
    [['1.34', '1.35'], '4ac7693'],
    [['main'], '10b5552']
  ],
  'metrics-server': [
    [['1.28', '1.29', '1.30', '1.31', '1.32'], '1e36ab5'],
    [['1.33'], '0352eeb'],
    [['1.34', '1.35'], '2bba423'],
    [['main'], '1fcd8b3']
  ],
  minio: [
    [['1.28', '1.29', '1.30'], 'db2baef'],
    [['1.31', '1.32'], '78df0dd'],
    [['1.33', '1.34'], '8b1a638'],
    [['1.35', 'main'], '0fd6319']
  ],
  nvidia: [
    [['1.28'], null],
    [['1.29', '1.30', '1.31'], '6e84bf5'],
    [['1.32'], '4d7af5e'],
    [['1.33'], '792fd92'],
    [['1.34'], '08b33cb'],
    [['1.35'], 'c4a179c'],
    [['main'], 'df1cb5f']
  ],
  observability: [
    [['1.28', '1.29', '1.30', '1.31', '1.32'], 'd0d732e'],
    [['1.33'], '76be054'],
    [['1.34'], '2c34645'],
    [['1.35', 'main'], 'a4e991a']
  ],
  prometheus: [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], '483451a']],
  rbac: [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], '9dc05e3']],
  registry: [
    [['1.28', '1.29', '1.30', '1.31', '1.32'], '751d779'],
    [['1.33', '1.34', '1.35', 'main'], 'dd91fb6']
  ],
  'rook-ceph': [
    [['1.28', '1.29', '1.30', '1.31', '1.32'], '0f098a6'],
    [['1.33'], 'fd503b7'],
    [['1.34'], 'e2942f8'],
    [['1.35', 'main'], '5e1f7cf']
  ],
  storage: [[['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', 'main'], 'b726fd2']]
}

/** What the simulator deploys from an addon directory (the part of its content the simulator models). */
function deployed(name, branch) {
  const images = {
    dns: () => [IMAGES.coredns(branch)],
    ingress: () => [IMAGES.ingress(branch)],
    'hostpath-storage': () => [IMAGES.hostpath(branch)],
    'metrics-server': () => [IMAGES.metricsServer(branch)],
    metallb: () => [IMAGES.metallb(branch, 'controller'), IMAGES.metallb(branch, 'speaker')],
    registry: () => [IMAGES.registry(branch)]
  }[name]
  return { images: images ? images() : [], label: labelOf(name, branch) }
}

/**
 * The addon directories of a branch with their tree hashes, as `git ls-tree HEAD addons/` prints them. `stale`
 * names directories of a clone made from an older commit of the branch (an active repository cloned at install
 * from a snap revision built before the branch last changed them).
 */
export function lsTree(branch, stale = []) {
  const b = contentBranch(branch)
  const rows = []
  for (const [name, runs] of Object.entries(UPSTREAM_TREES)) {
    const upstream = pick(b, runs)
    if (!upstream) continue
    const content = JSON.stringify({
      name,
      upstream,
      ...deployed(name, b),
      ...(stale.includes(name) ? { clonedFrom: 'an older commit' } : {})
    })
    const hash = createHash('sha1').update(`tree ${content.length}\0${content}`).digest('hex')
    rows.push(`040000 tree ${hash}\taddons/${name}`)
  }
  return rows.join('\n')
}

export { BRANCHES }

/** `git [-c k=v]… -C <repo> ls-tree HEAD addons/` against the simulated repositories; returns the exit code. */
export function runGit(argv) {
  const started = Date.now()
  const args = [...argv]
  let repo
  let safe = false
  while (args[0] === '-C' || args[0] === '-c') {
    const [flag, value] = args.splice(0, 2)
    if (flag === '-C') repo = value
    else if (/^safe\.directory=/.test(value ?? '')) safe = true
  }
  const state = loadState()
  const out = (text, stream = process.stdout) => stream.write(`${text}\n`)
  let code = 0
  const branch =
    !state.snap || !state.cluster
      ? undefined
      : repo === SNAP_REPO
        ? branchOf(state.snap.tracking)
        : repo === ACTIVE_REPO
          ? state.cluster.repoBranch
          : undefined
  if (branch === undefined) {
    out(`fatal: cannot change to '${repo}': No such file or directory`, process.stderr)
    code = 128
  } else if (!isRoot() && !safe) {
    // Both repositories belong to root (snapd and the configure hook create them).
    out(`fatal: detected dubious ownership in repository at '${repo}'`, process.stderr)
    code = 128
  } else if (args[0] === 'ls-tree' && args[1] === 'HEAD' && args[2] === 'addons/' && args.length === 3) {
    out(lsTree(branch, repo === ACTIVE_REPO ? (state.cluster.staleAddons ?? []) : []))
  } else {
    out(`simulator: git ${argv.join(' ')} is not simulated`, process.stderr)
    code = 2
  }
  logCall({
    tool: 'git',
    args: argv,
    sudo: viaSudo(),
    spawned: Math.round(performance.timeOrigin),
    start: started,
    end: Date.now(),
    simSeconds: 0,
    exit: code
  })
  return code
}
