// The disruption probes end to end: the bundled action samples loopback servers whose availability follows the
// simulated cluster (sim/lib/endpoints.mjs, which logs the truth), and must measure each injected outage within
// the sampling precision (the largest gap between two samples, one interval when the machine keeps up) and
// attribute it to the step that ran then. Time is simulated (timeScale 0.01): outages last several intervals.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import * as fs from 'node:fs'
import * as http from 'node:http'
import { run, mutatingCommands, errorAnnotation } from './harness.js'
import type { ActionRun } from '../../scripts/run-action.mjs'

const INTERVAL_MS = 400
/** Request latency on a loaded machine: a sample is stamped just before its connection is made. */
const LATENCY_MS = 100

let alwaysUp: http.Server
let alwaysUpUrl = ''
beforeAll(async () => {
  alwaysUp = http.createServer((_, res) => res.end('ok'))
  await new Promise<void>((r) => alwaysUp.listen(0, '127.0.0.1', r))
  alwaysUpUrl = `http://127.0.0.1:${(alwaysUp.address() as any).port}/`
})
afterAll(() => alwaysUp.close())

/** The truth's down intervals of one endpoint, in milliseconds after the run started. */
function downs(r: ActionRun, name: string): Array<[number, number]> {
  const start = Date.parse(r.report.startedAt)
  const out: Array<[number, number]> = []
  let from: number | undefined
  for (const t of r.endpoints!.truth.filter((t) => t.name === name)) {
    if (!t.up) from = t.atMs - start
    else if (from !== undefined) {
      out.push([from, t.atMs - start])
      from = undefined
    }
  }
  return out.filter(([a]) => a >= r.report.disruption.startedAtMs)
}

const target = (r: ActionRun, label: string) => r.report.disruption.targets.find((t: any) => t.label === label)

