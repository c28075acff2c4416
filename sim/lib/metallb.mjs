// What MetalLB's controller does with LoadBalancer Services while it runs (IPv4 only in the simulator): a Service
// keeps its address while a pool it may use holds it; otherwise it gets the first free address of such a pool,
// or none. A Service names its pool with the `metallb.universe.tf/address-pool` (or `metallb.io/address-pool`)
// annotation; without one it may use any pool with `autoAssign` not false.

const POOL_ANNOTATIONS = ['metallb.universe.tf/address-pool', 'metallb.io/address-pool']

const toNumber = (ip) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
const toIp = (n) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')

/** `a.b.c.d-e.f.g.h` or `a.b.c.d/nn` → [first, last] as numbers; undefined for what the simulator does not model. */
function rangeOf(text) {
  const dash = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dash) return [toNumber(dash[1]), toNumber(dash[2])]
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(text)
  if (cidr) {
    const size = 2 ** (32 - Number(cidr[2]))
    const first = Math.floor(toNumber(cidr[1]) / size) * size
    return [first, first + size - 1]
  }
  return undefined
}

const inPool = (pool, ip) =>
  (pool.spec?.addresses ?? []).some((a) => {
    const r = rangeOf(a)
    return r && toNumber(ip) >= r[0] && toNumber(ip) <= r[1]
  })

export function convergeLoadBalancers(objects) {
  const pools = objects.filter((o) => o.kind === 'IPAddressPool')
  const services = objects.filter((o) => o.kind === 'Service' && o.spec?.type === 'LoadBalancer')
  const used = new Set(services.map((s) => s.status?.loadBalancer?.ingress?.[0]?.ip).filter(Boolean))
  for (const svc of services) {
    const wanted = POOL_ANNOTATIONS.map((a) => svc.metadata.annotations?.[a]).find(Boolean)
    const usable = wanted
      ? pools.filter((p) => p.metadata.name === wanted)
      : pools.filter((p) => p.spec?.autoAssign !== false)
    const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip
    if (ip && usable.some((p) => inPool(p, ip))) continue
    if (ip) used.delete(ip)
    let next
    for (const pool of usable) {
      for (const a of pool.spec?.addresses ?? []) {
        const r = rangeOf(a)
        for (let n = r?.[0] ?? 1; r && n <= r[1] && !next; n++) if (!used.has(toIp(n))) next = toIp(n)
      }
    }
    if (next) used.add(next)
    svc.status = { loadBalancer: next ? { ingress: [{ ip: next }] } : {} }
  }
}

/**
 * MetalLB's validating webhook refuses a pool whose addresses overlap another pool's (IPv4 ranges and CIDRs in the
 * simulator): the name of the pool it overlaps, or undefined.
 */
export function overlappingPool(pools, candidate) {
  const ranges = (p) => (p.spec?.addresses ?? []).map(rangeOf).filter(Boolean)
  const mine = ranges(candidate)
  return pools
    .filter((p) => p.metadata.name !== candidate.metadata.name)
    .find((p) => ranges(p).some(([a, b]) => mine.some(([c, d]) => a <= d && c <= b)))?.metadata.name
}
