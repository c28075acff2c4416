/**
 * The addon inputs checked against the target release before anything changes: every name must be a core or
 * community addon of that release (with the closest name suggested), and every argument must parse under the
 * addon's grammar there.
 */
import { InputError } from '../base/errors.js'
import { checkArguments } from './arguments.js'
import { communityAddons } from './community.js'
import { addonSpec, catalogAt } from './lookup.js'
import type { Release } from './types.js'

export interface AddonInputs {
  addons: Array<{ name: string; args?: string }>
  neverCycle: string[]
  cycleAlso: string[]
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/** The closest known name, when it is close enough to be a typo. */
export function closestName(word: string, names: string[]): string | undefined {
  let best: { name: string; d: number } | undefined
  for (const name of names) {
    const d = distance(word, name)
    if (!best || d < best.d) best = { name, d }
  }
  return best && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.name : undefined
}

/** Throws an InputError naming the input, the word and what would be accepted; returns when all is well. */
export function checkAddonInputs(inputs: AddonInputs, release: Release): void {
  const core = catalogAt(release)
  const available = core.filter((s) => s.available).map((s) => s.name)
  const community = communityAddons(release)
  const known = [...available, ...community]
  const checkName = (input: string, name: string) => {
    if (known.includes(name)) return
    const gone = core.find((s) => s.name === name && !s.available)
    if (gone) {
      throw new InputError(
        input,
        `${name}: the ${release} addon repository has no ${name} addon; remove it from ${input}`
      )
    }
    const suggestion = closestName(name, known)
    throw new InputError(
      input,
      `${name}: no such addon in ${release}${suggestion ? `; did you mean ${suggestion}?` : ''} ` +
        `(the ${release} core addons are ${available.join(', ')}; community addons need 'microk8s enable community')`
    )
  }
  for (const { name, args } of inputs.addons) {
    checkName('addons', name)
    if (args === undefined) continue
    const spec = addonSpec(name, release)
    const check = checkArguments(spec, args)
    if (!check.ok) {
      throw new InputError(
        'addons',
        `${name}:${args}: ${check.problem}; ${name} on ${release} accepts ${check.accepted}`
      )
    }
  }
  for (const name of inputs.neverCycle) checkName('never-cycle', name)
  for (const name of inputs.cycleAlso) {
    checkName('cycle-also', name)
    const policy = addonSpec(name, release).policy
    if (policy !== 'unknown' && policy !== 'opt-in') {
      throw new InputError(
        'cycle-also',
        `${name}: the catalog knows this addon and decides whether it is cycled; cycle-also is for addons unknown to it (community addons) and for nvidia/gpu, whose cycle loses what cannot be put back`
      )
    }
  }
}
