// The runner host around MicroK8s, as data: the simulation's root for the system paths the action writes (/etc,
// /var/snap, /root, /snap live under DIR/root), the files the snap ships and a fresh install writes, the install
// hook and containerd's sideload plugin (canonical/microk8s snap/hooks/install), image archives, Docker's iptables
// rules as a network model, and the cluster-agent's launch configuration parser. The commands that read and
// write these (`install`, `cat`, `test`, `iptables`) are host-tools.mjs's. host-probe.sh maps the paths of the
// quick `test`/`cat` probes the same way as hostPath (keep the two alike: test/sim-host.test.ts checks).
import * as fs from 'node:fs'
import * as path from 'node:path'

const SYSTEM_PREFIXES = ['/etc/', '/var/snap/', '/root/', '/snap/', '/sys/kernel/security/']
/** securityfs is also mapped as itself (`test -d /sys/kernel/security`: is it mounted), unlike /etc or /snap. */
const SECURITYFS = '/sys/kernel/security'

export const SNAP_COMMON = '/var/snap/microk8s/common'
export const SNAP_DATA = '/var/snap/microk8s/current'

/** Where an absolute system path lives inside the simulation (other paths are left as they are). */
export function hostPath(state, p) {
  const mapped = p === SECURITYFS || SYSTEM_PREFIXES.some((prefix) => p.startsWith(prefix))
  return mapped ? path.join(state.root, p) : p
}

// ------------------------------------------------------------------------------------------------ securityfs

/**
 * AppArmor's feature tree in securityfs (/sys/kernel/security/apparmor/features, read-only; docs/strict-apparmor.md
 * §2), as the scenario's `kernel.apparmor` says: `network_v9` (fine-grained network mediation: today's GitHub-hosted
 * runners), `network` (the older feature set only; the default), `disabled` (securityfs without AppArmor),
 * `unmounted` (no securityfs at all).
 */
export function writeSecurityFs(state, apparmor = 'network') {
  if (!state.root || apparmor === 'unmounted') return
  const base = '/sys/kernel/security'
  fs.mkdirSync(hostPath(state, base), { recursive: true })
  if (apparmor === 'disabled') return
  const features = `${base}/apparmor/features`
  writeHostFile(
    state,
    `${features}/network/af_mask`,
    'unspec unix inet ax25 ipx appletalk netrom bridge atmpvc x25 inet6\n'
  )
  writeHostFile(state, `${features}/network/af_unix`, 'yes\n')
  writeHostFile(state, `${features}/policy/versions/v8`, 'yes\n')
  if (apparmor !== 'network_v9') return
  writeHostFile(
    state,
    `${features}/network_v9/af_mask`,
    'unspec unix inet ax25 ipx appletalk netrom bridge atmpvc x25 inet6\n'
  )
  writeHostFile(state, `${features}/network_v9/af_unix`, 'yes\n')
  writeHostFile(state, `${features}/policy/versions/v9`, 'yes\n')
}

export function readHostFile(state, p) {
  const file = hostPath(state, p)
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined
}

export function writeHostFile(state, p, content) {
  const file = hostPath(state, p)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, content)
}

/** The Calico manifest the snap ships (canonical/microk8s, upgrade-scripts/000-switch-to-calico/resources/calico.yaml). */
export const SNAP_CALICO_MANIFEST = '/snap/microk8s/current/upgrade-scripts/000-switch-to-calico/resources/calico.yaml'

/**
 * Puts the installed revision's files under /snap/microk8s/current: the Calico manifest, whose images name the
 * Calico of that branch (`tag`). The scenario field `snapCalicoManifestMissing` leaves it out (an unreadable file).
 */
export function writeSnapFiles(state, tag) {
  if (!state.root) return
  const file = hostPath(state, SNAP_CALICO_MANIFEST)
  if (state.snapCalicoManifestMissing) return fs.rmSync(file, { force: true })
  writeHostFile(state, SNAP_CALICO_MANIFEST, calicoManifest(tag))
}

/** The parts of the snap's calico.yaml that name images: the calico-node DaemonSet and calico-kube-controllers. */
function calicoManifest(tag) {
  return `---
# Source: calico/templates/calico-node.yaml
kind: DaemonSet
apiVersion: apps/v1
metadata:
  name: calico-node
  namespace: kube-system
spec:
  template:
    spec:
      initContainers:
        - name: upgrade-ipam
          image: docker.io/calico/cni:${tag}
        - name: install-cni
          image: docker.io/calico/cni:${tag}
      containers:
        - name: calico-node
          image: docker.io/calico/node:${tag}
---
# Source: calico/templates/calico-kube-controllers.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: calico-kube-controllers
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: calico-kube-controllers
          image: docker.io/calico/kube-controllers:${tag}
`
}

