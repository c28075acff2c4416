/**
 * Capturing the custom resources an addon's disable deletes with their CRDs (the 1.35+ ingress: every Gateway API
 * and Traefik object in every namespace). The CRDs themselves say which kinds there are, their scope and the
 * version to read; every object of those kinds is read at that version, without the ones the addon's own Helm
 * release makes. What cannot be captured (a read that fails every attempt) or put back (a kind or version the
 * enabling release does not install) keeps the addon, with the reason: it is not cycled. Facts:
 * custom-resources.ts, docs/addon-state.md.
 */
import type { MicroK8s } from '../cluster/microk8s.js'
import { displayCommand } from '../base/cmd.js'
import { CommandError, parseJsonOutput } from '../base/errors.js'
import { addonSpec, releaseOf } from '../catalog/index.js'
import { listCustomObjects, readRetried } from './capture-restore.js'
import { type CustomKind, crdDeletion, kindOfCrd, madeByAddonRelease, notServedAfter } from './custom-resources.js'
import { type CapturedState, type KubeObject, stripServerFields } from './state-specs.js'

/** Every CRD in the cluster (there is no server-side filter by group). */
async function readCrds(microk8s: MicroK8s): Promise<KubeObject[]> {
  const args = ['kubectl', 'get', 'customresourcedefinitions', '-o', 'json']
  const r = await microk8s.run(args)
  if (r.code !== 0) throw new CommandError(displayCommand('microk8s', args), r.code, r.stdout, r.stderr)
  return parseJsonOutput(displayCommand('microk8s', args), r.stdout).items ?? []
}

export type CustomCapture = Pick<CapturedState, 'customResources' | 'uncapturable'>

/**
 * The custom resources of the enabled addons whose disable at `disableMinor` deletes CRDs, and the addons to keep
 * because they could not be captured or put back by the release enabling at `enableMinor`.
 */
export async function captureCustomResources(
  microk8s: MicroK8s,
  enabled: string[],
  disableMinor: number,
  enableMinor: number
): Promise<CustomCapture> {
  const out: Required<CustomCapture> = { customResources: {}, uncapturable: {} }
  const addons = enabled.flatMap((addon) => {
    const deletion = crdDeletion(addon, disableMinor)
    return deletion ? [{ addon, deletion }] : []
  })
  if (addons.length === 0) return {}
  let crds: KubeObject[]
  try {
    crds = await readRetried('the CustomResourceDefinitions', () => readCrds(microk8s))
  } catch (error) {
    for (const { addon, deletion } of addons)
      out.uncapturable[addon] = `${(error as Error).message}; ${cannotKeep(addon, deletion.what)}`
    return out
  }
  for (const { addon, deletion } of addons) {
    const deleted = crds.filter((c) => deletion.deletes(String(c.metadata?.name ?? '')))
    const read = deleted.map(kindOfCrd)
    const unreadable = read.filter((k): k is { crd: string; problem: string } => 'problem' in k)
    if (unreadable.length) {
      out.uncapturable[addon] =
        `${unreadable.map((u) => `${u.crd}: ${u.problem}`).join('; ')}; ${cannotKeep(addon, deletion.what)}`
      continue
    }
    const kinds = read as CustomKind[]
    let objects: KubeObject[]
    try {
      objects = await readRetried(`the objects of ${kinds.map((k) => k.crd).join(', ')} (${addon})`, () =>
        listCustomObjects(microk8s, kinds)
      )
    } catch (error) {
      out.uncapturable[addon] = `${(error as Error).message}; ${cannotKeep(addon, deletion.what)}`
      continue
    }
    const release = helmRelease(addon, disableMinor)
    const users = objects.filter((o) => !release || !madeByAddonRelease(o, release)).map(stripServerFields)
    const missing = notServedAfter(addon, enableMinor, users)
    if (missing) {
      out.uncapturable[addon] =
        `its disable deletes the CRDs of ${missing}, which the ${releaseOf(undefined, enableMinor)} ${addon} enable does ` +
        `not install again at that version; they would be lost. Move them to kinds it serves, or list ${addon} in never-cycle`
      continue
    }
    out.customResources[addon] = { what: deletion.what, kinds, objects: users }
  }
  return out
}

/** The addon's own Helm release at a release, when it is one (Traefik's `ingress/traefik`). */
function helmRelease(addon: string, minor: number): { namespace: string; name: string } | undefined {
  const d = addonSpec(addon, releaseOf(undefined, minor)).deployment
  return d.kind === 'helm' ? { namespace: d.namespace, name: d.release } : undefined
}

const cannotKeep = (addon: string, what: string) =>
  `its disable deletes every ${what.replace(/ objects$/, ' object')} with their CRDs and they could not be captured, ` +
  `so ${addon} is kept as it runs (not cycled)`
