/**
 * The Calico the target snap ships, measured after the last hop: the `calico/node` image its Calico manifest
 * names. Calico is not an addon and a refresh does not upgrade it (docs/microk8s-behaviour.md §3.6), so the
 * report compares what runs with what the installed snap would apply. No table: when the file cannot be read
 * the report claims nothing about the target's Calico.
 */
import type { SystemFiles } from './system-files.js'

/** canonical/microk8s, upgrade-scripts/000-switch-to-calico/resources/calico.yaml, inside the installed revision. */
export const SNAP_CALICO_MANIFEST = '/snap/microk8s/current/upgrade-scripts/000-switch-to-calico/resources/calico.yaml'

/**
 * The tag of the `calico/node` image a Calico manifest names (`image: docker.io/calico/node:v3.25.1`, any
 * registry or quoting); undefined when it names none, or more than one tag (nothing to claim then).
 */
export function calicoNodeTag(manifest: string): string | undefined {
  const tags = new Set<string>()
  for (const m of manifest.matchAll(
    /^\s*-?\s*image:\s*["']?((?:[^\s"'/]+\/)*calico\/node):([\w][\w.-]{0,127})["']?\s*$/gm
  ))
    tags.add(m[2]!)
  return tags.size === 1 ? [...tags][0] : undefined
}

/** The target snap's `calico/node` tag, or undefined when its manifest cannot be read or names none. */
export async function readTargetCalico(files: SystemFiles): Promise<string | undefined> {
  const text = await files.read(SNAP_CALICO_MANIFEST)
  return text === undefined ? undefined : calicoNodeTag(text)
}
