/**
 * Per release, the AppArmor profile (`cri-containerd.apparmor.d`) that a strict track's containerd applies to
 * every container that is not privileged, and whether a kernel with fine-grained AppArmor network mediation
 * (securityfs `features/network_v9`) leaves those containers a socket. Beside the addon catalog because it is
 * the same kind of fact: what one release ships. docs/strict-apparmor.md §1 says it in full.
 *
 * Sources (canonical/microk8s): `microk8s-resources/containerd-profile` on the `1.NN-strict` branches and
 * `strict`; loaded by `microk8s-resources/wrappers/run-containerd-with-args` with the snap's own parser on strict
 * tracks (the host's on classic ones). 1.25-strict … 1.31-strict: a bare `network,` rule, unchanged since #2249;
 * 1.32-strict, 1.33-strict: `network inet, inet6, unix, netlink` (the backports #5232, #5234 of #5218) without
 * `raw`, snap base core20; 1.34-strict, 1.35-strict and `strict`: all six rules (#5218 and #5239), base core22.
 * On the mediating kernels of GitHub-hosted runners since early 2026: pods denied sockets on 1.31-strict
 * (canonical/microk8s#5394, canonical/concierge#253); strict up to 1.33 reported not to load the profile at all
 * (canonical/concierge#267). No `1.36-strict` branch was found: it is taken to carry `strict`'s profile.
 */

export interface StrictProfile {
  /** The minors of the strict tracks this row describes (inclusive; `to` absent: and every newer one). */
  from?: number
  to?: number
  /** The network rules of the profile, as the branch spells them. */
  rules: string
  /** Whether a mediating kernel denies the containers what the cluster's own pods need (a socket). */
  deniedOnMediatingKernel: boolean
  /** Why, for the plan's refusal and the docs. */
  why: string
}

export const STRICT_PROFILES: readonly StrictProfile[] = [
  {
    to: 31,
    rules: 'network,',
    deniedOnMediatingKernel: true,
    why:
      'its containerd AppArmor profile has only a bare `network,` rule, under which a kernel with fine-grained ' +
      'network mediation denies every container a socket (canonical/microk8s#5394)'
  },
  {
    from: 32,
    to: 33,
    rules: 'network inet, network inet6, network unix, network netlink,',
    deniedOnMediatingKernel: true,
    why:
      "its containerd AppArmor profile (the #5218 backport, without `network raw`) is built by the snap's core20 " +
      'parser, and on these kernels it is reported not to load ("Profile doesn\'t conform to protocol", ' +
      'canonical/concierge#267); even loaded it would deny MetalLB its raw sockets'
  },
  {
    from: 34,
    rules: 'network, network inet, network inet6, network unix, network netlink, network raw,',
    deniedOnMediatingKernel: false,
    why: 'its containerd AppArmor profile allows every socket family the cluster uses (#5218 and #5239)'
  }
]

/** The first strict minor whose profile a mediating kernel does not deny. */
export const FIRST_FIXED_STRICT_MINOR = Math.min(
  ...STRICT_PROFILES.filter((p) => !p.deniedOnMediatingKernel).map((p) => p.from ?? 0)
)

/** The profile row of the `1.<minor>-strict` track. */
export function strictProfile(minor: number): StrictProfile {
  const row = STRICT_PROFILES.find(
    (p) => (p.from === undefined || minor >= p.from) && (p.to === undefined || minor <= p.to)
  )
  // The rows cover every minor (the first has no `from`, the last no `to`).
  return row!
}

/** Whether the strict track of this minor ships a profile that a mediating kernel denies sockets under. */
export function strictTrackDenied(minor: number): boolean {
  return strictProfile(minor).deniedOnMediatingKernel
}
