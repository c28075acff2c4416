#!/usr/bin/env node
// Renders a job summary (GitHub-flavoured Markdown with HTML tables, as the action writes it) the two ways the
// demo shows it:
//  - `summaryPage(markdown)`: an HTML page as GitHub draws it (scripts/github-page.mjs: cmark-gfm, GitHub's HTML
//    allowlist, github-markdown-css and Mermaid from a kit folder; without a kit the timeline is drawn as bars);
//  - `summaryForTerminal(markdown)`: text with aligned tables, the timeline as Unicode bars, for `npm run demo`.
//
// As a command: `node scripts/render-summary.mjs SUMMARY.md OUT.png [WIDTH[xHEIGHT]] [--kit DIR]` writes OUT.html and,
// when Chromium is installed, screenshots it to OUT.png (in UTC: the timeline's axis is the browser's time zone).
// docs/summary.png is made this way (docs/summary.md says how).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Marked } from 'marked'
import { findKit, githubPage, screenshot } from './github-page.mjs'

export { screenshot }

// ------------------------------------------------------------------------------------------------ timeline

/**
 * The bars of the action's Mermaid gantt block (only the shape the action writes: `dateFormat x`, tasks
 * `name :tags, start, end` under `section` lines). Times are made relative to the earliest bar, `t0`.
 */
export function parseGantt(source) {
  const bars = []
  let section = ''
  let title = ''
  for (const raw of source.split('\n')) {
    const line = raw.trim()
    let m
    if ((m = /^title (.+)$/.exec(line))) title = m[1]
    else if ((m = /^section (.+)$/.exec(line))) section = m[1]
    else if ((m = /^(.+?) :((?:(?:done|active|crit|milestone), )*)(\d+), (\d+)$/.exec(line))) {
      bars.push({ section, label: m[1], tags: m[2], start: Number(m[3]), end: Number(m[4]) })
    }
  }
  const t0 = Math.min(...bars.map((b) => b.start))
  const t1 = Math.max(...bars.map((b) => b.end))
  return { title, bars: bars.map((b) => ({ ...b, start: b.start - t0, end: b.end - t0 })), span: t1 - t0, t0 }
}

/** What a bar stands for: what failed (`crit`), a probe's outage (`active`), a hop, or an addon's downtime. */
const barKind = (b) =>
  b.tags.includes('crit') ? 'crit' : b.tags.includes('active') ? 'outage' : b.section === 'Hops' ? 'hop' : 'addon'
