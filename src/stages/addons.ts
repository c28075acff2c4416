/**
 * The addon stages after the hops: a fresh install planned again from what it enabled; the addon repositories
 * compared (auto cycles only what changed); the cycle itself, journalled for the post step; the repository
 * update when nothing is cycled; then the addons the input asks for that were not enabled.
 */
import * as core from '@actions/core'
import * as os from 'node:os'
import { StateKey } from '../base/state-keys.js'
import { runStep } from '../report/steps.js'
import type { MicroK8sStatus } from '../cluster/microk8s.js'
import { releaseOf } from '../catalog/index.js'
import { compareAddonRepos } from '../upgrade/addon-repos.js'
import { cycleAddons, enableRequested, type CycleContext } from '../upgrade/cycle.js'
import { CycleJournal } from '../upgrade/journal.js'
import { downloadsOf } from '../upgrade/addon-plan.js'
import { checkDownloads, describeDownloads } from '../upgrade/downloads.js'
import { planAddonsFromCluster } from './plan.js'
import { describeComparison, describePlan } from './plan-record.js'
import type { Planned, Stage } from './workflow.js'

/** A fresh install enables addons of its own (dns): the addons are planned again from what it installed. */
export const planAfterInstall: Stage = {
  name: 'plan addons',
  runIf: ({ plan }) => plan.core.kind === 'install',
  async run({ inputs, tools, report, plan, dataBefore }) {
    const target = releaseOf(inputs.channel.track, plan.core.targetMinor)
    const replanned = await runStep(
      report,
      'plan addons',
      async () => {
        const fresh = await planAddonsFromCluster(
          tools.microk8s,
          tools.files,
          inputs,
          await tools.microk8s.status(),
          [],
          {
            fromRelease: target,
            toRelease: target
          }
        )
        // What a fresh install enabled is already the target's: cycled only when the addons input reconfigures it.
        const addons = {
          ...fresh.addonPlan,
          cycle: fresh.addonPlan.cycle.filter((s) => s.reconfigure),
          pendingComparison: false
        }
        return {
          plan: { core: plan.core, addons },
          captured: fresh.captured,
          dataBefore: { ...dataBefore, corefile: fresh.captured.corefile }
        }
      },
      (r) => describePlan(r.plan)
    )
    return replanned
  }
}

/**
 * After the last hop the installed snap's addon repository is the target's: compared with the active one.
 * auto decides per addon from it; every mode learns which kept addons the target has another version of.
 */
export const compareRepositories: Stage = {
  name: 'compare addon repositories',
  runIf: ({ inputs, plan, inspected }) =>
    inputs.cycleAddons !== 'never' && plan.core.kind !== 'install' && Boolean(inspected.installed),
  async run({ tools, report, plan }) {
    const compared = await runStep(
      report,
      'compare addon repositories',
      () => compareAddonRepos(tools.cmd, plan.addons),
      (d) => d.error ?? describeComparison(d.plan)
    )
    const addons = compared.plan
    for (const name of compared.keptChanged) {
      const kept = addons.kept.find((k) => k.name === name)!
      if (kept.policy === 'not-in-target') continue
      report.warnings.push(
        `${name} was not cycled (${kept.reason}); the ${addons.toRelease} addon repository has another version of it than the one it was enabled from`
      )
    }
    if (compared.error) report.warnings.push(`addon repositories not compared: ${compared.error}`)
    return { plan: { core: plan.core, addons }, reposDiffer: compared.differs }
  }
}

/**
 * Before the first disable: every planned enable that downloads from the internet (the 1.35+ ingress, the 1.33+
 * cert-manager and dashboard charts) can reach what it downloads, or the run stops with nothing disabled.
 */
export const checkAddonDownloads: Stage = {
  name: 'check downloads',
  runIf: ({ plan }) => downloadsOf(plan.addons).length > 0,
  async run({ tools, report, plan }) {
    await runStep(
      report,
      'check downloads',
      async () => {
        const checks = await checkDownloads(tools.files, plan.addons)
        for (const c of checks.filter((c) => c.why))
          report.warnings.push(`${c.addon}: ${c.what} could not be checked before the cycle (${c.why})`)
        return checks
      },
      describeDownloads
    )
  }
}

/** The addon repositories to update: core, and community when it is added. */
function addonRepos(status: MicroK8sStatus | undefined): string[] {
  return ['core', ...((status?.addons ?? []).some((a) => a.repository === 'community') ? ['community'] : [])]
}

function cycleContext({ tools, report, captured, plan }: Planned): CycleContext {
  return {
    microk8s: tools.microk8s,
    report,
    captured,
    fromRelease: plan.addons.fromRelease,
    toRelease: plan.addons.toRelease
  }
}

export const cycle: Stage = {
  name: 'addon cycle',
  async run(state) {
    const { inputs, report, plan, inspected, captured } = state
    const addonPlan = plan.addons
    for (const kept of addonPlan.kept) report.addons.push({ name: kept.name, status: 'kept', note: kept.reason })
    if (addonPlan.cycle.length === 0) return
    const repos = addonRepos(inspected.status)
    // Persisted before the first disable: a job stopped mid-cycle is finished by the post step.
    const journal = await CycleJournal.create(process.env.RUNNER_TEMP || os.tmpdir(), {
      version: 1,
      startedAt: report.startedAt,
      channel: inputs.channelText,
      toRelease: addonPlan.toRelease,
      reportFile: inputs.reportFile,
      waitTimeout: inputs.waitTimeout,
      repos,
      reposUpdated: false,
      steps: addonPlan.cycle,
      addonStates: Object.fromEntries(addonPlan.cycle.map((s) => [s.name, 'up' as const])),
      captured
    })
    core.saveState(StateKey.CycleJournal, journal.file)
    try {
      await runStep(
        report,
        'addon cycle',
        () => cycleAddons({ ...cycleContext(state), journal }, addonPlan, repos),
        () => addonPlan.cycle.map((s) => s.name).join(' → ')
      )
    } catch (error) {
      // Left for the post step only while an addon is still down after the cycle's own recovery.
      if (Object.values(journal.data.addonStates).includes('down')) await journal.failed()
      else await journal.remove()
      throw error
    }
    await journal.remove()
  }
}

/**
 * Nothing cycled, but later enables and disables must run the target's scripts: the repository follows the snap
 * whether or not anything was cycled (never: left on the old branch, as asked).
 */
export const updateRepository: Stage = {
  name: 'update addon repository',
  runIf: ({ inputs, plan, reposDiffer }) =>
    plan.addons.cycle.length === 0 &&
    plan.core.kind !== 'install' &&
    (reposDiffer || plan.core.kind === 'upgrade' || plan.core.kind === 'refresh') &&
    (plan.addons.enableAfter.length > 0 || inputs.cycleAddons !== 'never'),
  async run({ tools, report, inspected }) {
    await runStep(report, 'update addon repository', async () => {
      for (const repo of addonRepos(inspected.status)) await tools.microk8s.updateAddonRepo(repo)
    })
  }
}

export const enableAddons: Stage = {
  name: 'enable addons',
  runIf: ({ plan }) => plan.addons.enableAfter.length > 0,
  async run(state) {
    const { enableAfter } = state.plan.addons
    await runStep(
      state.report,
      'enable addons',
      () => enableRequested(cycleContext(state), enableAfter),
      () => enableAfter.map((s) => s.name).join(', ')
    )
  }
}
