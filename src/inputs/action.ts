/**
 * Every `core.getInput` of the action lives here. Inputs are validated once, before anything touches the
 * cluster, and returned as a typed object; an error names the input and what would be accepted.
 */
import * as core from '@actions/core'
import * as os from 'node:os'
import * as path from 'node:path'
import { type Channel, parseChannel } from '../cluster/channel.js'
import { InputError } from '../base/errors.js'
import { type CompatInputs, DEFAULT_CHANNEL, addonsFromInput, getCompatInputs } from './aliases.js'
import { outputPathProblem } from '../cluster/kubeconfig.js'
import { type ProbeInputs, parseProbeInputs } from '../probes/targets.js'
import { type Getter, bool, checkCommentKey, defaultCommentKey, oneOf, printable, splitWords } from './parse.js'

export type CycleMode = 'auto' | 'always' | 'never'
export type RemovedApisMode = 'fail' | 'warn' | 'off'
/** A strict track whose containerd AppArmor profile this kernel denies: stop before any change, or go on warned. */
export type StrictApparmorMode = 'fail' | 'warn'

export interface AddonRequest {
  name: string
  /** Everything after the first colon (`1.1.1.1,8.8.8.8` for `dns:1.1.1.1,8.8.8.8`); undefined when absent. */
  args?: string
}

export interface Inputs extends CompatInputs, ProbeInputs {
  channel: Channel
  channelText: string
  /** False when the channel input was empty or blank (then `channelText` is the default, latest/stable). */
  channelGiven: boolean
  addons: AddonRequest[]
  cycleAddons: CycleMode
  neverCycle: string[]
  /** Addons unknown to the catalog (community) to cycle anyway. */
  cycleAlso: string[]
  waitTimeout: number
  dryRun: boolean
  reportFile: string
  prComment: boolean
  githubToken: string
  commentKey: string
  kubeconfig: string
  holdRefresh: boolean
  removedApis: RemovedApisMode
  strictApparmor: StrictApparmorMode
  /** Patterns of manifest files, relative to the workspace; `!pattern` excludes. */
  manifests: string[]
}

/** Addon names as MicroK8s repositories spell them (`dns`, `hostpath-storage`, `community/argocd`). */
const ADDON_NAME = /^(?:(?:core|community)\/)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
/**
 * Addon arguments: what the core addons take after the colon (IP addresses and ranges, CIDRs,
 * `key=ns/name`, sizes). No spaces, quotes or shell metacharacters: MicroK8s itself rejects nothing
 * (`microk8s enable 'dns;rm -rf /'` exits 0), so the action must.
 */
const ADDON_ARGS = /^[A-Za-z0-9.,:=/_@+-]{1,256}$/
export const WAIT_TIMEOUT_MAX = 21600

export function getInputs(
  get: Getter = (n) => core.getInput(n),
  env = process.env,
  warn: (message: string) => void = (m) => core.warning(m, { title: 'deprecated input' })
): Inputs {
  const channelGiven = get('channel').trim() !== ''
  const channelText = get('channel').trim() || DEFAULT_CHANNEL
  let channel: Channel
  try {
    channel = parseChannel(channelText)
  } catch (e) {
    throw new InputError('channel', (e as Error).message)
  }

  const addons = parseAddons(addonsFromInput(get('addons'), warn))
  const neverCycle = addonNames(get, 'never-cycle')
  const cycleAlso = addonNames(get, 'cycle-also')

  const waitTimeout = parseWaitTimeout(get('wait-timeout'))
  const runnerTemp = env.RUNNER_TEMP || os.tmpdir()
  const reportFile = expandHome(get('report-file').trim() || path.join(runnerTemp, 'microk8s-report.json'))
  const reportProblem = outputPathProblem(reportFile, '${{ runner.temp }}/microk8s-report.json')
  if (reportProblem) throw new InputError('report-file', `'${printable(reportFile)}' ${reportProblem}`)
  const prComment = bool(get, 'pr-comment', false)
  const commentKey = get('comment-key').trim() || defaultCommentKey(env.GITHUB_JOB, channelText)
  // The key goes into the comment's HTML marker: checked only when a comment is posted.
  if (prComment) checkCommentKey(commentKey)
  const githubToken = get('github-token').trim()
  // Masked in every log line from here on, whatever prints it.
  if (githubToken) core.setSecret(githubToken)
  // Never shown: a token with whitespace inside would break the Authorization header.
  if (prComment && /\s/.test(githubToken))
    throw new InputError('github-token', 'contains whitespace; give the token alone (for example ${{ github.token }})')

  const probeInputs = parseProbeInputs(get)

  const kubeconfig = expandHome(get('kubeconfig').trim() || '~/.kube/config')
  const kubeconfigProblem = outputPathProblem(kubeconfig)
  if (kubeconfigProblem) throw new InputError('kubeconfig', `'${printable(kubeconfig)}' ${kubeconfigProblem}`)

  return {
    channel,
    channelText,
    channelGiven,
    addons,
    cycleAddons: oneOf(get, 'cycle-addons', ['auto', 'always', 'never'], 'auto'),
    neverCycle,
    cycleAlso,
    waitTimeout,
    dryRun: bool(get, 'dry-run', false),
    reportFile,
    prComment,
    githubToken,
    commentKey,
    kubeconfig,
    holdRefresh: bool(get, 'hold-refresh', true),
    removedApis: oneOf(get, 'removed-apis', ['fail', 'warn', 'off'], 'warn'),
    strictApparmor: oneOf(get, 'strict-apparmor', ['fail', 'warn'], 'fail'),
    manifests: parseManifestPatterns(get('manifests'), env.GITHUB_WORKSPACE || process.cwd()),
    ...probeInputs,
    ...getCompatInputs(get, env, warn, (name, value, fallback) => bool(() => value, name, fallback))
  }
}