const BAR_COLOURS = { crit: 'red', outage: 'magenta', hop: 'blue', addon: 'yellow' }

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function timelineHtml(source) {
  const { title, bars, span, t0 } = parseGantt(source)
  if (bars.length === 0) return ''
  const pct = (ms) => ((ms / Math.max(span, 1)) * 100).toFixed(2)
  const rows = []
  let section
  for (const b of bars) {
    if (b.section !== section)
      rows.push(`<div class="tl-section">${escapeHtml((section = b.section))}</div><div></div>`)
    const kind = barKind(b)
    rows.push(
      `<div class="tl-label">${escapeHtml(b.label)}</div><div class="tl-track"><div class="tl-bar ${kind}" ` +
        `style="left:${pct(b.start)}%;width:max(${pct(b.end - b.start)}%,2px)"></div></div>`
    )
  }
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<span style="left:${f * 100}%">${clock(t0 + span * f, span < 10_000)}</span>`)
    .join('')
  return (
    `<style>${TIMELINE_STYLE}</style><figure class="timeline"><figcaption>${escapeHtml(title)}</figcaption>` +
    `<div class="tl-grid">${rows.join('')}<div></div><div class="tl-axis">${ticks}</div></div></figure>\n`
  )
}

/** A time of day on this machine's clock, as Mermaid's axis shows it in a browser: `HH:MM:SS`, `.mmm` when fine. */
function clock(ms, fine) {
  const d = new Date(ms)
  const two = (n) => String(n).padStart(2, '0')
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  return fine ? `${time}.${String(d.getMilliseconds()).padStart(3, '0')}` : time
}

function timelineText(source, width, paint) {
  const { title, bars, span, t0 } = parseGantt(source)
  if (bars.length === 0) return []
  const labelWidth = Math.max(...bars.map((b) => displayWidth(b.label)), ...bars.map((b) => displayWidth(b.section)))
  const track = Math.max(20, Math.min(60, width - labelWidth - 6))
  const col = (ms) => Math.round((ms / Math.max(span, 1)) * track)
  const lines = [paint('bold', title)]
  let section
  for (const b of bars) {
    if (b.section !== section) lines.push(paint('dim', (section = b.section)))
    const from = Math.min(col(b.start), track - 1)
    const to = Math.max(from + 1, col(b.end))
    const bar = paint(BAR_COLOURS[barKind(b)], '█'.repeat(to - from))
    lines.push(`${pad(b.label, labelWidth)} │${' '.repeat(from)}${bar}${' '.repeat(track - to)}│`)
  }
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(track)}┘`)
  // The axis as Mermaid's: the time of day in this machine's time zone, from the first bar to the last.
  const fine = span < 10_000
  const [from, to] = [clock(t0, fine), clock(t0 + span, fine)]
  lines.push(`${' '.repeat(labelWidth)}  ${from}${' '.repeat(Math.max(1, track - from.length - to.length))}${to}`)
  return lines
}

// ------------------------------------------------------------------------------------------------ HTML page

const TIMELINE_STYLE = `
.timeline{margin:8px 0 16px;border:1px solid #d1d9e0;border-radius:6px;padding:8px 12px}
.timeline figcaption{font-weight:600;margin-bottom:6px}
.tl-grid{display:grid;grid-template-columns:max-content 1fr;column-gap:12px;row-gap:3px;align-items:center}
.tl-section{font-size:12px;color:#59636e;margin-top:4px}
.tl-label{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.tl-track{position:relative;height:16px;background:#f6f8fa;border-radius:3px}
.tl-bar{position:absolute;top:2px;bottom:2px;border-radius:3px}
.tl-bar.hop{background:#0969da}.tl-bar.addon{background:#bf8700}.tl-bar.crit{background:#d1242f}
.tl-bar.outage{background:#8250df}
.tl-axis{position:relative;height:16px;font-size:11px;color:#59636e}
.tl-axis span{position:absolute;transform:translateX(-50%);white-space:nowrap}
.tl-axis span:first-child{transform:none}.tl-axis span:last-child{transform:translateX(-100%)}
`

/** GitHub renders `> [!CAUTION]` as an alert; `marked` does not know alerts, so the terminal shows it by hand. */
const alerts = (markdown) => markdown.replace(/^> \[!CAUTION\]\n/m, '> **⛔ Caution**\n>\n')

/**
 * The summary as an HTML page as GitHub draws it (scripts/github-page.mjs). Without a Mermaid kit (`kit`, else
 * MERMAID_KIT) the timeline is drawn as bars.
 * @param {string} markdown
 * @param {Parameters<typeof githubPage>[1]} options
 */
export function summaryPage(markdown, options = {}) {
  return githubPage(markdown, { drawTimeline: timelineHtml, ...options })
}

// --------------------------------------------------------------------------------------------- terminal

/** Symbols below U+1F300 that terminals draw two columns wide (emoji presentation by default). */
const WIDE_SYMBOLS = new Set([
  0x231a, 0x231b, 0x23e9, 0x23ea, 0x23eb, 0x23ec, 0x23f0, 0x23f3, 0x25fd, 0x25fe, 0x2614, 0x2615, 0x26a1, 0x26aa,
  0x26ab, 0x26bd, 0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26d4, 0x26ea, 0x26f2, 0x26f3, 0x26f5, 0x26fa, 0x26fd, 0x2705,
  0x270a, 0x270b, 0x2728, 0x274c, 0x274e, 0x2753, 0x2754, 0x2755, 0x2757, 0x2795, 0x2796, 0x2797, 0x27b0, 0x27bf,
  0x2b1b, 0x2b1c, 0x2b50, 0x2b55
])

