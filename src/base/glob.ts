/**
 * File patterns as workflows write them (`deploy/**\/*.yaml`, `reports/`, `!deploy/charts/**`): expanded by
 * walking the directory tree without following symbolic links, so a pattern can never reach outside the
 * directory it names. Supports `**`, `*`, `?`, `{a,b}` and `!` exclusions; a directory stands for the files
 * under it that `directoryFiles` accepts.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

const GLOB_CHARS = /[*?{[]/

/** A pattern as an anchored regular expression over `/`-separated paths relative to its base directory. */
export function globToRegExp(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories (none included); a trailing `**` matches everything below.
      if (pattern[i + 2] === '/') {
        re += '(?:[^/]*/)*'
        i += 2
      } else {
        re += '.*'
        i += 1
      }
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '{') {
      const end = pattern.indexOf('}', i)
      if (end === -1) re += '\\{'
      else {
        re += `(?:${pattern
          .slice(i + 1, end)
          .split(',')
          .map((alt) => globToRegExp(alt).source.slice(1, -1))
          .join('|')})`
        i = end
      }
    } else re += c.replace(/[.+^$()|[\]\\}]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** Splits a pattern into the directory before its first wildcard and the rest (`deploy`, `**\/*.yaml`). */
export function splitPattern(pattern: string): { base: string; rest: string } {
  const parts = pattern.split('/')
  const first = parts.findIndex((p) => GLOB_CHARS.test(p))
  if (first === -1) return { base: pattern, rest: '' }
  return {
    base: parts.slice(0, first).join('/') || (pattern.startsWith('/') ? '/' : '.'),
    rest: parts.slice(first).join('/')
  }
}

export interface ExpandOptions {
  /** Relative patterns are resolved against this directory. */
  cwd: string
  /** Which files a directory (given without a wildcard) stands for. */
  directoryFiles: RegExp
  /** Directory names never entered (`.git`, `node_modules`). */
  skipDirectories?: string[]
}

/**
 * Expands patterns (one per entry; `!pattern` removes matches) to absolute file paths, sorted and unique.
 * Symbolic links are neither followed nor returned.
 */
export async function expandPatterns(patterns: string[], options: ExpandOptions): Promise<string[]> {
  const skip = new Set(options.skipDirectories ?? ['.git', 'node_modules'])
  const included = new Set<string>()
  const excluded: RegExp[] = []
  for (const raw of patterns) {
    const negated = raw.startsWith('!')
    const pattern = (negated ? raw.slice(1) : raw).replace(/\\/g, '/')
    const absolute = path.resolve(options.cwd, pattern)
    if (negated) {
      const { base, rest } = splitPattern(absolute)
      excluded.push(rest ? prefixed(base, rest) : new RegExp(`^${escapeRe(absolute)}(?:/.*)?$`))
      continue
    }
    const { base, rest } = splitPattern(absolute)
    const stat = await fs.lstat(base).catch(() => undefined)
    if (!stat || stat.isSymbolicLink() || (await throughLink(base, options.cwd))) continue
    if (!rest) {
      if (stat.isFile()) included.add(base)
      else if (stat.isDirectory())
        for (const f of await walk(base, skip)) if (options.directoryFiles.test(path.basename(f))) included.add(f)
      continue
    }
    if (!stat.isDirectory()) continue
    const re = globToRegExp(rest)
    for (const f of await walk(base, skip))
      if (re.test(path.relative(base, f).split(path.sep).join('/'))) included.add(f)
  }
  return [...included].filter((f) => !excluded.some((re) => re.test(f))).sort()
}

/**
 * Whether reaching `target` goes through a symbolic link below `cwd` (or, outside `cwd`, anywhere on its path):
 * its real path is not the path as written.
 */
async function throughLink(target: string, cwd: string): Promise<boolean> {
  const inside = !path.relative(cwd, target).startsWith('..') && !path.isAbsolute(path.relative(cwd, target))
  const anchor = inside ? cwd : path.parse(target).root
  try {
    const [realTarget, realAnchor] = await Promise.all([fs.realpath(target), fs.realpath(anchor)])
    return realTarget !== path.join(realAnchor, path.relative(anchor, target))
  } catch {
    return true
  }
}

function prefixed(base: string, rest: string): RegExp {
  const dir = base.endsWith('/') ? base : `${base}/`
  return new RegExp(`^${escapeRe(dir)}${globToRegExp(rest).source.slice(1)}`)
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Every regular file under `dir`; symbolic links and skipped directory names are not entered. */
async function walk(dir: string, skip: Set<string>): Promise<string[]> {
  const files: string[] = []
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const e of entries) {
    const full = path.join(dir, e.name)
    if (e.isDirectory() && !skip.has(e.name)) files.push(...(await walk(full, skip)))
    else if (e.isFile()) files.push(full)
  }
  return files
}
