/**
 * Carries out the plan against the cluster: hops one minor at a time, each verified, then the addon cycle
 * (disable in reverse order with the old scripts, update the addon repository, enable in order with the new
 * ones), then the data checks. Every phase is a log group with its duration and a step in the report.
 */
import * as core from '@actions/core'
import type { MicroK8s } from './microk8s.js'
import type { Snap } from './snap.js'
import type { Hop, AddonPlan, CycleStep } from './plan.js'
import { waitWithProgress } from './progress.js'
import { runElapsedMs, type AddonRecord, type DataCheck, type Report } from './report.js'
import {
  type Release,
  addonSpec,
  dnsUpstreams,
  ingressArgs,
  isCorefileCustomised,
  metallbRanges
} from './catalog/index.js'
import type { RecoveredArgs } from './plan.js'
import { parseKubeVersion, formatMinor } from './channel.js'
import { CommandError, commandOutput, lastLines } from './errors.js'
import { displayCommand } from './cmd.js'
import { decodeHelmRelease } from './removed-apis.js'

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
      if (error instanceof StepError) throw error
      throw new StepError(name, e.message, output)
    }
  })
}

// --------------------------------------------------------------------------------------------------- hops

export interface HopContext {
  snap: Snap
  microk8s: MicroK8s
  report: Report
}

/**
 * One hop: refresh (or install), wait until ready (bounded by wait-timeout), then verify that the API server
 * reports the hop's minor and that every node is Ready. Nothing else runs until it is verified.
 */
export async function runHop(ctx: HopContext, hop: Hop): Promise<void> {
  const started = Date.now()
  const record = {
    channel: hop.channelText,
    minor: hop.minor,
    status: 'planned' as const,
    durationMs: 0,
    atMs: runElapsedMs(ctx.report, started)
  }
  ctx.report.hops.push(record)
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
    Object.assign(record, { status: 'failed', durationMs: Date.now() - started })
    throw new StepError(
      `hop ${hop.channelText}`,
      `after refreshing to ${hop.channelText} the API server reports ${serverVersion}, not Kubernetes ${formatMinor(hop.minor)}; ` +
        'stopping before the next hop'
    )
  }
  const nodes = await ctx.microk8s.kubectlJson<{ items: any[] }>(['get', 'nodes'])
  const notReady = nodes.items
    .filter((n) => !(n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata?.name)
  if (notReady.length) {
    Object.assign(record, { status: 'failed', durationMs: Date.now() - started })
    throw new StepError(
      `hop ${hop.channelText}`,
      `after refreshing to ${hop.channelText} these nodes are not Ready: ${notReady.join(', ')}`
    )
  }
  Object.assign(record, { status: 'done', durationMs: Date.now() - started })
  core.info(`API server ${serverVersion}; ${nodes.items.length} node(s) Ready`)
}

// -------------------------------------------------------------------------------------- data and arguments

export interface DataSnapshot {
  helmReleases: string[]
  corefile?: string
  volumes: { pvs: number; pvcs: number; bound: number; claims: string[] }
}

