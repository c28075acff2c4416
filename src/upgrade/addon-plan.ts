/**
 * The addon plan: a pure function of what is enabled, what was asked and the catalog of both releases. Which
 * addons are cycled, in which order, with which arguments; which are kept and why; which are enabled after.
 */
import { InputError } from '../base/errors.js'
import { type CyclePolicy, type Release, addonOrder, addonSpec, checkArguments } from '../catalog/index.js'
import type { AddonRequest, CycleMode } from '../inputs/action.js'
import type { RecoveredArgs } from '../addons/state-specs.js'

export interface CycleStep {
  name: string
  /** The `name:args` argument, when there is one. */
  args?: string
  /** What it ran with before, when the addons input asks for other arguments: the recovery's fallback. */
  previous?: { args?: string }
  argsSource: 'input' | 'recovered' | 'none'
  /** Said in the report (e.g. how the args were found, or that none could be). */
  note?: string
  /** Why it is cycled ("its addon directory changed between 1.30 and 1.31", "cycle-addons is always"). */
  why?: string
  /** Cycled whatever the comparison says: the addons input asks for other arguments than it runs with. */
  reconfigure?: boolean
}

export interface AddonPlan {
  fromRelease: Release
  toRelease: Release
  /** Whether addons are cycled at all, and why. */
  cycling: boolean
  why: string
  /**
   * `auto`: `cycle` holds the candidates until the addon repositories are compared after the last hop
   * (`narrowToChanged`); false once decided.
   */
  pendingComparison: boolean
  /** Enable order; disabling runs in reverse. */
  cycle: CycleStep[]
  /** Enabled addons left as they are, with the reason. */
  kept: Array<{
    name: string
    policy: CyclePolicy | 'user' | 'no-args' | 'args-not-accepted' | 'not-in-target' | 'unchanged' | 'not-captured'
    reason: string
  }>
  /** Addons from the `addons` input that were not enabled, in dependency order. */
  enableAfter: CycleStep[]
  /** Unknown (e.g. community) addons were cycled in the order status lists them. */
  unknownOrder: string[]
}

export interface AddonPlanInput {
  /** Enabled addon names, as `microk8s status` lists them. */
  enabled: string[]
  requested: AddonRequest[]
  mode: CycleMode
  neverCycle: string[]
  /** Arguments read back from the cluster for addons that take them (dns upstreams, metallb ranges, …). */
  recovered: Map<string, RecoveredArgs>
  /** Addons whose disable would delete what could not be captured or put back, with why: kept. */
  uncapturable?: Record<string, string>
  /** Addons unknown to the catalog that the user asks to cycle anyway (`cycle-also`). */
  cycleAlso?: string[]
  /** The addon release whose scripts disable (the active repository's) and whose scripts enable (the target's). */
  fromRelease: Release
  toRelease: Release
}

/** Arguments compared as sets of comma-separated items (`1.1.1.1,8.8.8.8` = `8.8.8.8,1.1.1.1`). */
function sameArgs(a: string | undefined, b: string | undefined): boolean {
  const norm = (s?: string) => (s ?? '').split(',').filter(Boolean).sort().join(',')
  return norm(a) === norm(b)
}

/**
 * An argument read back from the cluster must be one the target release's enable takes (the recovered value is
 * in the action's own language, which the catalog writes per release, e.g. the ingress default certificate
 * across the nginx → Traefik change, or MetalLB's IPv6 ranges, taken from 1.31). When it is not, the addon is
 * kept as it runs rather than cycled into losing it; the reason says what the target would take instead.
 */
function recoveredNotAccepted(step: CycleStep, release: Release): string | undefined {
  const check = checkArguments(addonSpec(step.name, release), step.args!)
  if (check.ok) return undefined
  return (
    `it runs with ${step.args} (${step.note ?? 'read from the cluster'}), which the ${release} ${step.name} addon ` +
    `cannot take (${check.problem}): it keeps running as it is. To cycle it, list it in the addons input with ` +
    `arguments it accepts (${check.accepted})`
  )
}

/** The addons input's arguments with the carried items it does not set (`1.1.1.1` + `ip=X` → `1.1.1.1,ip=X`). */
function withCarried(args: string, carry: string | undefined): string {
  if (!carry) return args
  const keys = new Set(args.split(',').map((i) => (i.includes('=') ? i.slice(0, i.indexOf('=')) : '')))
  const extra = carry.split(',').filter((i) => i.includes('=') && !keys.has(i.slice(0, i.indexOf('='))))
  return [args, ...extra].join(',')
}

/** Addons whose enable prompts on stdin without arguments: never enabled without them. */
const NEEDS_ARGS = new Set(['metallb'])

