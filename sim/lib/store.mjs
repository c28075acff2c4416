// The simulated snap store: which microk8s channels exist and what they carry.
//
// Versions and revisions for 1.28–1.34 and latest are the Oct 2025 `snap info microk8s` capture in
// docs/microk8s-behaviour.md §2.3; the other rows (1.25–1.27, 1.35, strict tracks not in the capture, and 1.36)
// are simulator values of the same shape, not real store data.
const CLASSIC = {
  1.25: ['v1.25.16', 6281],
  1.26: ['v1.26.15', 6594],
  1.27: ['v1.27.16', 7090],
  1.28: ['v1.28.15', 7971],
  1.29: ['v1.29.15', 8006],
  '1.30': ['v1.30.14', 8248],
  1.31: ['v1.31.13', 8456],
  1.32: ['v1.32.9', 8511],
  1.33: ['v1.33.5', 8507],
  1.34: ['v1.34.1', 8491],
  1.35: ['v1.35.1', 8620],
  1.36: ['v1.36.0', 8702]
}
const STRICT = {
  '1.28-strict': ['v1.28.15', 7960],
  '1.29-strict': ['v1.29.15', 8001],
  '1.30-strict': ['v1.30.14', 8240],
  '1.31-strict': ['v1.31.13', 8450],
  '1.32-strict': ['v1.32.9', 8505],
  '1.33-strict': ['v1.33.5', 8500],
  '1.34-strict': ['v1.34.1', 8447],
  '1.35-strict': ['v1.35.1', 8611]
}
const RISKS = ['stable', 'candidate', 'beta', 'edge']

/** Builds the store: every track with its four risks, minus `remove` tracks, with `close` channels closed. */
export function buildStore(options = {}) {
  const rows = []
  const add = (track, [version, revision], confinement) => {
    if ((options.remove ?? []).includes(track)) return
    for (const risk of RISKS) {
      const channel = `${track}/${risk}`
      const closed = (options.close ?? []).includes(channel)
      rows.push({
        channel,
        version: closed ? undefined : version,
        revision: closed ? undefined : revision,
        confinement
      })
    }
  }
  // Store order: the default track first, then latest, then newest to oldest (microk8s-behaviour.md §2.3, an inference there).
  add('1.32', CLASSIC['1.32'], 'classic')
  add('latest', ['v1.34.1', 8492], 'classic')
  for (const track of Object.keys(CLASSIC).sort(byMinorDesc)) {
    if (STRICT[`${track}-strict`]) add(`${track}-strict`, STRICT[`${track}-strict`], 'strict')
    if (track !== '1.32') add(track, CLASSIC[track], 'classic')
  }
  for (const [channel, v] of Object.entries(options.set ?? {})) {
    const row = rows.find((r) => r.channel === channel)
    if (row) Object.assign(row, { version: v.version, revision: v.revision })
  }
  return rows
}

function byMinorDesc(a, b) {
  return Number(b.split('.')[1]) - Number(a.split('.')[1])
}

/** A closed channel follows the next safer open risk of its track (`^`); with none it shows `--`. */
export function resolveChannel(store, channel) {
  const [track, risk] = channel.split('/')
  const idx = RISKS.indexOf(risk)
  if (idx < 0) return undefined
  for (let i = idx; i >= 0; i--) {
    const row = store.find((r) => r.channel === `${track}/${RISKS[i]}`)
    if (!row) return undefined
    if (row.version) return row
  }
  return undefined
}

export function tracks(store) {
  return [...new Set(store.map((r) => r.channel.split('/')[0]))]
}

/** `snap info microk8s` as printed without a TTY (microk8s-behaviour.md §2.3). */
export function renderInfo(state) {
  const store = state.store
  const snap = state.snap
  const lines = [
    'name:      microk8s',
    'summary:   Kubernetes for workstations and appliances',
    'publisher: Canonical**',
    'store-url: https://snapcraft.io/microk8s',
    'contact:   https://github.com/canonical/microk8s',
    'license:   Apache-2.0',
    'description: |',
    '  MicroK8s is a small, fast, secure, certified Kubernetes distribution that',
    '  installs on just about any Linux box.',
    'snap-id:      EaXqgt1lyCaxKaQCU349mlodBkDCXRcg'
  ]
  if (snap) {
    lines.push(`tracking:     ${snap.tracking}`, 'refresh-date: today at 00:30 UTC')
    if (snap.held) lines.push('hold:         forever')
  }
  lines.push('channels:')
  const width = Math.max(...store.map((r) => r.channel.length)) + 2
  const revWidth = Math.max(...store.filter((r) => r.revision).map((r) => String(r.revision).length)) + 2
  for (const row of store) {
    const label = `${row.channel}:`.padEnd(width)
    if (row.version) {
      const rev = `(${row.revision})`.padStart(revWidth)
      lines.push(
        `  ${label} ${row.version.padEnd(8)} 2025-10-14 ${rev} 172MB ${row.confinement === 'classic' ? 'classic' : '-'}`
      )
    } else {
      const [track, risk] = row.channel.split('/')
      const safer = RISKS.slice(0, RISKS.indexOf(risk)).some(
        (r) => store.find((x) => x.channel === `${track}/${r}`)?.version
      )
      lines.push(`  ${label} ${safer ? '^' : '--'}`)
    }
  }
  if (snap)
    lines.push(
      `installed:               ${snap.version}             (${snap.revision}) 172MB ${snap.confinement === 'classic' ? 'classic' : '-'}`
    )
  return lines.join('\n')
}
