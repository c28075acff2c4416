/**
 * The plan-time check of strict tracks against the runner's kernel (docs/strict-apparmor.md §1, §2): a plan that
 * installs or passes through a strict track whose containerd AppArmor profile a mediating kernel denies sockets
 * (catalog/containerd-profile.ts) stops before any change, naming the tracks and what works — unless the
 * `strict-apparmor` input says `warn`, when the run goes on with the warning. Pure: the mediation is read by the
 * plan stage (cluster/apparmor.ts) and handed in; a mediation that could not be read is said, never taken as
 * "not mediating".
 */
import { PlanError } from '../base/errors.js'
import { FIRST_FIXED_STRICT_MINOR, strictProfile, strictTrackDenied } from '../catalog/index.js'
import { formatMinor, type Risk } from '../cluster/channel.js'
import type { NetMediation } from '../cluster/apparmor.js'
import type { StrictApparmorMode } from '../inputs/action.js'
import type { CorePlan } from './plan.js'

/** The strict tracks a plan installs or refreshes to whose profile a mediating kernel denies sockets. */
export function deniedStrictTracks(plan: CorePlan): string[] {
  return plan.hops
    .filter((h) => h.channel.confinement === 'strict' && h.channel.minor !== undefined)
    .filter((h) => strictTrackDenied(h.channel.minor!))
    .map((h) => h.channel.track)
}

/**
 * What works instead, in one sentence: a strict track that carries the fixed profile, or the classic track of the
 * same minor (a new install on an existing strict cluster: MicroK8s does not switch confinement in place).
 */
export function wayOut(minor: number, risk: Risk, installedStrict: boolean): string {
  const fixed = Math.max(minor, FIRST_FIXED_STRICT_MINOR)
  return (
    `use a strict track that carries the fixed profile (${formatMinor(fixed)}-strict/${risk} or newer) or the ` +
    `classic track ${formatMinor(minor)}/${risk}` +
    (installedStrict ? ' (a new install: MicroK8s does not switch confinement in place)' : '')
  )
}

export interface StrictCheck {
  /** For the plan's notes: what the kernel was found to do, when it mattered. */
  notes: string[]
  /** Said as warnings and in the report. */
  warnings: string[]
}

/**
 * Decides on the plan's strict tracks. `mediation` is undefined when no track in play is affected (it was not
 * read). Throws a PlanError when the kernel mediates and the mode is `fail`.
 */
export function checkStrictTracks(
  plan: CorePlan,
  mediation: NetMediation | undefined,
  mode: StrictApparmorMode,
  installed?: { tracking: string; confinement: string }
): StrictCheck {
  const tracks = deniedStrictTracks(plan)
  const installedTrack = installed?.confinement === 'strict' ? installed.tracking.split('/')[0] : undefined
  const installedMinor = installedTrack ? Number(/^1\.(\d+)-strict$/.exec(installedTrack)?.[1]) : NaN
  const installedDenied = Number.isFinite(installedMinor) && strictTrackDenied(installedMinor)
  if (!mediation || (tracks.length === 0 && !installedDenied)) return { notes: [], warnings: [] }
  const last = plan.hops[plan.hops.length - 1]
  const risk = last?.channel.risk ?? 'stable'
  const named = tracks.length ? tracks : [installedTrack!]
  const why = strictProfile(Number(/^1\.(\d+)/.exec(named[0])?.[1])).why
  const kernel = `this runner's kernel: ${mediation.detail}`
  if (mediation.state === 'not-mediating') {
    return {
      notes: [`${kernel}; the containerd profile of ${named.join(', ')} is not denied sockets here`],
      warnings: []
    }
  }
  const out = wayOut(plan.targetMinor, risk, Boolean(installedTrack))
  if (mediation.state === 'unknown') {
    const warning =
      `could not tell whether this runner's kernel mediates AppArmor networking (${mediation.detail}); on one that ` +
      `does (GitHub-hosted runners since early 2026) ${named.join(', ')} run no pod, as ${why}. Not taken as ` +
      `"not mediating": the system pods are checked after each hop. If they crash-loop with 'socket: permission ` +
      `denied', ${out}`
    return { notes: [`${kernel} (unknown)`], warnings: [warning] }
  }
  if (tracks.length === 0) {
    // Already installed on a denied track and not leaving it: nothing this run changes makes it worse.
    return {
      notes: [kernel],
      warnings: [`microk8s ${installed!.tracking} is installed and ${why}: its pods cannot run on this kernel; ${out}`]
    }
  }
  const plural = tracks.length > 1
  const message =
    `this runner's kernel mediates AppArmor networking (${mediation.detail}), and the strict ` +
    `track${plural ? 's' : ''} ${tracks.join(', ')} of this plan cannot run pods on it: ${why}. Every pod that is ` +
    `not privileged (coredns, calico-kube-controllers, metallb) would crash-loop with 'socket: permission denied'`
  if (mode === 'fail') {
    throw new PlanError(
      `${message}; nothing was changed. ${capitalise(out)}; or set strict-apparmor: warn to try anyway`
    )
  }
  return { notes: [kernel], warnings: [`${message}; going on as strict-apparmor is warn. If they do, ${out}`] }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
