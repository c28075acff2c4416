/**
 * The deprecated APIs that clients of the API server really requested: `apiserver_requested_deprecated_apis`
 * read from the API server's `/metrics` (docs/kubernetes-upgrades.md §4). Pure: the text in, what it says out.
 *
 * Facts (kubernetes/kubernetes): the gauge is defined in `staging/src/k8s.io/apiserver/pkg/endpoints/metrics/
 * metrics.go` (labels group, version, resource, subresource, removed_release; set to 1 by every request to a
 * route the installer marked deprecated); `removed_release` is `<major>.<minor>` from the type's
 * prerelease-lifecycle (`.../endpoints/deprecation/deprecation.go`), empty when none is set (deprecated CRD
 * versions, core v1 componentstatuses). The text is the Prometheus exposition format, version 0.0.4
 * (prometheus/docs `content/docs/instrumenting/exposition_formats.md`): one sample per line, `name{label="value",…}
 * value [timestamp]`, label values escaping `\\`, `\"` and `\n`. `process_start_time_seconds` is the process
 * collector's (component-base `metrics/legacyregistry/registry.go`): when the process, and so the gauge, began.
 */
import { REMOVED_APIS } from './removed-apis.js'

export const REQUESTED_DEPRECATED_METRIC = 'apiserver_requested_deprecated_apis'
const START_METRIC = 'process_start_time_seconds'
/** A line that names the gauge (its name, then its labels or its value). */
const GAUGE_LINE = /^apiserver_requested_deprecated_apis[{ \t]/

/** One deprecated API a client requested, as the gauge labels it. */
export interface RequestedApi {
  /** `group/version`, or the version alone for the core group (`v1`). */
  apiVersion: string
  resource: string
  /** `status`, `scale`, …; absent for the resource itself. */
  subresource?: string
  /** The release that stops serving it, as labelled (`1.29`); absent when the API server names none. */
  removedRelease?: string
  /** The minor of `removedRelease` when it is `1.N`. */
  removedIn?: number
  /** What to use instead, when the removed-API table lists this version of the resource. */
  replacement?: string
}

export type MetricsParse =
  | {
      ok: true
      requested: RequestedApi[]
      /** When the API server process started (ISO time): the gauge holds what was requested since then. */
      processStartedAt?: string
      /** Lines of the gauge that could not be read (malformed labels, a value that is neither 0 nor 1). */
      skipped: number
    }
  | { ok: false; reason: string }

/** One read of the gauge during the run, as the report records it. */
export interface RequestedApisRead {
  /** `before the run`, `before <channel>` (a hop's refresh), `after the run`. */
  at: string
  /** Milliseconds after the run started. */
  atMs: number
  /** The Kubernetes minor of the API server that was read. */
  minor?: number
  /** `not read`: the read failed or its answer was no metrics text; never taken as "nothing requested". */
  status: 'read' | 'not read'
  /** Why it was not read; for a read, the lines of the gauge that were skipped. */
  detail?: string
  /** When the API server process started: the read covers the requests since then. */
  since?: string
  requested: RequestedApi[]
}

interface Sample {
  name: string
  labels: Map<string, string>
  value: string
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/
/** A sample's value as Go's strconv.ParseFloat reads it in decimal: a number, `+Inf`/`-Inf`, `NaN`. */
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf(?:inity)?|nan)$/i

/**
 * One sample line (`name{a="x",b="y"} value [timestamp]`) or undefined when it is not one. Label values are
 * unescaped (`\\`, `\"`, `\n`); any other backslash sequence, an unterminated value or a repeated label makes
 * the line unreadable.
 */
export function parseSampleLine(line: string): Sample | undefined {
  let rest = line.trim()
  const name = NAME.exec(rest)?.[0]
  if (!name) return undefined
  rest = rest.slice(name.length)
  const labels = new Map<string, string>()
  if (rest.startsWith('{')) {
    let i = 1
    const skipBlanks = () => {
      while (rest[i] === ' ' || rest[i] === '\t') i++
    }
    for (;;) {
      skipBlanks()
      if (rest[i] === '}') break
      const label = LABEL_NAME.exec(rest.slice(i))?.[0]
      if (!label) return undefined
      i += label.length
      skipBlanks()
      if (rest[i] !== '=') return undefined
      i++
      skipBlanks()
      if (rest[i] !== '"') return undefined
      i++
      let value = ''
      for (;;) {
        const c = rest[i]
        if (c === undefined) return undefined
        if (c === '"') break
        if (c === '\\') {
          const next = rest[i + 1]
          if (next === '\\' || next === '"') value += next
          else if (next === 'n') value += '\n'
          else return undefined
          i += 2
        } else {
          value += c
          i++
        }
      }
      i++
      if (labels.has(label)) return undefined
      labels.set(label, value)
      skipBlanks()
      if (rest[i] === ',') i++
      else if (rest[i] !== '}') return undefined
    }
    rest = rest.slice(i + 1)
  }
  // At least one blank before the value, then the value and an optional timestamp, nothing else.
  const m = /^[ \t]+(\S+)(?:[ \t]+(-?\d+))?[ \t]*$/.exec(rest)
  if (!m || !FLOAT.test(m[1])) return undefined
  return { name, labels, value: m[1] }
}

/** `1.29` → 29 (Kubernetes 1.x); undefined for anything else. */
function minorOfRelease(release: string): number | undefined {
  const m = /^1\.(\d{1,3})$/.exec(release)
  return m ? Number(m[1]) : undefined
}

/** The lower-case plural the API server names a kind's resource by (English rules as Kubernetes' RESTMapper). */
function pluralOf(kind: string): string {
  const k = kind.toLowerCase()
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`
  return `${k}s`
}

/**
 * What replaces a requested API: the table's row for its resource (rows name a `resource` when stored objects can
 * be listed), else the row whose kind is that resource (the review kinds, the off-by-default APIs), else the one
 * replacement every row of that API version names; none when the table does not say.
 */
function replacementOf(apiVersion: string, group: string, resource: string): string | undefined {
  const qualified = group ? `${resource}.${group}` : resource
  const rows = REMOVED_APIS.filter((r) => r.apiVersion === apiVersion)
  const row = rows.find((r) => r.resource === qualified) ?? rows.find((r) => pluralOf(r.kind) === resource)
  if (row) return row.replacement
  const all = [...new Set(rows.map((r) => r.replacement))]
  return all.length === 1 ? all[0] : undefined
}

const key = (a: RequestedApi) => `${a.apiVersion}|${a.resource}|${a.subresource ?? ''}|${a.removedRelease ?? ''}`

/** Sorted by the release that removes them (none last), then by API and resource. */
export function byRemoval(a: RequestedApi, b: RequestedApi): number {
  const ra = a.removedIn ?? Infinity
  const rb = b.removedIn ?? Infinity
  if (ra !== rb) return ra < rb ? -1 : 1
  const fields = (x: RequestedApi) => [x.apiVersion, x.resource, x.subresource ?? '', x.removedRelease ?? '']
  const [fa, fb] = [fields(a), fields(b)]
  const i = fa.findIndex((f, n) => f !== fb[n])
  return i === -1 ? 0 : fa[i] < fb[i] ? -1 : 1
}

/**
 * The deprecated APIs requested, from the text of `/metrics`. Other metrics are passed over; a sample with
 * value 1 is a requested API (the API server only ever sets 1), 0 is not; a text with no metric in it at all
 * (an error page, an empty answer) is not read: "nothing requested" is only said of a real exposition, where
 * the gauge's absence means no deprecated API was requested since the process started (an empty gauge prints
 * no lines, not even its HELP and TYPE). Never throws.
 */
export function parseRequestedDeprecatedApis(text: unknown): MetricsParse {
  if (typeof text !== 'string') return { ok: false, reason: 'the answer is not text' }
  let metrics = 0
  let skipped = 0
  let declaredType: string | undefined
  let processStartedAt: string | undefined
  const found = new Map<string, RequestedApi>()
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim()
    if (!line) continue
    if (line.startsWith('#')) {
      const m = /^#[ \t]*(HELP|TYPE)[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]+(.*))?$/.exec(line)
      if (m) metrics++
      if (m?.[1] === 'TYPE' && m[2] === REQUESTED_DEPRECATED_METRIC) declaredType = (m[3] ?? '').trim()
      continue
    }
    const sample = parseSampleLine(line)
    if (!sample) {
      // A line that names the gauge but cannot be read is counted; other unreadable lines are not ours.
      if (GAUGE_LINE.test(line)) skipped++
      continue
    }
    metrics++
    if (sample.name === START_METRIC && sample.labels.size === 0) {
      const seconds = Number(sample.value)
      if (Number.isFinite(seconds) && seconds > 0 && seconds < 1e11)
        processStartedAt = new Date(seconds * 1000).toISOString()
      continue
    }
    if (sample.name !== REQUESTED_DEPRECATED_METRIC) continue
    const value = Number(sample.value)
    const version = sample.labels.get('version') ?? ''
    const resource = sample.labels.get('resource') ?? ''
    if (!Number.isFinite(value) || (value !== 0 && value !== 1) || !version || !resource) {
      skipped++
      continue
    }
    if (value === 0) continue
    const group = sample.labels.get('group') ?? ''
    const subresource = sample.labels.get('subresource') ?? ''
    const removedRelease = sample.labels.get('removed_release') ?? ''
    const apiVersion = group ? `${group}/${version}` : version
    const removedIn = minorOfRelease(removedRelease)
    const replacement = subresource ? undefined : replacementOf(apiVersion, group, resource)
    const api: RequestedApi = {
      apiVersion,
      resource,
      ...(subresource ? { subresource } : {}),
      ...(removedRelease ? { removedRelease } : {}),
      ...(removedIn !== undefined ? { removedIn } : {}),
      ...(replacement ? { replacement } : {})
    }
    found.set(key(api), api)
  }
  if (metrics === 0) return { ok: false, reason: 'the answer holds no metrics (not the Prometheus text format)' }
  if (declaredType !== undefined && declaredType !== 'gauge')
    return {
      ok: false,
      reason: `${REQUESTED_DEPRECATED_METRIC} is declared as ${declaredType || 'nothing'}, not a gauge`
    }
  return {
    ok: true,
    requested: [...found.values()].sort(byRemoval),
    ...(processStartedAt ? { processStartedAt } : {}),
    skipped
  }
}

/** `flowcontrol.apiserver.k8s.io/v1beta2 flowschemas/status`: how the log and the summary name one. */
export function describeRequested(a: RequestedApi): string {
  return `${a.apiVersion} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}`
}

/**
 * Where a requested API stands against the plan: `removed by the hops` (a hop's minor, or an earlier one the
 * cluster is still at, no longer serves it: whatever sends it fails after that hop), `after the target`
 * (removed by a later release), `no removal set`.
 */
export function standing(
  a: RequestedApi,
  targetMinor: number | undefined
): 'removed by the hops' | 'after the target' | 'no removal set' {
  if (a.removedIn === undefined) return 'no removal set'
  return targetMinor !== undefined && a.removedIn <= targetMinor ? 'removed by the hops' : 'after the target'
}
