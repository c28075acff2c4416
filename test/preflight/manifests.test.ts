import { describe, it, expect } from 'vitest'
import * as path from 'node:path'
import { scanManifests, findInManifests, manifestRemovals, readManifestObjects } from '../../src/preflight/manifests.js'
import { parseManifestPatterns } from '../../src/inputs/action.js'

const workspace = path.join(import.meta.dirname, '..', 'fixtures', 'manifests')

describe('manifest scan', () => {
  it('reads every object of multi-document files and lists, at the line of its apiVersion', async () => {
    const { objects, summary } = await scanManifests(['.'], workspace)
    expect(objects.map((o) => `${o.file}:${o.line} ${o.kind} ${o.apiVersion} ${o.namespace ?? ''}/${o.name}`)).toEqual([
      'deploy/app.yaml:2 Deployment apps/v1 shop/web',
      'deploy/app.yaml:11 PodDisruptionBudget policy/v1beta1 shop/web',
      'deploy/app.yaml:25 FlowSchema flowcontrol.apiserver.k8s.io/v1beta3 /shop-priority',
      'deploy/list.yaml:4 Service v1 /web',
      'deploy/list.yaml:8 Ingress extensions/v1beta1 shop/web',
      'deploy/list.yaml:13 ValidatingAdmissionPolicy admissionregistration.k8s.io/v1alpha1 /replicas-limit'
    ])
    // Chart.yaml, values.yaml and compose.yml are read (no objects); the templates and the broken file are not.
    expect(summary).toMatchObject({ patterns: ['.'], files: 5, objects: 6 })
    expect(summary.skipped).toEqual([
      {
        file: 'charts/web/templates/ingress.yaml',
        reason: 'a Helm chart template: render it (helm template) and scan the output'
      },
      {
        file: 'charts/web/templates/pdb.yaml',
        reason: 'a Helm chart template: render it (helm template) and scan the output'
      },
      {
        file: 'deploy/broken.yaml',
        reason:
          'not plain YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (line 6)'
      }
    ])
  })

  it('skips a Go template that is not YAML, naming it a template', () => {
    expect(readManifestObjects('{{- if .Values.on }}\napiVersion: v1\nkind: Service\n{{- end }}\n', 'x.yaml')).toEqual({
      skipped: 'a template ({{ … }}), not plain YAML: render it (helm template) and scan the output'
    })
  })

  it('reads plain YAML whose strings hold {{ … }} (alert templates): a removed API beside them is found', async () => {
    const { objects, summary } = await scanManifests(
      ['.'],
      path.join(import.meta.dirname, '..', 'fixtures', 'manifests-braces')
    )
    expect(summary).toMatchObject({ files: 1, objects: 2, skipped: [] })
    expect(findInManifests(objects, manifestRemovals(30)).map((f) => `${f.evidence} ${f.kind}`)).toEqual([
      'monitoring/rules.yaml:16 PodDisruptionBudget'
    ])
  })

  it('finds what the target removes and what the two minors after it remove, with file:line', async () => {
    const { objects } = await scanManifests(['deploy/**/*.yaml'], workspace)
    const at30 = findInManifests(objects, manifestRemovals(30))
    expect(at30.map((f) => `${f.evidence} ${f.kind} 1.${f.removedIn} ${f.source} → ${f.replacement}`)).toEqual([
      'deploy/app.yaml:11 PodDisruptionBudget 1.25 guide → policy/v1',
      'deploy/app.yaml:25 FlowSchema 1.32 guide → flowcontrol.apiserver.k8s.io/v1',
      'deploy/list.yaml:8 Ingress 1.22 guide → networking.k8s.io/v1'
    ])
    expect(at30[0]).toMatchObject({ file: 'deploy/app.yaml', line: 11, namespace: 'shop', name: 'web' })
    // One minor later, the alpha ValidatingAdmissionPolicy (removed in 1.33) comes into view.
    const at31 = findInManifests(objects, manifestRemovals(31))
    expect(at31.map((f) => f.evidence)).toContain('deploy/list.yaml:13')
  })

  it('applies exclusions', async () => {
    const { summary } = await scanManifests(['deploy', '!deploy/broken.yaml', '!**/list.yaml'], workspace)
    expect(summary).toMatchObject({ files: 2, objects: 3, skipped: [] })
  })
})

describe('manifests input', () => {
  it('accepts patterns inside the workspace, one per line', () => {
    expect(parseManifestPatterns('deploy/**/*.yaml\n  k8s \n\n!deploy/old/**', '/ws')).toEqual([
      'deploy/**/*.yaml',
      'k8s',
      '!deploy/old/**'
    ])
    expect(parseManifestPatterns('/ws/deploy/*.yaml', '/ws')).toEqual(['/ws/deploy/*.yaml'])
  })

  it('refuses a pattern that leaves the workspace, naming the input', () => {
    for (const bad of ['../other/*.yaml', '/etc/kubernetes/*.yaml', 'deploy/../../x.yaml', '!../x', '~/x.yaml', '..'])
      expect(() => parseManifestPatterns(bad, '/ws'), bad).toThrow(/^Input 'manifests': '.*' leaves the workspace/)
  })
})
