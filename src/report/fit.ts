/**
 * Fitting a rendering into GitHub's size limits (1 MiB per step summary, 65,536 characters per comment): the
 * rendering is a list of sections; the least important are dropped first, then one is cut after its last whole
 * row with its closing tags, and a note says what was left out and where the full report is. Pure.
 */

/**
 * A part of the rendering. `head` and `foot` hold everything around the rows (title, `<details>`, `<table>`
 * and the header row; the closing tags), so a cut can keep whole rows and still close every element.
 */
export interface Section {
  /** What a reader would call it, for the note that says what was left out. */
  name: string
  head: string
  rows: string[]
  foot: string
  /** 0: never dropped; higher numbers are dropped first when the rendering is too long. */
  droppable: number
}

const size = (s: string) => Buffer.byteLength(s, 'utf8')
const whole = (s: Section) => s.head + s.rows.join('') + s.foot
const WHERE = 'the full report is in the JSON report file (the <code>report-file</code> output)'

/**
 * Fits the sections into `limit` bytes: drops droppable sections (highest first), then keeps sections in order
 * while they fit and cuts the first one that does not after its last whole row, with its closing tags. The note
 * says what was left out and where the full report is. The headline and the failure are always kept.
 */
export function fitSections(sections: Section[], tail: string, limit: number): string {
  const join = (list: Section[], note = '') => list.map(whole).join('') + note + tail
  if (size(join(sections)) <= limit) return join(sections)
  let kept = [...sections]
  const dropped: string[] = []
  let note = ''
  for (let level = 3; level >= 1; level--) {
    dropped.push(...kept.filter((s) => s.droppable >= level).map((s) => s.name))
    kept = kept.filter((s) => s.droppable < level)
    note = `\n_✂️ Shortened to fit GitHub’s size limit: left out ${dropped.join(', ')}; ${WHERE}._\n\n`
    if (size(join(kept, note)) <= limit) return join(kept, note)
  }
  // Still too long (e.g. thousands of findings): keep whole sections while they fit, cut the next at a row.
  const cutNote = (what: string, left: string[]) =>
    `\n_✂️ Shortened and cut to fit GitHub’s size limit: ${what}${left.length ? `; left out ${left.join(', ')}` : ''}; ${WHERE}._\n\n`
  const mandatory = (s: Section) => s.name === 'headline' || s.name === 'failure'
  let body = ''
  for (let i = 0; i < kept.length; i++) {
    const s = kept[i]
    if (mandatory(s)) {
      body += whole(s)
      continue
    }
    const later = kept.slice(i + 1)
    const laterMandatory = later.filter(mandatory).map(whole).join('')
    const left = [...dropped, ...later.filter((x) => !mandatory(x)).map((x) => x.name)]
    const shows = (n: number) => `${s.name} shows ${n} of ${s.rows.length} rows`
    // Reserve room for the longest note this cut could need, so the note written always fits.
    const worst = Math.max(
      size(cutNote(shows(s.rows.length), left)),
      size(cutNote('nothing more fits', [s.name, ...left]))
    )
    const room = limit - size(body) - size(laterMandatory) - worst - size(tail)
    if (size(whole(s)) <= room) {
      body += whole(s)
      continue
    }
    let n = 0
    let used = size(s.head) + size(s.foot)
    while (n < s.rows.length && used + size(s.rows[n]) <= room) used += size(s.rows[n++])
    if (n > 0)
      return body + s.head + s.rows.slice(0, n).join('') + s.foot + laterMandatory + cutNote(shows(n), left) + tail
    return body + laterMandatory + cutNote('nothing more fits', [s.name, ...left]) + tail
  }
  return body + note + tail
}
