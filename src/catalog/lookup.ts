/**
 * Looking the catalog up: one addon at one addon release, with the release-range forms applied.
 */
import { ENTRIES } from './entries.js'
import type { AddonSpec, CatalogEntry, Release, Workload } from './types.js'

/** The minor `main` stands for when comparing releases: newer than every numbered branch. */
export const MAIN_MINOR = 36

/** `1.30` → 30, `main` → the newest; undefined for anything else. */
export function releaseMinor(release: Release): number | undefined {
  if (release === 'main') return MAIN_MINOR
  const m = /^1\.(\d+)$/.exec(release)
  return m ? Number(m[1]) : undefined
}

/**
 * The addon release a snap channel ships: `latest` tracks are built from `main`, numbered tracks from their
 * branch (canonical/microk8s build-scripts/addons/repositories.sh).
 */
export function releaseOf(track: string | undefined, minor: number | undefined): Release {
  if (track === 'latest' || minor === undefined) return 'main'
  return `1.${minor}`
}

/** The addon branch a Kubernetes minor's snap ships (undefined: a `latest` build, which bundles `main`). */
export function addonBranch(minor: number | undefined): Release {
  return releaseOf(undefined, minor)
}

const BY_NAME = new Map(ENTRIES.map((e) => [e.name, e]))

function resolve(entry: CatalogEntry, release: Release): AddonSpec {
  const minor = releaseMinor(release) ?? MAIN_MINOR
  const { forms, ...base } = entry
  const spec: AddonSpec = { ...base, release, available: true, disableDeletes: base.disableDeletes ?? [] }
  for (const { from, to, ...form } of forms ?? []) {
    if ((from === undefined || minor >= from) && (to === undefined || minor <= to)) Object.assign(spec, form)
  }
  return spec
}

/**
 * The catalog row for an addon at a release, or a row with policy `unknown` for addons the catalog does not
 * know (community addons): those are never cycled unless the user asks.
 */
export function addonSpec(name: string, release: Release): AddonSpec {
  const entry = BY_NAME.get(name)
  if (entry) return resolve(entry, release)
  return {
    name,
    release,
    available: true,
    rank: 'unknown',
    needs: [],
    policy: 'unknown',
    reason: 'unknown to the catalog: its disable may delete data (name it in cycle-also to cycle it anyway)',
    deployment: { kind: 'manifests' },
    workloads: [],
    disableDeletes: []
  }
}

export function isKnownAddon(name: string): boolean {
  return BY_NAME.has(name)
}

/** Every core addon the catalog knows, with its row at a release (unavailable ones included). */
export function catalogAt(release: Release): AddonSpec[] {
  return ENTRIES.map((e) => resolve(e, release))
}

/** An addon's workloads at any release: its running workloads are those of whichever form deployed it. */
export function workloadsAtAnyRelease(name: string): Workload[] {
  const entry = BY_NAME.get(name)
  if (!entry) return []
  const all = [entry.workloads, ...(entry.forms ?? []).map((f) => f.workloads ?? [])].flat()
  return all.filter((w, i) => all.findIndex((x) => x.namespace === w.namespace && x.name === w.name) === i)
}

/**
 * Every namespace an addon of the catalog deploys into, at any release: its workloads', its Helm release's, the
 * namespaces its disable deletes (`Namespace X`, `Helm release X/…`) and the ones its enable creates
 * (`namespaces`). What is not among them, nor Kubernetes' own, is the user's (cluster/workloads.ts).
 */
export function addonNamespaces(): string[] {
  const found = new Set<string>()
  for (const entry of ENTRIES) {
    for (const part of [entry, ...(entry.forms ?? [])]) {
      for (const w of part.workloads ?? []) found.add(w.namespace)
      if (part.deployment?.kind === 'helm') found.add(part.deployment.namespace)
      for (const d of part.disableDeletes ?? []) {
        const m = /^Namespace (\S+)$/.exec(d) ?? /^Helm release ([^/\s]+)\//.exec(d)
        if (m) found.add(m[1])
      }
      for (const n of part.namespaces ?? []) found.add(n)
    }
  }
  return [...found].sort()
}
