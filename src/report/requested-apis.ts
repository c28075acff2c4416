/**
 * The deprecated APIs clients requested at run time (report.requestedApis, docs/kubernetes-upgrades.md §4) as
 * the job summary's section beside the removed-API findings: those come from what stored objects and manifests
 * were written with, these from what the API server was really asked for (`apiserver_requested_deprecated_apis`).
 * One row per API over every read, with the release that removes it and the reads that saw it; reads that failed
 * are named as not read. A section of its own, included by summary.ts with one call; everything is escaped.
 */
import { esc } from './escape.js'
import type { Report } from './model.js'
import { byRemoval, describeRequested, standing, type RequestedApi } from '../preflight/requested-apis.js'

const code = (v: unknown) => `<code>${esc(v)}</code>`
const TITLE = '**Deprecated APIs requested at run time**'
const NOTE =
  '<sub>what clients really asked the API server for since it last started (its ' +
  '<code>apiserver_requested_deprecated_apis</code> gauge, emptied by each restart), read before the run, before ' +
  'each refresh and after the run; it names no client. The removed APIs above are what objects and manifests ' +
  'were written with.</sub>'

function removedCell(a: RequestedApi, targetMinor: number | undefined): string {
  if (!a.removedRelease) return '<sub>no removal set</sub>'
  const where = standing(a, targetMinor)
  return (
    esc(a.removedRelease) +
    (where === 'removed by the hops'
      ? ' ⚠️ <sub>not served by the target: what sends it fails</sub>'
      : ' <sub>after the target: migrate before your next upgrade</sub>')
  )
}

/** The summary's section (a Section of summary.ts by shape), or undefined when nothing was read. */
export function requestedApisSection(
  r: Report
): { name: string; head: string; rows: string[]; foot: string; droppable: number } | undefined {
  const reads = r.requestedApis?.reads ?? []
  if (!reads.length) return undefined
  const targetMinor = r.plan?.targetMinor ?? r.target.minor
  const apis = new Map<string, { api: RequestedApi; at: string[] }>()
  for (const read of reads) {
    for (const api of read.requested) {
      const key = `${describeRequested(api)}|${api.removedRelease ?? ''}`
      const entry = apis.get(key) ?? { api, at: [] }
      entry.at.push(read.at)
      apis.set(key, entry)
    }
  }
  const read = reads.filter((x) => x.status === 'read')
  const unread = reads.filter((x) => x.status === 'not read')
  const notRead = unread.length
    ? `Not read: ${unread.map((x) => `${esc(x.at)} (${esc(x.detail ?? '')})`).join('; ')}.\n\n`
    : ''
  const name = 'requested APIs'
  if (!read.length) return { name, head: `${TITLE}: not read.\n\n${notRead}`, rows: [], foot: '', droppable: 1 }
  if (!apis.size) {
    return {
      name,
      head: `${TITLE}: none in ${read.length} read${read.length === 1 ? '' : 's'} (${read.map((x) => esc(x.at)).join(', ')}).\n\n${notRead}`,
      rows: [],
      foot: '',
      droppable: 1
    }
  }
  const rows = [...apis.values()]
    .sort((a, b) => byRemoval(a.api, b.api))
    .map(({ api, at }) => {
      const cells = [
        `${code(api.apiVersion)} ${esc(api.resource)}${api.subresource ? `/${esc(api.subresource)}` : ''}`,
        removedCell(api, targetMinor),
        esc(at.join(', ')),
        api.replacement ? code(api.replacement) : ''
      ]
      return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`
    })
  return {
    name,
    head:
      `${TITLE} ${NOTE}\n\n<table>\n` +
      '<tr><th>API</th><th>removed in</th><th>requested, seen at</th><th>use instead</th></tr>\n',
    rows,
    foot: `</table>\n\n${notRead}`,
    droppable: 1
  }
}
