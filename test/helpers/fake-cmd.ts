import type { Cmd, CmdResult } from '../../src/base/cmd.js'

/** A Cmd that answers from a script of results (then exit 0) and records each call's argv. */
export function scriptedCmd(results: Array<Partial<CmdResult>>): Cmd & { calls: string[][] } {
  const calls: string[][] = []
  return {
    calls,
    history: [],
    async run(file, args) {
      calls.push([file, ...args])
      const r = results.shift() ?? { code: 0 }
      return { code: 0, stdout: '', stderr: '', ms: 0, ...r }
    }
  }
}
