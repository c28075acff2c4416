/**
 * The `launch-configuration` input: a MicroK8s launch configuration (1.27+) applied by the snap's install hook.
 *
 * Facts (canonical/microk8s snap/hooks/install; canonical/microk8s-cluster-agent pkg/k8sinit, cmd/cluster-agent.go):
 * at install the hook copies the first existing of /etc/microk8s.yaml, $SNAP_USER_COMMON/.microk8s.yaml
 * (/root/snap/microk8s/common), $SNAP_COMMON/.microk8s.yaml to $SNAP_COMMON/etc/launcher/install.yaml and
 * applies its pre-init part (service arguments, CNI CIDRs, SANs, registry configs); a file the cluster-agent
 * cannot parse fails the install. Once running, the cluster-agent applies the rest (addons, addon
 * repositories, join) and renames the file `install.yaml.applied`.
 *
 * On an existing install the pre-init part cannot apply any more (the CIDRs and certificates exist), and the
 * rest would run concurrently with the action's own addon cycle: the action refuses, unless the file is the
 * one the cluster was installed with (a re-run of the same workflow).
 */
import { parseAllDocuments } from 'yaml'
import { InputError } from '../base/errors.js'
import { StepError } from '../base/errors.js'
import { SNAP_COMMON, type SystemFiles } from '../cluster/system-files.js'
import { pollUntil, realClock, retry } from '../base/retry.js'

export interface LaunchAddon {
  name: string
  disable: boolean
  args: string[]
}

export interface LaunchConfig {
  file: string
  text: string
  /** The highest `version` of its documents: 0.2.0 needs MicroK8s 1.28+. */
  version: string
  addons: LaunchAddon[]
  podCidr?: string
  serviceCidr?: string
  /** Top-level keys the cluster-agent does not know (it ignores them with a warning, as does the action). */
  unknownKeys: string[]
}

/** Where the action places the file: the hook's third candidate, so a file a person put earlier stays theirs. */
export const LAUNCH_CONFIG_PATH = `${SNAP_COMMON}/.microk8s.yaml`
/** Candidates the hook reads before LAUNCH_CONFIG_PATH: one of them would win over the action's file. */
export const EARLIER_CANDIDATES = ['/etc/microk8s.yaml', '/root/snap/microk8s/common/.microk8s.yaml']
export const APPLIED_PATHS = [
  `${SNAP_COMMON}/etc/launcher/install.yaml.applied`,
  `${SNAP_COMMON}/etc/launcher/install.yaml`
]

const KNOWN_KEYS = new Set([
  'version',
  'addonRepositories',
  'addons',
  'extraKubeletArgs',
  'extraKubeAPIServerArgs',
  'extraKubeProxyArgs',
  'extraKubeControllerManagerArgs',
  'extraKubeSchedulerArgs',
  'extraKubeliteEnv',
  'extraSANs',
  'containerdRegistryConfigs',
  'extraContainerdArgs',
  'extraContainerdEnv',
  'extraDqliteArgs',
  'extraDqliteEnv',
  'extraMicroK8sClusterAgentArgs',
  'extraMicroK8sClusterAgentEnv',
  'extraMicroK8sAPIServerProxyArgs',
  'extraMicroK8sAPIServerProxyEnv',
  'extraEtcdArgs',
  'extraEtcdEnv',
  'extraFlanneldArgs',
  'extraFlanneldEnv',
  'extraConfigFiles',
  'persistentClusterToken',
  'join',
  'extraCNIEnv',
  'extraFIPSEnv'
])
const VERSIONS = ['0.1.0', '0.2.0']
const ADDON = /^(?:[a-z0-9-]+\/)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const CIDR = /^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/

