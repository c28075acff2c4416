// The simulated API server's /metrics: apiserver_requested_deprecated_apis as upstream keeps it (per process,
// emptied by a restart, an API shown only while it is deprecated and still served; docs/kubernetes-upgrades.md §4),
// read back with the action's own parser.
import { describe, it, expect } from 'vitest'
import { sim, runSim } from './helpers/sim.js'
import { parseRequestedDeprecatedApis, describeRequested } from '../src/preflight/requested-apis.js'

const requested = () => {
  const r = runSim(['microk8s', 'kubectl', 'get', '--raw', '/metrics'])
  expect(r.status, r.stderr).toBe(0)
  const parsed = parseRequestedDeprecatedApis(r.stdout)
  if (!parsed.ok) throw new Error(parsed.reason)
  return {
    apis: parsed.requested.map((a) => `${describeRequested(a)} ${a.removedRelease ?? '-'}`),
    startedAt: parsed.processStartedAt
  }
}
const refresh = (channel: string) => {
  expect(runSim(['snap', 'refresh', 'microk8s', `--channel=${channel}`, '--classic']).status).toBe(0)
  expect(runSim(['microk8s', 'status', '--wait-ready', '--timeout', '60']).status).toBe(0)
}

describe('simulated apiserver_requested_deprecated_apis', () => {
  it('shows an API while it is deprecated and served; a request made once is gone after the refresh restarts kubelite', () => {
    sim({
      installed: { channel: '1.28/stable' },
      apiRequests: [
        { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', resource: 'flowschemas' },
        { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', resource: 'flowschemas', subresource: 'status' },
        { apiVersion: 'v1', resource: 'componentstatuses', once: true }
      ]
    })
    const before = requested()
    // v1beta3 is not deprecated yet on 1.28 (from 1.29), so a request to it sets nothing.
    expect(before.apis).toEqual(['flowcontrol.apiserver.k8s.io/v1beta2 flowschemas 1.29', 'v1 componentstatuses -'])
    refresh('1.29/stable')
    const after = requested()
    // v1beta2 is no longer served (its requests fail), v1beta3 now is deprecated, the one-off request is lost.
    expect(after.apis).toEqual(['flowcontrol.apiserver.k8s.io/v1beta3 flowschemas/status 1.32'])
    expect(Date.parse(after.startedAt!)).toBeGreaterThan(Date.parse(before.startedAt!))
  })

  it('the dns disable restarts kubelite too; with nothing requested the gauge prints no line at all', () => {
    sim({
      installed: { channel: '1.30/stable' },
      apiRequests: [{ apiVersion: 'v1', resource: 'componentstatuses', once: true }]
    })
    expect(requested().apis).toEqual(['v1 componentstatuses -'])
    expect(runSim(['microk8s', 'disable', 'dns']).status).toBe(0)
    const text = runSim(['microk8s', 'kubectl', 'get', '--raw', '/metrics']).stdout
    expect(text).toMatch(/^# TYPE apiserver_request_total counter$/m)
    expect(text).not.toContain('apiserver_requested_deprecated_apis')
    expect(runSim(['microk8s', 'kubectl', 'get', '--raw', '/healthz/nothing']).status).toBe(1)
  })

  it('every other restart of kubelite empties it: snap restart (the service or the snap), microk8s stop and start', () => {
    const restarts: string[][][] = [
      [['snap', 'restart', 'microk8s.daemon-kubelite']],
      [['snap', 'restart', 'microk8s']],
      [
        ['microk8s', 'stop'],
        ['microk8s', 'start']
      ]
    ]
    for (const commands of restarts) {
      sim({
        installed: { channel: '1.30/stable' },
        apiRequests: [
          { apiVersion: 'v1', resource: 'componentstatuses', once: true },
          { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', resource: 'flowschemas' }
        ]
      })
      expect(requested().apis, commands.join(' ')).toContain('v1 componentstatuses -')
      for (const c of commands) expect(runSim(c).status, c.join(' ')).toBe(0)
      expect(runSim(['microk8s', 'status', '--wait-ready', '--timeout', '60']).status).toBe(0)
      // The one-off request is gone with the old process; the client that keeps asking sets it again.
      expect(requested().apis, commands.join(' ')).toEqual(['flowcontrol.apiserver.k8s.io/v1beta3 flowschemas 1.32'])
    }
  })

  it('refuses a scenario API it knows no lifecycle of', () => {
    expect(() =>
      sim({ installed: { channel: '1.30/stable' }, apiRequests: [{ apiVersion: 'v1', resource: 'pods' }] })
    ).toThrow(/no lifecycle for v1 pods/)
  })
})
