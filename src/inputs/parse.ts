/**
 * Parsing helpers every action's inputs use (this one's and the report action's): booleans and choices with the
 * values GitHub accepts, words, the comment key's grammar. An error names the input and what would be accepted.
 */
import { InputError } from '../base/errors.js'

export type Getter = (name: string) => string

/** The comment key goes into an HTML comment (the sticky comment's marker): a strict grammar, no `--`. */
export function checkCommentKey(commentKey: string): string {
  if (!isCommentKey(commentKey)) {
    throw new InputError(
      'comment-key',
      `'${printable(commentKey)}' is not accepted; use 1 to 100 letters, digits and . _ / : + - (no '--')`
    )
  }
  return commentKey
}

export function splitWords(text: string): string[] {
  return text.split(/\s+/).filter(Boolean)
}

/** Shows control characters visibly in error messages. */
export function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1)
}

export function oneOf<T extends string>(get: Getter, name: string, allowed: readonly T[], fallback: T): T {
  const value = get(name).trim() || fallback
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(name, `'${printable(value)}' is not one of ${allowed.join(', ')}`)
  }
  return value as T
}

/**
 * A boolean input, with the values @actions/core's getBooleanInput accepts (the YAML 1.2 core schema: true,
 * True, TRUE, false, False, FALSE); empty gives the default; the error names the input. Read through the
 * getter rather than core.getBooleanInput itself, which can only read its own input name: deprecated aliases
 * (compat-inputs.ts) must reach the same parser.
 */
export function bool(get: Getter, name: string, fallback: boolean): boolean {
  const value = get(name).trim()
  if (value === '') return fallback
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new InputError(name, `'${printable(value)}' is not a boolean; use true or false`)
}

/** What a comment key may be: it is written into an HTML comment, where `--` is not allowed. */
const COMMENT_KEY = /^[A-Za-z0-9._/:+-]{1,100}$/

export function isCommentKey(key: string): boolean {
  return COMMENT_KEY.test(key) && !key.includes('--')
}

/**
 * `<job id>-<channel>`, made valid whatever the job id is: GitHub allows job ids such as `upgrade--k8s`, so
 * characters outside the key's alphabet become `-`, runs of `-` become one, and the result is cut to 100.
 */
export function defaultCommentKey(job: string | undefined, channelText: string): string {
  const key = `${job || 'job'}-${channelText}`
    .replace(/[^A-Za-z0-9._/:+-]/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, 100)
  return key.replace(/^-+|-+$/g, '') || 'microk8s'
}