/** Validates the file as the cluster-agent would, plus what the action relies on. Pure. */
export function parseLaunchConfig(text: string, file: string): LaunchConfig {
  const fail = (why: string): never => {
    throw new InputError('launch-configuration', `${file}: ${why}`)
  }
  const config: LaunchConfig = { file, text, version: '0.1.0', addons: [], unknownKeys: [] }
  let parts = 0
  for (const doc of parseAllDocuments(text)) {
    const error = doc.errors[0]
    if (error) fail(`not valid YAML (${error.message.split('\n')[0]})`)
    const c = doc.toJS() as unknown
    if (c === null || c === undefined) continue
    if (typeof c !== 'object' || Array.isArray(c)) fail('each YAML document must be a mapping with a version key')
    const part = c as Record<string, unknown>
    parts++
    const version = String(part.version ?? '')
    if (!VERSIONS.includes(version))
      fail(
        `version '${version.slice(0, 20)}' is not a launch configuration version; use ${VERSIONS.join(' or ')} (0.2.0 needs MicroK8s 1.28+)`
      )
    if (version > config.version) config.version = version
    if (part.join !== undefined)
      fail('join is not supported: the action upgrades the node it runs on as a cluster of its own')
    for (const key of Object.keys(part)) if (!KNOWN_KEYS.has(key)) config.unknownKeys.push(key)
    if (part.addons !== undefined && !Array.isArray(part.addons)) fail('addons must be a list')
    for (const a of (part.addons ?? []) as unknown[]) {
      const entry = a as Record<string, unknown>
      if (typeof a !== 'object' || a === null || typeof entry.name !== 'string' || !ADDON.test(entry.name))
        fail('each entry of addons must be a mapping with a name (an addon name), optional disable and args')
      if (entry.disable !== undefined && typeof entry.disable !== 'boolean')
        fail(`addon ${entry.name}: disable must be true or false`)
      const args = entry.args ?? []
      if (!Array.isArray(args) || !args.every((x) => typeof x === 'string' || typeof x === 'number'))
        fail(`addon ${entry.name}: args must be a list of strings`)
      config.addons.push({
        name: String(entry.name).replace(/^core\//, ''),
        disable: entry.disable === true,
        args: (args as unknown[]).map(String)
      })
    }
    const cni = (part.extraCNIEnv ?? {}) as Record<string, unknown>
    for (const [key, field] of [
      ['IPv4_CLUSTER_CIDR', 'podCidr'],
      ['IPv4_SERVICE_CIDR', 'serviceCidr']
    ] as const) {
      if (cni[key] === undefined) continue
      if (!CIDR.test(String(cni[key]))) fail(`extraCNIEnv.${key} is not an IPv4 CIDR`)
      config[field] = String(cni[key])
    }
  }
  if (parts === 0) fail('holds no configuration; a launch configuration starts with version: 0.1.0')
  return config
}

/** Launch configurations need 1.27+, and version 0.2.0 needs 1.28+. */
export function checkLaunchTarget(config: LaunchConfig, targetMinor: number): void {
  if (targetMinor < 27)
    throw new InputError(
      'launch-configuration',
      `launch configurations need MicroK8s 1.27 or newer; the target is 1.${targetMinor}`
    )
  if (targetMinor < 28 && config.version !== '0.1.0')
    throw new InputError(
      'launch-configuration',
      `version ${config.version} needs MicroK8s 1.28 or newer; 1.27 reads 0.1.0`
    )
}

/** Addons the configuration enables (the plan counts them as the install's own). */
export function launchEnables(config: LaunchConfig | undefined): string[] {
  return (config?.addons ?? []).filter((a) => !a.disable).map((a) => a.name)
}

/**
 * Plan time, fresh install: nothing on the runner would win over the action's file or be replaced by it. Refused
 * as an input error before any change (runner network, files, snap install).
 */
export async function checkLaunchPlacement(files: SystemFiles, config: LaunchConfig): Promise<void> {
  for (const earlier of EARLIER_CANDIDATES) {
    if (await files.exists(earlier))
      throw new InputError(
        'launch-configuration',
        `${earlier} exists on this runner and the install hook reads it before ${LAUNCH_CONFIG_PATH}, so ${config.file} would be ignored; remove it or drop the launch-configuration input`
      )
  }
  const present = await files.read(LAUNCH_CONFIG_PATH)
  if (present !== undefined && present !== config.text)
    throw new InputError(
      'launch-configuration',
      `${LAUNCH_CONFIG_PATH} already exists with other content; it is not the action's to replace. Remove it first`
    )
}

/**
 * Fresh install: puts the validated text (not the file again, which may have changed since) where the install
 * hook finds it, readable by root only: a launch configuration may carry certificates and tokens.
 */
export async function placeLaunchConfig(files: SystemFiles, config: LaunchConfig): Promise<string> {
  await files.write(LAUNCH_CONFIG_PATH, config.text, '0600')
  return LAUNCH_CONFIG_PATH
}

/** Existing install: accepted only when it is the configuration the cluster was installed with. */
export async function checkInstalledWith(files: SystemFiles, config: LaunchConfig): Promise<void> {
  for (const p of APPLIED_PATHS) {
    const applied = await files.read(p)
    if (applied === undefined) continue
    if (applied === config.text) return
    break
  }
  throw new InputError(
    'launch-configuration',
    `MicroK8s is already installed, and a launch configuration applies at install only (its CIDRs, arguments and certificates are set at first start); ${config.file} is not the one this cluster was installed with. ` +
      'Use the addons input for addons, or remove the snap first for a fresh install'
  )
}

/**
 * Fresh install: waits (bounded) until the cluster-agent has applied the configuration (`install.yaml.applied`),
 * so its addons are enabled before the action plans its own.
 */
export async function waitApplied(files: SystemFiles, timeoutSeconds: number, sleep = defaultSleep): Promise<void> {
  const applied = await retry(
    async () => (await files.exists(APPLIED_PATHS[0])) || undefined,
    pollUntil(timeoutSeconds * 1000),
    undefined,
    { now: Date.now, sleep }
  )
  if (!applied.value)
    throw new StepError(
      'launch configuration',
      `the cluster-agent did not apply the launch configuration within ${timeoutSeconds} s (no ${APPLIED_PATHS[0]}); see 'journalctl -u snap.microk8s.daemon-cluster-agent'`
    )
}

export const defaultSleep = realClock.sleep