export function planAddons(input: AddonPlanInput): AddonPlan {
  const requested = new Map(input.requested.map((r) => [r.name, r]))
  const specOf = (name: string) => addonSpec(name, input.toRelease)
  const cycleAlso = new Set(input.cycleAlso ?? [])
  const enabledSet = new Set(input.enabled)
  const cycling = input.mode !== 'never'
  const span = `${input.fromRelease} and ${input.toRelease}`
  const why =
    input.mode === 'never'
      ? "cycle-addons is 'never'"
      : input.mode === 'always'
        ? "cycle-addons is 'always'"
        : `cycle-addons is 'auto': the addons whose directory differs between ${span} (compared after the last hop), and those that depend on them`

  // An enabled addon listed with other arguments than it runs with is reconfigured (cycled with them), whatever
  // cycle-addons says: `addons` states what must hold when the action ends. Only where the running arguments
  // could be read back.
  const argsDiffer = (name: string) => {
    const want = requested.get(name)?.args
    const rec = input.recovered.get(name)
    return want !== undefined && rec !== undefined && sameArgs(withCarried(want, rec.carry), rec.args) === false
  }
  // cycle-also names an opt-in addon under its own name or its alias's (`gpu` for nvidia and the other way).
  const namedInCycleAlso = (name: string) =>
    [...cycleAlso].some((c) => c === name || c === specOf(name).aliasOf || specOf(c).aliasOf === name)
  const kept: AddonPlan['kept'] = []
  const toCycle: string[] = []
  for (const name of input.enabled) {
    const spec = specOf(name)
    if (spec.aliasOf) {
      // `storage` reads enabled whenever hostpath-storage is: cycle the real addon once.
      if (enabledSet.has(spec.aliasOf)) continue
    }
    if (!spec.available) {
      kept.push({
        name,
        policy: 'not-in-target',
        reason: `the ${input.toRelease} addon repository has no ${name} addon: it keeps running as it is (disable it yourself when it is no longer wanted)`
      })
    } else if (input.neverCycle.includes(name)) {
      kept.push({ name, policy: 'user', reason: 'listed in never-cycle' })
    } else if (input.uncapturable?.[name] && (cycling || argsDiffer(name))) {
      kept.push({ name, policy: 'not-captured', reason: input.uncapturable[name] })
    } else if (spec.policy === 'unknown' && cycleAlso.has(name)) {
      if (cycling || argsDiffer(name)) toCycle.push(name)
    } else if (spec.policy === 'opt-in' && namedInCycleAlso(name)) {
      if (cycling || argsDiffer(name)) toCycle.push(name)
    } else if (spec.policy === 'opt-in') {
      // What cycling loses is the disabling release's doing (nvidia's CRDs go from 1.33's disable).
      const disabling = addonSpec(name, input.fromRelease)
      kept.push({
        name,
        policy: spec.policy,
        reason: (disabling.policy === 'opt-in' && disabling.reason) || spec.reason || ''
      })
    } else if (spec.policy !== 'cycle') {
      kept.push({ name, policy: spec.policy, reason: spec.reason ?? '' })
    } else if (cycling || argsDiffer(name)) {
      toCycle.push(name)
    }
  }

  const always = input.mode === 'always' ? { why: "cycle-addons is 'always'" } : {}
  const stepFor = (name: string): CycleStep | undefined => {
    const req = requested.get(name)
    if (req?.args !== undefined) {
      const reconfigure = argsDiffer(name)
      const rec = input.recovered.get(name)
      const args = withCarried(req.args, rec?.carry)
      const note =
        (reconfigure
          ? 'reconfigured: the addons input asks for other arguments than it ran with'
          : 'arguments from the addons input') +
        (args !== req.args ? `; ${args.slice(req.args.length + 1)} kept as it runs (${rec!.note})` : '')
      // A plain enable (no arguments) is what ran before too when nothing was read back.
      const previous = rec ? (rec.args !== undefined ? { args: rec.args } : {}) : undefined
      return {
        name,
        args,
        argsSource: 'input',
        note,
        ...(previous ? { previous } : {}),
        ...(reconfigure ? { reconfigure, why: note } : {}),
        ...always
      }
    }
    const rec = input.recovered.get(name)
    const optIn =
      specOf(name).policy === 'opt-in'
        ? 'named in cycle-also: enabled again with the defaults (its options were not read back)'
        : undefined
    if (rec?.args) return { name, args: rec.args, argsSource: 'recovered', note: rec.note, ...always }
    if (NEEDS_ARGS.has(name)) return undefined
    const note = [rec?.note, optIn].filter(Boolean).join('; ') || undefined
    return { name, argsSource: 'none', ...(note ? { note } : {}), ...always }
  }

  const cycle: CycleStep[] = []
  for (const name of addonOrder(toCycle, specOf)) {
    const step = stepFor(name)
    const keep = input.recovered.get(name)?.keep
    const notAccepted =
      step?.args !== undefined && step.args !== requested.get(name)?.args
        ? recoveredNotAccepted(step, input.toRelease)
        : undefined
    if (keep || notAccepted) kept.push({ name, policy: 'args-not-accepted', reason: (keep ?? notAccepted)! })
    else if (step) cycle.push(step)
    else {
      kept.push({
        name,
        policy: 'no-args',
        reason: `its arguments could not be read from the cluster and its enable would prompt for them; list it in the addons input with its arguments (e.g. ${name}:10.64.140.43-10.64.140.49)`
      })
    }
  }

  const missing = input.requested.filter(
    (r) => !enabledSet.has(r.name) && !(specOf(r.name).aliasOf && enabledSet.has(specOf(r.name).aliasOf!))
  )
  const enableAfter: CycleStep[] = addonOrder(
    missing.map((r) => r.name),
    specOf
  ).map((name) => {
    const req = requested.get(name)!
    return req.args !== undefined
      ? { name, args: req.args, argsSource: 'input' as const, note: 'arguments from the addons input' }
      : { name, argsSource: 'none' as const }
  })
  for (const step of enableAfter) {
    if (NEEDS_ARGS.has(step.name) && step.args === undefined) {
      throw new InputError(
        'addons',
        `${step.name} needs arguments to be enabled (its enable prompts for them); write e.g. '${step.name}:10.64.140.43-10.64.140.49'`
      )
    }
  }

  return {
    fromRelease: input.fromRelease,
    toRelease: input.toRelease,
    cycling,
    why,
    pendingComparison: input.mode === 'auto',
    cycle,
    kept,
    enableAfter,
    unknownOrder: cycle.map((s) => s.name).filter((n) => specOf(n).policy === 'unknown')
  }
}

