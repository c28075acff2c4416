// A job summary (or any GitHub-flavoured Markdown the action writes) as an HTML page drawn the way GitHub draws it,
// with GitHub's own pieces where they are installed:
//  - Markdown: `cmark-gfm` (GitHub's fork of cmark; Debian package cmark-gfm) with the GFM extensions (table,
//    strikethrough, autolink, tagfilter) and raw HTML passed through, as GitHub does; without it, `marked`.
//  - The HTML allowlist: the elements and attributes of html-pipeline's SanitizationFilter
//    (gjtorikian/html-pipeline, lib/html_pipeline/sanitization_filter.rb): anything else is dropped (its text
//    kept), so `style` and `class` attributes do nothing, as on GitHub; `href` only with http(s), mailto or relative.
//  - Alerts (`> [!CAUTION]`) marked up as GitHub does (`markdown-alert` classes), and ```mermaid blocks drawn by
//    Mermaid itself in the page.
//  - github-markdown-css for the styles (GitHub's Markdown CSS, extracted by sindresorhus/github-markdown-css).
// Mermaid and github-markdown-css come from a "kit": a folder made with
//   npm install --prefix DIR mermaid@11 github-markdown-css
// outside the repository (the shared node_modules stays as it is), named by `--kit DIR` or MERMAID_KIT=DIR.
// Without a kit the page has its own GitHub-like styles and draws the timeline's bars itself, and says so.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { spawnSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { Marked } from 'marked'

// ------------------------------------------------------------------------------------------------ the kit

/**
 * The Mermaid and github-markdown-css files of a kit folder (`npm install --prefix DIR mermaid@11
 * github-markdown-css`), or undefined when `dir` is empty or holds no Mermaid.
 * @param {string | undefined | null} dir
 */
export function findKit(dir = process.env.MERMAID_KIT) {
  if (!dir) return undefined
  const modules = path.join(path.resolve(dir), 'node_modules')
  const mermaid = path.join(modules, 'mermaid', 'dist', 'mermaid.min.js')
  if (!fs.existsSync(mermaid)) return undefined
  const css = path.join(modules, 'github-markdown-css', 'github-markdown-light.css')
  const version = JSON.parse(fs.readFileSync(path.join(modules, 'mermaid', 'package.json'), 'utf8')).version
  return { mermaid, mermaidVersion: version, css: fs.existsSync(css) ? css : undefined }
}

// ------------------------------------------------------------------------------------------- Markdown → HTML

/** Whether `cmark-gfm` is on the PATH. */
export function hasCmarkGfm() {
  return spawnSync('cmark-gfm', ['--version'], { encoding: 'utf8' }).status === 0
}

/**
 * GitHub-flavoured Markdown to HTML: with cmark-gfm when asked for and installed (`engine: 'auto'` takes it when
 * it is there), else with marked. Raw HTML passes through; the allowlist comes after.
 * @param {string} markdown
 * @param {{ engine?: 'auto' | 'cmark-gfm' | 'marked' }} options
 */
export function markdownToHtml(markdown, { engine = 'auto' } = {}) {
  if (engine === 'cmark-gfm' || (engine === 'auto' && hasCmarkGfm())) {
    const extensions = ['table', 'strikethrough', 'autolink', 'tagfilter'].flatMap((e) => ['-e', e])
    const r = spawnSync('cmark-gfm', ['--unsafe', '--github-pre-lang', ...extensions], {
      input: markdown,
      encoding: 'utf8'
    })
    if (r.status !== 0) throw new Error(`cmark-gfm failed: ${r.stderr}`)
    return r.stdout
  }
  // marked marks a fenced block's language with a class, which the allowlist drops: as cmark-gfm's `lang`.
  return new Marked({ gfm: true })
    .parse(markdown)
    .replace(/<pre><code class="language-([\w-]+)">/g, '<pre lang="$1"><code>')
}

// ------------------------------------------------------------------------------------------------ allowlist

