/**
 * Carries out the plan against the cluster: hops one minor at a time, each verified, then the addon cycle
 * (disable in reverse order with the old scripts, update the addon repository, enable in order with the new
 * ones), then the data checks. Every phase is a log group with its duration and a step in the report.
 */
import * as core from '@actions/core'
import type { MicroK8s } from '../cluster/microk8s.js'
import type { Snap } from '../cluster/snap.js'
import type { Hop, AddonPlan, CycleStep } from './plan.js'
import { waitWithProgress } from '../base/progress.js'
import { runElapsedMs, type AddonRecord, type HopRecord, type Report } from '../report/summary.js'
import { type Release, addonSpec, enableWords } from '../catalog/index.js'
import type { CapturedState } from '../addons/state-specs.js'
import { restoreAddonState } from '../addons/capture-restore.js'
import type { CycleJournal } from './journal.js'
import { parseKubeVersion, formatMinor } from '../cluster/channel.js'
import { CommandError, InputError, commandOutput, lastLines, parseJsonOutput } from '../base/errors.js'
import { displayCommand } from '../base/cmd.js'
import { retry } from '../base/retry.js'
import { readNodes, localNode, kubeletNotCaughtUp, type HostFacts } from '../cluster/nodes.js'

/** Which step failed and what it printed; main turns it into the report's failure. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly output?: string
  ) {
    super(message)
    this.name = 'StepError'
  }
}

/** Runs one phase as a log group, timed, recorded in the report; failures become StepErrors naming the step. */
export async function phase<T>(
  report: Report,
  name: string,
  fn: () => Promise<T>,
  detail?: (t: T) => string
): Promise<T> {
  const started = Date.now()
  const atMs = runElapsedMs(report, started)
  return core.group(name, async () => {
    try {
      const result = await fn()
      const ms = Date.now() - started
      report.steps.push({ name, status: 'ok', durationMs: ms, atMs, ...(detail ? { detail: detail(result) } : {}) })
      core.info(`✓ ${name} (${(ms / 1000).toFixed(1)} s)`)
      return result
    } catch (error) {
      const ms = Date.now() - started
      const e = error as Error
      const output = error instanceof StepError ? error.output : commandOutput(error)
      report.steps.push({ name, status: 'failed', durationMs: ms, atMs, detail: e.message })
      core.info(`✗ ${name} (${(ms / 1000).toFixed(1)} s): ${e.message}`)
      // Errors that already name their step or input keep it.
      if (error instanceof StepError || error instanceof InputError) throw error
      throw new StepError(name, e.message, output)
    }
  })
}

// --------------------------------------------------------------------------------------------------- hops

export interface HopContext {
  snap: Snap
  microk8s: MicroK8s
  report: Report
  /** To find this runner's node, the one a hop restarts. */
  host: HostFacts
  /** How long the kubelet may take to report after the API server is ready (wait-timeout). */
  waitTimeoutMs: number
  /** The snap revision before this hop, to tell whether the hop restarts the kubelet. */
  revisionBefore?: number
}

/**
 * One hop: refresh (or install), wait until ready (bounded by wait-timeout), then verify that the API server
 * reports the hop's minor and that every node is Ready. Nothing else runs until it is verified.
 */
export async function runHop(ctx: HopContext, hop: Hop): Promise<void> {
  const started = Date.now()
  const record: HopRecord = {
    channel: hop.channelText,
    minor: hop.minor,
    kind: hop.kind,
    status: 'planned',
    durationMs: 0,
    atMs: runElapsedMs(ctx.report, started)
  }
  ctx.report.hops.push(record)
  try {
    await refreshAndVerify(ctx, hop, record, started)
    record.status = 'done'
  } catch (error) {
    // Whatever stopped it (the refresh, the wait, the checks), the hop was attempted and did not complete.
    record.status = 'failed'
    throw error
  } finally {
    record.durationMs = Date.now() - started
  }
}

async function refreshAndVerify(ctx: HopContext, hop: Hop, record: HopRecord, started: number): Promise<void> {
  // snap prints no progress without a terminal: the wait's own lines say it is still going.
  const result = await waitWithProgress(
    `snap to ${hop.kind} microk8s ${hop.channelText}`,
    ctx.microk8s.waitTimeout,
    () => (hop.kind === 'install' ? ctx.snap.install(hop.channel) : ctx.snap.refresh(hop.channel)),
    (line) => core.info(line)
  )
  core.info(result.stdout.trim() || result.stderr.trim())
  const waitStarted = Date.now()
  await ctx.microk8s.waitReady()
  const readyAfterMs = Date.now() - waitStarted
  const serverVersion = await ctx.microk8s.serverVersion()
  const parsed = parseKubeVersion(serverVersion)
  Object.assign(record, { readyAfterMs, serverVersion })
  if (parsed?.minor !== hop.minor) {
    throw new StepError(
      `hop ${hop.channelText}`,
      `after refreshing to ${hop.channelText} the API server reports ${serverVersion}, not Kubernetes ${formatMinor(hop.minor)}; ` +
        'stopping before the next hop'
    )
  }
  await waitForKubelet(ctx, hop, serverVersion, started)
}

/**
 * After the API server answers, the node objects may still show the kubelet from before the restart (its
 * version, its Ready condition) until the new kubelet reports: polls until this runner's node reports the new
 * version, Ready, with a heartbeat from after the hop started, and every other node is Ready; bounded by
 * wait-timeout.
 */
