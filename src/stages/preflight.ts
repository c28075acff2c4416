/**
 * Stages `pre-flight: removed APIs` (objects in the cluster authored with APIs the hops remove) and
 * `pre-flight: manifests` (the repository's manifests against the target and the two minors after it). With
 * removed-apis: fail, a finding that blocks stops the run here, before any change (docs/manifests.md).
 */
import * as core from '@actions/core'
import { StepError } from '../base/errors.js'
import { runStep } from '../report/steps.js'
import type { Report } from '../report/model.js'
import { listObjects } from '../cluster/objects.js'
import { removalsBetween, resourcesToList, findInObjects, findInHelmReleases } from '../preflight/removed-apis.js'
import { findInManifests, manifestRemovals, scanManifests } from '../preflight/manifests.js'
import type { Inputs } from '../inputs/action.js'
import type { Stage } from './workflow.js'

const byRemoval = <T extends { removedIn: number }>(a: T, b: T) => a.removedIn - b.removedIn

export const removedApis: Stage = {
  name: 'pre-flight: removed APIs',
  runIf: ({ inputs, plan }) =>
    inputs.removedApis !== 'off' && plan.core.kind === 'upgrade' && plan.core.fromMinor !== undefined,
  async run({ inputs, tools, report, plan, helmSecrets }) {
    const corePlan = plan.core
    await runStep(
      report,
      'pre-flight: removed APIs',
      async () => {
        const removals = removalsBetween(corePlan.fromMinor!, corePlan.targetMinor)
        const { objects, unavailable } = await listObjects(tools.microk8s, resourcesToList(removals))
        if (unavailable.length)
          report.warnings.push(`pre-flight: the API server does not serve ${unavailable.join(', ')}`)
        report.findings = [
          ...findInObjects(objects, removals),
          ...findInHelmReleases(helmSecrets ?? [], removals)
        ].sort(byRemoval)
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
}

export const manifests: Stage = {
  name: 'pre-flight: manifests',
  runIf: ({ inputs }) => inputs.removedApis !== 'off' && inputs.manifests.length > 0,
  async run({ inputs, report, plan }) {
    await runStep(
      report,
      'pre-flight: manifests',
      () => checkManifests(inputs, report, plan.core.targetMinor),
      (n) => `${n} finding(s) in ${report.manifests?.files ?? 0} file(s)`
    )
  }
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
  const findings = findInManifests(objects, manifestRemovals(targetMinor)).sort(byRemoval)
  report.findings = [...report.findings, ...findings].sort(byRemoval)
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
