/**
 * Stage `start probes`: the disruption sampler (probes/) starts at the first change, right after the dry-run
 * stage, and `stopProbes` (called by run.ts whatever happened) stops it and records `report.disruption`, each
 * outage attributed to the report's steps and addon cycles. `maxDisruption` fails the job, once the report is
 * written, when a target's longest outage exceeds max-disruption (docs/disruption.md).
 */
import * as core from '@actions/core'
import type { Report } from '../report/model.js'
import { overLimit, type RunWindow } from '../probes/outages.js'
import type { Sampler } from '../probes/sampler.js'
import type { Stage } from './workflow.js'

export const startProbes: Stage = {
  name: 'start probes',
  async run({ tools, inputs }) {
    if (!tools.sampler) return
    tools.sampler.start()
    const more = inputs.probes.length ? ` and ${inputs.probes.map((p) => p.label).join(', ')}` : ''
    core.info(`Sampling the API server${more} every ${inputs.probeIntervalMs} ms until the end of the run`)
  }
}

/** What an outage can be attributed to: the report's steps, and each addon's own cycle inside the addon-cycle step. */
export function runWindows(report: Report): RunWindow[] {
  const windows: RunWindow[] = []
  for (const s of report.steps)
    if (s.atMs !== undefined) windows.push({ name: s.name, atMs: s.atMs, durationMs: s.durationMs })
  for (const a of report.addons) {
    if (a.atMs === undefined || a.durationMs === undefined) continue
    const name = a.status === 'enabled' ? `enable ${a.name}` : `${a.name} cycle`
    windows.push({ name, atMs: a.atMs, durationMs: a.durationMs })
  }
  return windows
}

/** Stops the sampler (when it ran) and records what it measured. */
export async function stopProbes(report: Report, sampler: Sampler | undefined, limitMs?: number): Promise<void> {
  if (!sampler?.running) return
  const targets = await sampler.stop(runWindows(report))
  report.disruption = {
    intervalMs: sampler.intervalMs,
    ...sampler.span(),
    ...(limitMs !== undefined ? { limitMs } : {}),
    targets
  }
}

/** After the report is written: the job fails when the upgrade completed but a target was out longer than allowed. */
export function maxDisruption(report: Report): void {
  if (report.status !== 'success' || !report.disruption) return
  const over = overLimit(report.disruption)
  if (!over.length) return
  const limit = `${(report.disruption.limitMs! / 1000).toFixed(1)} s`
  const what = over
    .map((t) =>
      t.answered ? `${t.label}: out ${(t.longestOutageMs / 1000).toFixed(1)} s` : `${t.label}: never answered`
    )
    .join('; ')
  core.error(`the upgrade completed, but ${what} (max-disruption ${limit})`, { title: 'max-disruption' })
  process.exitCode = core.ExitCode.Failure
}
