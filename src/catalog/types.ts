/**
 * The shape of the addon catalog: what the action knows about one addon at one addon release (the Kubernetes
 * minor of the snap's addon repository, `1.30`, or `main` for the `latest` tracks).
 */

/** An addon release: `1.28` … `1.36`, or `main` (the newest). */
export type Release = string

/** Seed ranks: CNI, then DNS, then ingress, then storage, then the rest; unknown addons come last. */
export const RANKS = ['cni', 'dns', 'ingress', 'storage', 'other', 'unknown'] as const
export type Rank = (typeof RANKS)[number]

/**
 * - `cycle`: disabled with the old scripts and enabled with the new ones.
 * - `never`: cycling would lose data or reset the cluster; it keeps running what it runs.
 * - `no-op`: nothing to upgrade by cycling (a bundled binary, API server flags, host configuration).
 * - `opt-in`: cycling loses what cannot be put back (nvidia: its options, and from 1.33 its CRDs' objects); it is
 *   kept unless the user names it in `cycle-also`.
 * - `unknown`: not in the catalog (community addons): its disable may delete data, so it is kept unless the
 *   user names it in `cycle-also`.
 */
export type CyclePolicy = 'cycle' | 'never' | 'no-op' | 'opt-in' | 'unknown'

export interface Workload {
  namespace: string
  kind: 'deployment' | 'daemonset' | 'statefulset'
  name: string
}

/**
 * How an addon is deployed at a release, which decides how to wait for it: plain manifests (wait for the
 * workloads), or a Helm release (wait until its release record says `deployed`, then for the workloads).
 */
export type Deployment = { kind: 'manifests' } | { kind: 'helm'; namespace: string; release: string }

export interface AddonSpec {
  name: string
  /** The addon release this row describes. */
  release: Release
  /** False when the release has no such addon (dashboard on 1.36): enabling it is refused before any change. */
  available: boolean
  rank: Rank
  /** Addons its enable script enables first (and that must run before it). */
  needs: string[]
  policy: CyclePolicy
  /** Why it is not cycled, for the report. */
  reason?: string
  /** Another addon this one is an alias of (`storage` → hostpath-storage): cycled once, under the real name. */
  aliasOf?: string
  /** Answer to the disable script's prompt (never yes). */
  disableInput?: string
  /**
   * The disable script's expected non-zero exit after a data-keeping answer: hostpath-storage exits 1 after
   * `Storage removed.` when told not to delete the volumes.
   */
  disableKeepsDataExit?: { code: number; marker: string }
  deployment: Deployment
  /** Workloads that prove it ready after enable, and whose images are its running version. */
  workloads: Workload[]
  /** Namespaces its enable deploys into that no workload, Helm release or disable here names (observability). */
  namespaces?: string[]
  /**
   * What its disable script deletes that a user may have edited or added (namespaces, ConfigMaps, CRDs), as
   * `kind namespace/name` or `kind name`: data for capturing it before the disable.
   */
  disableDeletes: string[]
  /** The argument grammar of its enable at this release (see arguments.ts), when it takes arguments. */
  arguments?: ArgumentGrammar
  /** What its enable script downloads from the internet besides images (a Helm chart repository, manifests). */
  downloads?: Download[]
}

/**
 * Something an enable script downloads. Its address is read from the script the installed snap ships
 * (`addons/NAME/enable`), never written here: `find` is a regular expression whose first group is the address
 * as the script writes it (`${VAR}` taken from the script's own `VAR="…"` lines).
 */
export interface Download {
  what: string
  find: string
}

/** Which argument language an addon's enable speaks at a release. */
export type ArgumentGrammar =
  | 'dns' // upstreams, DNS IP
  | 'dns-domain' // upstreams, DNS IP, cluster domain (1.33+)
  | 'ingress-nginx' // `ingress:default-ssl-certificate=NS/NAME`
  | 'ingress-traefik' // `ingress --default-ssl-certificate NS/NAME`
  | 'hostpath-storage' // `--reclaim-policy`, 1.29+ `--default-class`
  | 'hostpath-storage-1.28' // `--reclaim-policy` only
  | 'metallb' // IPv4 or IPv6 ranges or CIDRs (1.31+)
  | 'metallb-ipv4' // IPv4 ranges or CIDRs (1.28–1.30)
  | 'none'

/** Part of a row that holds for a range of releases (inclusive minors; `main` counts as the newest). */
export interface Form extends Partial<Omit<AddonSpec, 'name' | 'release'>> {
  from?: number
  to?: number
}

/** One catalog entry: what holds on every release, and what changes per release range. */
export interface CatalogEntry extends Omit<AddonSpec, 'release' | 'available' | 'disableDeletes'> {
  disableDeletes?: string[]
  forms?: Form[]
}
