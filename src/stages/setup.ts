/**
 * The stages around the hops that prepare the runner and MicroK8s for what the workflow asked: runner
 * networking, a launch configuration and image archives placed before a fresh install, a registry mirror,
 * images imported into an existing cluster. main.ts calls them by name; each records what it did in
 * `report.setup`.
 */
import * as core from '@actions/core'
import * as path from 'node:path'
import type { Cmd } from '../base/cmd.js'
import type { MicroK8s } from '../cluster/microk8s.js'
import type { Inputs } from '../inputs/action.js'
import type { Report } from '../report/model.js'
import type { InstalledSnap } from '../cluster/snap.js'
import { runStep } from '../report/steps.js'
import { StepError } from '../base/errors.js'
import { commandOutput } from '../base/errors.js'
import type { SystemFiles } from '../cluster/system-files.js'
import {
  checkInstalledWith,
  checkLaunchPlacement,
  checkLaunchTarget,
  launchEnables,
  placeLaunchConfig,
  waitApplied
} from '../setup/launch-config.js'
import { checkStrictArchives, importArchives, placeArchives, waitLoaded } from '../setup/images.js'
import { applyMirror, checkReplaceable, HOSTS_TOML } from '../setup/registry-mirror.js'
import { clusterCidrs, fixForwarding, type NetworkFix } from '../setup/runner-network.js'

export interface SetupContext {
  inputs: Inputs
  cmd: Cmd
  microk8s: MicroK8s
  files: SystemFiles
  report: Report
}

const setupOf = (report: Report) => (report.setup ??= {})

/**
 * Plan time, before any change: a launch configuration fits the target, and an existing install only re-runs
 * it. Returns the plan's notes and, on a fresh install, the addons the configuration enables (the install's own).
 */
export async function checkLaunchConfiguration(
  ctx: SetupContext,
  installed: boolean,
  targetMinor: number
): Promise<{ notes: string[]; enabledByInstall: string[] }> {
  const config = ctx.inputs.launchConfig
  if (!config) return { notes: [], enabledByInstall: [] }
  checkLaunchTarget(config, targetMinor)
  const enables = launchEnables(config)
  setupOf(ctx.report).launchConfiguration = {
    file: config.file,
    enables,
    disables: config.addons.filter((a) => a.disable).map((a) => a.name)
  }
  if (installed) {
    await checkInstalledWith(ctx.files, config)
    return {
      notes: [
        `launch configuration ${path.basename(config.file)}: the one this cluster was installed with, already applied`
      ],
      enabledByInstall: []
    }
  }
  await checkLaunchPlacement(ctx.files, config)
  return {
    notes: [
      `launch configuration ${path.basename(config.file)} applies at first start${enables.length ? `, enabling ${enables.join(', ')}` : ''}`
    ],
    enabledByInstall: enables
  }
}

/**
 * Docker's FORWARD DROP: DOCKER-USER rules for the pod and service networks (the fix-runner-network input).
 * Silent (no step) when there is nothing to do, which is the common case off GitHub-hosted runners.
 */
export async function runnerNetwork(ctx: SetupContext, installed: boolean): Promise<void> {
  if (!ctx.inputs.fixRunnerNetwork) return
  const started = Date.now()
  const step = (status: 'ok' | 'failed', detail: string) =>
    ctx.report.steps.push({ name: 'runner network', status, durationMs: Date.now() - started, detail })
  let fix: NetworkFix
  try {
    fix = await fixForwarding(ctx.cmd, () => clusterCidrs(installed ? ctx.files : undefined, ctx.inputs.launchConfig))
  } catch (error) {
    step('failed', (error as Error).message)
    throw new StepError('runner network', (error as Error).message, commandOutput(error))
  }
  setupOf(ctx.report).runnerNetwork = fix
  if (fix.outcome === 'unchanged' || fix.outcome === 'no-iptables') return core.debug(`runner network: ${fix.detail}`)
  step('ok', fix.detail)
  if (fix.outcome === 'not-docker') {
    core.warning(fix.detail, { title: 'runner network' })
    ctx.report.warnings.push(fix.detail)
  } else {
    core.info(`runner network: ${fix.detail}`)
    for (const rule of fix.added) core.info(`  iptables ${rule}`)
  }
}

