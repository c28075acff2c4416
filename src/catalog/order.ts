/** Cycle order from the catalog's dependencies: dependencies first, ties by seed rank, then by found order. */
import { RANKS, type AddonSpec } from './types.js'

export class DependencyCycleError extends Error {}

/**
 * Enable order for a set of addons: dependencies first (a topological sort of `needs` restricted to the set),
 * ties broken by seed rank, then by their position in `names` (the order they were found). Disable order is
 * the reverse. A dependency cycle is an error naming it.
 */
export function addonOrder(names: readonly string[], specOf: (name: string) => AddonSpec): string[] {
  const set = new Set(names)
  const position = new Map(names.map((n, i) => [n, i]))
  const key = (n: string) => [RANKS.indexOf(specOf(n).rank), position.get(n) ?? 0] as const
  const before = (a: string, b: string) => {
    const [ra, pa] = key(a)
    const [rb, pb] = key(b)
    return ra !== rb ? ra - rb : pa - pb
  }
  const deps = new Map(names.map((n) => [n, specOf(n).needs.filter((d) => set.has(d) && d !== n)]))
  const order: string[] = []
  const done = new Set<string>()
  while (order.length < names.length) {
    const ready = names.filter((n) => !done.has(n) && deps.get(n)!.every((d) => done.has(d)))
    if (ready.length === 0) {
      throw new DependencyCycleError(
        `addon dependency cycle: ${findCycle(
          names.filter((n) => !done.has(n)),
          deps
        ).join(' -> ')}`
      )
    }
    const next = ready.sort(before)[0]
    order.push(next)
    done.add(next)
  }
  return order
}

function findCycle(remaining: string[], deps: Map<string, string[]>): string[] {
  const path: string[] = []
  let node = remaining[0]
  while (!path.includes(node)) {
    path.push(node)
    node = deps.get(node)!.find((d) => remaining.includes(d))!
  }
  return [...path.slice(path.indexOf(node)), node]
}
