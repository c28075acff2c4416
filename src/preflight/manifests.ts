/**
 * The repository's manifests (the `manifests` input) checked against the removed-API table without a
 * cluster: every object of every YAML document in the files the patterns name, with the line of its
 * `apiVersion`, so a finding can be annotated on the pull request's diff. Files that are not plain YAML (Helm
 * templates, other Go templates, parse errors) are skipped with the reason.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { LineCounter, isMap, isSeq, parseAllDocuments, type Node } from 'yaml'
import { expandPatterns } from '../base/glob.js'
import { REMOVED_APIS, type Finding, type RemovedApi } from './removed-apis.js'

export interface ManifestScanSummary {
  patterns: string[]
  files: number
  objects: number
  /** Files not read as plain YAML (Helm templates, parse errors), with the reason. */
  skipped: Array<{ file: string; reason: string }>
}

export interface ManifestObject {
  /** Path relative to the workspace, `/`-separated. */
  file: string
  /** 1-based line of the object's `apiVersion`. */
  line: number
  apiVersion: string
  kind: string
  name: string
  namespace?: string
}

/** How many minors after the target are checked too: what the next upgrades will remove. */
export const LOOK_AHEAD_MINORS = 2

/** The removals that matter for manifests applied at the target: removed by it or before, or within two minors after. */
export function manifestRemovals(targetMinor: number): RemovedApi[] {
  return REMOVED_APIS.filter((r) => r.removedIn <= targetMinor + LOOK_AHEAD_MINORS)
}

/**
 * The objects of one file's text, or why it is skipped. Parsed first: plain YAML may hold `{{ … }}` in its
 * strings (Prometheus alert templates), and a removed API beside them must still be found. Only a file that
 * does not parse is skipped; one holding `{{` is then named as a Go template (Helm and others), whose YAML only
 * exists after rendering.
 */
export function readManifestObjects(text: string, file: string): { objects: ManifestObject[] } | { skipped: string } {
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false })
  if (!Array.isArray(docs)) return { objects: [] }
  const objects: ManifestObject[] = []
  for (const doc of docs) {
    const error = doc.errors[0]
    if (error) {
      if (text.includes('{{'))
        return { skipped: 'a template ({{ … }}), not plain YAML: render it (helm template) and scan the output' }
      const line = error.linePos?.[0].line
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
      return { skipped: `not plain YAML: ${message}${line ? ` (line ${line})` : ''}` }
    }
    collect(doc.contents, file, lineCounter, objects)
  }
  return { objects }
}

/** An object (a map with apiVersion and kind), or the items of a `kind: List`. */
function collect(node: Node | null, file: string, lineCounter: LineCounter, out: ManifestObject[]): void {
  if (!isMap(node)) return
  const apiVersionNode = node.get('apiVersion', true) as Node | undefined
  const apiVersion = node.get('apiVersion')
  const kind = node.get('kind')
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return
  if (kind.endsWith('List')) {
    const items = node.get('items', true)
    if (isSeq(items)) for (const item of items.items) collect(item as Node, file, lineCounter, out)
    return
  }
  const metadata = node.get('metadata')
  const meta = isMap(metadata) ? (metadata.toJSON() as Record<string, unknown>) : {}
  const offset = apiVersionNode?.range?.[0] ?? node.range?.[0] ?? 0
  out.push({
    file,
    line: lineCounter.linePos(offset).line,
    apiVersion,
    kind,
    name: typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? meta.generateName : '',
    ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {})
  })
}

/** Findings for manifest objects: the finding's evidence is `file:line`. */
export function findInManifests(objects: ManifestObject[], removals: RemovedApi[]): Finding[] {
  const findings: Finding[] = []
  for (const o of objects) {
    const r = removals.find((x) => x.apiVersion === o.apiVersion && x.kind === o.kind)
    if (!r) continue
    findings.push({
      removedIn: r.removedIn,
      apiVersion: o.apiVersion,
      kind: o.kind,
      ...(o.namespace ? { namespace: o.namespace } : {}),
      name: o.name,
      replacement: r.replacement,
      evidence: `${o.file}:${o.line}`,
      source: r.source,
      file: o.file,
      line: o.line
    })
  }
  return findings
}

/** A chart's template directory: `<chart>/templates/…` beside a Chart.yaml. */
async function inChartTemplates(absolute: string): Promise<boolean> {
  const parts = absolute.split(path.sep)
  const at = parts.lastIndexOf('templates')
  if (at < 1) return false
  const chartFile = path.join(parts.slice(0, at).join(path.sep) || path.sep, 'Chart.yaml')
  return fs
    .stat(chartFile)
    .then((s) => s.isFile())
    .catch(() => false)
}

/** Reads every YAML file the patterns name (relative to the workspace) and returns its objects. */
export async function scanManifests(
  patterns: string[],
  workspace: string
): Promise<{ objects: ManifestObject[]; summary: ManifestScanSummary }> {
  const files = await expandPatterns(patterns, { cwd: workspace, directoryFiles: /\.ya?ml$/i })
  const summary: ManifestScanSummary = { patterns, files: 0, objects: 0, skipped: [] }
  const objects: ManifestObject[] = []
  for (const absolute of files) {
    const file = path.relative(workspace, absolute).split(path.sep).join('/')
    if (await inChartTemplates(absolute)) {
      summary.skipped.push({ file, reason: 'a Helm chart template: render it (helm template) and scan the output' })
      continue
    }
    let text: string
    try {
      text = await fs.readFile(absolute, 'utf8')
    } catch (error) {
      summary.skipped.push({ file, reason: `cannot be read: ${(error as Error).message}` })
      continue
    }
    const read = readManifestObjects(text, file)
    if ('skipped' in read) {
      summary.skipped.push({ file, reason: read.skipped })
      continue
    }
    summary.files++
    objects.push(...read.objects)
  }
  summary.objects = objects.length
  return { objects, summary }
}
