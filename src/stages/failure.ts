/**
 * When the run fails: one titled `::error` annotation, then what the cluster looks like now (best effort,
 * bounded: no waiting for readiness), the user's workloads compared with what inspect read (stages/workloads.ts)
 * and `microk8s inspect` for the report, so a failed run still says which step failed and in what state it left
 * the cluster.
 */
import * as core from '@actions/core'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError, StepError } from '../base/errors.js'
import type { Report } from '../report/model.js'
import { takeInventory } from '../cluster/inventory.js'
import type { Tools } from './tools.js'
import type { Inspected } from './workflow.js'
import { recordWorkloads } from './workloads.js'

export async function recordFailure(
  report: Report,
  error: unknown,
  tools: Tools | undefined,
  inspected?: Inspected
): Promise<void> {
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
      const { inventory, items } = await takeInventory(tools.microk8s, installed, status)
      report.after = inventory
      recordWorkloads(report, inspected, { inventory, items })
      const enabled = inventory.addons.filter((a) => a.enabled).map((a) => a.name)
      clusterState = installed
        ? `microk8s ${installed.version} (rev ${installed.revision}, ${installed.tracking}), ${inventory.running ? `running, API server ${inventory.serverVersion}` : 'not ready'}; enabled addons: ${enabled.join(', ') || 'unknown (not ready)'}`
        : 'microk8s is not installed'
    } catch (inner) {
      clusterState = `unknown: could not inspect the cluster after the failure (${(inner as Error).message})`
      recordWorkloads(report, inspected, {
        reason: `could not be read after the failure (${(inner as Error).message})`
      })
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
