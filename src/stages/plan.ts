/**
 * Stage `plan`: hops for the core (strict tracks checked against the kernel's AppArmor), then the addons (what
 * runs, what each disable would delete, the arguments read back), and the plan-time checks of the runner setup;
 * all before any change. Also the addon planning a fresh install needs again once it is up (stages/addons.ts).
 */
import * as core from '@actions/core'
import { InputError, PlanError, StepError } from '../base/errors.js'
import { runStep } from '../report/steps.js'
import { parseKubeVersion } from '../cluster/channel.js'
import type { MicroK8s, MicroK8sStatus } from '../cluster/microk8s.js'
import { readHelmSecrets } from '../cluster/objects.js'
import {
  type Release,
  MAIN_MINOR,
  checkAddonInputs,
  releaseMinor,
  releaseOf,
  strictTrackDenied
} from '../catalog/index.js'
import { type CapturedState, recoverArgs } from '../addons/state-specs.js'
import { notRestorable } from '../addons/restore-plan.js'
import { ReadError, captureState, readRetried } from '../addons/capture-restore.js'
import { readDnsSettings } from '../addons/dns-read.js'
import { SystemFiles } from '../cluster/system-files.js'
import { captureCustomResources } from '../addons/capture-custom.js'
import { addonHelmReleases, latestDeployed, volumesOf, type DataSnapshot } from '../addons/data-checks.js'
import { planCore, multiNodeRule, type CorePlan } from '../upgrade/plan.js'
import { checkStrictTracks, deniedStrictTracks } from '../upgrade/strict-check.js'
import { readNetMediation } from '../cluster/apparmor.js'
import { planAddons, type AddonPlan } from '../upgrade/addon-plan.js'
import type { Inputs } from '../inputs/action.js'
import * as setup from './setup.js'
import { describePlan } from './plan-record.js'
import type { Report } from '../report/model.js'
import type { Tools } from './tools.js'
import type { Inspected, Stage } from './workflow.js'
import type { Plan } from '../upgrade/plan.js'

export const plan: Stage = {
  name: 'plan',
  async run({ inputs, tools, report, inspected }) {
    const { microk8s } = tools
    const before = inspected.inventory
    checkChannelGiven(inputs, inspected, report.warnings)
    const planned = await runStep(
      report,
      'plan',
      async () => {
        const kubeVersion = before.serverVersion ? parseKubeVersion(before.serverVersion) : undefined
        const corePlan = await checkStrict(
          tools,
          inputs,
          inspected,
          planCore({ snap: inspected.installed, kubeVersion }, inputs.channel, inspected.store),
          report.warnings
        )
        // Names and arguments against the target release, before anything changes.
        checkAddonInputs(inputs, releaseOf(inputs.channel.track, corePlan.targetMinor))
        const helmSecrets = inspected.status?.running
          ? await stopIfUnread(() => readRetried('the Helm release records', () => readHelmSecrets(microk8s)))
          : []
        const { addonPlan, captured } = await stopIfUnread(() =>
          planAddonsFromCluster(
            microk8s,
            tools.files,
            inputs,
            inspected.status,
            inspected.items,
            releasesOf(inspected.installed?.tracking, corePlan, inputs)
          )
        )
        const dataBefore: DataSnapshot = {
          helmReleases: latestDeployed(helmSecrets, addonOwnedReleases(addonPlan)),
          corefile: captured.corefile,
          volumes: volumesOf(before)
        }
        checkNodes(inspected, corePlan, addonPlan, report.warnings)
        return { plan: { core: corePlan, addons: addonPlan }, dataBefore, helmSecrets, captured }
      },
      (r) => describePlan(r.plan)
    )
    return { ...planned, plan: await checkSetup(planned.plan, { inputs, tools, report, inspected }) }
  }
}

/**
 * A blank channel (a matrix variable that is not set) must not move an existing cluster: it would refresh it
 * through every minor to latest/stable. A fresh install keeps the documented default, with a notice.
 */
function checkChannelGiven(inputs: Inputs, inspected: Inspected, warnings: string[]): void {
  if (inputs.channelGiven) return
  if (inspected.installed) {
    throw new InputError(
      'channel',
      `is empty, and MicroK8s ${inspected.installed.version} (${inspected.installed.tracking}) is installed; nothing was changed. ` +
        'Give the channel to stay on or upgrade to, such as 1.30/stable (a blank channel would refresh it through every minor to latest/stable)'
    )
  }
  const message = `channel is empty: installing ${inputs.channelText}, the default`
  core.notice(message, { title: 'channel' })
  warnings.push(message)
}

/**
 * Strict tracks against the runner's kernel (upgrade/strict-check.ts): the kernel's AppArmor features are read
 * (read-only) only when a strict track in play ships a profile a mediating kernel denies; a refusal stops the plan.
 */
async function checkStrict(
  tools: Tools,
  inputs: Inputs,
  inspected: Inspected,
  corePlan: CorePlan,
  warnings: string[]
): Promise<CorePlan> {
  const installed = inspected.installed
  const installedDenied =
    installed?.confinement === 'strict' &&
    installed.channel?.minor !== undefined &&
    strictTrackDenied(installed.channel.minor)
  if (deniedStrictTracks(corePlan).length === 0 && !installedDenied) return corePlan
  const mediation = await readNetMediation(tools.files)
  const checked = checkStrictTracks(corePlan, mediation, inputs.strictApparmor, installed)
  for (const warning of checked.warnings) {
    core.warning(warning, { title: 'strict confinement and AppArmor' })
    warnings.push(warning)
  }
  return { ...corePlan, notes: [...corePlan.notes, ...checked.notes] }
}

