/**
 * The `sideload-images` input: image archives (`docker save`, OCI) loaded into MicroK8s' containerd before
 * any addon is enabled.
 *
 * Facts (canonical/microk8s snap/hooks/install, the containerd sideload-images patch, scripts/wrappers/images.py):
 * - fresh install: `$SNAP_COMMON/sideload/*.tar` placed before `snap install` is copied by the install hook to
 *   `$SNAP_COMMON/etc/sideload/`, which containerd's sideload plugin imports (every 5 s, renaming each
 *   `.loaded`) once containerd runs: after the install, not at once;
 * - existing cluster: `microk8s images import FILE` posts the archive to every node's cluster-agent. It exits
 *   0 even when a node rejects the archive (it only prints `Failed to import images on …`), so the action
 *   checks with `microk8s ctr image ls -q` that every image of the archives is there.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { InputError } from '../base/errors.js'
import { StepError } from '../base/errors.js'
import type { Cmd } from '../base/cmd.js'
import { SNAP_COMMON, type SystemFiles, expandPath } from '../cluster/system-files.js'
import { defaultSleep } from './launch-config.js'
import { pollUntil, retry } from '../base/retry.js'

export interface ImageArchive {
  file: string
  /** Image names as containerd records them (`docker.io/library/alpine:edge`). */
  images: string[]
}

export const SIDELOAD_DIR = `${SNAP_COMMON}/sideload`

/**
 * Whether a strictly confined (not devmode) MicroK8s can read `file` in `microk8s images import`: the command
 * runs inside the snap, whose home interface reaches non-hidden files under /home only.
 */
export function strictReadable(file: string): boolean {
  const parts = path.posix.normalize(file).split('/').filter(Boolean)
  return parts[0] === 'home' && parts.length > 2 && !parts.some((p) => p.startsWith('.'))
}

/** Plan time, existing strict cluster: archives `microk8s images import` could not read are refused. */
export function checkStrictArchives(archives: ImageArchive[]): void {
  const unreadable = archives.filter((a) => !strictReadable(a.file)).map((a) => a.file)
  if (unreadable.length)
    throw new InputError(
      'sideload-images',
      `${unreadable.join(', ')}: this MicroK8s is strictly confined, and its images import reads non-hidden files under /home only; keep the archives in the workspace or ~/sideload (not /tmp or ~/.cache)`
    )
}

/**
 * `sideload-images`: directories (every `*.tar` in them, as the sideload plugin reads) or files and globs
 * (`*`, `?` in the last path component), one per line.
 */
export function resolveArchives(text: string, env: NodeJS.ProcessEnv): ImageArchive[] {
  const fail = (why: string): never => {
    throw new InputError('sideload-images', why)
  }
  const files: string[] = []
  for (const entry of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const p = expandPath(entry, env, (name) => fail(`'${entry}' uses $${name}, which is not set`))
    const base = path.basename(p)
    let matched: string[]
    if (/[*?]/.test(path.dirname(p))) fail(`'${entry}': wildcards are accepted in the file name only`)
    if (/[*?]/.test(base)) {
      const re = new RegExp(
        `^${base
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`
      )
      const dir = path.dirname(p)
      matched = fs.existsSync(dir)
        ? fs
            .readdirSync(dir)
            .filter((f) => re.test(f))
            .map((f) => path.join(dir, f))
        : []
    } else if (fs.existsSync(p) && fs.statSync(p).isDirectory()) {
      matched = fs
        .readdirSync(p)
        .filter((f) => f.endsWith('.tar'))
        .map((f) => path.join(p, f))
    } else {
      matched = fs.existsSync(p) ? [p] : []
    }
    if (matched.length === 0) fail(`'${entry}' (${p}) matches no image archive`)
    for (const f of matched.sort()) {
      if (!f.endsWith('.tar'))
        fail(
          `${f} does not end in .tar; the install hook copies *.tar only (docker save -o NAME.tar, or an OCI archive)`
        )
      if (!fs.statSync(f).isFile()) fail(`${f} is not a file`)
      if (!files.includes(f)) files.push(f)
    }
  }
  const bases = files.map((f) => path.basename(f))
  const twice = bases.find((b, i) => bases.indexOf(b) !== i)
  if (twice) fail(`two archives are named ${twice}; they would overwrite each other in ${SIDELOAD_DIR}`)
  return files.map((file) => {
    const images = imagesInArchive(file)
    if (!images)
      fail(
        `${file} is not an image archive (no manifest.json or index.json); create it with docker save or skopeo copy`
      )
    return { file, images: images! }
  })
}

