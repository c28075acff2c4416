// Minimal image archives for tests: a tar with the `manifest.json` of `docker save` or the `index.json` of an
// OCI layout (plus a layer-sized blob, so readers must skip entries rather than find the manifest first).
import * as fs from 'node:fs'

function entry(name: string, body: Buffer): Buffer {
  const header = Buffer.alloc(512)
  header.write(name, 0, 100, 'utf8')
  header.write('0000644\0', 100)
  header.write('0000000\0', 108)
  header.write('0000000\0', 116)
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124)
  header.write('00000000000\0', 136)
  header.write('0', 156)
  header.write('ustar\0', 257)
  header.write('00', 263)
  header.fill(' ', 148, 156)
  const sum = header.reduce((a, b) => a + b, 0)
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512)
  body.copy(padded)
  return Buffer.concat([header, padded])
}

/** Writes an archive holding `tags`: `docker` (manifest.json RepoTags) or `oci` (index.json annotations). */
export function writeImageArchive(file: string, tags: string[], format: 'docker' | 'oci' = 'docker'): void {
  const layer = entry('blobs/sha256/0123abcd', Buffer.alloc(1500, 7))
  const doc =
    format === 'docker'
      ? entry('manifest.json', Buffer.from(JSON.stringify([{ Config: 'c.json', RepoTags: tags, Layers: [] }])))
      : entry(
          'index.json',
          Buffer.from(
            JSON.stringify({
              schemaVersion: 2,
              manifests: tags.map((t) => ({ annotations: { 'io.containerd.image.name': t } }))
            })
          )
        )
  fs.writeFileSync(file, Buffer.concat([layer, doc, Buffer.alloc(1024)]))
}