/** Which node is this runner's, and what a multi-node cluster means for the plan (warnings). */
function checkNodes(inspected: Inspected, corePlan: CorePlan, addonPlan: AddonPlan, warnings: string[]): void {
  const others = inspected.nodes.filter((n) => n.name !== inspected.self?.name)
  if (inspected.nodes.length > 1 && !inspected.self) {
    throw new PlanError(
      `cannot tell which of the ${inspected.nodes.length} nodes (${inspected.nodes.map((n) => n.name).join(', ')}) ` +
        `is this runner (host name ${inspected.host.hostname}); the action must know which node it refreshes`
    )
  }
  for (const warning of multiNodeRule(corePlan, others, addonPlan.cycle.length > 0).warnings) {
    core.warning(warning, { title: 'multi-node cluster' })
    warnings.push(warning)
  }
}

/**
 * Plan time, before any change: the launch configuration, registry mirror and image archives fit the target.
 * Addons a fresh install's launch configuration enables are its own, not enabled again by the action.
 */
async function checkSetup(
  planned: Plan,
  { inputs, tools, report, inspected }: { inputs: Inputs; tools: Tools; report: Report; inspected: Inspected }
): Promise<Plan> {
  const ctx = { inputs, cmd: tools.cmd, microk8s: tools.microk8s, files: tools.files, report }
  const installed = Boolean(inspected.installed)
  const launch = await setup.checkLaunchConfiguration(ctx, installed, planned.core.targetMinor)
  await setup.checkRegistryMirror(ctx, installed)
  setup.checkSideloadImages(ctx, inspected.installed)
  const byInstall = launch.enabledByInstall
  return {
    core: { ...planned.core, notes: [...planned.core.notes, ...launch.notes] },
    addons: byInstall.length
      ? { ...planned.addons, enableAfter: planned.addons.enableAfter.filter((s) => !byInstall.includes(s.name)) }
      : planned.addons
  }
}

/** The addon plan from what the cluster runs: enabled addons, what their disables would delete, their arguments. */
export async function planAddonsFromCluster(
  microk8s: MicroK8s,
  files: SystemFiles,
  inputs: Inputs,
  status: MicroK8sStatus | undefined,
  items: any[],
  releases: { fromRelease: Release; toRelease: Release }
): Promise<{ addonPlan: AddonPlan; captured: CapturedState }> {
  const enabled = (status?.addons ?? []).filter((a) => a.enabled).map((a) => a.name)
  // The disables run the installed release's scripts; the enables the target's.
  const disableMinor = releaseMinor(releases.fromRelease) ?? MAIN_MINOR
  const enableMinor = releaseMinor(releases.toRelease) ?? MAIN_MINOR
  const captured: CapturedState = {
    ...(await captureState(microk8s, enabled, disableMinor)),
    // Gateway API and Traefik objects (1.35+ ingress): what cannot be captured keeps the addon, it does not stop the run.
    ...(await captureCustomResources(microk8s, enabled, disableMinor, enableMinor))
  }
  // The disable removes the kubelet's --cluster-dns/--cluster-domain and the Service: read to be passed again.
  if (enabled.includes('dns')) captured.dns = await readDnsSettings(microk8s, files)
  for (const [addon, objects] of Object.entries(captured.objects)) {
    const lost = notRestorable(addon, objects, enableMinor)
    if (lost)
      (captured.uncapturable ??= {})[addon] =
        `its disable deletes ${lost}, a kind the ${releases.toRelease} ${addon} no longer defines; they would be lost. ` +
        `Convert them (MetalLB: to IPAddressPool and L2Advertisement/BGPAdvertisement), or list ${addon} in never-cycle`
  }
  // Traefik (1.35+) keeps the ingress default certificate in the default TLSStore (captured with the other
  // Traefik objects), not in its arguments.
  const recovered = recoverArgs(enabled, items, captured, enableMinor)
  const addonPlan = planAddons({
    enabled,
    requested: inputs.addons,
    mode: inputs.cycleAddons,
    neverCycle: inputs.neverCycle,
    cycleAlso: inputs.cycleAlso,
    recovered,
    uncapturable: captured.uncapturable,
    ...releases
  })
  return { addonPlan, captured }
}

/** Helm releases of the addons being cycled, at the release that disables and the one that enables them. */
export function addonOwnedReleases(addonPlan: AddonPlan): Array<{ namespace: string; name: string }> {
  const names = addonPlan.cycle.map((s) => s.name)
  return addonHelmReleases(names, [addonPlan.fromRelease, addonPlan.toRelease])
}

/** A read the plan depends on that failed every attempt stops the run here, before any change. */
async function stopIfUnread<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (error instanceof ReadError) throw new StepError('plan', `${error.message}; stopped before any change`)
    throw error
  }
}

/**
 * The addon releases of a run: the installed track's (whose scripts the active repository holds, as the
 * repository follows the snap only when the action updates it) and the target's.
 */
function releasesOf(
  tracking: string | undefined,
  corePlan: CorePlan,
  inputs: Inputs
): { fromRelease: Release; toRelease: Release } {
  const toRelease = releaseOf(inputs.channel.track, corePlan.targetMinor)
  const fromTrack = tracking?.split('/')[0]
  const fromRelease =
    corePlan.fromMinor === undefined
      ? toRelease
      : releaseOf(fromTrack === 'latest' ? 'latest' : undefined, corePlan.fromMinor)
  return { fromRelease, toRelease }
}
