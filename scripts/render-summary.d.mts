export interface GanttBar {
  section: string
  label: string
  tags: string
  /** Milliseconds after the earliest bar. */
  start: number
  end: number
}
export function parseGantt(source: string): { title: string; bars: GanttBar[]; span: number }
export function summaryPage(markdown: string): string
export function summaryForTerminal(markdown: string, options?: { width?: number; color?: boolean }): string
export function displayWidth(text: string): number
export function breakWord(word: string, max: number): string[]
export function screenshot(htmlFile: string, pngFile: string, size?: { width?: number; height?: number }): boolean
