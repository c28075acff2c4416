import type { Kit } from './render-summary.mjs'
export function findKit(dir?: string | null): Kit | undefined
export function hasCmarkGfm(): boolean
export function markdownToHtml(markdown: string, options?: { engine?: 'auto' | 'cmark-gfm' | 'marked' }): string
export function sanitize(html: string): string
export function alerts(html: string): string
export function githubPage(
  markdown: string,
  options?: { kit?: Kit | null; engine?: 'auto' | 'cmark-gfm' | 'marked'; drawTimeline?: (source: string) => string }
): string
export function screenshot(
  htmlFile: string,
  pngFile: string,
  size?: { width?: number; height?: number; tmpDir?: string }
): false | { rendered?: string; overflowing: number; errors: number; height: number }
