/**
 * The deprecated APIs that clients of the API server really requested: `microk8s kubectl get --raw /metrics`,
 * its `apiserver_requested_deprecated_apis` gauge parsed by preflight/requested-apis.ts, recorded in
 * `report.requestedApis` (docs/kubernetes-upgrades.md §4). The gauge lives in the API server's process and every
 * hop restarts kubelite, so it is read where it would otherwise be lost:
 * - stage `pre-flight: requested APIs`, before anything changes and before the removed-API pre-flight's own
 *   reads, so the first read holds only what others asked for;
 * - before each hop's refresh (`beforeRefresh`, called by stages/hops.ts): what was asked since the last restart;
 * - stage `requested APIs after the run`: what the target's API server was asked since it last started.
 * A read that fails, or whose answer is not metrics text, is recorded as not read, never as nothing requested.
 * It reports and annotates; it never stops the run (the gauge names no client to migrate).
 */
import * as core from '@actions/core'
import type { MicroK8s } from '../cluster/microk8s.js'
import { runStep } from '../report/steps.js'
import { runElapsedMs, type Report } from '../report/model.js'
import {
  parseRequestedDeprecatedApis,
  describeRequested,
  standing,
  type RequestedApisRead
} from '../preflight/requested-apis.js'
import type { Hop } from '../upgrade/plan.js'
import type { Planned, Stage } from './workflow.js'

const BEFORE_THE_RUN = 'before the run'
const firstLine = (text: string) => text.trim().split('\n')[0]?.slice(0, 300) ?? ''

/** One read of the gauge from the API server `microk8s kubectl` reaches (`minor`: its Kubernetes minor). */
export async function readRequestedApis(
  microk8s: MicroK8s,
  report: Report,
  at: string,
  minor?: number
): Promise<RequestedApisRead> {
  const base = { at, atMs: runElapsedMs(report), ...(minor !== undefined ? { minor } : {}) }
  const notRead = (detail: string): RequestedApisRead => ({ ...base, status: 'not read', detail, requested: [] })
  let result
  try {
    result = await microk8s.getRaw('/metrics')
  } catch (error) {
    return notRead(firstLine((error as Error).message))
  }
  if (result.code !== 0)
    return notRead(`exit ${result.code}${firstLine(result.stderr) ? `: ${firstLine(result.stderr)}` : ''}`)
  const parsed = parseRequestedDeprecatedApis(result.stdout)
  if (!parsed.ok) return notRead(parsed.reason)
  return {
    ...base,
    status: 'read',
    ...(parsed.skipped ? { detail: `${parsed.skipped} line(s) of the gauge could not be read` } : {}),
    ...(parsed.processStartedAt ? { since: parsed.processStartedAt } : {}),
    requested: parsed.requested
  }
}

/** Reads, records, and says what is new: a warning for an API the hops remove, a log line for the rest. */
async function record(state: Planned, at: string, minor?: number): Promise<RequestedApisRead> {
  const { report, tools, plan } = state
  const read = await readRequestedApis(tools.microk8s, report, at, minor)
  const requested = (report.requestedApis ??= { reads: [] })
  const seen = new Set(requested.reads.flatMap((r) => r.requested.map(describeRequested)))
  requested.reads.push(read)
  if (read.status === 'not read') {
    core.info(`Deprecated APIs requested (${at}): not read: ${read.detail}`)
    return read
  }
  core.info(
    `Deprecated APIs requested (${at}): ` +
      (read.requested.length ? read.requested.map(describeRequested).join(', ') : 'none')
  )
  for (const api of read.requested.filter((a) => !seen.has(describeRequested(a)))) {
    if (standing(api, plan.core.targetMinor) !== 'removed by the hops') continue
    core.warning(
      `${describeRequested(api)} was requested from the API server (apiserver_requested_deprecated_apis, read ${at}); ` +
        `Kubernetes 1.${api.removedIn} no longer serves it, so whatever sends it fails from that hop on` +
        `${api.replacement ? `; use ${api.replacement}` : ''}`,
      { title: 'Removed API requested' }
    )
  }
  return read
}

const described = (read: RequestedApisRead) =>
  read.status === 'read' ? `${read.requested.length} deprecated API(s) requested` : `not read: ${read.detail}`

/** A stage that reads the gauge as one step of the report. */
function readingStage(
  name: string,
  at: string,
  minor: (state: Planned) => number | undefined,
  runIf: (state: Planned) => boolean
): Stage {
  return {
    name,
    runIf: (state) => state.inputs.removedApis !== 'off' && runIf(state),
    async run(state) {
      await runStep(state.report, name, () => record(state, at, minor(state)), described)
    }
  }
}

/** Before anything changes, when a cluster runs. */
export const requestedApisBefore = readingStage(
  'pre-flight: requested APIs',
  BEFORE_THE_RUN,
  (state) => state.plan.core.fromMinor,
  (state) => Boolean(state.inspected.status?.running)
)

/**
 * Before a hop's refresh restarts the API server (`minor`: the one it runs now); not for a fresh install, nor
 * for the first refresh when the read before the run succeeded: the same API server has not restarted since, and
 * in between ran only the action's own pre-flight (a second read would hold the same gauge).
 */
export async function beforeRefresh(state: Planned, hop: Hop, minor: number | undefined): Promise<void> {
  if (state.inputs.removedApis === 'off' || hop.kind !== 'refresh') return
  const last = state.report.requestedApis?.reads.at(-1)
  if (state.report.hops.length === 0 && last?.at === BEFORE_THE_RUN && last.status === 'read') return
  await record(state, `before ${hop.channelText}`, minor)
}

/** The last stage: what the target's API server was asked since it last started. */
export const requestedApisAfter = readingStage(
  'requested APIs after the run',
  'after the run',
  (state) => state.plan.core.targetMinor,
  () => true
)
