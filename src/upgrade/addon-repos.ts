/**
 * What changed in the addon repositories: the active one (`/var/snap/microk8s/common/addons/core`, which
 * `microk8s enable/disable` run from, still at the old branch until `microk8s addons repo update`) against the
 * one the installed snap bundles (`/snap/microk8s/current/addons/core`). Git tree hashes of two addon
 * directories are equal exactly when their contents are, so one `git ls-tree` per repository tells every
 * enabled addon apart (canonical/microk8s scripts/wrappers/addons.py keeps both as git clones).
 */
import type { Cmd } from '../base/cmd.js'
import { type AddonPlan, narrowToChanged } from './addon-plan.js'

export const ACTIVE_ADDON_REPO = '/var/snap/microk8s/common/addons/core'
export const SNAP_ADDON_REPO = '/snap/microk8s/current/addons/core'

/** `040000 tree <hash>\taddons/<name>` lines → addon name → tree hash. */
export function parseLsTree(text: string): Map<string, string> {
  const trees = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^\d{6} tree ([0-9a-f]{40}|[0-9a-f]{64})\taddons\/([^/\s]+)$/.exec(line.trim())
    if (m) trees.set(m[2], m[1])
  }
  return trees
}

/** The addon directories of one repository with their tree hashes; throws naming the repository on failure. */
export async function readAddonTrees(cmd: Cmd, repo: string): Promise<Map<string, string>> {
  const r = await cmd.run('git', ['-C', repo, 'ls-tree', 'HEAD', 'addons/'])
  if (r.code !== 0) throw new Error(`git ls-tree of ${repo} exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`)
  const trees = parseLsTree(r.stdout)
  if (trees.size === 0) throw new Error(`git ls-tree of ${repo} listed no addon directories`)
  return trees
}

/**
 * Addons whose directory differs between the two repositories (or exists in one only). An addon absent from
 * both (community addons live in another repository) is not in the answer: its change is unknown.
 */
export function changedAddons(
  active: Map<string, string>,
  target: Map<string, string>,
  names: string[]
): { changed: string[]; unchanged: string[]; unknown: string[] } {
  const out = { changed: [] as string[], unchanged: [] as string[], unknown: [] as string[] }
  for (const name of names) {
    if (!active.has(name) && !target.has(name)) out.unknown.push(name)
    else if (active.get(name) === target.get(name)) out.unchanged.push(name)
    else out.changed.push(name)
  }
  return out
}

/**
 * After the last hop: reads both repositories (one `git ls-tree` each); for `auto`, narrows the plan to what
 * changed. Also says which kept addons' directories changed (the target has another version of them than the
 * one they were enabled from: measured, not a table) and whether the repositories differ at all (then the
 * active one is updated even when nothing is cycled). A failed read leaves `auto` cycling every candidate.
 */
export async function compareAddonRepos(
  cmd: Cmd,
  plan: AddonPlan
): Promise<{ plan: AddonPlan; differs: boolean; keptChanged: string[]; error?: string }> {
  try {
    const [active, target] = [await readAddonTrees(cmd, ACTIVE_ADDON_REPO), await readAddonTrees(cmd, SNAP_ADDON_REPO)]
    const all = [...new Set([...active.keys(), ...target.keys()])]
    const differs = all.some((n) => active.get(n) !== target.get(n))
    const changed = (names: string[]) => changedAddons(active, target, names).changed
    return {
      plan: narrowToChanged(plan, { changed: changed(plan.cycle.map((s) => s.name)) }),
      differs,
      keptChanged: changed(plan.kept.map((k) => k.name))
    }
  } catch (error) {
    const message = (error as Error).message
    return { plan: narrowToChanged(plan, { error: message }), differs: true, keptChanged: [], error: message }
  }
}
