// The workloads record's stage glue (src/stages/workloads.ts): whatever the cluster answered, the record is written
// and nothing is thrown, so the report is still published after a failure.
import { describe, it, expect, vi } from 'vitest'
import { recordWorkloads } from '../../src/stages/workloads.js'
import { newReport } from '../../src/report/model.js'

const inventory = (): any => ({
  takenAt: '2026-01-01T00:00:00Z',
  snap: { channel: '1.30/stable', version: 'v1.30.14', revision: 1, confinement: 'classic', held: false },
  running: true,
  nodes: [],
  addons: [],
  workloads: [],
  volumes: { pvs: 0, pvcs: 0, bound: 0 }
})

describe('recordWorkloads', () => {
  it('records "not compared" with the reason, and throws nothing, when an answer cannot be read', () => {
    const out: string[] = []
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (out.push(String(chunk)), true))
    const hostile = {
      get kind(): string {
        throw new Error('an object no reader expects')
      }
    }
    const report = newReport('1.30/stable')
    const inspected: any = { installed: { version: 'v1.29.15' }, inventory: inventory(), items: [hostile] }
    expect(() => recordWorkloads(report, inspected, { inventory: inventory(), items: [] })).not.toThrow()
    expect(report.workloads).toMatchObject({ compared: false, before: { read: false }, after: { read: false } })
    expect((report.workloads!.before as any).reason).toContain('an object no reader expects')
    write.mockRestore()
    expect(out.join('')).toMatch(/::warning title=workloads::Workloads not compared: the answers could not be compared/)
  })
})
