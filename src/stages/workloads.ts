/**
 * The report's `workloads` (cluster/workload-changes.ts, docs/disruption.md "Workloads"): the user's workloads as
 * the inspect stage read them before the first change, compared with the read at the end — the inventory stage's,
 * or the failure's look at the cluster. Both reads are the inventory's own `kubectl get`: no command of its own.
 * A fresh install has no record (nothing of the user's ran before); a side that could not be read is "not read".
 */
import * as core from '@actions/core'
import type { Report } from '../report/model.js'
import type { Inventory } from '../cluster/inventory.js'
import { readWorkloads, userNamespaceRule } from '../cluster/workloads.js'
import { compareWorkloads, workloadFindings, type Side } from '../cluster/workload-changes.js'
import type { Inspected } from './workflow.js'

/** The end of the run: the inventory read then, or why the cluster could not be read. */
export type EndRead = { inventory: Inventory; items: any[] } | { reason: string }

function side(inventory: Inventory, items: any[], isUser: (ns: string) => boolean): Side {
  if (inventory.unreadable !== undefined) return { reason: inventory.unreadable }
  if (!inventory.snap) return { reason: 'microk8s is not installed' }
  return { snapshot: readWorkloads(items, isUser), takenAt: inventory.takenAt }
}

/**
 * Records `report.workloads` and says in the log what a reader must look at. Never throws: an answer this code
 * cannot read is recorded as not compared, with why, and the rest of the report is still written.
 */
export function recordWorkloads(report: Report, inspected: Inspected | undefined, end: EndRead): void {
  if (!inspected?.installed) return
  try {
    compareAndLog(report, inspected, end)
  } catch (error) {
    const reason = `the answers could not be compared (${(error as Error).message})`
    report.workloads = compareWorkloads({ reason }, { reason })
    core.warning(`Workloads not compared: ${reason}`, { title: 'workloads' })
  }
}

function compareAndLog(report: Report, inspected: Inspected, end: EndRead): void {
  const enabled = [...inspected.inventory.addons, ...('inventory' in end ? end.inventory.addons : [])]
    .filter((a) => a.enabled)
    .map((a) => a.name)
  const isUser = userNamespaceRule(enabled)
  const before = side(inspected.inventory, inspected.items, isUser)
  const after = 'inventory' in end ? side(end.inventory, end.items, isUser) : end
  const record = compareWorkloads(before, after)
  report.workloads = record
  if (!record.compared) {
    const why = 'reason' in before ? `before: ${before.reason}` : 'reason' in after ? `at the end: ${after.reason}` : ''
    core.info(`Workloads not compared (${why})`)
    return
  }
  const restarts = record.workloads.reduce((n, w) => n + (w.restarts ?? 0), 0)
  core.info(
    `Workloads in the user's namespaces: ${record.workloads.length}, ${restarts} container restart${restarts === 1 ? '' : 's'} during the run`
  )
  for (const finding of workloadFindings(record)) core.warning(finding, { title: 'workloads' })
}
