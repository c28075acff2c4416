/**
 * Snap channels and Kubernetes versions: the grammar the action accepts, and the parsers for what snap and
 * MicroK8s print. Pure; no commands.
 *
 * Channel grammar (docs/microk8s-behaviour.md §6): `track/risk`, risks exactly stable, candidate,
 * beta, edge. MicroK8s tracks are `X.Y` (classic), `X.Y-strict` (strict confinement), `latest`, plus historic
 * `X.Y-eksd` and `dqlite` tracks the action does not upgrade.
 */

export const RISKS = ['stable', 'candidate', 'beta', 'edge'] as const
export type Risk = (typeof RISKS)[number]
export type Confinement = 'classic' | 'strict'

export interface Channel {
  /** The track as snap spells it: `1.30`, `1.30-strict`, `latest`. */
  track: string
  /** Kubernetes minor of an `X.Y` track (30 for `1.30`); undefined for `latest`. */
  minor?: number
  confinement: Confinement
  risk: Risk
}

export interface KubeVersion {
  major: number
  minor: number
  patch: number
  /** As printed, e.g. `v1.30.14`. */
  text: string
}

const TRACK = /^(?:latest|1\.(\d{1,2})(-strict)?)$/

/**
 * Parses the `channel` input. Only `track/risk` with a known track shape is accepted; the error says what
 * would be.
 */
export function parseChannel(text: string): Channel {
  const value = text.trim()
  const accepted =
    "expected '<track>/<risk>' with track 'X.Y', 'X.Y-strict' or 'latest' and risk one of " +
    `${RISKS.join(', ')} (for example '1.30/stable')`
  if (value === '') throw new Error(`is empty; ${accepted}`)
  const parts = value.split('/')
  if (parts.length !== 2) throw new Error(`'${value}' is not a channel; ${accepted}`)
  const [track, risk] = parts
  if (!(RISKS as readonly string[]).includes(risk)) {
    throw new Error(`'${value}' has unknown risk '${risk}'; ${accepted}`)
  }
  const m = TRACK.exec(track)
  if (!m) {
    const hint = /-eksd$/.test(track) ? ' (EKS-D tracks are not supported)' : ''
    throw new Error(`'${value}' has unknown track '${track}'${hint}; ${accepted}`)
  }
  return channelOf(track, risk as Risk, m)
}

/**
 * Parses the channel snap reports as tracked (`snap list` Tracking column, `snap info` rows). Lenient about a
 * branch (`1.30/stable/hotfix` keeps `1.30/stable`); returns undefined for tracks the action cannot reason
 * about (eksd, dqlite, locally installed `-`).
 */
export function parseTracking(text: string): Channel | undefined {
  const parts = text.trim().split('/')
  let track: string
  let risk: string
  if (parts.length === 1) {
    // `snap` normalises `latest/stable` to `stable` in some places; a bare risk means the latest track.
    if ((RISKS as readonly string[]).includes(parts[0])) [track, risk] = ['latest', parts[0]]
    else [track, risk] = [parts[0], 'stable']
  } else {
    ;[track, risk] = parts
  }
  if (!(RISKS as readonly string[]).includes(risk)) return undefined
  const m = TRACK.exec(track)
  if (!m) return undefined
  return channelOf(track, risk as Risk, m)
}

function channelOf(track: string, risk: Risk, m: RegExpExecArray): Channel {
  if (track === 'latest') return { track, confinement: 'classic', risk }
  return { track, minor: Number(m[1]), confinement: m[2] ? 'strict' : 'classic', risk }
}

export function formatChannel(ch: Pick<Channel, 'track' | 'risk'>): string {
  return `${ch.track}/${ch.risk}`
}

/** The `X.Y` or `X.Y-strict` track for a minor, keeping the flavour. */
export function trackFor(minor: number, confinement: Confinement): string {
  return `1.${minor}${confinement === 'strict' ? '-strict' : ''}`
}

/** Parses `v1.30.14`, `1.30.14`, `v1.22.3-3+9ec7c40ec93c73` (older MicroK8s node versions). */
export function parseKubeVersion(text: string): KubeVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim())
  if (!m) return undefined
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text: text.trim() }
}

export function formatMinor(minor: number): string {
  return `1.${minor}`
}