/** The Helm release records (Secrets labelled owner=helm), as `namespace/name vN status`. */
export async function readHelmReleases(microk8s: MicroK8s): Promise<{ names: string[]; secrets: any[] }> {
  // Release records carry the chart values (which may hold passwords): never echoed.
  const list = await microk8s.kubectlJson<{ items: any[] }>(['get', 'secrets', '-A', '-l', 'owner=helm'], true)
  const secrets = (list.items ?? []).filter((s) => s.type === 'helm.sh/release.v1')
  const names = secrets
    .map((s) => {
      const r = decodeHelmRelease(s)
      return r ? `${r.namespace}/${r.name} v${r.version} ${r.status}` : `${s.metadata.namespace}/${s.metadata.name}`
    })
    .sort()
  return { names, secrets }
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
    const r = await microk8s.run(['kubectl', 'get', names.join(','), '-A', '-o', 'json'])
    if (r.code === 0) return JSON.parse(r.stdout).items ?? []
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

export async function readCorefile(microk8s: MicroK8s): Promise<string | undefined> {
  const r = await microk8s.run(['kubectl', 'get', 'configmap', 'coredns', '-n', 'kube-system', '-o', 'json'])
  if (r.code !== 0) return undefined
  return JSON.parse(r.stdout)?.data?.Corefile
}

/** Arguments of enabled addons read back from the cluster, with how they were found. */
export async function recoverArgs(
  microk8s: MicroK8s,
  enabled: string[],
  items: any[],
  corefile: string | undefined
): Promise<Map<string, RecoveredArgs>> {
  const out = new Map<string, RecoveredArgs>()
  if (enabled.includes('dns')) {
    const upstreams = corefile ? dnsUpstreams(corefile) : undefined
    out.set(
      'dns',
      upstreams
        ? { args: upstreams, note: `upstreams ${upstreams} read from the CoreDNS ConfigMap` }
        : {
            note: corefile
              ? "upstreams follow the host's resolv.conf, as before"
              : 'no CoreDNS ConfigMap found: enabled plainly'
          }
    )
  }
  if (enabled.includes('ingress')) {
    const ds = items.find(
      (o) =>
        o.kind === 'DaemonSet' &&
        o.metadata?.namespace === 'ingress' &&
        o.metadata?.name === 'nginx-ingress-microk8s-controller'
    )
    const args = ingressArgs(ds)
    out.set(
      'ingress',
      args ? { args, note: 'default certificate read from the controller arguments' } : { note: 'no arguments in use' }
    )
  }
  if (enabled.includes('metallb')) {
    const r = await microk8s.run(['kubectl', 'get', 'ipaddresspools.metallb.io', '-n', 'metallb-system', '-o', 'json'])
    const ranges = r.code === 0 ? metallbRanges(JSON.parse(r.stdout).items ?? []) : undefined
    out.set(
      'metallb',
      ranges
        ? { args: ranges, note: `address ranges ${ranges} read from the IPAddressPools` }
        : { note: 'no IPAddressPool found' }
    )
  }
  return out
}

export function compareData(
  before: DataSnapshot,
  after: DataSnapshot,
  dnsCycled: boolean,
  corefileRestored: boolean
): DataCheck[] {
  const checks: DataCheck[] = []
  const lostClaims = before.volumes.claims.filter((c) => !after.volumes.claims.includes(c))
  checks.push({
    name: 'PersistentVolumes',
    before: String(before.volumes.pvs),
    after: String(after.volumes.pvs),
    ok: after.volumes.pvs >= before.volumes.pvs,
    ...(after.volumes.pvs < before.volumes.pvs
      ? { detail: `${before.volumes.pvs - after.volumes.pvs} PV(s) gone` }
      : {})
  })
  checks.push({
    name: 'PersistentVolumeClaims bound',
    before: `${before.volumes.bound} of ${before.volumes.pvcs}`,
    after: `${after.volumes.bound} of ${after.volumes.pvcs}`,
    ok: lostClaims.length === 0 && after.volumes.bound >= before.volumes.bound,
    ...(lostClaims.length
      ? { detail: `no longer bound: ${lostClaims.join(', ')}` }
      : after.volumes.bound < before.volumes.bound
        ? { detail: 'fewer bound claims' }
        : {})
  })
  const lostReleases = before.helmReleases.filter((r) => !after.helmReleases.includes(r))
  checks.push({
    name: 'Helm releases',
    before: String(before.helmReleases.length),
    after: String(after.helmReleases.length),
    ok: lostReleases.length === 0,
    ...(lostReleases.length ? { detail: `changed or gone: ${lostReleases.join(', ')}` } : {})
  })
  if (before.corefile !== undefined) {
    const customised = isCorefileCustomised(before.corefile)
    const same = normalise(after.corefile) === normalise(before.corefile)
    checks.push({
      name: 'CoreDNS Corefile',
      before: customised ? 'customised' : 'default (upstreams only)',
      after: after.corefile === undefined ? 'missing' : same ? (corefileRestored ? 'restored' : 'same') : 'differs',
      ok: !customised ? after.corefile !== undefined || !dnsCycled : same,
      ...(customised && !same ? { detail: 'the customised Corefile was not kept' } : {})
    })
  }
  return checks
}

const normalise = (s?: string) => (s ?? '').trim().replace(/\s+\n/g, '\n')

// ---------------------------------------------------------------------------------------------- addon cycle

export interface CycleContext {
  microk8s: MicroK8s
  report: Report
  /** The Corefile saved before dns is disabled (re-applied after enable when the user had customised it). */
  savedCorefile?: string
  /** The addon release whose scripts disable (the active repository's before the update). */
  fromRelease: Release
  /** The addon release whose scripts enable (the target snap's); waits follow its catalog rows. */
  toRelease: Release
}

/** Waits for an addon's workloads to be rolled out (each bounded by wait-timeout). */
async function waitForAddon(microk8s: MicroK8s, name: string, release: Release): Promise<void> {
  for (const w of addonSpec(name, release).workloads) {
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

async function enableAddon(ctx: CycleContext, step: CycleStep): Promise<void> {
  const spec = step.args !== undefined ? `${step.name}:${step.args}` : step.name
  const r = await ctx.microk8s.enable(spec)
  if (r.code !== 0) {
    throw new CommandError(
      displayCommand('microk8s', ['enable', spec]),
      r.code,
      r.stdout,
      r.stderr,
      `microk8s enable ${spec} failed with exit code ${r.code}${lastLines(r.stdout + '\n' + r.stderr, 3)}`
    )
  }
  await waitForAddon(ctx.microk8s, step.name, ctx.toRelease)
  if (step.name === 'dns' && ctx.savedCorefile && isCorefileCustomised(ctx.savedCorefile)) {
    await restoreCorefile(ctx.microk8s, ctx.savedCorefile, ctx.toRelease)
  }
}

/** Re-applies the user's Corefile and restarts CoreDNS so it is read. */
async function restoreCorefile(microk8s: MicroK8s, corefile: string, release: Release): Promise<void> {
  await microk8s.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'coredns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'addonmanager.kubernetes.io/mode': 'EnsureExists' }
    },
    data: { Corefile: corefile }
  })
  await microk8s.rolloutRestart('deployment', 'kube-system', 'coredns')
  await waitForAddon(microk8s, 'dns', release)
  core.info('Restored the customised CoreDNS Corefile and restarted CoreDNS')
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
    const note = [step.note, keepsData].filter(Boolean).join('; ') || undefined
    const rec: AddonRecord = { name: step.name, status: 'planned', args: step.args, argsSource: step.argsSource, note }
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
      core.info(`Disabling ${step.name}`)
      await disableAddon(ctx, step.name)
    }
    for (const repo of repos) {
      current = `addons repo update ${repo}`
      await ctx.microk8s.updateAddonRepo(repo)
    }
    for (const step of plan.cycle) {
      current = `enable ${step.name}`
      core.info(`Enabling ${step.name}${step.args ? ` with ${step.args}` : ''}`)
      await enableAddon(ctx, step)
      down.splice(down.indexOf(step), 1)
      Object.assign(records.get(step.name)!, { status: 'cycled', durationMs: Date.now() - started.get(step.name)! })
    }
  } catch (error) {
    const failed = current.split(' ').pop()!
    if (records.has(failed)) records.get(failed)!.note = `${current} failed`
    // Leave no addon down (above all not DNS): one attempt each, in enable order. Enabling an addon whose
    // disable failed half-way is harmless: MicroK8s answers "already enabled" when it still is.
    const rescue: string[] = []
    for (const step of plan.cycle.filter((s) => down.includes(s))) {
      const rec = records.get(step.name)!
      try {
        await enableAddon(ctx, step)
        rec.status = step.name === failed ? 'failed' : 're-enabled'
        // Down from its disable until this second enable brought it back.
        if (started.has(step.name)) rec.durationMs = Date.now() - started.get(step.name)!
        if (step.name === failed) rec.note = `${current} failed; re-enabled on a second attempt`
        rescue.push(`${step.name}: re-enabled`)
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
