/**
 * The action's flow: inputs → inspect → plan → pre-flight → hops → addon cycle → inventory → report.
 * `run()` turns any error into one titled `::error` annotation and a failed exit code, after the report has been
 * written with what is known.
 */
import * as core from '@actions/core'
import * as io from '@actions/io'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { getInputs, type Inputs } from './inputs/action.js'
import { ExecCmd, type Cmd } from './base/cmd.js'
import { Snap, DEFAULT_RETRY } from './cluster/snap.js'
import { MicroK8s, type MicroK8sStatus } from './cluster/microk8s.js'
import { parseKubeVersion } from './cluster/channel.js'
import { planCore, planAddons, multiNodeRule, type CorePlan, type AddonPlan } from './upgrade/plan.js'
import { readNodes, localNode, type HostFacts } from './cluster/nodes.js'
import { buildInventory, takeInventory, type Inventory } from './cluster/inventory.js'
import type { CycleContext } from './upgrade/cycle.js'
import { removalsBetween, resourcesToList, findInObjects, findInHelmReleases } from './preflight/removed-apis.js'
import { newReport, type Report } from './report/model.js'
import { findInManifests, manifestRemovals, scanManifests } from './preflight/manifests.js'
import { publish } from './report/publish.js'
import { StepError } from './base/errors.js'
import { runStep } from './report/steps.js'
import { runHop } from './upgrade/hops.js'
import { readHelmSecrets, listObjects } from './cluster/objects.js'
import { cycleAddons, enableRequested } from './upgrade/cycle.js'
import { type CapturedState, recoverArgs } from './addons/state-specs.js'
import { ReadError, captureState, readCorefile, readRetried, readStateAfter } from './addons/capture-restore.js'
import { addonHelmReleases, compareData, latestDeployed, type DataSnapshot } from './addons/data-checks.js'
import { CycleJournal, JOURNAL_STATE_KEY } from './upgrade/journal.js'
import { finishInterruptedCycle } from './upgrade/resume.js'
import { InputError, PlanError } from './base/errors.js'
import { writeKubeconfigFile } from './cluster/kubeconfig.js'
import { type Release, MAIN_MINOR, addonSpec, checkAddonInputs, releaseMinor, releaseOf } from './catalog/index.js'
import { compareAddonRepos } from './upgrade/addon-repos.js'
import { readTargetCalico } from './cluster/target-calico.js'
import { SystemFiles } from './cluster/system-files.js'
import * as setup from './stages/setup.js'

interface Tools {
  cmd: Cmd
  snap: Snap
  microk8s: MicroK8s
}

export async function run(): Promise<void> {
  if (core.getState('isPost') === 'true') return post()
  core.saveState('isPost', 'true')

  let inputs: Inputs | undefined
  const report = newReport(core.getInput('channel'))
  let tools: Tools | undefined
  try {
    inputs = getInputs(undefined, undefined, (message) => {
      core.warning(message, { title: 'input' })
      report.warnings.push(message)
    })
    report.target = { channel: inputs.channelText, ...(inputs.channel.minor ? { minor: inputs.channel.minor } : {}) }
    checkPlatform()
    tools = await makeTools(inputs)
    await upgrade(inputs, tools, report)
  } catch (error) {
    await recordFailure(report, error, tools)
  }
  report.finishedAt = new Date().toISOString()
  const history = tools?.cmd.history ?? []
  report.timing = {
    wallMs: Date.parse(report.finishedAt) - Date.parse(report.startedAt),
    commandMs: history.reduce((sum, c) => sum + c.ms, 0),
    commands: history.length,
    maxRssKb: process.resourceUsage().maxRSS
  }
  await publish(report, inputs)
  // recordFailure gave the one titled ::error annotation; setFailed would add a second, untitled one.
  if (report.status === 'failure') process.exitCode = core.ExitCode.Failure
}

function checkPlatform(): void {
  if (process.platform !== 'linux') {
    throw new StepError(
      'environment',
      `MicroK8s needs a Linux runner with snapd; this runner is ${process.platform}. Use runs-on: ubuntu-latest`
    )
  }
}

