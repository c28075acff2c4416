/** Escaping for everything that goes into the job summary, the PR comment and the grid (Markdown and HTML). */

/** HTML-escapes text for both HTML and Markdown contexts (`|` would split a Markdown table cell). */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/\r?\n/g, ' ')
}

/** Like esc, but keeps line breaks (for <pre> blocks). */
export function escBlock(value: string): string {
  return value.split('\n').map(esc).join('\n')
}

/** Escapes each line and keeps the line breaks as `<br>` (multi-line text in a table cell). */
export function escLines(value: string): string {
  return value
    .split('\n')
    .map((l) => esc(l))
    .join('<br>')
}