/** Image names in an archive, from its tar headers (the file is read entry by entry, not loaded whole). */
export function imagesInArchive(file: string): string[] | undefined {
  const fd = fs.openSync(file, 'r')
  try {
    const docs: Record<string, any> = {}
    const header = Buffer.alloc(512)
    let longName: string | undefined
    for (let offset = 0; fs.readSync(fd, header, 0, 512, offset) === 512;) {
      if (header.every((b) => b === 0)) break
      const field = (start: number, length: number) =>
        header
          .subarray(start, start + length)
          .toString('utf8')
          .replace(/\0.*$/s, '')
      const size = parseInt(field(124, 12).trim() || '0', 8)
      const type = field(156, 1)
      const prefix = field(345, 155)
      const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100))
      longName = undefined
      const body = () => {
        const b = Buffer.alloc(size)
        fs.readSync(fd, b, 0, size, offset + 512)
        return b
      }
      if (type === 'L') longName = body().toString('utf8').replace(/\0.*$/s, '')
      const clean = name.replace(/^\.\//, '')
      if ((clean === 'manifest.json' || clean === 'index.json') && size < 1_000_000) {
        try {
          docs[clean] = JSON.parse(body().toString('utf8'))
        } catch {
          return undefined
        }
      }
      offset += 512 + Math.ceil(size / 512) * 512
    }
    return imageNames(docs['manifest.json'], docs['index.json'])
  } finally {
    fs.closeSync(fd)
  }
}

/** docker-archive `manifest.json` RepoTags first; else OCI `index.json` annotations containerd reads. */
export function imageNames(manifest: any, index: any): string[] | undefined {
  if (Array.isArray(manifest)) return manifest.flatMap((m) => (m?.RepoTags ?? []) as string[]).map(normaliseImageRef)
  if (index && Array.isArray(index.manifests)) {
    return index.manifests
      .map(
        (m: any) =>
          m?.annotations?.['io.containerd.image.name'] ?? m?.annotations?.['org.opencontainers.image.ref.name']
      )
      .filter((n: unknown): n is string => typeof n === 'string' && n.includes('/'))
      .map(normaliseImageRef)
  }
  return undefined
}

/** `alpine:edge` → `docker.io/library/alpine:edge`, as containerd names what it imports. */
export function normaliseImageRef(ref: string): string {
  const at = ref.indexOf('@')
  let name = at === -1 ? ref : ref.slice(0, at)
  const digest = at === -1 ? '' : ref.slice(at)
  let tag = ''
  const colon = name.lastIndexOf(':')
  if (colon > name.lastIndexOf('/')) [name, tag] = [name.slice(0, colon), name.slice(colon + 1)]
  const first = name.split('/')[0]
  if (!name.includes('/')) name = `docker.io/library/${name}`
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`
  return digest ? `${name}${tag ? `:${tag}` : ''}${digest}` : `${name}:${tag || 'latest'}`
}

/** Fresh install: copies the archives where the install hook looks. */
export async function placeArchives(files: SystemFiles, archives: ImageArchive[]): Promise<void> {
  for (const a of archives) await files.install(a.file, `${SIDELOAD_DIR}/${path.basename(a.file)}`)
}

/** Existing cluster: `microk8s images import FILE` for each archive. */
export async function importArchives(cmd: Cmd, archives: ImageArchive[]): Promise<void> {
  for (const a of archives) {
    const r = await cmd.run('microk8s', ['images', 'import', a.file])
    const rejected = /^Failed to (?:import|reach).*$/m.exec(r.stdout)
    if (r.code !== 0 || rejected)
      throw new StepError(
        'sideload images',
        `microk8s images import ${a.file} failed: ${(rejected?.[0] ?? r.stderr.trim()) || `exit code ${r.code}`}`
      )
  }
}

/** Waits (bounded) until containerd lists every image of the archives; returns the images found. */
export async function waitLoaded(
  cmd: Cmd,
  archives: ImageArchive[],
  timeoutSeconds: number,
  sleep = defaultSleep
): Promise<string[]> {
  const wanted = [...new Set(archives.flatMap((a) => a.images))]
  let missing: string[] = wanted
  const loaded = await retry(
    async () => {
      const r = await cmd.run('microk8s', ['ctr', 'image', 'ls', '-q'])
      const present = new Set(r.stdout.split('\n').map((l) => l.trim()))
      missing = wanted.filter((i) => !present.has(i))
      return r.code === 0 && missing.length === 0 ? wanted : undefined
    },
    pollUntil(timeoutSeconds * 1000),
    undefined,
    { now: Date.now, sleep }
  )
  if (!loaded.value)
    throw new StepError(
      'sideload images',
      `containerd does not list ${missing.join(', ') || 'the images'} within ${timeoutSeconds} s of loading the archives`
    )
  return loaded.value
}
