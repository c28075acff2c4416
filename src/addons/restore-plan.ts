/**
 * What is put back after an addon's enable, and what cannot be: the captured objects and custom resources in
 * restore order (custom-resources.ts), the kinds a newer release no longer defines (MetalLB's legacy AddressPool
 * after 1.32), and the resource each captured kind is read back as. Pure. See docs/addon-state.md.
 */
import { type CapturedState, type KubeObject, STATE_SPECS, stateSpecs } from './state-specs.js'
import { inRestoreOrder } from './custom-resources.js'

const RESOURCE_OF_KIND: Record<string, string> = {
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  IPAddressPool: 'ipaddresspools.metallb.io',
  L2Advertisement: 'l2advertisements.metallb.io',
  BGPPeer: 'bgppeers.metallb.io',
  BGPAdvertisement: 'bgpadvertisements.metallb.io',
  BFDProfile: 'bfdprofiles.metallb.io',
  Community: 'communities.metallb.io',
  AddressPool: 'addresspools.metallb.io'
}

/** The resource a captured object's kind is listed as in the specs (group-qualified for CRD kinds). */
export function resourceOfKind(kind: string): string {
  return RESOURCE_OF_KIND[kind] ?? kind.toLowerCase()
}

/**
 * Captured objects of kinds the enabling release's CRDs no longer define (MetalLB's AddressPool after 1.32): they
 * cannot be put back, so the addon is kept. Names each kind and how many; undefined when everything can.
 */
export function notRestorable(addon: string, objects: KubeObject[], enableMinor: number): string | undefined {
  // Only kinds a CRD defines on some releases (a query with its own `minors`): the nginx ConfigMaps a 1.34 disable
  // deletes are re-applied on 1.35 whether or not Traefik reads them.
  const everywhere = STATE_SPECS.filter((s) => s.addon === addon).flatMap((s) =>
    s.objects.filter((q) => q.minors).map((q) => q.resource)
  )
  const there = new Set(stateSpecs(addon, enableMinor).flatMap((s) => s.objects.map((q) => q.resource)))
  const gone = new Map<string, number>()
  for (const o of objects) {
    const resource = resourceOfKind(String(o.kind))
    if (everywhere.includes(resource) && !there.has(resource)) gone.set(o.kind, (gone.get(o.kind) ?? 0) + 1)
  }
  return gone.size ? [...gone].map(([k, n]) => `${n} ${k}`).join(', ') : undefined
}

/** What the check of an addon's captured objects is called, for an addon disabled at a release. */
export function whatOf(addon: string, minor: number): string {
  return stateSpecs(addon, minor)[0]?.what ?? `${addon} objects`
}

/** The default TLSStore the Traefik enable makes from `--default-ssl-certificate` (addons/ingress/tlsstore.tmpl.yaml). */
const isDefaultTlsStore = (o: KubeObject) => o.kind === 'TLSStore' && o.metadata?.name === 'default'

/**
 * What is re-applied after an addon's enable, in restore order: its captured objects, then its custom resources.
 * When the addons input gave the ingress other arguments than it ran with, the default TLSStore is the one the
 * enable made from them, not the captured one (two default stores would conflict).
 */
export function objectsToRestore(addon: string, captured: CapturedState, requestedArgs?: string): KubeObject[] {
  const custom = captured.customResources?.[addon]?.objects ?? []
  const objects = [...(captured.objects[addon] ?? []), ...custom]
  const skip = addon === 'ingress' && requestedArgs !== undefined ? isDefaultTlsStore : () => false
  return inRestoreOrder(objects.filter((o) => !skip(o)))
}
