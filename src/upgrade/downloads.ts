/**
 * What the planned enables download from the internet, and whether this runner reaches it, checked before the
 * first disable: an enable that cannot fetch its chart fails after its disable has run, and the addon is down.
 * The catalog says which enables download what (`downloads`); the address is read from the enable script the
 * installed snap ships (`/snap/microk8s/current/addons/core/addons/NAME/enable`, the target's after the last hop):
 * exactly what that script will fetch, with no address written in this repository. Sources: canonical/
 * microk8s-core-addons `addons/ingress/enable` (1.35, main: `REPO=`, `GW_VERSION=` and the Gateway API release
 * URL), `addons/cert-manager/enable` (1.33+), `addons/dashboard/enable` (1.33–1.35): docs/addon-state.md.
 */
import * as core from '@actions/core'
import { StepError } from '../base/errors.js'
import { type Reach, reach } from '../base/reach.js'
import { retry } from '../base/retry.js'
import type { SystemFiles } from '../cluster/system-files.js'
import { type Download, addonSpec } from '../catalog/index.js'
import type { AddonPlan } from './addon-plan.js'
import { downloadsOf } from './addon-plan.js'

export const SNAP_ADDONS = '/snap/microk8s/current/addons/core/addons'

/** Attempts per address, and the first pause between them (doubled). */
export const REACH_ATTEMPTS = 3
const REACH_PAUSE_MS = 1000
const REACH_TIMEOUT_MS = 10_000

/**
 * The address of each download in a script: its `find` expression's first group, with `${VAR}` and `$VAR` taken
 * from the script's own top-level `VAR="literal"` lines (the first of each). Undefined where it is not found or
 * names a variable the script does not set that way.
 */
export function findDownloads(script: string, downloads: Download[]): Array<{ what: string; address?: string }> {
  const vars = new Map<string, string>()
  for (const m of script.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)="([^"$`\\]*)"\s*$/gm))
    if (!vars.has(m[1]!)) vars.set(m[1]!, m[2]!)
  return downloads.map(({ what, find }) => {
    const raw = new RegExp(find, 'm').exec(script)?.[1]
    if (raw === undefined) return { what }
    let unknown = false
    const address = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a, b) => {
      const value = vars.get(a ?? b)
      if (value === undefined) unknown = true
      return value ?? ''
    })
    return unknown ? { what } : { what, address }
  })
}

export interface DownloadCheck {
  addon: string
  what: string
  address?: string
  /** The HTTP status it answered with; absent when it was not checked (`why`). */
  status?: number
  why?: string
}

/**
 * Reads each planned enable's script and probes what it downloads. Returns what was checked; throws a StepError
 * naming every address this runner cannot reach (after REACH_ATTEMPTS tries each), before any change.
 */
export async function checkDownloads(
  files: SystemFiles,
  plan: AddonPlan,
  probe: (address: string) => Promise<Reach> = (a) => reach(a, REACH_TIMEOUT_MS),
  pauseMs = REACH_PAUSE_MS
): Promise<DownloadCheck[]> {
  const checks: DownloadCheck[] = []
  const unreachable: string[] = []
  for (const { name } of downloadsOf(plan)) {
    const downloads = addonSpec(name, plan.toRelease).downloads ?? []
    const file = `${SNAP_ADDONS}/${name}/enable`
    const script = await files.read(file)
    if (script === undefined) {
      for (const d of downloads) checks.push({ addon: name, what: d.what, why: `${file} could not be read` })
      continue
    }
    for (const found of findDownloads(script, downloads)) {
      if (!found.address) {
        checks.push({ addon: name, what: found.what, why: `its address was not found in ${file}` })
        continue
      }
      let last: Reach = { ok: false, error: 'not tried' }
      const outcome = await retry(
        async () => {
          last = await probe(found.address!)
          return last.ok ? last : undefined
        },
        { attempts: REACH_ATTEMPTS, baseDelayMs: pauseMs, maxDelayMs: pauseMs * 4, deadlineMs: Infinity }
      )
      const result = outcome.value ?? last
      if (result.ok) checks.push({ addon: name, what: found.what, address: found.address, status: result.status })
      else
        unreachable.push(
          `${name}: the ${plan.toRelease} enable downloads ${found.what} from ${found.address}, which this runner ` +
            `cannot reach (${result.error}; ${REACH_ATTEMPTS} attempts)`
        )
    }
  }
  if (unreachable.length) {
    throw new StepError(
      'check downloads',
      `${unreachable.join('; ')}. No addon was disabled. Give the runner access to it (a proxy in https_proxy is ` +
        `used), or keep the addon as it runs (never-cycle)`
    )
  }
  for (const c of checks.filter((c) => c.why))
    core.warning(`${c.addon}: could not check ${c.what}: ${c.why}`, { title: 'downloads' })
  return checks
}

/** `ingress: http://… (200), …` for the step's detail. */
export function describeDownloads(checks: DownloadCheck[]): string {
  return checks
    .map((c) => `${c.addon}: ${c.address ? `${c.address} answered ${c.status}` : `${c.what} not checked (${c.why})`}`)
    .join('; ')
}
