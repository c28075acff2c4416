// action.yml is the user's documentation; the README's tables must say the same.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import { spawnSync } from 'node:child_process'
import { parse } from 'yaml'
import semver from 'semver'
import { workflowExamples, actionMajors, unmatchedWorkflowRuns } from '../scripts/actionlint.mjs'

const action = parse(fs.readFileSync(new URL('../action.yml', import.meta.url), 'utf8'))
const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** Rows of the Markdown table under a `## heading`: first cell (backticks removed) → second cell. */
function tableRows(heading: string): Map<string, string> {
  const section = readme.split(`\n## ${heading}\n`)[1].split('\n## ')[0]
  const rows = section.split('\n').filter((l) => l.startsWith('| `'))
  return new Map(
    rows.map((l) => l.split('|').map((c) => c.trim())).map((cells) => [cells[1].replace(/`/g, ''), cells[2]])
  )
}

describe('documentation', () => {
  it('lists every input of action.yml in the README with its default, and nothing else', () => {
    const rows = tableRows('Inputs')
    expect([...rows.keys()].sort()).toEqual(Object.keys(action.inputs).sort())
    for (const [name, spec] of Object.entries<any>(action.inputs)) {
      const documented = rows.get(name)!.replace(/`/g, '')
      if (spec.required) expect(documented).toBe('(required)')
      else if (spec.default === '') expect(documented, name).toMatch(/^(empty|\$RUNNER_TEMP|<job id>)/)
      else expect(documented, name).toBe(String(spec.default))
    }
  })

  it('has GitHub warn about each deprecated alias, naming the input the README names in its place', () => {
    const aliases = Object.entries<any>(action.inputs).filter(([, spec]) => /^Deprecated\b/.test(spec.description))
    expect(aliases.map(([name]) => name).sort()).toEqual(['container-registry-url', 'devMode', 'sideload-images-path'])
    for (const [name, spec] of aliases) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`))!
      const replacement = /deprecated alias of `([^`]+)`/.exec(row)![1]
      expect(Object.keys(action.inputs)).toContain(replacement)
      expect(spec.deprecationMessage, name).toContain(`Use '${replacement}'`)
    }
  })

  it('lists every output of action.yml in the README', () => {
    expect([...tableRows('Outputs').keys()].sort()).toEqual(Object.keys(action.outputs).sort())
  })

  it('describes every input and output in action.yml and runs on node24 with a post step', () => {
    for (const spec of [...Object.values<any>(action.inputs), ...Object.values<any>(action.outputs)])
      expect(spec.description.length).toBeGreaterThan(20)
    expect(action.runs).toMatchObject({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js' })
  })

  it('gives the demo and test commands in its first lines', () => {
    const head = readme.split('\n').slice(0, 12).join('\n')
    expect(head).toContain('npm run demo')
    expect(head).toContain('npm test')
  })
})

describe('the README’s workflow examples (linted by npm run lint:workflows)', () => {
  const examples = workflowExamples(readme)
  const workflows = fs
    .readdirSync(new URL('../.github/workflows', import.meta.url))
    .map((f) => fs.readFileSync(new URL(`../.github/workflows/${f}`, import.meta.url), 'utf8'))

  it('are all linted: every yaml block of the README is a workflow or a list of steps', () => {
    expect(examples).toHaveLength(readme.match(/^```ya?ml$/gm)!.length)
    for (const e of examples) expect(parse(e.text).jobs, e.text).toBeDefined()
  })

  it('trigger: a workflow_run names a workflow by its name:, which the example it means has', () => {
    const names = new Set(examples.map((e) => parse(e.text).name).filter(Boolean))
    const triggered = examples.filter((e) => parse(e.text).on?.workflow_run)
    expect(triggered).toHaveLength(1)
    expect(unmatchedWorkflowRuns(triggered[0].text, names)).toEqual([])
    // Without the name: line, as the README had it, nothing would trigger it.
    expect(unmatchedWorkflowRuns(triggered[0].text, new Set())).toEqual(['upgrade-report'])
  })

  it('and the workflows use the current Node 24 major of each actions/ action', () => {
    expect(actionMajors('      - uses: actions/cache@v4\n').problems).toHaveLength(1)
    for (const text of [...examples.map((e) => e.text), ...workflows])
      expect(actionMajors(text)).toEqual({ problems: [], notes: [] })
  })
})

describe('Node versions', () => {
  const read = (file: string) => fs.readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')
  const pkg = JSON.parse(read('package.json'))
  const lock = JSON.parse(read('package-lock.json'))
  // The first version of each range engines allows: ^20.19.0 || ^22.13.0 || >=24 → 20.19.0, 22.13.0, 24.0.0.
  const lowest = pkg.engines.node.split('||').map((r: string) => semver.minVersion(r.trim())!.version)

  it('engines allows no Node that a dependency in the lockfile does not support (npm ci warns EBADENGINE)', () => {
    const unsupported = []
    for (const [where, p] of Object.entries<any>(lock.packages))
      for (const v of lowest)
        if (where && p.engines?.node && !semver.satisfies(v, p.engines.node))
          unsupported.push(`${where} ${p.engines.node}: ${v}`)
    expect(unsupported).toEqual([])
  })

  it('the action runs on the .node-version Node, and CI tests it and the oldest that engines allows', () => {
    const nodeVersion = read('.node-version').trim()
    expect(action.runs.using).toBe(`node${nodeVersion}`)
    expect(semver.satisfies(semver.coerce(nodeVersion)!, pkg.engines.node)).toBe(true)
    const matrix = parse(read('.github/workflows/ci.yml')).jobs.test.strategy.matrix['node-version']
    expect(matrix).toEqual(expect.arrayContaining([nodeVersion, lowest[0].replace(/\.0$/, '')]))
    expect(readme).toContain(`Node.js ${lowest[0].replace(/\.0$/, '')} or newer`)
  })
})

describe('the report schema', () => {
  it('compiles in ajv’s strict mode and is named by a URL in this repository', async () => {
    // The helper compiles the schema with strict: true when it loads; a non-strict schema throws here.
    const { schema } = await import('./helpers/schema.js')
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    const repo = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository.url)![1]
    expect(schema.$id).toBe(`https://raw.githubusercontent.com/${repo}/main/schema/report.schema.json`)
  })
})

describe('the repository is self-contained', () => {
  it('no tracked file points to a folder outside it, and every docs/ page a source cites exists', () => {
    const root = new URL('..', import.meta.url).pathname
    // git grep exits 1 when nothing matches: only its output counts.
    const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout
    // Built from parts so that this file does not match itself.
    const outside = ['..', 'shared'].join('/')
    const hits = git(
      'grep',
      '-n',
      '-I',
      '-F',
      '-e',
      outside,
      '-e',
      `/work/${'shared'}`,
      '--',
      '.',
      ':!dist',
      ':!report/dist'
    )
      .split('\n')
      .filter(Boolean)
    expect(hits).toEqual([])
    const cited = new Set(
      git('grep', '-h', '-o', '-I', '-E', '[a-z0-9-]+\\.md §', '--', 'src', 'sim').match(/[a-z0-9-]+\.md/g)
    )
    for (const page of cited) expect(fs.existsSync(new URL(`../docs/${page}`, import.meta.url)), page).toBe(true)
  })
})