const ELEMENTS = new Set(
  (
    'h1 h2 h3 h4 h5 h6 br b i strong em a pre code img tt div ins del sup sub p ol ul table thead tbody tfoot ' +
    'blockquote dl dt dd kbd q samp var hr ruby rt rp li tr td th s strike summary details caption figure ' +
    'figcaption abbr bdo cite dfn mark small span time wbr'
  ).split(' ')
)
const ATTRIBUTES = {
  a: ['href'],
  img: ['src', 'longdesc'],
  div: ['itemscope', 'itemtype'],
  blockquote: ['cite'],
  del: ['cite'],
  ins: ['cite'],
  q: ['cite'],
  all: (
    'abbr accept accept-charset accesskey action align alt aria-describedby aria-hidden aria-label ' +
    'aria-labelledby axis border cellpadding cellspacing char charoff charset checked clear cols colspan color ' +
    'compact coords datetime dir disabled enctype for frame headers height hreflang hspace id ismap label lang ' +
    'maxlength media method multiple name nohref noshade nowrap open progress prompt readonly rel rev role rows ' +
    'rowspan rules scope selected shape size span start summary tabindex title type usemap valign value width itemprop'
  ).split(' ')
}
/** Elements whose content goes with them (the rest keep their text when they are dropped). */
const DROPPED_WITH_CONTENT = new Set(['script', 'style', 'iframe', 'object', 'embed', 'noscript', 'template'])

const allowedUrl = (url) => !/^[a-z][a-z0-9+.-]*:/i.test(url) || /^(https?|mailto):/i.test(url)

/**
 * HTML through GitHub's allowlist: elements not on it dropped (their text kept, except script-like ones),
 * attributes not on it dropped, links only to http(s), mailto or relative addresses, comments removed.
 * @param {string} html
 */
export function sanitize(html) {
  let out = ''
  let skipping = '' // inside an element dropped with its content
  const re = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>|[^<]+|</g
  for (const m of html.matchAll(re)) {
    const [token, close, rawName, attrs] = m
    if (token.startsWith('<!--')) continue
    if (rawName === undefined) {
      if (!skipping) out += token === '<' ? '&lt;' : token
      continue
    }
    const name = rawName.toLowerCase()
    if (skipping) {
      if (close && name === skipping) skipping = ''
      continue
    }
    if (!ELEMENTS.has(name)) {
      if (!close && DROPPED_WITH_CONTENT.has(name) && !attrs.trim().endsWith('/')) skipping = name
      continue
    }
    if (close) {
      out += `</${name}>`
      continue
    }
    const allowed = [...(ATTRIBUTES[name] ?? []), ...ATTRIBUTES.all]
    const kept = []
    for (const a of attrs.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
      const attr = a[1].toLowerCase()
      const value = a[2] ?? a[3] ?? a[4] ?? ''
      if (!allowed.includes(attr)) continue
      if ((attr === 'href' || attr === 'src' || attr === 'cite' || attr === 'longdesc') && !allowedUrl(value)) continue
      kept.push(` ${attr}="${value.replace(/"/g, '&quot;')}"`)
    }
    out += `<${name}${kept.join('')}${attrs.trim().endsWith('/') ? ' /' : ''}>`
  }
  return out
}

/** GitHub's alert markup for a blockquote that starts with `[!NOTE]`, `[!CAUTION]`, … (after the allowlist). */
export function alerts(html) {
  return html.replace(
    /<blockquote>\s*<p>\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*(?:<br \/>)?\s*([\s\S]*?)<\/blockquote>/g,
    (_, kind, rest) =>
      `<div class="markdown-alert markdown-alert-${kind.toLowerCase()}"><p class="markdown-alert-title">` +
      `${kind[0]}${kind.slice(1).toLowerCase()}</p><p>${rest}</div>`
  )
}

// ---------------------------------------------------------------------------------------------------- page

const OWN_STYLE = `
.markdown-body{font:14px/1.5 -apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328}
.markdown-body h3{font-size:1.25em;border-bottom:1px solid #d1d9e0;padding-bottom:.3em}
.markdown-body table{border-collapse:collapse;margin:0 0 16px;display:block;width:max-content;max-width:100%;overflow:auto}
.markdown-body th,.markdown-body td{border:1px solid #d1d9e0;padding:6px 13px;text-align:left;vertical-align:top}
.markdown-body tr:nth-child(2n){background:#f6f8fa} .markdown-body th{font-weight:600}
.markdown-body code{font:85% ui-monospace,SFMono-Regular,Menlo,monospace;background:#818b981f;border-radius:6px;padding:.2em .4em}
.markdown-body summary{cursor:pointer}
.markdown-alert{padding:.5rem 1rem;margin-bottom:16px;border-left:.25em solid #d1242f}
.markdown-alert-title{font-weight:500;color:#d1242f}
`
const PAGE_STYLE = `
body{margin:0;background:#fff}
.markdown-body{box-sizing:border-box;padding:24px 32px}
.markdown-body pre.mermaid{background:none;padding:0}
.approximation{font-size:12px;color:#59636e}
`

