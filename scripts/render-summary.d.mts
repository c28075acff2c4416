export interface GanttBar {
  section: string
  label: string
  tags: string
  /** Milliseconds after the earliest bar. */
  start: number
  end: number
}
export function parseGantt(source: string): { title: string; bars: GanttBar[]; span: number; t0: number }
export function summaryPage(
  markdown: string,
  options?: { kit?: Kit | null; engine?: 'auto' | 'cmark-gfm' | 'marked' }
): string
export function summaryForTerminal(markdown: string, options?: { width?: number; color?: boolean }): string
export function displayWidth(text: string): number
export function breakWord(word: string, max: number): string[]
export interface Kit {
  mermaid: string
  mermaidVersion: string
  css?: string
}
export function screenshot(
  htmlFile: string,
  pngFile: string,
  size?: { width?: number; height?: number; tmpDir?: string }
): false | { rendered?: string; overflowing: number; errors: number; height: number }