// ------------------------------------------------------------------------------------------ install hook

/**
 * What snap/hooks/install does with files placed before `snap install` (canonical/microk8s, snap/hooks/install):
 * the first existing launch configuration is copied to $SNAP_COMMON/etc/launcher/install.yaml and its pre-init
 * part applied (a file the cluster-agent cannot parse fails the install); `sideload/*.tar` is copied to
 * $SNAP_COMMON/etc/sideload, which containerd's sideload plugin imports once it runs.
 * Returns the launch configuration found, or `{ error }`.
 */
export function installHook(state, parseLaunchConfig) {
  let launch
  for (const p of [
    '/etc/microk8s.yaml',
    '/root/snap/microk8s/common/.microk8s.yaml',
    `${SNAP_COMMON}/.microk8s.yaml`
  ]) {
    const text = readHostFile(state, p)
    if (text === undefined) continue
    const parsed = parseLaunchConfig(text)
    if (parsed.error) return { error: `Found config file ${p}, will use to initialize cluster.\n${parsed.error}` }
    writeHostFile(state, `${SNAP_COMMON}/etc/launcher/install.yaml`, text)
    launch = { path: p, ...parsed }
    break
  }
  const sideload = hostPath(state, `${SNAP_COMMON}/sideload`)
  const archives = fs.existsSync(sideload) ? fs.readdirSync(sideload).filter((f) => f.endsWith('.tar')) : []
  for (const f of archives)
    writeHostFile(state, `${SNAP_COMMON}/etc/sideload/${f}`, fs.readFileSync(path.join(sideload, f)))
  return { launch }
}

/** The files a fresh install writes under $SNAP_DATA/args that the action reads (defaults of the 1.28+ snap). */
export function writeDefaultArgs(state) {
  writeHostFile(
    state,
    `${SNAP_DATA}/args/kube-proxy`,
    '--cluster-cidr=10.1.0.0/16\n--kubeconfig=${SNAP_DATA}/credentials/proxy.config\n'
  )
  writeHostFile(
    state,
    `${SNAP_DATA}/args/kube-apiserver`,
    '--cert-dir=${SNAP_DATA}/certs\n--service-cluster-ip-range=10.152.183.0/24\n--secure-port=16443\n'
  )
  // microk8s-resources/default-args/kubelet (abridged); the dns addon adds --cluster-domain and --cluster-dns.
  writeHostFile(
    state,
    `${SNAP_DATA}/args/kubelet`,
    '--kubeconfig=${SNAP_DATA}/credentials/kubelet.config\n--cert-dir=${SNAP_DATA}/certs\n' +
      '--root-dir=${SNAP_COMMON}/var/lib/kubelet\n--fail-swap-on=false\n' +
      '--node-labels="microk8s.io/cluster=true,node.kubernetes.io/microk8s-controlplane=microk8s-controlplane"\n'
  )
  writeHostFile(
    state,
    `${SNAP_DATA}/args/certs.d/docker.io/hosts.toml`,
    'server = "https://docker.io"\n\n[host."https://registry-1.docker.io"]\n  capabilities = ["pull", "resolve"]\n'
  )
}

/**
 * `refresh_opt_in_config OPT VALUE SERVICE` (canonical/microk8s microk8s-resources/actions/common/utils.sh): the
 * line `--OPT=…` of $SNAP_DATA/args/SERVICE replaced, or `--OPT=VALUE` inserted as the first line.
 */
export function refreshOptIn(state, service, opt, value) {
  const file = `${SNAP_DATA}/args/${service}`
  const text = readHostFile(state, file) ?? ''
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n')
  const at = lines.findIndex((l) => l.startsWith(`--${opt}=`))
  if (at === -1) lines.unshift(`--${opt}=${value}`)
  else lines[at] = `--${opt}=${value}`
  writeHostFile(state, file, `${lines.join('\n')}\n`)
}

/** `skip_opt_in_config OPT SERVICE`: every line containing `--OPT=` or `--OPT ` removed. */
export function skipOptIn(state, service, opt) {
  const file = `${SNAP_DATA}/args/${service}`
  const text = readHostFile(state, file)
  if (text === undefined) return
  const kept = text.split('\n').filter((l) => !l.includes(`--${opt}=`) && !l.includes(`--${opt} `))
  writeHostFile(state, file, kept.join('\n'))
}

