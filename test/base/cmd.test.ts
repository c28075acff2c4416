import { describe, it, expect } from 'vitest'
import { ExecCmd, displayCommand, withSnapBin } from '../../src/base/cmd.js'

const node = process.execPath

describe('running commands', () => {
  it('passes arguments as an array: nothing is interpreted by a shell', async () => {
    const hostile = ['dns;rm -rf /', '$(id)', '`id`', 'a\'b"c', 'x y', '|', '>out', '\n']
    const r = await new ExecCmd(false).run(node, [
      '-e',
      'console.log(JSON.stringify(process.argv.slice(1)))',
      ...hostile
    ])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(hostile)
  })

  it('closes stdin, so a program that reads it ends instead of hanging', async () => {
    const script = "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.stringify(s)))"
    expect(JSON.parse((await new ExecCmd(false).run(node, ['-e', script])).stdout)).toBe('')
    expect(JSON.parse((await new ExecCmd(false).run(node, ['-e', script], { input: 'N\n' })).stdout)).toBe('N\n')
  })

  it('returns non-zero exit codes instead of throwing, and 127 for a missing program', async () => {
    expect((await new ExecCmd(false).run(node, ['-e', 'process.exit(3)'])).code).toBe(3)
    const missing = await new ExecCmd(false).run('no-such-program-here', [])
    expect(missing.code).toBe(127)
  })

  it('stops a command that outlives its bound, and says so', async () => {
    // Left alone it would print after 30 s and exit 0: exit 124 and no output say the bound stopped it.
    const r = await new ExecCmd(false, 1).run(node, ['-e', 'setTimeout(() => console.log("finished"), 30000)'])
    expect(r.code).toBe(124)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/was stopped after 1s/)
  })

  it('passes stdin through the bound to the program', async () => {
    const script = "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.stringify(s)))"
    expect(JSON.parse((await new ExecCmd(false, 30).run(node, ['-e', script], { input: 'N\n' })).stdout)).toBe('N\n')
  })

  it('records every command for the report', async () => {
    const cmd = new ExecCmd(false)
    await cmd.run(node, ['-e', '0'])
    expect(cmd.history).toHaveLength(1)
    expect(cmd.history[0]).toMatchObject({ code: 0 })
  })

  it('finds microk8s in /snap/bin even when the runner service’s PATH lacks it, after what PATH has', async () => {
    expect(withSnapBin('/usr/bin:/bin')).toBe('/usr/bin:/bin:/snap/bin')
    expect(withSnapBin('/snap/bin:/usr/bin')).toBe('/snap/bin:/usr/bin')
    expect(withSnapBin(undefined)).toBe('/snap/bin')
    const r = await new ExecCmd(false).run(node, ['-e', 'console.log(process.env.PATH)'])
    expect(r.stdout.trim().split(':')).toContain('/snap/bin')
  })

  it('quotes arguments only for display', () => {
    expect(displayCommand('microk8s', ['enable', 'dns:1.1.1.1,8.8.8.8'])).toBe('microk8s enable dns:1.1.1.1,8.8.8.8')
    expect(displayCommand('x', ['a b', 'c"d'])).toBe('x "a b" "c\\"d"')
  })

  // Real programs that exit at machine speed, as `test -e` and `cat` do on a runner (the simulator's Node programs
  // take ~40 ms to start and hid this): a child that is gone before its stdin is written must never crash the
  // process. Before, @actions/exec's `input: ''` write raced the exit and died of an unhandled EPIPE.
  describe('real short-lived programs, hundreds of times', () => {
    const many = async (n: number, make: () => Promise<number>) => {
      const codes: number[] = []
      for (let i = 0; i < n; i += 10) codes.push(...(await Promise.all(Array.from({ length: 10 }, make))))
      return codes
    }
    const cmd = new ExecCmd(false)

    it('/usr/bin/true exits 0 every time', async () => {
      const codes = await many(200, async () => (await cmd.run('/usr/bin/true', [])).code)
      expect(new Set(codes)).toEqual(new Set([0]))
    })

    it('test -e /nonexistent exits 1 every time', async () => {
      const codes = await many(200, async () => (await cmd.run('test', ['-e', '/nonexistent-path-here'])).code)
      expect(new Set(codes)).toEqual(new Set([1]))
    })

    it('a program that exits 3 without reading the input it is given reports 3, not a crash', async () => {
      const input = 'x'.repeat(256 * 1024) // more than a pipe holds: the write must meet the closed end
      const codes = await many(200, async () => (await cmd.run('sh', ['-c', 'exit 3'], { input })).code)
      expect(new Set(codes)).toEqual(new Set([3]))
    })

    it('the same behind coreutils timeout, as a bounded runner calls them', async () => {
      const bounded = new ExecCmd(false, 30)
      const codes = await many(100, async () => (await bounded.run('test', ['-e', '/nonexistent-path-here'])).code)
      expect(new Set(codes)).toEqual(new Set([1]))
    })
  })

  it('reports a program that cannot be started as 127 with the reason, and a signal death as 128 + its number', async () => {
    const missing = await new ExecCmd(false).run('/nonexistent/program', ['a'])
    expect(missing).toMatchObject({ code: 127 })
    expect(missing.stderr).toMatch(/ENOENT/)
    expect((await new ExecCmd(false).run('sh', ['-c', 'kill -TERM $$'])).code).toBe(143)
  })

  it('gives each line to onLine as it comes, stdout and stderr alike, and never for secret output', async () => {
    const seen: string[] = []
    await new ExecCmd(false).run('sh', ['-c', 'printf "a\\nb"; printf "c\\n" >&2'], { onLine: (l) => seen.push(l) })
    expect(seen.sort()).toEqual(['a', 'b', 'c'])
    const hidden: string[] = []
    await new ExecCmd(false).run('sh', ['-c', 'echo token'], { secret: true, onLine: (l) => hidden.push(l) })
    expect(hidden).toEqual([])
  })
})
