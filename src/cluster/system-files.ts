/**
 * Files in system paths (/etc, /var/snap/microk8s, /root) read and written through `test`, `cat` and
 * `install`, run like every other command (with sudo on a runner): never with Node's fs, whose privileges are
 * the runner user's. `install -D` creates the parent directories and replaces the file rather than writing
 * through it, so a symlink planted at the destination is not followed.
 */
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Cmd } from '../base/cmd.js'
import { CommandError } from '../base/errors.js'
import { displayCommand } from '../base/cmd.js'

export const SNAP_COMMON = '/var/snap/microk8s/common'
export const SNAP_DATA = '/var/snap/microk8s/current'

/** Modes `install -m` is given: world-readable, or root's only (files that may hold certificates or tokens). */
export type FileMode = '0644' | '0600'

export class SystemFiles {
  constructor(private readonly cmd: Cmd) {}

  async exists(file: string): Promise<boolean> {
    return (await this.cmd.run('test', ['-e', file])).code === 0
  }

  /**
   * `test -d DIR`: `yes`, `no` (exit 1), or why it could not tell (any other exit: `test` or sudo missing, a
   * killed command). Exit 1 is also what a refused `sudo -n` gives: a caller believes `no` only once a `yes` from
   * the same reader has shown that the reads work.
   */
  async directory(dir: string): Promise<'yes' | 'no' | { error: string }> {
    const r = await this.cmd.run('test', ['-d', dir])
    if (r.code === 0) return 'yes'
    if (r.code === 1 && !r.stderr.trim()) return 'no'
    return { error: `'test -d ${dir}' exited ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}` }
  }

  /** The file's text; undefined when it does not exist (or cannot be read). */
  async read(file: string): Promise<string | undefined> {
    const r = await this.cmd.run('cat', [file])
    return r.code === 0 ? r.stdout : undefined
  }

  /** Copies `source` to `dest` (mode 0644 unless given), creating the directories on the way. */
  async install(source: string, dest: string, mode: FileMode = '0644'): Promise<void> {
    const args = ['-D', '-m', mode, source, dest]
    const r = await this.cmd.run('install', args)
    if (r.code !== 0) throw new CommandError(displayCommand('install', args), r.code, r.stdout, r.stderr)
  }

  /** Writes `text` to `dest` (mode 0644 unless given) through a temporary file under RUNNER_TEMP. */
  async write(dest: string, text: string, mode: FileMode = '0644'): Promise<void> {
    const dir = await fs.mkdtemp(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'microk8s-file-'))
    const source = path.join(dir, path.basename(dest))
    try {
      // Readable by the runner user only until `install` gives it its mode.
      await fs.writeFile(source, text, { mode: 0o600 })
      await this.install(source, dest, mode)
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  }
}

/**
 * A path input as a shell would have expanded it: `$NAME` and `${NAME}` from the environment, `~/`, and a
 * relative path from the workspace. balchua/microk8s-actions passed its paths through a shell, so workflows
 * written for it say `$GITHUB_WORKSPACE/microk8s-config.yaml`; no shell runs here.
 */
export function expandPath(text: string, env: NodeJS.ProcessEnv, onMissing: (name: string) => never): string {
  let value = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced, bare) => {
    const name = braced ?? bare
    const v = env[name]
    return v === undefined || v === '' ? onMissing(name) : v
  })
  if (value === '~' || value.startsWith('~/')) value = path.join(env.HOME || os.homedir(), value.slice(1))
  return path.resolve(env.GITHUB_WORKSPACE || process.cwd(), value)
}