/** Archives containerd's sideload plugin has not loaded yet: imported and renamed `.loaded`, as the plugin does. */
export function loadSideloadedArchives(state) {
  const dir = hostPath(state, `${SNAP_COMMON}/etc/sideload`)
  if (!fs.existsSync(dir)) return
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.tar'))) {
    const names = imageNamesInArchive(fs.readFileSync(path.join(dir, f)))
    if (names) addImages(state, names)
    fs.renameSync(path.join(dir, f), path.join(dir, `${f}.loaded`))
  }
}

export function addImages(state, names) {
  state.cluster.images = [...new Set([...(state.cluster.images ?? []), ...names])]
}

// ----------------------------------------------------------------------------------------------- archives

/**
 * The image names containerd gives the images of an archive: docker-archive `manifest.json` RepoTags, or an
 * OCI `index.json` `io.containerd.image.name` annotation; undefined when it is not an image archive.
 */
export function imageNamesInArchive(buffer) {
  const files = {}
  for (let off = 0; off + 512 <= buffer.length;) {
    const header = buffer.subarray(off, off + 512)
    if (header.every((b) => b === 0)) break
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '')
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8)
    const body = buffer.subarray(off + 512, off + 512 + size)
    if (name === 'manifest.json' || name === 'index.json') files[name] = JSON.parse(body.toString('utf8'))
    off += 512 + Math.ceil(size / 512) * 512
  }
  if (files['manifest.json']) return files['manifest.json'].flatMap((m) => (m.RepoTags ?? []).map(normaliseRef))
  if (files['index.json'])
    return (files['index.json'].manifests ?? [])
      .map((m) => m.annotations?.['io.containerd.image.name'])
      .filter(Boolean)
      .map(normaliseRef)
  return undefined
}

function normaliseRef(ref) {
  let [name, tag] = ref.includes('@') ? [ref, ''] : splitTag(ref)
  const first = name.split('/')[0]
  if (!name.includes('/')) name = `docker.io/library/${name}`
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`
  return tag === '' && ref.includes('@') ? name : `${name}:${tag || 'latest'}`
}

function splitTag(ref) {
  const slash = ref.lastIndexOf('/')
  const colon = ref.lastIndexOf(':')
  return colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, '']
}

// ---------------------------------------------------------------------------------------------- iptables

/** Docker on a GitHub-hosted runner: FORWARD policy DROP and a DOCKER-USER chain for the user's rules. */
export function dockerNetwork(docker) {
  return docker ? { forwardPolicy: 'DROP', dockerUser: [] } : { forwardPolicy: 'ACCEPT', dockerUser: null }
}

/**
 * Whether forwarded pod traffic gets through: always when FORWARD accepts; with Docker's DROP only when a
 * DOCKER-USER rule accepts everything, or the pod network both as source and as destination.
 */
export function podTrafficForwarded(state, podCidr = '10.1.0.0/16') {
  const net = state.network
  if (!net || net.forwardPolicy === 'ACCEPT') return true
  const accepts = (net.dockerUser ?? []).filter((r) => r.target === 'ACCEPT')
  if (accepts.some((r) => !r.source && !r.destination)) return true
  return accepts.some((r) => r.source === podCidr) && accepts.some((r) => r.destination === podCidr)
}

// ------------------------------------------------------------------------------------ launch configuration

/**
 * The cluster-agent's parser (canonical/microk8s-cluster-agent, pkg/k8sinit/schema.go): YAML documents, each
 * with a semantic `version` from 0.1.0 to the release's maximum (0.1.0 on 1.27, 0.2.0 from 1.28); `addons` a
 * list of `{name, disable, args}`. Returns `{ parts }` or `{ error }`.
 */
export function parseLaunchConfig(text, parseAllDocuments, maxVersion = '0.2.0') {
  const parts = []
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) return { error: `could not parse configuration: ${doc.errors[0].message}` }
    const c = doc.toJS()
    if (c === null || c === undefined) continue
    if (typeof c !== 'object' || Array.isArray(c)) return { error: 'could not parse configuration: not a mapping' }
    const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(String(c.version ?? ''))
    if (!v) return { error: `could not parse config file version "${c.version ?? ''}"` }
    const n = (s) => s.split('.').reduce((sum, x) => sum * 1000 + Number(x), 0)
    if (n(v[0]) > n(maxVersion))
      return { error: `config file version is ${v[0]} but the maximum version supported is ${maxVersion}` }
    if (n(v[0]) < n('0.1.0'))
      return { error: `config file version is ${v[0]} but the minimum version required is 0.1.0` }
    for (const a of c.addons ?? []) {
      if (typeof a !== 'object' || a === null || typeof a.name !== 'string')
        return { error: 'could not parse configuration: addons must be a list of {name, disable, args}' }
    }
    parts.push(c)
  }
  return { parts }
}
