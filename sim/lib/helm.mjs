// Helm release records as Helm v3 stores them (Secrets of type helm.sh/release.v1).
import * as zlib from 'node:zlib'
import { makeObject } from './objects.mjs'

/** Helm v3 storage: Secret data.release = base64(gzip(JSON)), itself base64 in the Secret (docs/kubernetes-upgrades.md §3.4). */
export function helmReleaseSecret({
  name,
  namespace = 'default',
  revision = 1,
  chart = name,
  chartVersion = '1.0.0',
  manifest,
  status = 'deployed'
}) {
  const release = {
    name,
    namespace,
    version: revision,
    info: { status },
    chart: { metadata: { name: chart, version: chartVersion } },
    manifest
  }
  const helmEncoded = zlib.gzipSync(Buffer.from(JSON.stringify(release))).toString('base64')
  return makeObject('Secret', {
    namespace,
    name: `sh.helm.release.v1.${name}.v${revision}`,
    labels: { owner: 'helm', name, status, version: String(revision) },
    data: { release: Buffer.from(helmEncoded).toString('base64') },
    extra: { type: 'helm.sh/release.v1' }
  })
}
