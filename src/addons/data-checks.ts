/**
 * The checks behind "nothing lost": what was read before the first change against what is there after the last.
 * Pure. Each check says whether it ran: one that could not run is "not checked", never "kept".
 */
import type { DataCheck } from '../report/model.js'
import type { Inventory } from '../cluster/inventory.js'
import { type Release, addonSpec, isCorefileCustomised, plainItems } from '../catalog/index.js'
import { type DnsSettings, checkDns } from './dns-settings.js'
import { decodeHelmRelease } from '../preflight/removed-apis.js'
import {
  type CapturedState,
  type KubeObject,
  checkLoadBalancers,
  checkObjects,
  checkStorageClass,
  describeStorageClass,
  content,
  corefileWithUpstreams
} from './state-specs.js'
import { objectsToRestore, whatOf } from './restore-plan.js'
import { checkCustomResources } from './custom-resources.js'

export interface HelmRelease {
  namespace: string
  name: string
  /** `chart-version`. */
  chart: string
  revision: number
}

export interface DataSnapshot {
  /** The latest deployed revision of each release. */
  helmReleases: HelmRelease[]
  corefile?: string
  volumes: { pvs: number; pvcs: number; bound: number; claims: string[] }
}

/**
 * The Helm releases addons install for themselves at the given addon releases (the 1.33+ dashboard and
 * cert-manager, the 1.35 Traefik ingress): the addons', not user data.
 */
export function addonHelmReleases(addons: string[], releases: Release[]): Array<{ namespace: string; name: string }> {
  return addons.flatMap((name) =>
    releases.flatMap((release) => {
      const d = addonSpec(name, release).deployment
      return d.kind === 'helm' ? [{ namespace: d.namespace, name: d.release }] : []
    })
  )
}

/** The latest deployed revision of each release, from Helm's release Secrets; the `owned` ones left out. */
export function latestDeployed(
  secrets: KubeObject[],
  owned: Array<{ namespace: string; name: string }> = []
): HelmRelease[] {
  const latest = new Map<string, HelmRelease>()
  for (const s of secrets) {
    const r = decodeHelmRelease(s)
    if (!r || r.status !== 'deployed') continue
    if (owned.some((o) => o.namespace === r.namespace && o.name === r.name)) continue
    const key = `${r.namespace}/${r.name}`
    if ((latest.get(key)?.revision ?? -1) < r.version)
      latest.set(key, { namespace: r.namespace, name: r.name, chart: r.chart ?? '?', revision: r.version })
  }
  return [...latest.values()].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
}

const releaseText = (r: HelmRelease) => `${r.namespace}/${r.name} ${r.chart}`

export interface AddonStateAfter {
  objects: Record<string, KubeObject[] | undefined>
  /** Per addon, its custom resources as read after the cycle (undefined: the read failed). */
  custom?: Record<string, KubeObject[] | undefined>
  storageClass?: CapturedState['storageClass'] | null
  loadBalancers?: CapturedState['loadBalancers']
  /** kube-dns and the kubelet's DNS arguments after the cycle; undefined when they could not be read. */
  dns?: DnsSettings
}

export interface CheckContext {
  /** Addons that were cycled (their captured state was put back). */
  cycled: string[]
  /** The addon release that enabled them again. */
  enableMinor: number
  /** The addon release whose disables ran (what each deleted depends on it). */
  disableMinor?: number
  /** Arguments the addons input gave cycled addons (what the enable made from them is not the captured state). */
  requestedArgs?: Record<string, string>
  /** Upstreams the addons input asked dns for, when it did. */
  requestedUpstreams?: string
  /** The arguments dns was enabled with again (its `ip=`, `domain=` are what the check expects). */
  dnsArgs?: string
  /** Enabled addons left as they were (not cycled: community addons, never-cycle…). */
  kept: string[]
  /** Addons enabled after the run. */
  enabledAfter: string[]
}

