/**
 * Inputs for what the other MicroK8s actions offer (launch configuration, sideloaded images, a registry
 * mirror, runner networking, devmode), and the spellings of balchua/microk8s-actions (its action.yaml:
 * `channel`, `addons` as a JSON array, `devMode`, `launch-configuration`, `sideload-images-path`) accepted as
 * deprecated aliases, so its workflows run unchanged.
 */
import * as fs from 'node:fs'
import { InputError } from '../base/errors.js'
import { type LaunchConfig, parseLaunchConfig } from '../setup/launch-config.js'
import { type ImageArchive, resolveArchives } from '../setup/images.js'
import { parseMirror } from '../setup/registry-mirror.js'
import { expandPath } from '../cluster/system-files.js'

export const DEFAULT_CHANNEL = 'latest/stable'

export interface CompatInputs {
  launchConfig?: LaunchConfig
  sideloadImages: ImageArchive[]
  registryMirror?: string
  fixRunnerNetwork: boolean
  /** Install a strict track with `--devmode`. */
  devmode: boolean
}

import type { Getter } from './parse.js'
type Warn = (message: string) => void

/** Old spelling → the input that replaces it, and the action it comes from. */
export const ALIASES: Record<string, { input: string; from: string }> = {
  devMode: { input: 'strict-devmode', from: 'balchua/microk8s-actions' },
  'sideload-images-path': { input: 'sideload-images', from: 'balchua/microk8s-actions' },
  'container-registry-url': { input: 'registry-mirror', from: 'charmed-kubernetes/actions-operator' }
}

/** The value of `name`, or of its deprecated alias with a notice naming the new input. */
export function aliased(get: Getter, name: string, warn: Warn): string {
  const value = get(name).trim()
  const alias = Object.keys(ALIASES).find((a) => ALIASES[a].input === name)
  const old = alias ? get(alias).trim() : ''
  if (!alias || !old) return value
  if (value && value !== old)
    throw new InputError(
      name,
      `both ${name} and its old spelling ${alias} are given, with different values; keep ${name}`
    )
  warn(`input '${alias}' is deprecated (${ALIASES[alias].from} spelling); use '${name}'`)
  return old
}

/**
 * `addons` as balchua/microk8s-actions takes it, a JSON array (`'["dns", "hostpath-storage"]'`, also with
 * single quotes as its README shows), becomes the space-separated list; anything else is returned as is.
 */
export function addonsFromInput(text: string, warn: Warn): string {
  const value = text.trim()
  if (!value.startsWith('[')) return text
  const inner = value.endsWith(']') ? value.slice(1, -1).trim() : undefined
  const names: string[] = []
  // Quoted items separated by commas; an item may hold arguments with commas (`"dns:1.1.1.1,8.8.8.8"`).
  const item = /(["'])([^"'\s]+)\1\s*(,\s*|$)/y
  for (let at = 0; inner && at < inner.length;) {
    item.lastIndex = at
    const m = item.exec(inner)
    if (!m || (m[3] === '' && item.lastIndex < inner.length) || (m[3] !== '' && item.lastIndex === inner.length)) {
      names.length = 0
      break
    }
    names.push(m[2])
    at = item.lastIndex
  }
  if (inner === undefined || (inner !== '' && names.length === 0))
    throw new InputError(
      'addons',
      `'${value.slice(0, 100)}' looks like a JSON array but is not a list of quoted addon names; give the names separated by spaces, e.g. dns hostpath-storage`
    )
  warn(
    "input 'addons' as a JSON array is deprecated (balchua/microk8s-actions form); list the addons separated by spaces, e.g. 'addons: dns hostpath-storage'"
  )
  return names.join(' ')
}

export function getCompatInputs(
  get: Getter,
  env: NodeJS.ProcessEnv,
  warn: Warn,
  bool: (name: string, value: string, fallback: boolean) => boolean
): CompatInputs {
  const launchText = aliased(get, 'launch-configuration', warn)
  let launchConfig: LaunchConfig | undefined
  if (launchText) {
    const file = expandPath(launchText, env, (name) => {
      throw new InputError('launch-configuration', `'${launchText}' uses $${name}, which is not set`)
    })
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (e) {
      throw new InputError(
        'launch-configuration',
        `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give the path of a launch configuration YAML in the workspace`
      )
    }
    launchConfig = parseLaunchConfig(text, file)
    if (launchConfig.unknownKeys.length)
      warn(`launch-configuration: unknown keys ${launchConfig.unknownKeys.join(', ')} are ignored by MicroK8s`)
  }
  const sideloadText = aliased(get, 'sideload-images', warn)
  const mirrorInput = aliased(get, 'registry-mirror', warn)
  // actions-operator reads its mirror from this variable when the input is empty.
  const mirrorText = mirrorInput || (env.CONTAINER_REGISTRY_URL ?? '').trim()
  return {
    launchConfig,
    sideloadImages: sideloadText ? resolveArchives(sideloadText, env) : [],
    registryMirror: mirrorText
      ? parseMirror(mirrorText, mirrorInput ? 'registry-mirror' : 'CONTAINER_REGISTRY_URL')
      : undefined,
    fixRunnerNetwork: bool('fix-runner-network', get('fix-runner-network'), true),
    devmode: bool('strict-devmode', aliased(get, 'strict-devmode', warn), false)
  }
}
