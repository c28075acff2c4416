// The parser of apiserver_requested_deprecated_apis, on a /metrics sample in the API server's shape
// (test/fixtures/apiserver-metrics/README.md says where the shape comes from) and on malformed input.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  parseRequestedDeprecatedApis,
  parseSampleLine,
  describeRequested,
  standing
} from '../../src/preflight/requested-apis.js'

const sample = fs.readFileSync(
  path.join(import.meta.dirname, '..', 'fixtures', 'apiserver-metrics', 'metrics-1.28.txt'),
  'utf8'
)
const parsed = (text: unknown) => {
  const r = parseRequestedDeprecatedApis(text)
  if (!r.ok) throw new Error(r.reason)
  return r
}
const GAUGE = 'apiserver_requested_deprecated_apis'
const line = (labels: string, value = '1') => `${GAUGE}{${labels}} ${value}`
const withoutGauge = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.includes(` ${GAUGE} `) && !l.startsWith(GAUGE))
    .join('\n')

describe('apiserver_requested_deprecated_apis from a 1.28 API server’s /metrics', () => {
  it('reads every requested API with its removing release, and nothing from the other metrics', () => {
    const r = parsed(sample)
    expect(r.requested.map(describeRequested)).toEqual([
      'flowcontrol.apiserver.k8s.io/v1beta2 flowschemas',
      'flowcontrol.apiserver.k8s.io/v1beta2 flowschemas/status',
      'flowcontrol.apiserver.k8s.io/v1beta2 prioritylevelconfigurations',
      'example.com/v1alpha1 widgets',
      'v1 componentstatuses'
    ])
    expect(r.requested[0]).toEqual({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
      resource: 'flowschemas',
      removedRelease: '1.29',
      removedIn: 29,
      replacement: 'flowcontrol.apiserver.k8s.io/v1'
    })
    // The subresource is kept; the table's replacement is for the resource, not its status.
    expect(r.requested[1]).toEqual({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
      resource: 'flowschemas',
      subresource: 'status',
      removedRelease: '1.29',
      removedIn: 29
    })
    // An empty removed_release (a deprecated CRD version, componentstatuses) is "none named", not a release.
    expect(r.requested[3]).toEqual({ apiVersion: 'example.com/v1alpha1', resource: 'widgets' })
    expect(r.requested[4]).toEqual({ apiVersion: 'v1', resource: 'componentstatuses' })
    expect(r.skipped).toBe(0)
  })

  it('finds nothing in a label value that holds text looking like the gauge (escaped quotes and line feed)', () => {
    expect(parsed(sample).requested.some((a) => a.apiVersion.startsWith('evil'))).toBe(false)
    const evil = sample.split('\n').find((l) => l.includes('say \\"hi'))!
    expect(parseSampleLine(evil)).toMatchObject({ name: 'rest_client_requests_total', value: '1' })
    expect(parseSampleLine(evil)!.labels.get('host')).toBe(
      'say "hi"\\n} 1\napiserver_requested_deprecated_apis{group="evil",removed_release="1.22",resource="x",subresource="",version="v1"} 1'
    )
  })

  it('gives when the API server process started (the gauge covers requests since then)', () => {
    expect(parsed(sample).processStartedAt).toBe(new Date(1.76450412834e9 * 1000).toISOString())
  })

  it('a real exposition without the gauge means none requested; an empty or foreign answer is not read', () => {
    expect(parsed(withoutGauge(sample)).requested).toEqual([])
    for (const answer of ['', '\n\n', '<html><body>Forbidden</body></html>', '{"kind":"Status"}', 'garbage {{{']) {
      const r = parseRequestedDeprecatedApis(answer)
      expect(r.ok, JSON.stringify(answer)).toBe(false)
    }
    for (const answer of [undefined, null, 42, {}]) expect(parseRequestedDeprecatedApis(answer).ok).toBe(false)
  })

  it('unescapes label values and keeps them as text', () => {
    const r = parsed(line('group="a\\"b",removed_release="1.30",resource="x\\\\y",subresource="",version="v1\\nbeta"'))
    expect(r.requested).toEqual([
      { apiVersion: 'a"b/v1\nbeta', resource: 'x\\y', removedRelease: '1.30', removedIn: 30 }
    ])
  })

  it('value 1 is requested, 0 is not; any other value or a malformed line of the gauge is skipped and counted', () => {
    const ok = 'group="batch",removed_release="1.25",resource="cronjobs",subresource="",version="v1beta1"'
    const r = parsed(
      [
        line(ok),
        line(ok.replace('cronjobs', 'jobs'), '0'),
        line(ok.replace('cronjobs', 'a'), '2'),
        line(ok.replace('cronjobs', 'b'), 'NaN'),
        line(ok.replace('cronjobs', 'c'), '1e0'),
        `${GAUGE}{group="x",version="v1",resource="y"`,
        `${GAUGE}{group="x",version="v1",resource="y\\q"} 1`,
        `${GAUGE}{group="x",group="z",version="v1",resource="y"} 1`,
        `${GAUGE}{version="v1",resource=""} 1`,
        `${GAUGE}{group="x",resource="y"} 1`,
        `${GAUGE} 1`,
        `${GAUGE}{group="x",version="v1",resource="y"} 1 notatimestamp`,
        `${GAUGE}{group="x",version="v1",resource="y"}1`
      ].join('\n')
    )
    expect(r.requested.map(describeRequested)).toEqual(['batch/v1beta1 c', 'batch/v1beta1 cronjobs'])
    expect(r.skipped).toBe(10)
  })

  it('reads the format’s variations: blanks, a trailing comma, CRLF, a timestamp, duplicate lines once', () => {
    const text = [
      `# TYPE ${GAUGE} gauge`,
      `  ${GAUGE} { group = "policy" , version="v1beta1",resource="poddisruptionbudgets", removed_release="1.25", }\t1 1700000000000\r`,
      line('group="policy",removed_release="1.25",resource="poddisruptionbudgets",subresource="",version="v1beta1"'),
      `${GAUGE}_other{group="x",version="v1",resource="y"} 1`
    ].join('\n')
    expect(parsed(text).requested).toEqual([
      {
        apiVersion: 'policy/v1beta1',
        resource: 'poddisruptionbudgets',
        removedRelease: '1.25',
        removedIn: 25,
        replacement: 'policy/v1'
      }
    ])
  })

  it('refuses a gauge declared as another type', () => {
    const r = parseRequestedDeprecatedApis(`# TYPE ${GAUGE} counter\n${line('version="v1",resource="x"')}\n`)
    expect(r).toEqual({ ok: false, reason: `${GAUGE} is declared as counter, not a gauge` })
  })

  it('never throws on random bytes', () => {
    let seed = 7
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const alphabet = `${GAUGE}{}="\\,\n 01.#TYPEgauge`
    for (let n = 0; n < 300; n++) {
      const text = Array.from({ length: 200 }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('')
      expect(() => parseRequestedDeprecatedApis(text)).not.toThrow()
    }
  })

  it('places a requested API against the plan', () => {
    const [v1beta2] = parsed(sample).requested
    expect(standing(v1beta2, 32)).toBe('removed by the hops')
    expect(standing(v1beta2, 28)).toBe('after the target')
    expect(standing({ apiVersion: 'v1', resource: 'componentstatuses' }, 32)).toBe('no removal set')
  })
})

describe('the replacement named for a requested API', () => {
  const one = (labels: string) => parsed(`# TYPE ${GAUGE} gauge\n${line(labels)}\n`).requested[0]
  it('comes from the table by kind where its row lists no resource (off-by-default and review kinds)', () => {
    expect(
      one('group="resource.k8s.io",removed_release="1.36",resource="resourceclaims",subresource="",version="v1beta1"')
        .replacement
    ).toBe('resource.k8s.io/v1')
    expect(
      one(
        'group="authentication.k8s.io",removed_release="1.22",resource="tokenreviews",subresource="",version="v1beta1"'
      ).replacement
    ).toBe('authentication.k8s.io/v1')
  })
  it('is absent where the table does not know the API', () => {
    expect(
      one('group="example.com",removed_release="1.40",resource="widgets",subresource="",version="v1beta1"').replacement
    ).toBeUndefined()
  })
})