async function waitForKubelet(ctx: HopContext, hop: Hop, serverVersion: string, hopStarted: number): Promise<void> {
  const restarted =
    ctx.revisionBefore === undefined || hop.storeRevision === undefined || hop.storeRevision !== ctx.revisionBefore
  let problem = ''
  let shown = ''
  let shownAt = 0
  let count = 0
  let watched = false
  const read = async () => {
    const nodes = readNodes((await ctx.microk8s.kubectlJson<{ items: any[] }>(['get', 'nodes'])).items ?? [])
    const self = localNode(nodes, ctx.host)
    const why = self
      ? kubeletNotCaughtUp(self, { minor: hop.minor, serverVersion }, hopStarted, restarted)
      : `no node is this runner (host name ${ctx.host.hostname})`
    const others = nodes.filter((n) => n !== self && !n.ready).map((n) => n.name)
    count = nodes.length
    problem = why
      ? `node ${self?.name ?? '?'}: ${why}`
      : others.length
        ? `these nodes are not Ready: ${others.join(', ')}`
        : ''
    return self
  }
  const outcome = await retry(
    async () => {
      let self = await read()
      // The node still shows the old kubelet: let kubectl watch for the new version (bounded by wait-timeout).
      // Only where versions print plainly (`v1.29.15`): an exact match is all jsonpath offers, and some older
      // kubelets add a build suffix; those are polled below.
      const plain = (v: string) => /^v\d+\.\d+\.\d+$/.test(v)
      const watchable = self && plain(self.kubeletVersion) && plain(serverVersion)
      if (problem && self && watchable && self.kubeletVersion !== serverVersion && !watched) {
        watched = true
        core.info(
          `Waiting for the kubelet on ${self.name} to report ${serverVersion} (the node still shows ${self.kubeletVersion || 'no version'})`
        )
        await ctx.microk8s.waitFor(`node/${self.name}`, `jsonpath={.status.nodeInfo.kubeletVersion}=${serverVersion}`)
        self = await read()
      }
      return problem ? undefined : self!.name
    },
    { attempts: Infinity, baseDelayMs: 250, maxDelayMs: 5000, deadlineMs: ctx.waitTimeoutMs },
    ({ elapsedMs }) => {
      // A line when what is awaited changes, and about every 5 s while it does not.
      if (problem === shown && elapsedMs - shownAt < 5000) return
      ;[shown, shownAt] = [problem, elapsedMs]
      core.info(`Waiting for the kubelet to report after the refresh (${Math.round(elapsedMs / 1000)} s): ${problem}`)
    }
  )
  if (!outcome.value) {
    throw new StepError(
      `hop ${hop.channelText}`,
      `after refreshing to ${hop.channelText} the API server reports ${serverVersion}, but within wait-timeout ` +
        `(${Math.round(ctx.waitTimeoutMs / 1000)} s) ${problem}; stopping before the next hop`
    )
  }
  core.info(
    `API server ${serverVersion}; kubelet on ${outcome.value} at ${serverVersion}, Ready; ${count} node(s) Ready`
  )
}

// ------------------------------------------------------------------------------------------------ reads

/** Helm's release records (Secrets labelled owner=helm, type helm.sh/release.v1); their values may hold passwords. */
export async function readHelmSecrets(microk8s: MicroK8s): Promise<any[]> {
  const list = await microk8s.kubectlJson<{ items: any[] }>(['get', 'secrets', '-A', '-l', 'owner=helm'], true)
  return (list.items ?? []).filter((s) => s.type === 'helm.sh/release.v1')
}

/**
 * Lists objects of several resources in one `kubectl get`; when the server does not serve one of them (older
 * clusters), lists them one by one and returns the ones it does not serve instead of failing.
 */
export async function listObjects(
  microk8s: MicroK8s,
  resources: string[]
): Promise<{ objects: any[]; unavailable: string[] }> {
  if (resources.length === 0) return { objects: [], unavailable: [] }
  const list = async (names: string[]) => {
    const args = ['kubectl', 'get', names.join(','), '-A', '-o', 'json']
    const r = await microk8s.run(args)
    if (r.code === 0) return parseJsonOutput(displayCommand('microk8s', args), r.stdout).items ?? []
    if (/doesn't have a resource type|the server could not find the requested resource/.test(r.stderr)) return undefined
    throw new CommandError(
      displayCommand('microk8s', ['kubectl', 'get', names.join(','), '-A', '-o', 'json']),
      r.code,
      r.stdout,
      r.stderr
    )
  }
  const all = await list(resources)
  if (all) return { objects: all, unavailable: [] }
  const objects: any[] = []
  const unavailable: string[] = []
  for (const resource of resources) {
    const items = await list([resource])
    if (items) objects.push(...items)
    else unavailable.push(resource)
  }
  return { objects, unavailable }
}

// ---------------------------------------------------------------------------------------------- addon cycle

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

/** `microk8s enable …` in the words the target release's script reads, waited for, then what its disable deleted put back. */
export async function enableAddon(
  ctx: Pick<CycleContext, 'microk8s' | 'captured' | 'toRelease'>,
  step: Pick<CycleStep, 'name' | 'args' | 'argsSource'>
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
  const requested = step.name === 'dns' && step.argsSource === 'input' ? step.args : undefined
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
      await ctx.journal?.stage(step.name, 'down')
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
      await ctx.journal?.stage(step.name, 'back')
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
        await ctx.journal?.stage(step.name, 'back')
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