/**
 * `manifests`: one pattern per line, relative to the workspace (or absolute inside it), `!` to exclude. A
 * pattern that leaves the workspace is refused: the action reads what a pull request may name.
 */
export function parseManifestPatterns(text: string, workspace: string): string[] {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  for (const pattern of patterns) {
    const body = pattern.replace(/^!/, '')
    const relative = path.relative(workspace, path.resolve(workspace, body))
    if (
      /[\0\r]/.test(body) ||
      body.startsWith('~') ||
      relative === '..' ||
      relative.startsWith(`..${path.sep}`) ||
      path.isAbsolute(relative)
    ) {
      throw new InputError(
        'manifests',
        `'${printable(pattern)}' leaves the workspace (${workspace}); give files or globs inside it, one per line, e.g. deploy/**/*.yaml`
      )
    }
  }
  return patterns
}

const NAME_RULE = "names are lower-case letters, digits and '-', optionally prefixed by 'core/' or 'community/'"

/** A whitespace-separated list of addon names (`never-cycle`, `cycle-also`). */
function addonNames(get: Getter, input: string): string[] {
  return splitWords(get(input)).map((name) => {
    if (!ADDON_NAME.test(name)) throw new InputError(input, `'${printable(name)}' is not an addon name; ${NAME_RULE}`)
    return bareName(name)
  })
}

/** `addons`: entries separated by whitespace or newlines, each `name` or `name:args`. */
export function parseAddons(text: string): AddonRequest[] {
  const seen = new Set<string>()
  return splitWords(text).map((entry) => {
    const colon = entry.indexOf(':')
    const rawName = colon === -1 ? entry : entry.slice(0, colon)
    const args = colon === -1 ? undefined : entry.slice(colon + 1)
    if (!ADDON_NAME.test(rawName)) {
      throw new InputError('addons', `'${printable(entry)}' does not start with an addon name; ${NAME_RULE}`)
    }
    if (args !== undefined && !ADDON_ARGS.test(args)) {
      throw new InputError(
        'addons',
        `arguments of '${bareName(rawName)}' ('${printable(args)}') are not accepted; ` +
          'use 1 to 256 letters, digits and . , : = / _ @ + - (for example dns:1.1.1.1,8.8.8.8 or ' +
          'metallb:10.64.140.43-10.64.140.49); quotes, spaces and shell characters are refused'
      )
    }
    const name = bareName(rawName)
    if (seen.has(name)) throw new InputError('addons', `'${name}' is listed twice; list each addon once`)
    seen.add(name)
    return { name, args }
  })
}

function bareName(name: string): string {
  return name.replace(/^(?:core|community)\//, '')
}

export function parseWaitTimeout(text: string): number {
  const value = text.trim() || '600'
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > WAIT_TIMEOUT_MAX) {
    throw new InputError(
      'wait-timeout',
      `'${printable(value)}' is not accepted; give a whole number of seconds from 1 to ${WAIT_TIMEOUT_MAX}`
    )
  }
  return Number(value)
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p
}