/**
 * The page: the Markdown as GitHub renders it. With a kit, Mermaid draws each ```mermaid block in the page (it
 * sets `data-rendered` on the body when done) and github-markdown-css styles it; without one, `drawTimeline`
 * draws a gantt block as bars, captioned as not GitHub's drawing.
 * @param {string} markdown
 * @param {{ kit?: ReturnType<typeof findKit> | null, engine?: 'auto'|'cmark-gfm'|'marked', drawTimeline?: (source: string) => string }} options
 */
export function githubPage(markdown, { kit = findKit(), engine = 'auto', drawTimeline = () => '' } = {}) {
  let body = alerts(sanitize(markdownToHtml(markdown, { engine })))
  // A fenced block with its language: `<pre lang="mermaid"><code>` (cmark-gfm's --github-pre-lang).
  const blocks = /<pre lang="mermaid"><code>([\s\S]*?)<\/code><\/pre>/g
  body = body.replace(blocks, (_, source) => {
    if (kit) return `<pre class="mermaid">${source}</pre>`
    const text = source
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
    return /^\s*gantt\b/.test(text)
      ? `${drawTimeline(text)}<p class="approximation">GitHub draws this chart with Mermaid; these bars are an ` +
          `approximation (set MERMAID_KIT to draw it with Mermaid: docs/summary.md).</p>`
      : `<pre><code>${source}</code></pre>`
  })
  const css = kit?.css ? fs.readFileSync(kit.css, 'utf8') : OWN_STYLE
  // Tables wider than the page scroll on GitHub (github-markdown-css: display block, overflow auto): counted
  // on the body (data-overflowing) once Mermaid, when there is one, has drawn (data-rendered).
  const done =
    `document.body.dataset.overflowing = [...document.querySelectorAll('.markdown-body table')]` +
    `.filter((t) => t.scrollWidth > t.clientWidth + 1).length; ` +
    `document.body.dataset.height = Math.ceil(document.querySelector('.markdown-body').getBoundingClientRect().bottom)`
  const script = kit
    ? `<script src="${pathToFileURL(kit.mermaid)}"></script>\n<script>mermaid.initialize({ startOnLoad: false, theme: 'default' });\n` +
      `mermaid.run({ querySelector: 'pre.mermaid' }).finally(() => { document.body.dataset.rendered = 'mermaid ${kit.mermaidVersion}'; ${done} })</script>\n`
    : `<script>${done}</script>\n`
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>Job summary</title>` +
    `<style>${css}${PAGE_STYLE}</style></head><body><article class="markdown-body">\n${body}</article>\n${script}</body></html>\n`
  )
}

// --------------------------------------------------------------------------------------------- Chromium

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  // Mermaid draws after the load event: let the page's timers and scripts run before the picture is taken.
  '--virtual-time-budget=15000'
]

function chromium(args, tmpDir) {
  const bin = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p))
  if (!bin) return undefined
  const profile = fs.mkdtempSync(path.join(tmpDir, 'chromium-'))
  const r = spawnSync(bin, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    // The axis of a Mermaid gantt is in the browser's time zone: the picture is taken in UTC, as its caption says.
    env: { ...process.env, TZ: process.env.TZ ?? 'UTC' }
  })
  fs.rmSync(profile, { recursive: true, force: true })
  if (r.status !== 0) throw new Error(`chromium failed: ${r.stderr}`)
  return r.stdout
}

/**
 * Screenshots an HTML file with headless Chromium; false when none is installed. `height` undefined: as tall as
 * the page. Also says what drew the Mermaid blocks and how many tables are wider than the page (they scroll on
 * GitHub).
 * @param {string} htmlFile
 * @param {string} pngFile
 * @param {{ width?: number, height?: number, tmpDir?: string }} options
 */
export function screenshot(htmlFile, pngFile, { width = 1012, height, tmpDir = os.tmpdir() } = {}) {
  const url = pathToFileURL(path.resolve(htmlFile)).href
  const dom = chromium([`--window-size=${width},${height ?? 800}`, '--dump-dom', url], tmpDir)
  if (dom === undefined) return false
  const tall = height ?? Number(/data-height="(\d+)"/.exec(dom)?.[1] ?? 1400)
  chromium([`--window-size=${width},${tall}`, `--screenshot=${path.resolve(pngFile)}`, url], tmpDir)
  const rendered = /data-rendered="([^"]*)"/.exec(dom)?.[1]
  const overflowing = Number(/data-overflowing="(\d+)"/.exec(dom)?.[1] ?? 0)
  const errors = (dom.match(/Syntax error in text|class="error-icon"/g) ?? []).length
  return { rendered, overflowing, errors, height: tall }
}