/** Fresh install: files the install hook reads, placed before `snap install`. */
export async function prepareInstall(ctx: SetupContext): Promise<void> {
  const { launchConfig, sideloadImages } = ctx.inputs
  if (!launchConfig && sideloadImages.length === 0) return
  await runStep(
    ctx.report,
    'prepare install',
    async () => {
      const done: string[] = []
      if (launchConfig) {
        const placedAt = await placeLaunchConfig(ctx.files, launchConfig)
        setupOf(ctx.report).launchConfiguration!.placedAt = placedAt
        done.push(`launch configuration at ${placedAt}`)
      }
      if (sideloadImages.length) {
        await placeArchives(ctx.files, sideloadImages)
        done.push(`${sideloadImages.length} image archive(s) in /var/snap/microk8s/common/sideload`)
      }
      return done.join('; ')
    },
    (d) => d
  )
}

/** Right after a fresh install is ready: the launch configuration applied, then the registry mirror. */
export async function afterInstall(ctx: SetupContext): Promise<void> {
  if (ctx.inputs.launchConfig) {
    await runStep(
      ctx.report,
      'launch configuration',
      async () => {
        await waitApplied(ctx.files, ctx.inputs.waitTimeout)
        // Addons it enables restart services: readiness again before anything else runs.
        await ctx.microk8s.waitReady()
        return launchEnables(ctx.inputs.launchConfig)
      },
      (enabled) => `applied by the cluster-agent${enabled.length ? `; enabled ${enabled.join(', ')}` : ''}`
    )
  }
  await registryMirror(ctx)
}

/** Plan time, existing install: the docker.io hosts.toml is one the action may replace (never a person's). */
export async function checkRegistryMirror(ctx: SetupContext, installed: boolean): Promise<void> {
  if (!ctx.inputs.registryMirror || !installed) return
  checkReplaceable(await ctx.files.read(HOSTS_TOML))
}

/** Plan time, existing strict cluster: every archive is where `microk8s images import` can read it. */
export function checkSideloadImages(ctx: SetupContext, installed: InstalledSnap | undefined): void {
  if (installed?.confinement === 'strict' && !installed.devmode) checkStrictArchives(ctx.inputs.sideloadImages)
}

/** Writes the docker.io mirror (restarting containerd and waiting for readiness when it changed). */
export async function registryMirror(ctx: SetupContext): Promise<void> {
  const mirror = ctx.inputs.registryMirror
  if (!mirror) return
  await runStep(
    ctx.report,
    'registry mirror',
    async () => {
      const written = await applyMirror(ctx.files, ctx.cmd, ctx.microk8s, mirror)
      setupOf(ctx.report).registryMirror = { mirror, written, rewrittenAfter: [] }
      return written
    },
    (written) =>
      written
        ? `docker.io pulls go through ${mirror} (${HOSTS_TOML}); containerd restarted, ready again`
        : `${HOSTS_TOML} already points docker.io at ${mirror}`
  )
}

/** After each refresh: the mirror is still in place (written again, with a warning, when the refresh lost it). */
export async function checkMirrorAfterHop(ctx: SetupContext, channel: string): Promise<void> {
  const record = ctx.report.setup?.registryMirror
  if (!ctx.inputs.registryMirror || !record) return
  const rewritten = await applyMirror(ctx.files, ctx.cmd, ctx.microk8s, ctx.inputs.registryMirror)
  if (rewritten) {
    record.rewrittenAfter.push(channel)
    const message = `the refresh to ${channel} replaced ${HOSTS_TOML}; the registry mirror was written again`
    core.warning(message, { title: 'registry mirror' })
    ctx.report.warnings.push(message)
  } else {
    core.info(`registry mirror still in place after ${channel}`)
  }
}

/** Before any addon is enabled: the archives' images in containerd (imported on an existing cluster). */
export async function sideloadImages(ctx: SetupContext, freshInstall: boolean): Promise<void> {
  const archives = ctx.inputs.sideloadImages
  if (archives.length === 0) return
  await runStep(
    ctx.report,
    'sideload images',
    async () => {
      if (!freshInstall) await importArchives(ctx.cmd, archives)
      const images = await waitLoaded(ctx.cmd, archives, ctx.inputs.waitTimeout)
      setupOf(ctx.report).sideloadedImages = archives.map((a) => ({ archive: a.file, images: a.images }))
      for (const a of archives) core.info(`${path.basename(a.file)}: ${a.images.join(', ') || '(no named images)'}`)
      return images
    },
    (images) => `${images.length} image(s) loaded: ${images.join(', ')}`
  )
}
