// What `npm run demo` is made of: the runner's log view (scripts/workflow-log.mjs) and the summary rendered for a
// terminal and as an HTML page (scripts/render-summary.mjs). The demo itself: test/integration/demo.test.ts.
import { describe, it, expect } from 'vitest'
import { createLogView, parseCommand } from '../scripts/workflow-log.mjs'
import { summaryForTerminal, summaryPage, displayWidth, parseGantt, breakWord } from '../scripts/render-summary.mjs'
import { renderSummary } from '../src/report/summary.js'
import { typicalUpgrade, failedRun } from './helpers/reports.js'
import { unbalanced } from './helpers/html.js'
import { alerts, hasCmarkGfm, markdownToHtml, sanitize } from '../scripts/github-page.mjs'

function view(input: string, options: Record<string, boolean> = {}): string {
  let out = ''
  const log = createLogView({ ...options, write: (t: string) => (out += t) })
  log.push(input)
  log.end()
  return out
}

const actionLog = [
  '::group::inspect',
  '::debug::run: snap list microk8s',
  'some detail',
  '::warning title=multi-node cluster::the cluster has 2 nodes%0Aupgrade the others',
  '✓ inspect (2.1 s)',
  '::endgroup::',
  '::add-mask::s3cr3t',
  'Core: upgrade from 1.28 to 1.30',
  'token s3cr3t in a line',
  '::error title=microk8s-upgrade-action%3A hop::it failed',
  ''
].join('\n')

describe('the log view', () => {
  it('reads workflow commands with their escapes', () => {
    expect(parseCommand('::warning title=a%3Ab%2Cc,file=x::line%0Anext %25')).toEqual({
      name: 'warning',
      properties: { title: 'a:b,c', file: 'x' },
      message: 'line\nnext %'
    })
    expect(parseCommand('plain ::text')).toBeUndefined()
  })

  it('collapses a group to one line with its duration, keeps its annotations, hides debug and masks', () => {
    expect(view(actionLog)).toBe(
      [
        '✓ inspect 2.1 s',
        '  Warning: multi-node cluster: the cluster has 2 nodes\nupgrade the others',
        'Core: upgrade from 1.28 to 1.30',
        'token *** in a line',
        'Error: microk8s-upgrade-action: hop: it failed',
        ''
      ].join('\n')
    )
  })

  it('opens every group with --verbose and shows debug lines with --debug, never a secret', () => {
    const out = view(actionLog, { verbose: true, debug: true })
    expect(out).toContain('▾ inspect\n  [debug] run: snap list microk8s\n  some detail\n')
    expect(out).toContain('(a value was registered as a secret')
    expect(out).not.toContain('s3cr3t')
  })

  it('colours warnings yellow and errors red when asked', () => {
    const out = view(actionLog, { color: true })
    expect(out).toContain('\u001b[33mWarning: multi-node cluster')
    expect(out).toContain('\u001b[31mError: microk8s-upgrade-action')
  })
})