export function compareData(
  before: DataSnapshot,
  after: DataSnapshot,
  captured: CapturedState,
  stateAfter: AddonStateAfter,
  ctx: CheckContext
): DataCheck[] {
  const checks: DataCheck[] = []
  const lostClaims = before.volumes.claims.filter((c) => !after.volumes.claims.includes(c))
  checks.push({
    name: 'PersistentVolumes',
    before: String(before.volumes.pvs),
    after: String(after.volumes.pvs),
    ok: after.volumes.pvs >= before.volumes.pvs,
    checked: true,
    ...(after.volumes.pvs < before.volumes.pvs
      ? { detail: `${before.volumes.pvs - after.volumes.pvs} PV(s) gone` }
      : {})
  })
  checks.push({
    name: 'PersistentVolumeClaims bound',
    before: `${before.volumes.bound} of ${before.volumes.pvcs}`,
    after: `${after.volumes.bound} of ${after.volumes.pvcs}`,
    ok: lostClaims.length === 0 && after.volumes.bound >= before.volumes.bound,
    checked: true,
    ...(lostClaims.length
      ? { detail: `no longer bound: ${lostClaims.join(', ')}` }
      : after.volumes.bound < before.volumes.bound
        ? { detail: 'fewer bound claims' }
        : {})
  })
  const afterReleases = new Set(after.helmReleases.map(releaseText))
  const lostReleases = before.helmReleases.filter((r) => !afterReleases.has(releaseText(r)))
  checks.push({
    name: 'Helm releases (latest deployed revision)',
    before: String(before.helmReleases.length),
    after: String(after.helmReleases.length),
    ok: lostReleases.length === 0,
    checked: true,
    ...(lostReleases.length ? { detail: `changed or gone: ${lostReleases.map(releaseText).join(', ')}` } : {})
  })
  if (before.corefile !== undefined && ctx.cycled.includes('dns')) checks.push(corefileCheck(before, after, ctx))
  if (captured.dns && ctx.cycled.includes('dns')) checks.push(checkDns(captured.dns, stateAfter.dns, ctx.dnsArgs))
  for (const addon of ctx.cycled) {
    const objects = captured.objects[addon]
    if (objects?.length) {
      const what = whatOf(addon, ctx.disableMinor ?? ctx.enableMinor)
      checks.push(checkObjects(what, objects, stateAfter.objects[addon]))
    }
    const custom = captured.customResources?.[addon]
    if (custom?.objects.length) {
      // Only the custom resources that were put back (the default TLSStore is the input's when it gave one).
      const restored = objectsToRestore(
        addon,
        { objects: {}, customResources: { [addon]: custom } },
        ctx.requestedArgs?.[addon]
      )
      checks.push(checkCustomResources(custom.what, restored, stateAfter.custom?.[addon], content))
    }
  }
  if (captured.storageClass && (ctx.cycled.includes('hostpath-storage') || ctx.cycled.includes('storage'))) {
    checks.push(
      stateAfter.storageClass === undefined
        ? {
            name: 'hostpath StorageClass',
            before: describeStorageClass(captured.storageClass),
            after: 'not read',
            ok: false,
            checked: false
          }
        : checkStorageClass(captured.storageClass, stateAfter.storageClass ?? undefined, ctx.enableMinor)
    )
  }
  if (captured.loadBalancers?.length && ctx.cycled.includes('metallb')) {
    checks.push(checkLoadBalancers(captured.loadBalancers, stateAfter.loadBalancers))
  }
  if (ctx.kept.length) {
    const gone = ctx.kept.filter((name) => !ctx.enabledAfter.includes(name))
    checks.push({
      name: 'addons kept as they were',
      before: ctx.kept.join(', '),
      after: ctx.kept.filter((name) => ctx.enabledAfter.includes(name)).join(', ') || 'none',
      ok: gone.length === 0,
      checked: true,
      ...(gone.length ? { detail: `no longer enabled: ${gone.join(', ')}` } : {})
    })
  }
  return checks
}

function corefileCheck(before: DataSnapshot, after: DataSnapshot, ctx: CheckContext): DataCheck {
  const saved = before.corefile!
  const customised = isCorefileCustomised(saved)
  const expected = ctx.requestedUpstreams ? corefileWithUpstreams(saved, ctx.requestedUpstreams) : saved
  const same = normalise(after.corefile) === normalise(expected)
  const label = customised ? 'customised' : 'default (upstreams only)'
  return {
    name: 'CoreDNS Corefile',
    before: label,
    after:
      after.corefile === undefined
        ? 'missing'
        : same
          ? customised
            ? ctx.requestedUpstreams
              ? `restored, upstreams ${plainItems(ctx.requestedUpstreams).join(',')} as requested`
              : 'restored'
            : 'default'
          : 'differs',
    ok: customised ? same : after.corefile !== undefined,
    checked: true,
    ...(customised && !same ? { detail: 'the customised Corefile was not kept' } : {})
  }
}

const normalise = (s?: string) => (s ?? '').trim().replace(/\s+\n/g, '\n')

/** The volumes part of a data snapshot: counts, and the bound claims by name. */
export function volumesOf(inv: Inventory): DataSnapshot['volumes'] {
  return {
    pvs: inv.volumes.pvs,
    pvcs: inv.volumes.pvcs,
    bound: inv.volumes.bound,
    claims: inv.volumes.claims.filter((c) => c.phase === 'Bound').map((c) => `${c.namespace}/${c.name}`)
  }
}