/**
 * Columns a string takes in a terminal: emoji (and a symbol followed by the emoji variation selector U+FE0F) and
 * wide East Asian characters take two, joiners and combining marks none.
 */
export function displayWidth(text) {
  const chars = [...text.replace(/\u001b\[[0-9;]*m/g, '')]
  let w = 0
  chars.forEach((ch, i) => {
    const c = ch.codePointAt(0)
    if (c === 0xfe0f || c === 0x200d || (c >= 0x300 && c < 0x370)) return
    const wide =
      chars[i + 1] === '\ufe0f' ||
      WIDE_SYMBOLS.has(c) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xff00 && c <= 0xff60)
    w += wide ? 2 : 1
  })
  return w
}
const pad = (s, n) => s + ' '.repeat(Math.max(0, n - displayWidth(s)))

const ESCAPE = /\u001b\[[0-9;]*m/y

/**
 * A word wider than `max` columns in pieces that fit (a cell such as `1.28-strict/stable` in a narrow column):
 * cut after the last `/`, `-`, `.`, `,` or `:` that keeps the piece within `max`, else at `max`. Colour escapes
 * take no columns and are never cut.
 */
export function breakWord(word, max) {
  if (max < 1 || displayWidth(word) <= max) return [word]
  const pieces = []
  let piece = ''
  let width = 0
  let cut = -1 // where in `piece` the last break character ends
  for (let i = 0; i < word.length;) {
    ESCAPE.lastIndex = i
    const esc = ESCAPE.exec(word)
    if (esc) {
      piece += esc[0]
      i += esc[0].length
      continue
    }
    const ch = String.fromCodePoint(word.codePointAt(i))
    const w = displayWidth(word.slice(i, i + ch.length + (word[i + ch.length] === '\ufe0f' ? 1 : 0)))
    if (width + w > max && width > 0) {
      const at = cut > 0 ? cut : piece.length
      pieces.push(piece.slice(0, at))
      piece = piece.slice(at)
      width = displayWidth(piece)
      cut = -1
    }
    piece += ch
    width += w
    i += ch.length
    if ('/-.,:'.includes(ch)) cut = piece.length
  }
  if (piece) pieces.push(piece)
  return pieces
}

/** Lines cut from styled text: each line closes the styles still open at its end and reopens them on the next. */
function carryStyles(lines) {
  let open = []
  return lines.map((line) => {
    const start = open.join('')
    for (const [code] of line.matchAll(/\u001b\[([0-9;]*)m/g)) {
      if (code === '\u001b[0m' || code === '\u001b[m') open = []
      else open.push(code)
    }
    return open.length || start ? `${start}${line}${open.length ? '\u001b[0m' : ''}` : line
  })
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }
const decode = (s) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : (ENTITIES[e] ?? m)
  )

/** A small HTML tree (enough for what marked makes of a summary). */
function parseHtml(html) {
  const root = { tag: '#root', attrs: '', children: [] }
  const stack = [root]
  const re = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|([^<]+)/g
  for (const m of html.matchAll(re)) {
    const top = stack[stack.length - 1]
    if (m[4] !== undefined) top.children.push({ text: decode(m[4]) })
    else if (!m[2]) continue
    else if (m[1]) {
      const i = stack.map((n) => n.tag).lastIndexOf(m[2].toLowerCase())
      if (i > 0) stack.length = i
    } else {
      const node = { tag: m[2].toLowerCase(), attrs: m[3], children: [] }
      top.children.push(node)
      if (!['br', 'hr', 'img', 'input', 'wbr'].includes(node.tag) && !m[3].endsWith('/')) stack.push(node)
    }
  }
  return root
}

/**
 * The summary for a terminal: headings, paragraphs, aligned tables (long cells wrapped), folded sections shown
 * open under their title, the timeline as Unicode bars.
 * @param {string} markdown
 * @param {{width?: number, color?: boolean}} options
 */
export function summaryForTerminal(markdown, { width = 120, color = false } = {}) {
  const styles = { bold: 1, dim: 2, italic: 3, red: 31, yellow: 33, blue: 34, magenta: 35, cyan: 36 }
  const paint = (style, text) => (color && text ? `\u001b[${styles[style]}m${text}\u001b[0m` : text)
  const marked = new Marked({ gfm: true })
  const tree = parseHtml(marked.parse(alerts(markdown)))
  const out = []

  const inline = (node) => {
    if (node.text !== undefined) return node.text.replace(/\s*\n\s*/g, ' ')
    const inner = () => node.children.map(inline).join('')
    switch (node.tag) {
      case 'br':
        return '\n'
      case 'strong':
      case 'b':
        return paint('bold', inner())
      case 'em':
      case 'i':
        return paint('italic', inner())
      case 'code':
        return paint('cyan', inner())
      case 'sub':
        return paint('dim', inner())
      case 'a': {
        const href = /href="([^"]*)"/.exec(node.attrs)?.[1]
        return href ? `${inner()} (${decode(href)})` : inner()
      }
      default:
        return inner()
    }
  }

  const wrap = (text, max) => {
    const lines = []
    for (const para of text.split('\n')) {
      let line = ''
      for (const word of para.split(/ +/).flatMap((w) => breakWord(w, max))) {
        if (line && displayWidth(line) + 1 + displayWidth(word) > max) {
          lines.push(line)
          line = word
        } else line = line ? `${line} ${word}` : word
      }
      lines.push(line)
    }
    return carryStyles(lines)
  }

  const table = (node, indent) => {
    const rows = []
    const collect = (n) => {
      for (const c of n.children ?? []) {
        if (c.tag === 'tr')
          rows.push(c.children.filter((x) => x.tag === 'td' || x.tag === 'th').map((x) => inline(x).trim()))
        else if (c.tag) collect(c)
      }
    }
    collect(node)
    const columns = Math.max(...rows.map((r) => r.length))
    const natural = Array.from({ length: columns }, (_, i) =>
      Math.max(1, ...rows.map((r) => Math.max(...(r[i] ?? '').split('\n').map(displayWidth))))
    )
    // Shrink the widest columns until the table fits the width.
    const widths = [...natural]
    const room = width - indent.length - 3 * (columns - 1)
    while (widths.reduce((a, b) => a + b, 0) > room) {
      const i = widths.indexOf(Math.max(...widths))
      if (widths[i] <= 12) break
      widths[i]--
    }
    rows.forEach((r, ri) => {
      const cells = widths.map((w, i) => wrap(r[i] ?? '', w))
      const height = Math.max(...cells.map((c) => c.length))
      for (let l = 0; l < height; l++) {
        const text = cells
          .map((c, i) => pad(c[l] ?? '', widths[i]))
          .join(paint('dim', ' │ '))
          .trimEnd()
        out.push(indent + (ri === 0 ? paint('bold', text) : text))
      }
      if (ri === 0) out.push(indent + paint('dim', widths.map((w) => '─'.repeat(w)).join('─┼─')))
    })
    out.push('')
  }

  const block = (node, indent = '') => {
    for (const c of node.children) {
      if (c.text !== undefined) {
        if (c.text.trim()) out.push(indent + c.text.trim())
        continue
      }
      switch (c.tag) {
        case 'h1':
        case 'h2':
        case 'h3':
        case 'h4':
          out.push(indent + paint('bold', inline(c)), '')
          break
        case 'p':
          for (const l of inline(c).split('\n')) out.push(indent + l)
          out.push('')
          break
        case 'blockquote': {
          const start = out.length
          block(c, '')
          while (out.length > start && out[out.length - 1] === '') out.pop()
          for (let i = start; i < out.length; i++) out[i] = `${indent}${paint('red', '┃')} ${out[i]}`.trimEnd()
          out.push('')
          break
        }
        case 'table':
          table(c, indent)
          break
        case 'details': {
          const summary = c.children.find((x) => x.tag === 'summary')
          out.push(indent + paint('bold', `▾ ${summary ? inline(summary) : 'Details'}`))
          block({ children: c.children.filter((x) => x !== summary) }, `${indent}  `)
          break
        }
        case 'pre': {
          const codeNode = c.children.find((x) => x.tag === 'code')
          const text = (codeNode ?? c).children.map((x) => x.text ?? inline(x)).join('')
          if (/language-mermaid/.test(codeNode?.attrs ?? '') && /^gantt\b/.test(text.trim())) {
            for (const l of timelineText(text, width - indent.length, paint)) out.push(indent + l)
          } else for (const l of text.replace(/\n$/, '').split('\n')) out.push(`${indent}  ${l}`)
          out.push('')
          break
        }
        case 'ul':
        case 'ol':
          for (const li of c.children.filter((x) => x.tag === 'li')) {
            const lines = wrap(inline(li).trim(), width - indent.length - 2)
            lines.forEach((l, i) => out.push(`${indent}${i === 0 ? '• ' : '  '}${l}`))
          }
          out.push('')
          break
        case 'hr':
          out.push(indent + paint('dim', '─'.repeat(Math.min(width, 40))))
          break
        default:
          if (c.children.some((x) => x.tag && ['p', 'table', 'pre', 'ul', 'details'].includes(x.tag))) block(c, indent)
          else if (inline(c).trim()) out.push(indent + inline(c).trim())
      }
    }
  }
  block(tree)
  while (out.length && out[out.length - 1] === '') out.pop()
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`
}

// ---------------------------------------------------------------------------------------------- command

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const at = args.indexOf('--kit')
  const kitDir = at >= 0 ? args.splice(at, 2)[1] : process.env.MERMAID_KIT
  const [input, output = 'docs/summary.png', size] = args
  if (!input) {
    console.error('usage: node scripts/render-summary.mjs SUMMARY.md [OUT.png|OUT.html] [WIDTH[xHEIGHT]] [--kit DIR]')
    console.error(
      '  --kit DIR (or MERMAID_KIT=DIR): a folder made with `npm install --prefix DIR mermaid@11 github-markdown-css`'
    )
    process.exit(2)
  }
  const kit = findKit(kitDir)
  if (kitDir && !kit) console.error(`no Mermaid in ${kitDir} (npm install --prefix ${kitDir} mermaid@11): drawing bars`)
  const htmlFile = output.replace(/\.png$/, '.html')
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true })
  fs.writeFileSync(htmlFile, summaryPage(fs.readFileSync(input, 'utf8'), { kit: kit ?? null }))
  if (!output.endsWith('.png')) console.log(`wrote ${htmlFile}`)
  else {
    // WIDTH or WIDTHxHEIGHT: without a height, as tall as the page.
    const [width, height] = (size ?? '1012').split('x').map(Number)
    const shot = screenshot(htmlFile, output, { width, height })
    if (!shot) console.log(`wrote ${htmlFile}; install chromium to take the screenshot`)
    else {
      console.log(
        `wrote ${output} (and ${htmlFile}) at ${width}x${shot.height}, ${shot.rendered ?? 'timeline drawn as bars, not by Mermaid'}`
      )
      if (shot.overflowing) console.log(`warning: ${shot.overflowing} table(s) wider than ${width} px: they scroll`)
      if (shot.errors) console.log(`warning: Mermaid could not draw ${shot.errors} block(s)`)
    }
  }
}