describe('the summary outside GitHub', () => {
  it('counts emoji as two columns, as terminals draw them', () => {
    for (const icon of ['✅', '❌', '⏭️', '⬆️', '⬇️', '🔁', '➕', '➖', '❔', '⛔'])
      expect(displayWidth(icon), icon).toBe(2)
    expect(displayWidth('· unchanged')).toBe(11)
  })

  it('aligns every table column in the terminal, emoji included', () => {
    const text = summaryForTerminal(renderSummary(typicalUpgrade(), { limit: 1 << 20 }), { width: 400 })
    const tables = text.split('\n\n').filter((b) => b.includes('─┼─'))
    expect(tables.length).toBeGreaterThanOrEqual(5)
    for (const t of tables) {
      const lines = t.split('\n').filter((l) => l.includes('│') && !/[█└]/.test(l))
      // Where each separator is drawn: the display width of everything before it.
      const columns = (l: string) => [...l.matchAll(/│/g)].map((m) => displayWidth(l.slice(0, m.index)))
      for (const l of lines) expect(columns(l), l).toEqual(columns(lines[0]))
    }
  })

  it('keeps every column aligned when a cell is wider than its column (the grid of demo:matrix), in colour too', () => {
    // As the grid writes its rows: code, sub and br inside the cells.
    const row = (n: number, from: string, to: string) =>
      `<tr><td>${n}</td><td><code>${from}</code> <sub>v1.28.15</sub></td><td><code>${to}</code> <sub>v1.30.14</sub></td>` +
      `<td>✅ upgraded</td><td>1.29 ✅ 0.7 s<br>1.30 ✅ 0.6 s</td></tr>`
    const markdown =
      '<table><tr><th>#</th><th>from</th><th>target</th><th>status</th><th>hops</th></tr>' +
      row(1, '1.28/stable', '1.30/stable') +
      row(3, '1.28-strict/stable', '1.30-strict/stable') +
      '</table>\n'
    const plain = (l: string) => l.replace(/\u001b\[[0-9;]*m/g, '')
    const columns = (l: string) => [...plain(l).matchAll(/[│┼]/g)].map((m) => displayWidth(plain(l).slice(0, m.index)))
    for (const color of [false, true]) {
      // 50 columns: "from" and "target" shrink to 12, narrower than 1.28-strict/stable.
      const lines = summaryForTerminal(markdown, { width: 50, color }).trimEnd().split('\n')
      for (const l of lines) expect(columns(l), plain(l)).toEqual(columns(lines[0]))
      const fromColumn = lines.filter((l) => l.includes('│')).map((l) => plain(l).split(' │ ')[1].trim())
      expect(fromColumn.join(' ')).toContain('1.28-strict/ stable v1.28.15')
      // No colour runs on past a line's end into the next cell's padding or the next line.
      const lastStyle = (l: string) => [...l.matchAll(/\u001b\[([0-9;]*)m/g)].map((m) => m[1]).pop() ?? '0'
      if (color) for (const l of lines) expect(lastStyle(l), l).toBe('0')
    }
  })

  it('breaks a word wider than the column after a separator, never inside a colour escape', () => {
    expect(breakWord('1.28-strict/stable', 12)).toEqual(['1.28-strict/', 'stable'])
    expect(breakWord('short', 12)).toEqual(['short'])
    expect(breakWord('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij'])
    const cyan = '\u001b[36m1.30-strict/stable\u001b[0m'
    expect(breakWord(cyan, 12)).toEqual(['\u001b[36m1.30-strict/', 'stable\u001b[0m'])
    expect(breakWord('✅✅✅', 4).map(displayWidth)).toEqual([4, 2])
  })

  it('shows a failure as the alert GitHub draws, not as its Markdown marker', () => {
    const text = summaryForTerminal(renderSummary(failedRun(), { limit: 1 << 20 }), { width: 120 })
    expect(text).toMatch(/^┃ ⛔ Caution$/m)
    expect(text).toMatch(/^┃ Failed at refresh 1\.30\/stable: MicroK8s did not become ready/m)
    expect(text).not.toContain('[!CAUTION]')
    expect(text).toContain('not readable: the cluster')
  })

  it('draws the timeline as bars in the terminal and on the HTML page', () => {
    const markdown = renderSummary(typicalUpgrade(), { limit: 1 << 20 })
    const block = /```mermaid\n([\s\S]*?)```/.exec(markdown)![1]
    expect(parseGantt(block).bars.map((b: any) => [b.label, b.start, b.end])).toEqual([
      ['1.29/stable (61 s)', 0, 61000],
      ['1.30/stable (58 s)', 61000, 119000],
      ['dns (28 s)', 129000, 157000],
      ['ingress (51 s)', 124000, 175000],
      ['hostpath-storage (73 s)', 119000, 192000]
    ])
    const text = summaryForTerminal(markdown, { width: 100 })
    expect(text).toMatch(/^1\.29\/stable \(61 s\) +│█+ +│$/m)
    for (const engine of hasCmarkGfm() ? (['marked', 'cmark-gfm'] as const) : (['marked'] as const)) {
      const page = summaryPage(markdown, { kit: null, engine })
      expect(page, engine).toContain('class="tl-bar hop"')
      expect(page, engine).toContain('GitHub draws this chart with Mermaid; these bars are an approximation')
      expect(page, engine).not.toContain('```mermaid')
      expect(unbalanced(page.replace(/^<!doctype html>/, '')), engine).toBeUndefined()
    }
  })

  it('with a Mermaid kit, leaves the gantt block to Mermaid in the page', () => {
    const kit = { mermaid: '/kit/node_modules/mermaid/dist/mermaid.min.js', mermaidVersion: '11.0.0' }
    const page = summaryPage(renderSummary(typicalUpgrade(), { limit: 1 << 20 }), { kit, engine: 'marked' })
    const block = /<pre class="mermaid">([\s\S]*?)<\/pre>/.exec(page)![1]
    expect(block).toMatch(/^gantt\n {2}title Timeline/)
    expect(block).toContain('tickInterval ')
    expect(page).toContain('<script src="file:///kit/node_modules/mermaid/dist/mermaid.min.js"></script>')
    expect(page).not.toContain('tl-bar')
  })
})

describe('the page as GitHub draws it (scripts/github-page.mjs)', () => {
  it('keeps only what GitHub’s HTML allowlist keeps', () => {
    const html = sanitize(
      '<table><tr><td style="color:red" class="x" colspan="2">a <sub>b</sub> <code>c/<wbr>d</code></td></tr></table>' +
        '<details open><summary>s</summary><p>t</p></details><!-- marker -->' +
        '<script>alert(1)</script><iframe src="x">inner</iframe><font color="red">kept text</font>' +
        '<a href="javascript:alert(1)">j</a><a href="https://github.com/x">h</a><img src="x" onerror="alert(1)">'
    )
    expect(html).toBe(
      '<table><tr><td colspan="2">a <sub>b</sub> <code>c/<wbr>d</code></td></tr></table>' +
        '<details open=""><summary>s</summary><p>t</p></details>' +
        'kept text<a>j</a><a href="https://github.com/x">h</a><img src="x">'
    )
  })

  it('draws a caution blockquote as GitHub’s alert, with either Markdown engine', () => {
    const markdown = '> [!CAUTION]\n> **Failed at x:** boom\n>\n> Cluster left: y\n'
    for (const engine of hasCmarkGfm() ? (['marked', 'cmark-gfm'] as const) : (['marked'] as const)) {
      const html = alerts(sanitize(markdownToHtml(markdown, { engine })))
      expect(html, engine).toMatch(
        /^<div class="markdown-alert markdown-alert-caution"><p class="markdown-alert-title">Caution<\/p><p><strong>Failed at x:<\/strong> boom<\/p>/
      )
      expect(html, engine).not.toContain('[!CAUTION]')
      expect(unbalanced(html), engine).toBeUndefined()
    }
  })
})
