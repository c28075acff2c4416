// What the simulated addons download, and whether the runner reaches it. Upstream (canonical/microk8s-core-addons,
// docs/addon-state.md): the 1.35+ ingress enable adds the Traefik Helm chart repository (`REPO=`) and applies
// Gateway API's `standard-install.yaml` from its GitHub release (`GW_VERSION=`; the disable deletes the v1.4.0 one
// by the same URL, `|| true`); cert-manager from 1.33 and the dashboard on 1.33–1.35 install their charts from
// `REPO=`. The scripts the installed snap ships (`/snap/microk8s/current/addons/core/addons/NAME/enable`) are
// written here with those lines only, their addresses pointing at the simulation's "internet": the loopback
// server scripts/run-action.mjs starts (state.internet.url). With `internet: { reachable: false }` the scripts
// point at a path of that server which drops every connection, and the simulated enables fail as helm does.
import { writeHostFile } from './host.mjs'
import { branchMinor } from './addon-releases.mjs'

export const SNAP_ADDONS = '/snap/microk8s/current/addons/core/addons'

/** Whether the runner reaches the internet in this simulation (default: yes). */
export function internetReachable(state) {
  return state.internet?.reachable !== false
}

/** The simulation's internet as the scripts name it: the loopback server, or a path of it that drops connections. */
function base(state) {
  const url = state.internet?.url ?? 'http://127.0.0.1:9'
  return internetReachable(state) ? url : `${url}/unreachable`
}

/** The enable scripts of a branch that download something, as `{ addon: script text }`. */
export function downloadingScripts(state, branch) {
  const minor = branchMinor(branch)
  const scripts = {}
  const head = (name) =>
    `#!/usr/bin/env bash\n# Simulated addons/${name}/enable (${branch}): the lines that name what it downloads.\nset -e\n`
  if (minor >= 35)
    scripts.ingress =
      head('ingress') +
      `REPO="${base(state)}/traefik/charts"\nGW_VERSION="${minor >= 36 ? 'v1.5.1' : 'v1.4.0'}"\n` +
      `$HELM repo add traefik "$REPO"\n` +
      `$KUBECTL apply -f "${base(state)}/kubernetes-sigs/gateway-api/releases/download/\${GW_VERSION}/standard-install.yaml"\n`
  if (minor >= 33) scripts['cert-manager'] = head('cert-manager') + `REPO="${base(state)}/jetstack/charts"\n`
  if (minor >= 33 && minor <= 35) scripts.dashboard = head('dashboard') + `REPO="${base(state)}/dashboard/charts/"\n`
  return scripts
}

/** Writes the installed revision's downloading enable scripts under /snap/microk8s/current. */
export function writeSnapAddonScripts(state, branch) {
  if (!state.root) return
  for (const [name, text] of Object.entries(downloadingScripts(state, branch)))
    writeHostFile(state, `${SNAP_ADDONS}/${name}/enable`, text)
}

/** What an enable downloads on a branch; undefined when it downloads nothing (images aside). */
export function downloadsOf(name, branch) {
  const minor = branchMinor(branch)
  if (name === 'ingress' && minor >= 35) return 'the Traefik Helm chart repository'
  if (name === 'cert-manager' && minor >= 33) return 'the cert-manager Helm chart repository'
  if (name === 'dashboard' && minor >= 33 && minor <= 35) return 'the dashboard Helm chart repository'
  return undefined
}

/** The error helm prints when the chart repository cannot be reached. */
export function unreachableLines(name, branch, state) {
  return [
    `Error: looks like "${base(state)}/…" is not a valid chart repository or cannot be reached: ${downloadsOf(name, branch)}: dial tcp: connection refused`
  ]
}

/** A scenario's `internet` field as the state holds it: `false`, `{ reachable: false }`, `{ url }` or absent. */
export function internetOf(field) {
  if (field === undefined || field === true) return { reachable: true }
  if (field === false) return { reachable: false }
  return { reachable: field.reachable !== false, ...(field.url ? { url: String(field.url) } : {}) }
}

/**
 * The simulation's internet: a loopback HTTP server that answers every request with 200, except under
 * `/unreachable`, where it drops the connection (what a runner without a route sees). It does not keep the
 * process alive. Resolves to { url, close }.
 */
export async function startInternet() {
  const http = await import('node:http')
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/unreachable')) return req.socket.destroy()
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(req.method === 'HEAD' ? undefined : 'simulated\n')
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  server.unref()
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() }
}