describe.concurrent('disruption probes', () => {
  it('measures the refreshes and the ingress cycle within the sampling precision and attributes them', async () => {
    const r = await run(
      'demo',
      (p) => ({
        channel: '1.30/stable',
        addons: 'dns ingress hostpath-storage',
        'probe-interval': `${INTERVAL_MS}ms`,
        probes: [
          `web=http://127.0.0.1:${p.ingress}/`,
          `service/demo/web:${p.app}`,
          'dns/web.demo.svc.cluster.local',
          `steady=${alwaysUpUrl}`
        ].join('\n')
      }),
      {
        endpoints: { service: 'demo/web' },
        overrides: {
          readiness: { afterInstall: 40, afterRefresh: 300 },
          latency: {
            ...{ snap: 0.5, 'snap refresh': 20, microk8s: 1, 'microk8s kubectl': 0.3 },
            'microk8s enable': 200,
            'microk8s disable': 5
          }
        }
      }
    )
    expect(r.code, r.stdout).toBe(0)
    const d = r.report.disruption
    expect(d.intervalMs).toBe(INTERVAL_MS)

    // Per target: the endpoints whose downtime it sees, each down interval's step and failure kind in order. The web
    // behind ingress answers 503 while the application is down (ingress up) and is refused while ingress is gone.
    const refreshes = ['refresh 1.29/stable', 'refresh 1.30/stable']
    const checks: Array<[string, string[], string[], string[]]> = [
      ['API server', ['API server'], refreshes, ['refused', 'refused']],
      ['service/demo/web:' + r.endpoints!.ports.app, ['application'], refreshes, ['refused', 'refused']],
      ['web', ['application', 'ingress'], [...refreshes, 'ingress cycle'], ['HTTP 503', 'HTTP 503', 'refused']]
    ]
    for (const [label, endpoints, steps, kinds] of checks) {
      const t = target(r, label)
      const truth = endpoints
        .flatMap((e) => downs(r, e))
        .sort((a, b) => a[0] - b[0])
        .map(([from, to], i) => ({ from, to, step: steps[i], kind: kinds[i] }))
      expect(truth.length, label).toBe(steps.length)
      // One gap between samples (the precision the sampler reached, maxGapMs) either side: a sample that failed
      // just before the truth's edge may itself have taken up to an interval on a loaded machine.
      const tolerance = 2 * t.maxGapMs + LATENCY_MS
      expect(t.maxGapMs).toBeGreaterThanOrEqual(INTERVAL_MS - 5)
      // Up for less than that precision between two outages (the hop's checks before the next refresh, on a loaded
      // machine) may go unseen: such outages may be measured as one, attributed to one of their steps.
      const groups: Array<typeof truth> = []
      for (const d of truth) {
        const last = groups.at(-1)
        if (last && d.from - last.at(-1)!.to < tolerance) last.push(d)
        else groups.push([d])
      }
      for (const g of groups) {
        const [from, to] = [g[0].from, g.at(-1)!.to]
        const measured = t.outages.filter((o: any) => o.endMs > from && o.startMs < to)
        // On failure, what was measured beside the truth.
        const seen = `${label}: truth ${JSON.stringify(truth)}, measured ${JSON.stringify(t.outages)}`
        expect(measured.length, `outages of ${seen}`).toBeGreaterThanOrEqual(1)
        expect(measured.length, `outages of ${seen}`).toBeLessThanOrEqual(g.length)
        expect(Math.abs(measured[0].startMs - from), `start of ${seen}`).toBeLessThanOrEqual(tolerance)
        expect(Math.abs(measured.at(-1).endMs - to), `end of ${seen}`).toBeLessThanOrEqual(tolerance)
        for (const o of measured) {
          expect(
            g.map((d) => d.step),
            seen
          ).toContain(o.during)
          expect(
            g.map((d) => d.kind),
            seen
          ).toContain(o.kind)
        }
      }
      expect(t.longestOutageMs).toBeGreaterThanOrEqual(Math.max(...truth.map((d) => d.to - d.from)) - tolerance)
    }
    expect(target(r, 'web').outages.some((o: any) => o.kinds['HTTP 503'])).toBe(true)
    // DNS follows the dns addon and the cluster: down during the refreshes, answered otherwise.
    const dns = target(r, 'dns/web.demo.svc.cluster.local')
    expect(dns.answered).toBe(true)
    // (the two refreshes' outages may be measured as one when the hop's checks between them are shorter than the
    // sampling precision: see above)
    expect(dns.outages.some((o: any) => refreshes.includes(o.during))).toBe(true)
    // A target that never goes down: answered, and whatever it missed was the machine's load (timeouts), never a
    // refusal or an HTTP error (100 % on a machine that keeps up: test/probes/sampler.test.ts).
    const steady = target(r, 'steady')
    expect(steady.answered).toBe(true)
    expect(steady.outages.filter((o: any) => o.kind !== 'timeout')).toEqual([])
    expect(r.summary).toMatch(/<td>steady<\/td><td>\d+\.\d %/)

    const outputs = JSON.parse(r.outputs.disruption)
    expect(outputs.map((o: any) => o.target)).toEqual(d.targets.map((t: any) => t.label))
    const longest = Math.max(...d.targets.map((t: any) => t.longestOutageMs)) / 1000
    expect(Number(r.outputs['max-outage-seconds'])).toBeCloseTo(longest, 1)
    expect(r.summary).toContain('**Disruption**')
    const web = target(r, 'web')
    const webLongest = [...web.outages].sort((a: any, b: any) => b.durationMs - a.durationMs)[0]
    expect(r.summary).toContain(`<td>web</td><td>${(Math.floor(web.availability * 1000) / 10).toFixed(1)} %`)
    expect(r.summary).toContain(
      `${(web.longestOutageMs / 1000).toFixed(1)} s</td><td>${webLongest.during}: ${webLongest.kind}`
    )
    // The credentials never reach the log.
    const key = Buffer.from(JSON.parse(fs.readFileSync(r.sim.statePath, 'utf8')).endpoints.tls.key, 'base64').toString()
    expect(r.stdout).not.toContain(key.split('\n')[1])
  }, 120_000)

  it('a target that never answers is reported; it fails the job only with max-disruption set', async () => {
    const inputs = { channel: '1.28/stable', addons: 'dns ingress hostpath-storage', probes: 'service/demo/missing:80' }
    const [plain, limited] = await Promise.all([
      run('demo', inputs, { endpoints: true, overrides: { timeScale: 0.001 } }),
      run('demo', { ...inputs, 'max-disruption': '30s' }, { endpoints: true, overrides: { timeScale: 0.001 } })
    ])
    expect(plain.code, plain.stdout).toBe(0)
    const missing = target(plain, 'service/demo/missing:80')
    expect(missing).toMatchObject({ answered: false, samples: 0 })
    expect(missing.unresolved).toMatch(/not found/)
    expect(plain.summary).toMatch(/service\/demo\/missing:80<\/td><td>never answered/)
    expect(limited.code).toBe(1)
    expect(limited.report.status).toBe('success')
    expect(limited.report.disruption.limitMs).toBe(30_000)
    expect(errorAnnotation(limited)).toMatch(
      /^::error title=max-disruption::the upgrade completed, but service\/demo\/missing:80: never answered/
    )
  }, 60_000)

  it('refuses a bad probe target before any change and never echoes it', async () => {
    const r = await run('demo', { channel: '1.30/stable', probes: 'web=https://admin:s3cr3t@app.example/' })
    expect(r.code).toBe(1)
    expect(errorAnnotation(r)).toMatch(/Input 'probes': line 1 carries credentials/)
    expect(r.stdout + r.stderr).not.toContain('s3cr3t')
    expect(mutatingCommands(r)).toEqual([])
    expect(r.report?.disruption).toBeUndefined()
  }, 60_000)
})
