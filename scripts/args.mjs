// The demos' command lines (scripts/demo.mjs, scripts/demo-matrix.mjs): `--NAME VALUE` options, bare `--FLAG`s,
// `-h`/`--help` printing the usage. A mistake prints what was wrong and the usage, and exits 2 (a usage error, as
// coreutils do); a missing bundle says which build makes it and exits 1.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT } from './run-action.mjs'

/**
 * `{ flags, opts }` from argv: `flags` the bare flags given, `opts` the defaults overridden by every `--NAME VALUE`
 * whose NAME is in `options` or accepted by `accepts(name)` (the demo's action inputs).
 */
export function parseArgs(argv, { usage, flags = [], options = [], accepts = () => false, defaults = {} }) {
  const usageError = (message) => {
    console.error(`${message}\n\n${usage}`)
    process.exit(2)
  }
  const given = new Set()
  const opts = { ...defaults }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-h' || argv[i] === '--help') {
      process.stdout.write(usage)
      process.exit(0)
    }
    if (!argv[i].startsWith('--')) usageError(`unexpected argument '${argv[i]}'`)
    const name = argv[i].slice(2)
    if (flags.includes(name)) given.add(name)
    else if (!options.includes(name) && !accepts(name)) usageError(`unknown option --${name}`)
    else if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) usageError(`--${name} needs a value`)
    else opts[name] = argv[++i]
  }
  return { flags: given, opts }
}

/** Exits 1 naming the first bundle (relative to the repository) that `npm run build` has not made yet. */
export function requireBundles(...bundles) {
  for (const bundle of bundles) {
    if (fs.existsSync(path.join(ROOT, bundle))) continue
    console.error(`${bundle} is missing: run \`npm run build\` first`)
    process.exit(1)
  }
}
