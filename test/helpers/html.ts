// Checks that HTML is balanced: every element opened is closed, in order (void elements and comments aside).
const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'wbr', 'col', 'area', 'base', 'source'])

/** The first problem found, or undefined when every element is closed in the right order. */
export function unbalanced(html: string): string | undefined {
  const stack: string[] = []
  const text = html.replace(/<!--[\s\S]*?-->/g, '')
  for (const m of text.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = m
    const name = rawName.toLowerCase()
    if (VOID.has(name) || selfClosing) continue
    if (!closing) stack.push(name)
    else if (stack.pop() !== name)
      return `</${name}> at ${m.index} closes ${stack.length ? 'another element' : 'nothing'}`
  }
  return stack.length ? `left open: ${stack.join(', ')}` : undefined
}
