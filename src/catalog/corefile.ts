/** The Corefile the dns addon writes, and telling a user's customisation from a plain enable's. */

/**
 * The Corefile the dns addon writes (core-addons `addons/dns/coredns.yaml`, identical on 1.28 … main), with
 * `$NAMESERVERS` standing for the upstreams. A Corefile that differs from it by more than the upstreams was
 * customised by the user.
 */
export const DEFAULT_COREFILE = `.:53 {
    errors
    health {
      lameduck 5s
    }
    ready
    log . {
      class error
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . $NAMESERVERS
    cache 30
    loop
    reload
    loadbalance
}
`

const normaliseCorefile = (text: string) =>
  text
    .replace(/^(\s*forward\s+\.)[^{\n]*/m, '$1 $NAMESERVERS')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n')

/** True when the Corefile has edits beyond the upstream servers (which the `dns:` argument carries). */
export function isCorefileCustomised(corefile: string): boolean {
  return normaliseCorefile(corefile) !== normaliseCorefile(DEFAULT_COREFILE)
}
