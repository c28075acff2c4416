/**
 * The layers of src/ (issue 18; CONTRIBUTING.md "Where things live"): each folder may import only the folders
 * listed for it, all of them below it, so no import can point back up and no circle can form. Checked by
 * `npm run lint:deps` (in .ci/run). Type-only imports count: a type must live where nothing reaches up for it.
 */
const MAY_IMPORT = {
  base: [],
  catalog: ['base'],
  cluster: ['base', 'catalog'],
  preflight: ['base'],
  // The disruption sampler sits low: it reads the cluster through the microk8s client and knows no step.
  probes: ['base', 'cluster'],
  report: ['base', 'catalog', 'cluster', 'preflight', 'probes'],
  setup: ['base', 'cluster'],
  addons: ['base', 'catalog', 'cluster', 'preflight', 'report'],
  inputs: ['base', 'catalog', 'cluster', 'setup', 'probes'],
  upgrade: ['base', 'catalog', 'cluster', 'preflight', 'probes', 'report', 'setup', 'addons', 'inputs'],
  stages: ['base', 'catalog', 'cluster', 'preflight', 'probes', 'report', 'setup', 'addons', 'inputs', 'upgrade'],
  // The grid action's bundle holds no upgrade code: the report, and the inputs' parsing helpers only.
  'report-action': ['base', 'report', 'inputs/parse.ts']
}
const FOLDERS = Object.keys(MAY_IMPORT)

const layerRules = FOLDERS.map((folder) => {
  const allowed = [folder, ...MAY_IMPORT[folder]]
  const forbiddenFolders = FOLDERS.filter((f) => !allowed.includes(f))
  const rule = {
    name: `layer-${folder}`,
    comment: `src/${folder}/ may import only ${MAY_IMPORT[folder].join(', ') || 'nothing else in src/'}`,
    severity: 'error',
    from: { path: `^src/${folder}/` },
    to: { path: [`^src/(${forbiddenFolders.join('|')})/`, '^src/(main|index)\\.ts$'] }
  }
  // A file allowed from a folder that is otherwise forbidden (report-action: inputs/parse.ts only).
  const files = MAY_IMPORT[folder].filter((f) => f.includes('/'))
  if (files.length) {
    const partial = [...new Set(files.map((f) => f.split('/')[0]))]
    rule.to.path.push(`^src/(${partial.join('|')})/`)
    rule.to.pathNot = files.map((f) => `^src/${f.replace('.', '\\.')}$`)
  }
  return rule
})

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle hides which module owns what; move the shared piece down a layer.',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'main-only-stages',
      comment: 'src/main.ts is the run as a list of stages: it imports the stages and nothing below them.',
      severity: 'error',
      from: { path: '^src/main\\.ts$' },
      to: { path: '^src/', pathNot: '^src/stages/' }
    },
    {
      name: 'no-simulator-in-src',
      comment: 'Nothing in src/ knows the simulator exists.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(sim|test|scripts)/' }
    },
    ...layerRules
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.js', '.mjs'] }
  }
}
