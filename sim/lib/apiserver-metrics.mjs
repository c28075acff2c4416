// The API server's `/metrics` (`microk8s kubectl get --raw /metrics`): the Prometheus text format as
// kube-apiserver prints it, with `apiserver_requested_deprecated_apis` fed by the scenario's `apiRequests`
// (docs/kubernetes-upgrades.md §4). What upstream does, and so what this does:
// - a request to an API version that the running server has marked deprecated (from its deprecation minor until
//   its removal: staging/src/k8s.io/apiserver/pkg/endpoints/deprecation/deprecation.go, the installer marks the
//   route when the server starts) sets the gauge to 1 for group, version, resource, subresource, removed_release;
// - after the removal there is no route: the request fails (404) and the gauge does not show it;
// - the gauge lives in the API server's process (kubelite): a restart (a refresh, `snap restart
//   microk8s.daemon-kubelite`, `microk8s start`, the dns addon's kubelet restart) empties it. A client that keeps
//   requesting (a controller's informer relists after the restart) sets it again; a request made once is gone.
// Lifecycles: staging/src/k8s.io/api/*/zz_generated.prerelease-lifecycle.go (deprecated, removed).

/**
 * `apiVersion` (or `apiVersion resource`, for one resource of a version) → [deprecated minor, removed minor or
 * null]: the APIs a scenario's `apiRequests` may name.
 */
const LIFECYCLE = {
  'flowcontrol.apiserver.k8s.io/v1beta1': [23, 26],
  'flowcontrol.apiserver.k8s.io/v1beta2': [26, 29],
  'flowcontrol.apiserver.k8s.io/v1beta3': [29, 32],
  'autoscaling/v2beta1': [22, 25],
  'autoscaling/v2beta2': [23, 26],
  'batch/v1beta1': [21, 25],
  'policy/v1beta1': [21, 25],
  // componentstatuses: deprecated in 1.19 with no removal release (removed_release="").
  'v1 componentstatuses': [19, null]
}

const lifecycleOf = (r) => LIFECYCLE[`${r.apiVersion} ${r.resource}`] ?? LIFECYCLE[r.apiVersion]

/** The scenario's `apiRequests`, checked: each names an API version the simulator knows the lifecycle of. */
export function apiRequestsOf(scenario) {
  return (scenario.apiRequests ?? []).map((r) => {
    if (!r.resource) throw new Error(`scenario: apiRequests: ${r.apiVersion} needs a resource`)
    if (!lifecycleOf(r))
      throw new Error(
        `scenario: apiRequests: no lifecycle for ${r.apiVersion} ${r.resource} (known: ${Object.keys(LIFECYCLE).join(', ')})`
      )
    return { apiVersion: r.apiVersion, resource: r.resource, subresource: r.subresource ?? '', once: Boolean(r.once) }
  })
}

/** The API server process (re)starts: the gauge starts empty. */
export function restartApiServer(state) {
  if (state.cluster) state.cluster.apiServerStartedAt = Date.now()
}

/** The requests made once, before the run: they count for the API server process running when the run began. */
export function stampOnceRequests(state) {
  for (const r of state.apiRequests ?? []) if (r.once) r.seenBy = state.cluster?.apiServerStartedAt ?? 0
}

/** The gauge's series for a server at `minor`, in label order. */
function requested(state, minor) {
  const started = state.cluster.apiServerStartedAt ?? 0
  const series = new Map()
  for (const r of state.apiRequests ?? []) {
    const [deprecated, removed] = lifecycleOf(r)
    const served = removed === null || minor < removed
    if (!served || minor < deprecated) continue
    if (r.once && r.seenBy !== started) continue
    const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/') : ['', r.apiVersion]
    const labels = {
      group,
      removed_release: removed === null ? '' : `1.${removed}`,
      resource: r.resource,
      subresource: r.subresource,
      version
    }
    series.set(JSON.stringify(labels), labels)
  }
  // In the order client_golang prints a family's series: by their label values.
  const order = (labels) => Object.values(labels).join('\u0000')
  return [...series.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
}

/** A float as Go's strconv prints large ones (`1.76450412834e+09`). */
const goFloat = (x) => x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2')

const escapeValue = (v) => String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
const sample = (name, labels, value) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeValue(v)}"`)
    .join(',')}} ${value}`

/**
 * The text of `/metrics` for a server at `minor`: a few of kube-apiserver's families
 * around the gauge, sorted by name, HELP and TYPE first; the gauge's family is absent when nothing was requested,
 * as client_golang leaves out a vector without series.
 */
export function metricsText(state, minor) {
  const started = (state.cluster.apiServerStartedAt ?? Date.now()) / 1000
  const lines = [
    '# HELP apiserver_current_inflight_requests [STABLE] Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
    '# TYPE apiserver_current_inflight_requests gauge',
    sample('apiserver_current_inflight_requests', { request_kind: 'mutating' }, 0),
    sample('apiserver_current_inflight_requests', { request_kind: 'readOnly' }, 1),
    '# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    '# TYPE apiserver_request_total counter',
    sample(
      'apiserver_request_total',
      {
        code: '200',
        component: 'apiserver',
        dry_run: '',
        group: '',
        resource: 'nodes',
        scope: 'resource',
        subresource: 'status',
        verb: 'PATCH',
        version: 'v1'
      },
      12
    )
  ]
  const gauge = requested(state, minor)
  if (gauge.length) {
    lines.push(
      '# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.',
      '# TYPE apiserver_requested_deprecated_apis gauge',
      ...gauge.map((labels) => sample('apiserver_requested_deprecated_apis', labels, 1))
    )
  }
  lines.push(
    '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${goFloat(started)}`
  )
  return `${lines.join('\n')}\n`
}