async function makeTools(inputs: Inputs): Promise<Tools> {
  const root = process.getuid?.() === 0
  if (!root && !(await io.which('sudo', false))) {
    throw new StepError(
      'environment',
      'the action is not running as root and sudo is not available; snap and microk8s need root. Run as root or install sudo with passwordless access'
    )
  }
  // Every command is bounded: wait-timeout plus a margin (as long again, at most 60 s), so the commands' own
  // timeouts (status --timeout, rollout status --timeout) fire first with their clearer messages.
  const timeout = await io.which('timeout', false)
  if (!timeout)
    core.warning('coreutils `timeout` is not on PATH: commands run without a time bound', { title: 'timeout' })
  const cmd = new ExecCmd(!root, timeout ? inputs.waitTimeout + Math.min(inputs.waitTimeout, 60) : undefined)
  const retry = { ...DEFAULT_RETRY, deadlineMs: inputs.waitTimeout * 1000 }
  return {
    cmd,
    snap: new Snap(cmd, retry, (m) => core.info(m), { devmode: inputs.devmode }),
    microk8s: new MicroK8s(cmd, { waitTimeout: inputs.waitTimeout }, (m) => core.info(m))
  }
}

async function upgrade(inputs: Inputs, tools: Tools, report: Report): Promise<void> {
  const { snap, microk8s } = tools

  // Inspect: the snap, readiness, and what runs (three microk8s calls when installed).
  const inspected = await runStep(
    report,
    'inspect',
    async () => {
      const installed = await snap.installed()
      // What is known so far, should the cluster not answer: the installed snap (named in the headline).
      if (installed) report.before = buildInventory(installed, undefined, undefined, [])
      const status = installed ? await microk8s.waitReady() : undefined
      const store = await snap.storeChannels()
      const { inventory, items } = await takeInventory(microk8s, installed, status)
      const host = hostFacts()
      const nodes = readNodes(items)
      return { installed, status, store, inventory, items, host, nodes, self: localNode(nodes, host) }
    },
    (r) =>
      r.installed
        ? `microk8s ${r.installed.version} (rev ${r.installed.revision}, ${r.installed.tracking}); API server ${r.inventory.serverVersion}`
        : 'microk8s is not installed'
  )
  report.before = inspected.inventory
  const before = inspected.inventory
  // Plan: hops first, then the addons.
  const { corePlan, addonPlan, dataBefore, helmSecrets, captured } = await runStep(
    report,
    'plan',
    async () => {
      const kubeVersion = before.serverVersion ? parseKubeVersion(before.serverVersion) : undefined
      const corePlan = planCore({ snap: inspected.installed, kubeVersion }, inputs.channel, inspected.store)
      // Names and arguments against the target release, before anything changes.
      checkAddonInputs(inputs, releaseOf(inputs.channel.track, corePlan.targetMinor))
      const helmSecrets = inspected.status?.running
        ? await stopIfUnread(() => readRetried('the Helm release records', () => readHelmSecrets(microk8s)))
        : []
      const { addonPlan, captured } = await stopIfUnread(() =>
        planAddonsFromCluster(
          microk8s,
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
      const others = inspected.nodes.filter((n) => n.name !== inspected.self?.name)
      if (inspected.nodes.length > 1 && !inspected.self) {
        throw new PlanError(
          `cannot tell which of the ${inspected.nodes.length} nodes (${inspected.nodes.map((n) => n.name).join(', ')}) ` +
            `is this runner (host name ${inspected.host.hostname}); the action must know which node it refreshes`
        )
      }
      for (const warning of multiNodeRule(corePlan, others, addonPlan.cycle.length > 0).warnings) {
        core.warning(warning, { title: 'multi-node cluster' })
        report.warnings.push(warning)
      }
      return { corePlan, addonPlan, dataBefore, helmSecrets, captured }
    },
    ({ corePlan, addonPlan }) => describePlan(corePlan, addonPlan)
  )
  const setupCtx = { inputs, cmd: tools.cmd, microk8s, report }
  corePlan.notes.push(
    ...(await setup.checkLaunchConfiguration(setupCtx, Boolean(inspected.installed), corePlan.targetMinor, addonPlan))
  )
  await setup.checkRegistryMirror(setupCtx, Boolean(inspected.installed))
  setup.checkSideloadImages(setupCtx, inspected.installed)
  recordPlan(report, corePlan, addonPlan)
  core.info(describePlan(corePlan, addonPlan))

  // Pre-flight: objects authored with APIs the hops remove.
  if (inputs.removedApis !== 'off' && corePlan.kind === 'upgrade' && corePlan.fromMinor !== undefined) {
    await runStep(
      report,
      'pre-flight: removed APIs',
      async () => {
        const removals = removalsBetween(corePlan.fromMinor!, corePlan.targetMinor)
        const resources = resourcesToList(removals)
        const { objects, unavailable } = await listObjects(microk8s, resources)
        if (unavailable.length)
          report.warnings.push(`pre-flight: the API server does not serve ${unavailable.join(', ')}`)
        report.findings = [...findInObjects(objects, removals), ...findInHelmReleases(helmSecrets, removals)].sort(
          (a, b) => a.removedIn - b.removedIn
        )
        for (const f of report.findings) {
          core.warning(
            `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name} uses ${f.apiVersion}, removed in Kubernetes 1.${f.removedIn}; use ${f.replacement} (evidence: ${f.evidence})`,
            { title: 'Removed API' }
          )
        }
        const blocking = report.findings.filter((f) => f.source === 'guide')
        if (inputs.removedApis === 'fail' && blocking.length) {
          const first = blocking[0]
          throw new StepError(
            'pre-flight: removed APIs',
            `${blocking.length} object(s) use APIs removed by the planned hops (first: ${first.kind} ${first.name} as ${first.apiVersion}, removed in 1.${first.removedIn}); nothing was changed. Migrate them, or set removed-apis: warn`
          )
        }
        return report.findings.length
      },
      (n) => `${n} finding(s) in ${corePlan.hops.map((h) => h.channelText).join(', ')}`
    )
  }

  // Pre-flight: the repository's manifests against the target and the two minors after it (no cluster needed).
  if (inputs.removedApis !== 'off' && inputs.manifests.length) {
    await runStep(
      report,
      'pre-flight: manifests',
      () => checkManifests(inputs, report, corePlan.targetMinor),
      (n) => `${n} finding(s) in ${report.manifests?.files ?? 0} file(s)`
    )
  }

  if (inputs.dryRun) {
    report.status = 'dry-run'
    // Nothing changed: the cluster at the end is the cluster at the start.
    report.after = report.before
    report.dataChecks = []
    core.info('dry-run: nothing was changed')
    return
  }

  // Hold auto-refresh so snapd cannot move the cluster mid-job.
  const holdNow = async () => {
    if (!inputs.holdRefresh) return
    // A hold the user took stays theirs: neither taken again nor released in the post step.
    if (inspected.installed?.held) return core.info('microk8s refreshes were already held; leaving the hold as it is')
    await runStep(
      report,
      'hold auto-refresh',
      async () => {
        try {
          await snap.hold()
          core.saveState('held', 'true')
          return 'held'
        } catch (error) {
          // Holds need snapd 2.58+ (older self-hosted runners): go on without one rather than fail the job.
          const message = `could not hold auto-refresh of microk8s (snapd 2.58 or newer is needed); snapd may refresh it during the job: ${(error as Error).message}`
          core.warning(message, { title: 'hold-refresh' })
          report.warnings.push(message)
          return 'not held'
        }
      },
      (r) => r
    )
  }
  await setup.runnerNetwork(setupCtx, Boolean(inspected.installed))
  if (inspected.installed) await holdNow()
  if (inspected.installed) await setup.registryMirror(setupCtx)
  else await setup.prepareInstall(setupCtx)

  let revisionBefore = inspected.installed?.revision
  for (const hop of corePlan.hops) {
    await runStep(
      report,
      `${hop.kind} ${hop.channelText}`,
      () =>
        runHop(
          { snap, microk8s, report, host: inspected.host, waitTimeoutMs: inputs.waitTimeout * 1000, revisionBefore },
          hop
        ),
      () => report.hops[report.hops.length - 1]?.serverVersion ?? ''
    )
    revisionBefore = hop.storeRevision
    if (hop.kind === 'install') await holdNow()
    if (hop.kind === 'install') await setup.afterInstall(setupCtx)
    else await setup.checkMirrorAfterHop(setupCtx, hop.channelText)
  }
  // What the target snap ships, read from the installed revision (the report claims nothing when it cannot).
  if (corePlan.hops.length) report.targetCalico = await readTargetCalico(new SystemFiles(tools.cmd))
  await setup.sideloadImages(setupCtx, corePlan.kind === 'install')

  // A fresh install enables addons of its own (dns): plan the addons again from what it installed.
  if (corePlan.kind === 'install') {
    await runStep(
      report,
      'plan addons',
      async () => {
        const target = releaseOf(inputs.channel.track, corePlan.targetMinor)
        const fresh = await planAddonsFromCluster(microk8s, inputs, await microk8s.status(), [], {
          fromRelease: target,
          toRelease: target
        })
        // What a fresh install enabled is already the target's: cycled only when the addons input reconfigures it.
        const reconfigured = fresh.addonPlan.cycle.filter((s) => s.reconfigure)
        Object.assign(addonPlan, { ...fresh.addonPlan, cycle: reconfigured, pendingComparison: false })
        Object.assign(captured, fresh.captured)
        dataBefore.corefile = fresh.captured.corefile
        recordPlan(report, corePlan, addonPlan)
      },
      () => describePlan(corePlan, addonPlan)
    )
    core.info(describePlan(corePlan, addonPlan))
  }

  // After the last hop the installed snap's addon repository is the target's: compare it with the active one.
  // auto decides per addon from it; every mode learns which kept addons the target has another version of.
  let reposDiffer = corePlan.kind === 'upgrade' || corePlan.kind === 'refresh'
  if (inputs.cycleAddons !== 'never' && corePlan.kind !== 'install' && inspected.installed) {
    const compared = await runStep(
      report,
      'compare addon repositories',
      () => compareAddonRepos(tools.cmd, addonPlan),
      (d) => d.error ?? describeComparison(d.plan)
    )
    Object.assign(addonPlan, compared.plan)
    reposDiffer ||= compared.differs
    for (const name of compared.keptChanged) {
      const kept = addonPlan.kept.find((k) => k.name === name)!
      if (kept.policy === 'not-in-target') continue
      report.warnings.push(
        `${name} was not cycled (${kept.reason}); the ${addonPlan.toRelease} addon repository has another version of it than the one it was enabled from`
      )
    }
    if (compared.error) report.warnings.push(`addon repositories not compared: ${compared.error}`)
    recordPlan(report, corePlan, addonPlan)
    core.info(describePlan(corePlan, addonPlan))
  }

  const ctx: CycleContext = {
    microk8s,
    report,
    captured,
    fromRelease: addonPlan.fromRelease,
    toRelease: addonPlan.toRelease
  }
  for (const kept of addonPlan.kept) {
    report.addons.push({ name: kept.name, status: 'kept', note: kept.reason })
  }
  if (addonPlan.cycle.length) {
    const repos = addonRepos(inspected.status)
    // Persisted before the first disable: a job stopped mid-cycle is finished by the post step.
    ctx.journal = await CycleJournal.create(process.env.RUNNER_TEMP || os.tmpdir(), {
      version: 1,
      startedAt: report.startedAt,
      channel: inputs.channelText,
      toRelease: addonPlan.toRelease,
      reportFile: inputs.reportFile,
      waitTimeout: inputs.waitTimeout,
      repos,
      reposUpdated: false,
      steps: addonPlan.cycle,
      stages: Object.fromEntries(addonPlan.cycle.map((s) => [s.name, 'up' as const])),
      captured
    })
    core.saveState(JOURNAL_STATE_KEY, ctx.journal.file)
    try {
      await runStep(
        report,
        'addon cycle',
        () => cycleAddons(ctx, addonPlan, repos),
        () => addonPlan.cycle.map((s) => s.name).join(' → ')
      )
    } catch (error) {
      // Left for the post step only while an addon is still down after the cycle's own recovery.
      if (Object.values(ctx.journal.data.stages).includes('down')) await ctx.journal.failed()
      else await ctx.journal.remove()
      throw error
    }
    await ctx.journal.remove()
  } else if (
    corePlan.kind !== 'install' &&
    reposDiffer &&
    (addonPlan.enableAfter.length > 0 || inputs.cycleAddons !== 'never')
  ) {
    // Nothing to cycle, but later enables and disables must run the target's scripts: the repository follows
    // the snap whether or not anything was cycled (never: left on the old branch, as asked).
    await runStep(report, 'update addon repository', async () => {
      for (const repo of addonRepos(inspected.status)) await microk8s.updateAddonRepo(repo)
    })
  }
  if (addonPlan.enableAfter.length) {
    await runStep(
      report,
      'enable addons',
      () => enableRequested(ctx, addonPlan.enableAfter),
      () => addonPlan.enableAfter.map((s) => s.name).join(', ')
    )
  }

  await runStep(
    report,
    'kubeconfig',
    () => writeKubeconfig(tools, inputs),
    () => inputs.kubeconfig
  )

  await runStep(
    report,
    'inventory',
    async () => {
      const installed = await snap.installed()
      const { inventory } = await takeInventory(microk8s, installed)
      report.after = inventory
      const cycled = addonPlan.cycle.map((s) => s.name)
      const helm = latestDeployed(
        await readRetried('the Helm release records', () => readHelmSecrets(microk8s)),
        addonOwnedReleases(addonPlan)
      )
      const hasDns = inventory.addons.some((a) => a.name === 'dns' && a.enabled)
      const dataAfter: DataSnapshot = {
        helmReleases: helm,
        corefile: hasDns ? await readRetried('the CoreDNS ConfigMap', () => readCorefile(microk8s)) : undefined,
        volumes: volumesOf(inventory)
      }
      const dnsStep = addonPlan.cycle.find((s) => s.name === 'dns')
      report.dataChecks = compareData(dataBefore, dataAfter, captured, await readStateAfter(microk8s, captured), {
        cycled,
        enableMinor: releaseMinor(addonPlan.toRelease) ?? MAIN_MINOR,
        requestedUpstreams: dnsStep?.argsSource === 'input' ? dnsStep.args : undefined,
        // An addon the target's repository lacks (dashboard on 1.36) no longer shows in status, though it runs.
        kept: addonPlan.kept.filter((k) => k.policy !== 'not-in-target').map((k) => k.name),
        enabledAfter: inventory.addons.filter((a) => a.enabled).map((a) => a.name)
      })
      const lost = report.dataChecks.filter((c) => c.checked !== false && !c.ok)
      if (lost.length) {
        throw new StepError(
          'inventory',
          `data checks failed: ${lost.map((c) => `${c.name} (${c.detail ?? `${c.before} → ${c.after}`})`).join('; ')}`
        )
      }
    },
    () => `${report.dataChecks.length} data checks passed`
  )
}

/**
 * Scans the manifests input: findings into the report (sorted with the cluster's), one annotation on each file
 * and line, and with removed-apis: fail a stop before any change for what the target no longer serves.
 */
async function checkManifests(inputs: Inputs, report: Report, targetMinor: number): Promise<number> {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  const { objects, summary } = await scanManifests(inputs.manifests, workspace)
  report.manifests = summary
  if (summary.files === 0 && summary.skipped.length === 0) {
    const message = `manifests: no file matched ${inputs.manifests.join(', ')} in ${workspace}`
    core.warning(message, { title: 'manifests' })
    report.warnings.push(message)
  }
  for (const s of summary.skipped) core.info(`manifests: skipped ${s.file}: ${s.reason}`)
  const findings = findInManifests(objects, manifestRemovals(targetMinor)).sort((a, b) => a.removedIn - b.removedIn)
  report.findings = [...report.findings, ...findings].sort((a, b) => a.removedIn - b.removedIn)
  for (const f of findings) {
    const when =
      f.removedIn > targetMinor
        ? `removed in Kubernetes 1.${f.removedIn}: migrate before your next upgrade`
        : `removed in Kubernetes 1.${f.removedIn}, not served by the target 1.${targetMinor}`
    core.warning(`${f.kind} ${f.name} uses ${f.apiVersion}, ${when}; use ${f.replacement}`, {
      title: 'Removed API',
      file: f.file,
      startLine: f.line
    })
  }
  const blocking = findings.filter((f) => f.source === 'guide' && f.removedIn <= targetMinor)
  if (inputs.removedApis === 'fail' && blocking.length) {
    const first = blocking[0]
    throw new StepError(
      'pre-flight: manifests',
      `${blocking.length} object(s) in the manifests use APIs the target 1.${targetMinor} does not serve (first: ${first.kind} ${first.name} as ${first.apiVersion} at ${first.evidence}, removed in 1.${first.removedIn}); nothing was changed. Migrate them, or set removed-apis: warn`
    )
  }
  return findings.length
}

/** The addon plan from what the cluster runs: enabled addons, what their disables would delete, their arguments. */
async function planAddonsFromCluster(
  microk8s: MicroK8s,
  inputs: Inputs,
  status: MicroK8sStatus | undefined,
  items: any[],
  releases: { fromRelease: Release; toRelease: Release }
): Promise<{ addonPlan: AddonPlan; captured: CapturedState }> {
  const enabled = (status?.addons ?? []).filter((a) => a.enabled).map((a) => a.name)
  // The disables run the installed release's scripts; the enables the target's.
  const captured = await captureState(microk8s, enabled, releaseMinor(releases.fromRelease) ?? MAIN_MINOR)
  // Traefik (1.35+) keeps the ingress default certificate in the default TLSStore, not in its arguments.
  const traefik =
    enabled.includes('ingress') && addonSpec('ingress', releases.fromRelease).arguments === 'ingress-traefik'
  const tlsStores = traefik
    ? ((await microk8s.kubectlJson<{ items?: any[] }>(['get', 'tlsstores.traefik.io', '-A'])).items ?? [])
    : []
  const recovered = recoverArgs(
    enabled,
    [...items, ...tlsStores],
    captured,
    releaseMinor(releases.toRelease) ?? MAIN_MINOR
  )
  const addonPlan = planAddons({
    enabled,
    requested: inputs.addons,
    mode: inputs.cycleAddons,
    neverCycle: inputs.neverCycle,
    cycleAlso: inputs.cycleAlso,
    recovered,
    ...releases
  })
  return { addonPlan, captured }
}

/** Helm releases of the addons being cycled, at the release that disables and the one that enables them. */
function addonOwnedReleases(addonPlan: AddonPlan): Array<{ namespace: string; name: string }> {
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

/** The addon repositories to update: core, and community when it is added. */
function addonRepos(status: MicroK8sStatus | undefined): string[] {
  return ['core', ...((status?.addons ?? []).some((a) => a.repository === 'community') ? ['community'] : [])]
}

/** `changed: ingress, metallb; unchanged: dns` for the comparison step. */
function describeComparison(plan: AddonPlan): string {
  const cycled = plan.cycle.map((s) => `${s.name} (${s.why})`)
  const unchanged = plan.kept.filter((k) => k.policy === 'unchanged').map((k) => k.name)
  return [
    `cycle: ${cycled.join(', ') || 'none'}`,
    ...(unchanged.length
      ? [`unchanged between ${plan.fromRelease} and ${plan.toRelease}: ${unchanged.join(', ')}`]
      : [])
  ].join('; ')
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

/** The runner's host name and addresses, to find its own node among the cluster's. */
function hostFacts(): HostFacts {
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .map((a) => a?.address)
    .filter((a): a is string => Boolean(a))
  return { hostname: os.hostname(), addresses }
}

function volumesOf(inv: Inventory): DataSnapshot['volumes'] {
  return {
    pvs: inv.volumes.pvs,
    pvcs: inv.volumes.pvcs,
    bound: inv.volumes.bound,
    claims: inv.volumes.claims.filter((c) => c.phase === 'Bound').map((c) => `${c.namespace}/${c.name}`)
  }
}

function describePlan(corePlan: CorePlan, addonPlan: AddonPlan): string {
  const hops = corePlan.hops.map(
    (h) => `${h.kind} ${h.channelText} (Kubernetes 1.${h.minor}${h.storeVersion ? `, ${h.storeVersion}` : ''})`
  )
  const lines = [
    `Core: ${corePlan.kind}${corePlan.fromMinor !== undefined ? ` from 1.${corePlan.fromMinor}` : ''} to 1.${corePlan.targetMinor}${hops.length ? `: ${hops.join(' → ')}` : ': nothing to do'}`,
    `Addons: ${addonPlan.cycling ? 'cycle' : 'no cycle'} (${addonPlan.why})`
  ]
  if (addonPlan.cycle.length && addonPlan.pendingComparison) {
    lines.push(`  candidates (cycled if changed): ${addonPlan.cycle.map((s) => s.name).join(', ')}`)
  } else if (addonPlan.cycle.length) {
    lines.push(
      `  disable: ${[...addonPlan.cycle]
        .reverse()
        .map((s) => s.name)
        .join(' → ')}`
    )
    lines.push(`  enable:  ${addonPlan.cycle.map((s) => (s.args ? `${s.name}:${s.args}` : s.name)).join(' → ')}`)
    for (const s of addonPlan.cycle) if (s.why) lines.push(`  cycle ${s.name}: ${s.why}`)
  }
  for (const k of addonPlan.kept) lines.push(`  keep ${k.name}: ${k.reason}`)
  if (addonPlan.enableAfter.length) lines.push(`  then enable: ${addonPlan.enableAfter.map((s) => s.name).join(' → ')}`)
  if (addonPlan.unknownOrder.length)
    lines.push(
      `  order of ${addonPlan.unknownOrder.join(', ')} is not known to the catalog: cycled after the known addons`
    )
  return [...lines, ...corePlan.notes].join('\n')
}

function recordPlan(report: Report, corePlan: CorePlan, addonPlan: AddonPlan): void {
  report.target.minor = corePlan.targetMinor
  report.plan = {
    kind: corePlan.kind,
    ...(corePlan.fromMinor !== undefined ? { fromMinor: corePlan.fromMinor } : {}),
    targetMinor: corePlan.targetMinor,
    hops: corePlan.hops.map((h) => h.channelText),
    cycling: addonPlan.cycling,
    cyclingWhy: addonPlan.why,
    enableOrder: addonPlan.cycle.map((s) => s.name),
    disableOrder: [...addonPlan.cycle].reverse().map((s) => s.name),
    thenEnable: addonPlan.enableAfter.map((s) => s.name),
    notes: [
      ...corePlan.notes,
      ...(addonPlan.unknownOrder.length
        ? [
            `dependency order of ${addonPlan.unknownOrder.join(', ')} is not known: cycled after the known addons, in the order status lists them`
          ]
        : [])
    ]
  }
  for (const kept of addonPlan.kept) {
    const warning = `${kept.name} not cycled: ${kept.reason}`
    if (kept.policy === 'no-args' && !report.warnings.includes(warning)) report.warnings.push(warning)
  }
}

/**
 * Writes the admin kubeconfig (a new 0600 file renamed into place; a different one kept as `.bak`), exports
 * KUBECONFIG for later steps, and lets the runner user use `microk8s` in later steps.
 */
async function writeKubeconfig(tools: Tools, inputs: Inputs): Promise<void> {
  const config = await tools.microk8s.config()
  try {
    const written = writeKubeconfigFile(inputs.kubeconfig, config)
    if (written.backup) core.info(`The kubeconfig that was at ${inputs.kubeconfig} is kept as ${written.backup}`)
  } catch (error) {
    throw new InputError(
      'kubeconfig',
      `cannot write ${inputs.kubeconfig}: ${(error as Error).message}; give a writable path`
    )
  }
  core.exportVariable('KUBECONFIG', path.resolve(inputs.kubeconfig))
  if (process.getuid?.() !== 0) {
    const user = os.userInfo().username
    // The plan refuses to change confinement, so the target channel's is the installed one's.
    const group = inputs.channel.confinement === 'strict' ? 'snap_microk8s' : 'microk8s'
    const r = await tools.cmd.run('usermod', ['-a', '-G', group, user])
    if (r.code !== 0)
      core.warning(`could not add ${user} to the ${group} group: ${r.stderr.trim()}`, { title: 'microk8s group' })
  }
}

// --------------------------------------------------------------------------------------------------- failure

async function recordFailure(report: Report, error: unknown, tools: Tools | undefined): Promise<void> {
  report.status = 'failure'
  const e = error as Error
  const step =
    error instanceof StepError ? error.step : error instanceof InputError ? `input ${error.input}` : 'unexpected error'
  core.error(e.message, { title: `microk8s-upgrade-action: ${step}` })
  let clusterState = 'not touched: the action stopped before any change'
  const changed = report.hops.length > 0 || report.addons.some((a) => a.status !== 'kept' && a.status !== 'planned')
  if (tools && (changed || report.steps.some((s) => s.name.startsWith('hold')))) {
    // Say what the cluster looks like now (best effort, bounded: no waiting for readiness).
    try {
      const installed = await tools.snap.installed()
      const status = installed ? await tools.microk8s.status() : undefined
      const { inventory } = await takeInventory(tools.microk8s, installed, status)
      report.after = inventory
      const enabled = inventory.addons.filter((a) => a.enabled).map((a) => a.name)
      clusterState = installed
        ? `microk8s ${installed.version} (rev ${installed.revision}, ${installed.tracking}), ${inventory.running ? `running, API server ${inventory.serverVersion}` : 'not ready'}; enabled addons: ${enabled.join(', ') || 'unknown (not ready)'}`
        : 'microk8s is not installed'
    } catch (inner) {
      clusterState = `unknown: could not inspect the cluster after the failure (${(inner as Error).message})`
    }
    report.diagnostics = await collectDiagnostics(tools).catch(() => undefined)
  } else if (!changed) {
    // Stopped before any change: the cluster at the end is the cluster as inspected.
    report.after = report.before
  }
  report.failure = {
    step,
    message: e.message,
    ...(error instanceof StepError && error.output ? { output: error.output } : {}),
    clusterState
  }
}

/** `microk8s inspect`, its tarball copied under RUNNER_TEMP so a workflow can upload it. */
async function collectDiagnostics(tools: Tools): Promise<string | undefined> {
  const tarball = await tools.microk8s.inspect()
  if (!tarball) return undefined
  const dest = path.join(process.env.RUNNER_TEMP || os.tmpdir(), `microk8s-inspect-${Date.now()}.tar.gz`)
  try {
    await fs.copyFile(tarball, dest)
  } catch {
    // The tarball belongs to root on a runner: copy it with the privileges that wrote it.
    const r = await tools.cmd.run('cp', [tarball, dest])
    if (r.code !== 0) return tarball
    await tools.cmd.run('chmod', ['0644', dest])
  }
  return dest
}

// ------------------------------------------------------------------------------------------------------ post

/**
 * Post step: finish an addon cycle the main step did not (a cancelled or timed-out job), then release the
 * auto-refresh hold the main step took, so the runner is left as found.
 */
async function post(): Promise<void> {
  const journal = core.getState(JOURNAL_STATE_KEY)
  if (journal) {
    try {
      await finishInterruptedCycle(journal)
    } catch (error) {
      core.error(`could not finish the interrupted addon cycle: ${(error as Error).message}`, {
        title: 'microk8s-upgrade-action: post step'
      })
      process.exitCode = 1
    }
  }
  if (core.getState('held') !== 'true') return
  try {
    const root = process.getuid?.() === 0
    const snap = new Snap(new ExecCmd(!root, 120), { ...DEFAULT_RETRY, attempts: 3, deadlineMs: 120_000 })
    await snap.unhold()
    core.info('Released the auto-refresh hold on microk8s')
  } catch (error) {
    core.warning(`could not release the auto-refresh hold: ${(error as Error).message}`, { title: 'hold-refresh' })
  }
}
