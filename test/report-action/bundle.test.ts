import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it, expect } from 'vitest'

// The grid action imports only the report and the inputs' parsing helpers (.dependency-cruiser.cjs, layer
// report-action): its committed bundle must hold none of the upgrade engine. Every function the engine's
// folders export is looked for by its declaration in report/dist/index.js.
const root = path.join(import.meta.dirname, '..', '..')
const ENGINE = ['upgrade', 'stages', 'addons', 'setup']

function exportedFunctions(folder: string): string[] {
  const dir = path.join(root, 'src', folder)
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/^export (?:async )?function (\w+)/gm)])
    .map((m) => m[1])
}

describe('the report action’s bundle', () => {
  const bundle = fs.readFileSync(path.join(root, 'report', 'dist', 'index.js'), 'utf8')

  it.each(ENGINE)('holds no function of src/%s/', (folder) => {
    const names = exportedFunctions(folder)
    expect(names.length).toBeGreaterThan(0)
    const found = names.filter((n) => new RegExp(`function ${n}\\(`).test(bundle))
    expect(found).toEqual([])
  })

  it('does hold the grid it renders (the check above can see a function when it is there)', () => {
    expect(bundle).toMatch(/function renderGrid\(/)
  })
})
