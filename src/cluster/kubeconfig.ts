/**
 * Where the admin kubeconfig goes. The path is checked when the inputs are read, before anything touches the
 * cluster; the file is written so that credentials never land anywhere but a new 0600 file in the target's own
 * directory, which is then renamed into place (a symlink planted at the path is replaced, never followed).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as crypto from 'node:crypto'

/** Directories an action must never write credentials into, whatever the user asked. */
// (/var/lib and /run are left out: self-hosted runners live there, e.g. /var/lib/github-runner.)
const SYSTEM_DIRS = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/proc',
  '/sbin',
  '/snap',
  '/sys',
  '/usr',
  '/var/snap'
]

function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(`${dir}/`)
}

/**
 * Why a file the action writes (the kubeconfig, the JSON report) cannot go to `target`, or undefined when it
 * can: not a directory, not a symlink, no other special file, not under a system directory (also after
 * resolving symlinked parents), and its directory exists and is writable or can be created.
 */
export function outputPathProblem(target: string, example = '~/.kube/config'): string | undefined {
  const absolute = path.resolve(target)
  if (target.endsWith('/')) return `names a directory; give a file path such as ${example}`
  const system = SYSTEM_DIRS.find((d) => isUnder(absolute, d))
  if (system) return `is under the system directory ${system}; give a path in the home directory or the workspace`
  let st: fs.Stats | undefined
  try {
    st = fs.lstatSync(absolute)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return `cannot be inspected (${(e as Error).message})`
  }
  if (st?.isSymbolicLink())
    return `is a symbolic link; ${example.endsWith('.json') ? 'the report is' : 'the admin credentials are'} not written through links. Remove it or give another path`
  if (st?.isDirectory()) return `is a directory; give a file path such as ${example}`
  if (st && !st.isFile()) return 'is not a regular file'
  // The nearest existing ancestor decides whether the directory can be created, and where it really is.
  let dir = path.dirname(absolute)
  while (!fs.existsSync(dir)) dir = path.dirname(dir)
  let real: string
  try {
    real = fs.realpathSync(dir)
  } catch (e) {
    return `cannot be inspected (${(e as Error).message})`
  }
  if (!fs.statSync(real).isDirectory()) return `cannot be created: ${dir} is not a directory`
  const realSystem = SYSTEM_DIRS.find((d) => isUnder(real, d))
  if (realSystem) return `resolves into the system directory ${realSystem} (${dir} → ${real})`
  try {
    fs.accessSync(real, fs.constants.W_OK)
  } catch {
    return `cannot be created: ${dir} is not writable by this user`
  }
  return undefined
}

/** What happened to the file that was at the path. */
export type KubeconfigWrite = { previous: 'none' | 'same' | 'backed-up'; backup?: string }

/**
 * Writes `content` to `target`: a temporary file created with O_EXCL|O_NOFOLLOW and mode 0600 in the same
 * directory, renamed over the target (so no reader ever sees a partial or wider-mode file). A different file
 * already there is kept as `<target>.bak` (also 0600: it may hold other credentials).
 */
export function writeKubeconfigFile(target: string, content: string): KubeconfigWrite {
  const absolute = path.resolve(target)
  const problem = outputPathProblem(absolute)
  if (problem) throw new Error(`${target} ${problem}`)
  fs.mkdirSync(path.dirname(absolute), { recursive: true, mode: 0o700 })
  let previous: KubeconfigWrite['previous'] = 'none'
  let backup: string | undefined
  if (fs.existsSync(absolute)) {
    const old = fs.readFileSync(absolute, 'utf8')
    if (old === content) previous = 'same'
    else {
      backup = `${absolute}.bak`
      placeFile(backup, old)
      previous = 'backed-up'
    }
  }
  placeFile(absolute, content)
  return { previous, ...(backup ? { backup } : {}) }
}

/** Creates a private temporary file next to `file`, writes it, and renames it onto `file`. */
function placeFile(file: string, content: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`)
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW
  const fd = fs.openSync(temp, flags, 0o600)
  try {
    fs.writeFileSync(fd, content)
    fs.fsyncSync(fd)
  } catch (error) {
    fs.closeSync(fd)
    fs.rmSync(temp, { force: true })
    throw error
  }
  fs.closeSync(fd)
  try {
    fs.renameSync(temp, file)
  } catch (error) {
    fs.rmSync(temp, { force: true })
    throw error
  }
}