/**
 * The addons the plan enables whose enable downloads from the internet at the target release (the Traefik and
 * cert-manager charts, the Gateway API manifests, the 1.33–1.35 dashboard chart), with what each downloads.
 */
export function downloadsOf(plan: AddonPlan): Array<{ name: string; what: string[] }> {
  const names = [...plan.cycle, ...plan.enableAfter].map((s) => s.name)
  return names.flatMap((name) => {
    const downloads = addonSpec(name, plan.toRelease).downloads ?? []
    return downloads.length ? [{ name, what: downloads.map((d) => d.what) }] : []
  })
}

/** What comparing the two addon repositories found, or why it could not be done. */
export type RepoComparison = { changed: string[] } | { error: string }

/**
 * `cycle-addons: auto` once the repositories are compared: cycle the candidates whose addon directory changed
 * (addons outside the core repository, named in cycle-also, count as changed), those that depend on a cycled
 * one, and those the addons input reconfigures; keep the rest as "unchanged". When the comparison failed,
 * every candidate is cycled, as with `always`, and each step says why.
 */
export function narrowToChanged(plan: AddonPlan, comparison: RepoComparison): AddonPlan {
  if (!plan.pendingComparison) return plan
  const specOf = (name: string) => addonSpec(name, plan.toRelease)
  const same = plan.fromRelease === plan.toRelease
  const changedWhy = same
    ? `its directory in the active addon repository differs from the ${plan.toRelease} snap's`
    : `its addon directory changed between ${plan.fromRelease} and ${plan.toRelease}`
  const unchangedWhy = same
    ? `unchanged: the active addon repository matches the ${plan.toRelease} snap's`
    : `unchanged between ${plan.fromRelease} and ${plan.toRelease}`
  if ('error' in comparison) {
    const why = `could not compare the addon repositories (${comparison.error}): cycled as with always`
    return { ...plan, pendingComparison: false, cycle: plan.cycle.map((s) => ({ ...s, why: s.why ?? why })) }
  }
  const changed = new Set(comparison.changed)
  const cycled = new Set<string>()
  const cycle: CycleStep[] = []
  const kept = [...plan.kept]
  // plan.cycle is in enable order (dependencies first), so one pass sees every dependency decided.
  for (const step of plan.cycle) {
    const dependency = specOf(step.name).needs.find((d) => cycled.has(d))
    const why = step.reconfigure
      ? step.why
      : changed.has(step.name) || specOf(step.name).policy === 'unknown'
        ? specOf(step.name).policy === 'unknown'
          ? 'named in cycle-also'
          : changedWhy
        : dependency
          ? `depends on ${dependency}, which is cycled`
          : undefined
    if (why) {
      cycled.add(step.name)
      cycle.push({ ...step, why })
    } else {
      kept.push({ name: step.name, policy: 'unchanged', reason: unchangedWhy })
    }
  }
  const unknownOrder = plan.unknownOrder.filter((n) => cycled.has(n))
  return { ...plan, pendingComparison: false, cycle, kept, unknownOrder }
}
