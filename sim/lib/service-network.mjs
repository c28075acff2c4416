// The simulated cluster's network as the action sees it when the endpoints server (endpoints.mjs) stands in for
// the API server, an application and the cluster DNS: on loopback. `microk8s config` then names the endpoints'
// API server (its own CA and client certificate), and the Services it stands in for show 127.0.0.1 and its ports
// as their cluster IP and ports, as a runner that is a node reaches a real cluster IP. Without `state.endpoints`
// nothing changes: the API server is https://127.0.0.1:16443 and cluster IPs are 10.152.183.x (facts:
// docs/microk8s-behaviour.md; docs/disruption.md "The simulator").

/** A Service as `kubectl get` shows it: on loopback when the endpoints server stands in for it. */
export function onServiceNetwork(state, obj) {
  const mapped = obj.kind === 'Service' && state.endpoints?.services?.[`${obj.metadata.namespace}/${obj.metadata.name}`]
  if (!mapped) return obj
  return { ...obj, spec: { ...obj.spec, clusterIP: '127.0.0.1', clusterIPs: ['127.0.0.1'], ports: mapped.ports } }
}

/** The API server's address and credentials in `microk8s config`. */
export function apiServerConfig(state) {
  const e = state.endpoints
  if (!e) {
    return {
      server: 'https://127.0.0.1:16443',
      ca: 'U0lNVUxBVE9SLUNB',
      cert: 'U0lNVUxBVE9SLUNFUlQ=',
      key: 'U0lNVUxBVE9SLUtFWQ=='
    }
  }
  return { server: `https://127.0.0.1:${e.api}`, ca: e.tls.cert, cert: e.tls.cert, key: e.tls.key }
}
