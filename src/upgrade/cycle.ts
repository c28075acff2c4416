/**
 * The addon cycle: disable in reverse dependency order with the old scripts, update the addon repositories,
 * enable in order with the new ones, putting back what each disable deleted (docs/addon-state.md); then the
 * addons the input asks for that were not enabled.
 */
import * as core from '@actions/core'
import type { MicroK8s } from '../cluster/microk8s.js'
import type { AddonPlan, CycleStep } from './addon-plan.js'
import { runElapsedMs, type AddonRecord, type Report } from '../report/model.js'
import { type Release, addonSpec, enableWords } from '../catalog/index.js'
import type { CapturedState } from '../addons/state-specs.js'
import { restoreAddonState } from '../addons/capture-restore.js'
import type { CycleJournal } from './journal.js'
import { CommandError, StepError, commandOutput, lastLines } from '../base/errors.js'
import { displayCommand } from '../base/cmd.js'

export interface CycleContext {
  microk8s: MicroK8s
  report: Report
  /** What the disables delete, captured before the first one and put back after each enable. */
  captured: CapturedState
  /** The cycle on disk, for the post step when the job is stopped mid-cycle. */
  journal?: CycleJournal
  /** The addon release whose scripts disable (the active repository's before the update). */
  fromRelease: Release
  /** The addon release whose scripts enable (the target snap's); waits follow its catalog rows. */
  toRelease: Release
}

/**
 * Waits for an addon as its catalog row at the enabling release says: a Helm-deployed addon first needs its
 * release record at `deployed`; then every workload must finish rolling out (each bounded by wait-timeout).
 */
async function waitForAddon(microk8s: MicroK8s, name: string, release: Release): Promise<void> {
  const spec = addonSpec(name, release)
  if (spec.deployment.kind === 'helm') {
    const { namespace, release: helmRelease } = spec.deployment
    const args = ['get', 'secrets', '-n', namespace, '-l', `owner=helm,name=${helmRelease},status=deployed`]
    // Release records hold the chart values: never echoed.
    const records = await microk8s.kubectlJson<{ items?: unknown[] }>(args, true)
    if (!records.items?.length) {
      throw new StepError(
        `enable ${name}`,
        `addon ${name}: its Helm release ${namespace}/${helmRelease} is not deployed after the enable`
      )
    }
  }
  for (const w of spec.workloads) {
    const r = await microk8s.rolloutStatus(w.kind, w.namespace, w.name)
    if (r.code !== 0) {
      throw new CommandError(
        displayCommand('microk8s', ['kubectl', 'rollout', 'status', `${w.kind}/${w.name}`, '-n', w.namespace]),
        r.code,
        r.stdout,
        r.stderr,
        `addon ${name}: ${w.kind} ${w.namespace}/${w.name} did not finish rolling out within wait-timeout${lastLines(r.stderr || r.stdout, 2)}`
      )
    }
  }
}

/**
 * The arguments the addons input gives a step that the captured state must yield to: dns's upstreams, and any
 * addon's when they differ from what it ran with (then what its enable makes from them is not overwritten).
 */
export function requestedArgs(
  step: Pick<CycleStep, 'name' | 'args' | 'argsSource' | 'reconfigure'>
): string | undefined {
  return step.argsSource === 'input' && (step.name === 'dns' || step.reconfigure) ? step.args : undefined
}

/** `microk8s enable …` in the words the target release's script reads, waited for, then what its disable deleted put back. */
export async function enableAddon(
  ctx: Pick<CycleContext, 'microk8s' | 'captured' | 'toRelease'>,
  step: Pick<CycleStep, 'name' | 'args' | 'argsSource' | 'reconfigure'>
): Promise<string | undefined> {
  const words = enableWords(addonSpec(step.name, ctx.toRelease), step.args)
  const r = await ctx.microk8s.enable(words)
  if (r.code !== 0) {
    throw new CommandError(
      displayCommand('microk8s', ['enable', ...words]),
      r.code,
      r.stdout,
      r.stderr,
      `microk8s enable ${words.join(' ')} failed with exit code ${r.code}${lastLines(r.stdout + '\n' + r.stderr, 3)}`
    )
  }
  await waitForAddon(ctx.microk8s, step.name, ctx.toRelease)
  const requested = requestedArgs(step)
  const restored = await restoreAddonState(ctx.microk8s, step.name, ctx.captured, requested)
  if (step.name === 'dns' && restored?.includes('Corefile')) await waitForAddon(ctx.microk8s, 'dns', ctx.toRelease)
  if (restored) core.info(`${step.name}: ${restored}`)
  return restored
}

async function disableAddon(ctx: CycleContext, name: string): Promise<void> {
  const spec = addonSpec(name, ctx.fromRelease)
  const r = await ctx.microk8s.disable(name, spec.disableInput)
  const keepsData = spec.disableKeepsDataExit
  const expected = r.code === 0 || (keepsData && r.code === keepsData.code && r.stdout.includes(keepsData.marker))
  if (!expected) {
    throw new CommandError(
      displayCommand('microk8s', ['disable', name]),
      r.code,
      r.stdout,
      r.stderr,
      `microk8s disable ${name} failed with exit code ${r.code}${lastLines(r.stdout + '\n' + r.stderr, 3)}`
    )
  }
}

