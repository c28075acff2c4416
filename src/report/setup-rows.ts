/**
 * What the action set up around MicroK8s, as plain text rows for the job summary (report.ts escapes them).
 * Pure.
 */
import type { SetupRecord } from './model.js'

export function setupRows(setup: SetupRecord | undefined): Array<[string, string]> {
  if (!setup) return []
  const rows: Array<[string, string]> = []
  const launch = setup.launchConfiguration
  if (launch) {
    const what = [
      launch.enables.length ? `enables ${launch.enables.join(', ')}` : '',
      launch.disables.length ? `disables ${launch.disables.join(', ')}` : ''
    ].filter(Boolean)
    rows.push([
      'launch configuration',
      `${launch.file}${launch.placedAt ? ` → ${launch.placedAt}` : ' (the one the cluster was installed with)'}${what.length ? `; ${what.join('; ')}` : ''}`
    ])
  }
  for (const a of setup.sideloadedImages ?? []) rows.push(['sideloaded images', `${a.archive}: ${a.images.join(', ')}`])
  const mirror = setup.registryMirror
  if (mirror) {
    const after = mirror.rewrittenAfter.length ? `; written again after ${mirror.rewrittenAfter.join(', ')}` : ''
    rows.push([
      'registry mirror',
      `docker.io → ${mirror.mirror}${mirror.written ? '' : ' (already configured)'}${after}`
    ])
  }
  const net = setup.runnerNetwork
  if (net && net.outcome !== 'unchanged' && net.outcome !== 'no-iptables')
    rows.push(['runner network', [net.detail, ...net.added.map((r) => `iptables ${r}`)].join('; ')])
  return rows
}
