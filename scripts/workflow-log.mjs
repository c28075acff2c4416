// Shows an action's stdout the way the runner's log view does: workflow commands (`::group::`, `::warning::`,
// `::debug::`, `::add-mask::` …) are read, not printed. Groups become headings, collapsed to one line with the
// step's duration unless verbose; annotations become coloured warning/error lines; debug lines and mask commands
// are hidden unless asked for, and masked values are printed as *** everywhere, as the runner does.
// Used by `npm run demo` (scripts/demo.mjs); see docs/summary.md.

const ANSI = { red: 31, yellow: 33, green: 32, blue: 34, grey: 90, bold: 1, dim: 2 }

/** `%25` `%0D` `%0A` (and in properties `%3A` `%2C`) are how workflow commands escape their values. */
function unescapeData(s) {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}
function unescapeProperty(s) {
  return unescapeData(s.replace(/%3A/g, ':').replace(/%2C/g, ','))
}

/** `::name key=value,key=value::message` → parts; undefined for a plain line. */
export function parseCommand(line) {
  const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line)
  if (!m) return undefined
  const properties = {}
  for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=')
    if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1))
  }
  return { name: m[1], properties, message: unescapeData(m[3]) }
}

/**
 * A log view: feed it the action's stdout (`push`, in chunks as they come) and call `end()`.
 * @param {{verbose?: boolean, debug?: boolean, color?: boolean, write?: (text: string) => void}} options
 */
export function createLogView({
  verbose = false,
  debug = false,
  color = false,
  write = (t) => process.stdout.write(t)
} = {}) {
  const paint = (style, text) => (color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text)
  const masks = []
  const mask = (text) => masks.reduce((t, m) => t.split(m).join('***'), text)
  const out = (text) => write(`${mask(text)}\n`)
  let group // { name, started, lines: [], duration, failed }
  let pending = ''

  const annotation = (kind, { properties, message }) => {
    const style = kind === 'error' ? 'red' : kind === 'warning' ? 'yellow' : 'blue'
    const label = kind === 'error' ? 'Error' : kind === 'warning' ? 'Warning' : 'Notice'
    const title = properties.title ? `${properties.title}: ` : ''
    return paint(style, `${label}: ${title}${message}`)
  }

  const line = (raw) => {
    const text = raw.replace(/\r$/, '')
    const command = parseCommand(text)
    if (command?.name === 'add-mask') {
      if (command.message) masks.push(command.message)
      if (debug) out(paint('grey', '(a value was registered as a secret: shown as *** from here on)'))
      return
    }
    if (command?.name === 'group') {
      group = { name: command.message, started: Date.now(), lines: [], duration: undefined, failed: false }
      if (verbose) out(paint('bold', `▾ ${group.name}`))
      return
    }
    if (command?.name === 'endgroup') {
      if (!group) return
      if (!verbose) {
        const mark = group.failed ? paint('red', '✗') : paint('green', '✓')
        const duration = group.duration ? paint('grey', ` ${group.duration}`) : ''
        out(`${mark} ${paint('bold', group.name)}${duration}`)
        for (const l of group.lines) out(`  ${l}`)
      }
      group = undefined
      return
    }
    let shown
    let important = false
    if (command?.name === 'debug') {
      if (!debug) return
      shown = paint('grey', `[debug] ${command.message}`)
    } else if (command && ['warning', 'error', 'notice'].includes(command.name)) {
      shown = annotation(command.name, command)
      important = true
    } else if (command) {
      return // other commands (echo, stop-commands …) are the runner's business, not the reader's
    } else {
      shown = text
      // The step's own closing line (`✓ inspect (0.2 s)` / `✗ inspect (0.2 s): …`) gives the heading its time.
      const done = group && /^([✓✗]) (.+) \((\d+(?:\.\d+)? s)\)/.exec(text)
      if (done && done[2] === group.name) {
        group.duration = done[3]
        group.failed = done[1] === '✗'
        if (!verbose) return
      }
    }
    if (!group) out(shown)
    else if (verbose) out(`  ${shown}`)
    else if (important) group.lines.push(shown)
  }

  return {
    push(chunk) {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop()
      for (const l of lines) line(l)
    },
    end() {
      if (pending) line(pending)
      pending = ''
      if (group) line('::endgroup::')
    }
  }
}