/**
 * Disables the addons in reverse enable order (old scripts), updates the addon repositories, then enables them
 * in order, each waited for. If one fails: stop, try once to re-enable every addon that is still disabled, and
 * fail naming every addon and its state.
 */
export async function cycleAddons(ctx: CycleContext, plan: AddonPlan, repos: string[]): Promise<void> {
  const records = new Map<string, AddonRecord>()
  for (const step of plan.cycle) {
    const keepsData = addonSpec(step.name, ctx.fromRelease).disableKeepsDataExit
      ? "its disable's prompt answered N: every volume kept"
      : undefined
    const note = [step.why, step.note, keepsData].filter(Boolean).join('; ') || undefined
    const rec: AddonRecord = {
      name: step.name,
      status: 'planned',
      args: step.args,
      argsSource: step.argsSource,
      note
    }
    records.set(step.name, rec)
    ctx.report.addons.push(rec)
  }
  // Addons that may be down: disabled, or whose disable was started. Emptied as they come back.
  const down: CycleStep[] = []
  const started = new Map<string, number>()
  let current = ''
  try {
    for (const step of [...plan.cycle].reverse()) {
      current = `disable ${step.name}`
      started.set(step.name, Date.now())
      records.get(step.name)!.atMs = runElapsedMs(ctx.report, started.get(step.name))
      down.push(step)
      await ctx.journal?.mark(step.name, 'down')
      core.info(`Disabling ${step.name}`)
      await disableAddon(ctx, step.name)
    }
    for (const repo of repos) {
      current = `addons repo update ${repo}`
      await ctx.microk8s.updateAddonRepo(repo)
    }
    await ctx.journal?.reposDone()
    for (const step of plan.cycle) {
      current = `enable ${step.name}`
      core.info(`Enabling ${step.name}${step.args ? ` with ${step.args}` : ''}`)
      const restored = await enableAddon(ctx, step)
      down.splice(down.indexOf(step), 1)
      await ctx.journal?.mark(step.name, 'back')
      const rec = records.get(step.name)!
      Object.assign(rec, { status: 'cycled', durationMs: Date.now() - started.get(step.name)! })
      if (restored) rec.note = [rec.note, restored].filter(Boolean).join('; ')
    }
  } catch (error) {
    const failed = current.split(' ').pop()!
    if (records.has(failed)) records.get(failed)!.note = `${current} failed`
    // Leave no addon down (above all not DNS): one attempt each, in enable order. Enabling an addon whose
    // disable failed half-way is harmless: MicroK8s answers "already enabled" when it still is.
    const rescue: string[] = []
    for (const step of plan.cycle.filter((s) => down.includes(s))) {
      const rec = records.get(step.name)!
      // An enable with the user's new arguments that failed is retried with the ones that ran before.
      const fallback = step.name === failed && current.startsWith('enable') && step.previous ? step.previous : undefined
      const retry = fallback ? { ...step, ...fallback, argsSource: 'recovered' as const } : step
      try {
        await enableAddon(ctx, retry)
        await ctx.journal?.mark(step.name, 'back')
        rec.status = step.name === failed ? 'failed' : 're-enabled'
        // Down from its disable until this second enable brought it back.
        if (started.has(step.name)) rec.durationMs = Date.now() - started.get(step.name)!
        if (step.name === failed)
          rec.note = fallback
            ? `${current} failed; re-enabled with the arguments it ran with before (${retry.args ?? 'none'})`
            : `${current} failed; re-enabled on a second attempt`
        rescue.push(
          `${step.name}: re-enabled${fallback ? ` with its previous arguments (${retry.args ?? 'none'})` : ''}`
        )
      } catch (e) {
        rec.status = 'failed'
        rescue.push(`${step.name}: still down (${(e as Error).message})`)
      }
    }
    const states = plan.cycle.map((s) => `${s.name} ${records.get(s.name)!.status}`).join(', ')
    const output = commandOutput(error)
    throw new StepError(
      'addon cycle',
      `${current}: ${(error as Error).message}. Addons: ${states}${rescue.length ? `. Recovery: ${rescue.join('; ')}` : ''}`,
      output
    )
  }
}

/** Enables addons from the `addons` input that were not enabled, in dependency order, each waited for. */
export async function enableRequested(ctx: CycleContext, steps: CycleStep[]): Promise<void> {
  for (const step of steps) {
    const started = Date.now()
    const rec: AddonRecord = {
      name: step.name,
      status: 'planned',
      atMs: runElapsedMs(ctx.report, started),
      args: step.args,
      argsSource: step.argsSource,
      note: 'requested in the addons input'
    }
    ctx.report.addons.push(rec)
    try {
      await enableAddon(ctx, step)
      Object.assign(rec, { status: 'enabled', durationMs: Date.now() - started })
    } catch (error) {
      rec.status = 'failed'
      throw error
    }
  }
}
