// After a failure, the report compares only what was read on both sides: what could not be read is unknown
// ("not readable: the cluster is not ready"), never "removed" — in the JSON report, the job summary and the comment.
import { describe, it, expect } from 'vitest'
import { run } from './harness.js'
import { validateReport } from '../helpers/schema.js'

const fast = { overrides: { timeScale: 0.001 } }

describe('what could not be read after a failure', () => {
  it('a readiness timeout: the cluster’s components are unknown, the snap is compared', async () => {
    const r = await run('faults/readiness-never', { channel: '1.30/stable', 'wait-timeout': '5' }, fast)
    expect(r.code).toBe(1)
    expect(validateReport(r.report)).toEqual([])
    expect(r.report.after.unreadable).toBe('the cluster is not ready')
    const states = Object.fromEntries(r.report.changes.map((c: any) => [c.component, c.state]))
    expect(states).toMatchObject({
      'microk8s snap': 'upgraded',
      'API server': 'unknown',
      dns: 'unknown',
      ingress: 'unknown'
    })
    expect(r.report.changes.filter((c: any) => c.state === 'removed' || c.state === 'added')).toEqual([])
    expect(r.summary).toContain('<i>not readable: the cluster is not ready</i>')
    expect(r.summary).not.toMatch(/➖ removed/)
    // The simulated cluster still has its addons: nothing was disabled.
    expect(r.state.calls.filter((c: any) => c.args[0] === 'disable')).toEqual([])
  })

  it('a failed hop (wrong minor) on a readable cluster: compared normally, addons still enabled', async () => {
    const r = await run('faults/wrong-minor', { channel: '1.30/stable' }, fast)
    expect(r.code).toBe(1)
    expect(validateReport(r.report)).toEqual([])
    expect(r.report.after.unreadable).toBeUndefined()
    const addonRows = r.report.changes.filter((c: any) => c.kind === 'addon')
    expect(addonRows.length).toBeGreaterThan(0)
    expect(addonRows.every((c: any) => c.state === 'unchanged')).toBe(true)
    expect(r.summary).not.toMatch(/➖ removed|not readable/)
  })
})
