// The probes grammar (src/probes/targets.ts): what is accepted, and that a refused target is never echoed.
import { describe, it, expect } from 'vitest'
import { parseProbes, parseProbeInputs, parseDuration } from '../../src/probes/targets.js'

describe('probes grammar', () => {
  it('accepts the three forms, labels and comments', () => {
    const targets = parseProbes(
      [
        '# the app',
        'web=https://app.example:8443/healthz?full=1&x=2',
        'http://10.0.0.5/',
        'service/demo/web:80',
        'db=service/demo/postgres:5432',
        'dns/web.demo.svc.cluster.local.',
        ''
      ].join('\n')
    )
    expect(targets).toEqual([
      { kind: 'http', label: 'web', url: 'https://app.example:8443/healthz?full=1&x=2' },
      { kind: 'http', label: '10.0.0.5', url: 'http://10.0.0.5/' },
      { kind: 'service', label: 'service/demo/web:80', namespace: 'demo', name: 'web', port: 80 },
      { kind: 'service', label: 'db', namespace: 'demo', name: 'postgres', port: 5432 },
      { kind: 'dns', label: 'dns/web.demo.svc.cluster.local.', name: 'web.demo.svc.cluster.local.' }
    ])
  })

  it('never echoes a refused target, its secret or its shell characters', () => {
    for (const bad of [
      'https://admin:s3cr3t-pw@app.example/',
      'http://app.example/?t=s3cr3t-pw;id',
      'dns/s3cr3t-pw$x'
    ]) {
      let message = ''
      try {
        parseProbes(`dns/ok.example\n${bad}`)
      } catch (e) {
        message = (e as Error).message
      }
      expect(message).toMatch(/^Input 'probes': line 2 /)
      expect(message).not.toContain('s3cr3t')
    }
  })

  it('defaults: interval 1 s, no limit; max-disruption 0s is a limit', () => {
    expect(parseProbeInputs(() => '')).toEqual({ probes: [], probeIntervalMs: 1000 })
    const get = (n: string) => ({ 'max-disruption': '0s', 'probe-interval': '250ms' })[n] ?? ''
    expect(parseProbeInputs(get)).toEqual({ probes: [], probeIntervalMs: 250, maxDisruptionMs: 0 })
    expect(parseDuration('x', '2m', 0, 3600_000)).toBe(120_000)
  })
})
