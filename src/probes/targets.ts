/**
 * The grammars of the disruption inputs (docs/disruption.md): `probes` (one target a line: an http(s) URL without
 * credentials, `service/NAMESPACE/NAME:PORT`, `dns/NAME`, each optionally `LABEL=` first), `probe-interval` and
 * `max-disruption` (durations such as `500ms`, `1s`, `2m`). A refused target is named by its line number and
 * never echoed: a URL may carry what its author did not mean to print. Names follow Kubernetes' DNS-1123 label
 * and subdomain rules (a Service name is a DNS-1035 label).
 */
import { InputError } from '../base/errors.js'

export type ProbeTarget =
  | { kind: 'http'; label: string; url: string }
  | { kind: 'service'; label: string; namespace: string; name: string; port: number }
  | { kind: 'dns'; label: string; name: string }
  | { kind: 'apiserver'; label: string }

/** The API server, always sampled (`/readyz` with the kubeconfig's credentials). */
export const API_SERVER: ProbeTarget = { kind: 'apiserver', label: 'API server' }

export const MAX_PROBES = 10
const LABEL = /^([a-z][a-z0-9-]{0,30})=(.*)$/
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const SERVICE_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])$/
/** Path and query characters: unreserved, percent-encoded and a few sub-delimiters; no quotes, `$`, `;`, `|`, backticks. */
const PATH = /^(?:\/[A-Za-z0-9._~%/:@+,=-]*)?(?:\?[A-Za-z0-9._~%/:@+,=&-]*)?$/
const URL_FORM = /^(https?):\/\/([^/?#]+)(.*)$/

const FORMS =
  'give one target a line: http://HOST[:PORT]/PATH or https://… (no user or password), service/NAMESPACE/NAME:PORT, ' +
  'or dns/NAME, optionally prefixed by a label (web=https://…)'

function isDnsName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name
  return bare.length > 0 && bare.length <= 253 && bare.split('.').every((l) => DNS_LABEL.test(l))
}

/** Why a URL is refused, or undefined when it is accepted (the reason never repeats the URL). */
function urlProblem(text: string): string | undefined {
  const m = URL_FORM.exec(text)
  if (!m) return 'is not an http:// or https:// URL'
  const [, , authority, rest] = m
  if (authority.includes('@')) return 'carries credentials (user@ or user:password@); probes are sent without any'
  const portAt = authority.startsWith('[') ? authority.indexOf(']:') + 1 : authority.lastIndexOf(':')
  const host = portAt > 0 ? authority.slice(0, portAt) : authority
  const port = portAt > 0 ? authority.slice(portAt + 1) : undefined
  if (!HOST.test(host)) return 'has a host that is not a DNS name or an IP address'
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535))
    return 'has a port that is not a number from 1 to 65535'
  if (rest.includes('#')) return 'has a fragment (#…), which is never sent'
  if (!PATH.test(rest))
    return 'has characters outside letters, digits and . _ ~ % / : @ + , = - (and & in the query); quotes, spaces and shell characters are refused'
  return undefined
}

/** Parses one line (already trimmed and not empty); throws an InputError naming the line, never its text. */
function parseLine(line: string, lineNo: number): ProbeTarget {
  const fail = (why: string) => new InputError('probes', `line ${lineNo} ${why}; ${FORMS}`)
  if (/[\0-\x1f\x7f\s]/.test(line)) throw fail('holds whitespace or control characters')
  const labelled = LABEL.exec(line)
  const body = labelled && /^(https?:|service\/|dns\/)/.test(labelled[2]) ? labelled[2] : line
  const label = labelled && body !== line ? labelled[1] : undefined
  if (/^https?:/.test(body)) {
    const problem = urlProblem(body)
    if (problem) throw fail(problem)
    const url = new URL(body)
    return { kind: 'http', label: label ?? `${url.host}${url.pathname === '/' ? '' : url.pathname}`, url: body }
  }
  if (body.startsWith('service/')) {
    const m = /^service\/([^/]+)\/([^/:]+):(\d{1,5})$/.exec(body)
    if (!m) throw fail('is not of the form service/NAMESPACE/NAME:PORT')
    const [, namespace, name, portText] = m
    if (!DNS_LABEL.test(namespace)) throw fail('has a namespace that is not a DNS-1123 label')
    if (!SERVICE_NAME.test(name)) throw fail('has a Service name that is not a DNS-1035 label')
    const port = Number(portText)
    if (port < 1 || port > 65535) throw fail('has a port that is not a number from 1 to 65535')
    return { kind: 'service', label: label ?? body, namespace, name, port }
  }
  if (body.startsWith('dns/')) {
    const name = body.slice(4)
    if (!isDnsName(name)) throw fail('names something that is not a DNS name (lower-case labels joined by dots)')
    return { kind: 'dns', label: label ?? body, name }
  }
  throw fail('is not one of the accepted forms')
}

/** `probes`: the targets, in order, at most MAX_PROBES, each label once. */
export function parseProbes(text: string): ProbeTarget[] {
  const targets: ProbeTarget[] = []
  const lines = text.split('\n')
  lines.forEach((raw, i) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    targets.push(parseLine(line, i + 1))
  })
  if (targets.length > MAX_PROBES)
    throw new InputError('probes', `${targets.length} targets given; at most ${MAX_PROBES} are sampled`)
  const seen = new Set<string>([API_SERVER.label])
  targets.forEach((t, i) => {
    if (seen.has(t.label))
      throw new InputError(
        'probes',
        `target ${i + 1} repeats a label used before; give each target once (or label them)`
      )
    seen.add(t.label)
  })
  return targets
}

/** A duration input (`500ms`, `1s`, `2m`) in milliseconds, within [minMs, maxMs]. */
export function parseDuration(input: string, text: string, minMs: number, maxMs: number): number {
  const m = /^(\d{1,6})(ms|s|m)$/.exec(text.trim())
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60000) : NaN
  if (!(ms >= minMs && ms <= maxMs)) {
    throw new InputError(
      input,
      `'${text
        .trim()
        .slice(0, 20)
        .replace(/[^A-Za-z0-9.]/g, '?')}' is not accepted; give a whole number with ms, s or m, ` +
        `from ${minMs} ms to ${maxMs / 1000} s (for example 1s or 500ms)`
    )
  }
  return ms
}

export const PROBE_INTERVAL_MIN_MS = 10
export const PROBE_INTERVAL_MAX_MS = 60_000
export const MAX_DISRUPTION_MAX_MS = 6 * 3600_000

export interface ProbeInputs {
  probes: ProbeTarget[]
  /** Milliseconds between samples; each request is bounded by it. */
  probeIntervalMs: number
  /** The job fails when a target's longest outage exceeds this; undefined: report only. */
  maxDisruptionMs?: number
}

export function parseProbeInputs(get: (name: string) => string): ProbeInputs {
  const probes = parseProbes(get('probes'))
  const interval = get('probe-interval').trim() || '1s'
  const probeIntervalMs = parseDuration('probe-interval', interval, PROBE_INTERVAL_MIN_MS, PROBE_INTERVAL_MAX_MS)
  const limit = get('max-disruption').trim()
  return {
    probes,
    probeIntervalMs,
    ...(limit ? { maxDisruptionMs: parseDuration('max-disruption', limit, 0, MAX_DISRUPTION_MAX_MS) } : {})
  }
}
