#!/usr/bin/env node
// Renders a job summary (GitHub-flavoured Markdown with HTML) to a page styled like GitHub's, and screenshots it
// with headless Chromium when one is installed: `node scripts/render-summary.mjs SUMMARY.md OUT.png`.
// This is how docs/summary.png is made from `npm run demo`'s summary.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { spawnSync } from 'node:child_process'
import { marked } from 'marked'

const [input, output = 'docs/summary.png'] = process.argv.slice(2)
const markdown = fs
  .readFileSync(input, 'utf8')
  // GitHub renders `> [!CAUTION]` as an alert; show it the same way here.
  .replace(/^> \[!CAUTION\]\n/m, '> **⛔ Caution**\n>\n')
const body = marked.parse(markdown, { gfm: true })
const html = `<!doctype html><meta charset="utf-8"><style>
body{font:14px/1.5 -apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328;background:#fff;margin:0;padding:24px 32px;max-width:1100px}
h3{font-size:18px;border-bottom:1px solid #d1d9e0;padding-bottom:8px}
table{border-collapse:collapse;margin:8px 0 16px;display:block;overflow:auto}
th,td{border:1px solid #d1d9e0;padding:4px 10px;text-align:left;vertical-align:top}
tr:nth-child(2n){background:#f6f8fa} th{font-weight:600;background:#f6f8fa}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eff1f3;border-radius:4px;padding:1px 4px}
details{margin:6px 0} summary{cursor:pointer;color:#0969da}
blockquote{border-left:4px solid #d1242f;margin:0;padding:0 12px;color:#1f2328}
sub{color:#59636e}
</style><div class="markdown-body">${body}</div>`
const htmlFile = output.replace(/\.png$/, '.html')
fs.mkdirSync(path.dirname(output), { recursive: true })
fs.writeFileSync(htmlFile, html)
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p))
if (!chromium) {
  console.log(`wrote ${htmlFile}; install chromium to take the screenshot`)
  process.exit(0)
}
const r = spawnSync(
  chromium,
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${fs.mkdtempSync('/tmp/chromium-')}`,
    `--screenshot=${path.resolve(output)}`,
    '--window-size=1180,1180',
    `file://${path.resolve(htmlFile)}`
  ],
  { encoding: 'utf8' }
)
if (r.status !== 0) {
  console.error(r.stderr)
  process.exit(1)
}
console.log(`wrote ${output}`)
