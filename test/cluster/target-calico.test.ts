import { describe, expect, it } from 'vitest'
import { calicoNodeTag } from '../../src/cluster/target-calico.js'

// The image lines of canonical/microk8s upgrade-scripts/000-switch-to-calico/resources/calico.yaml, in its order
// (the parser reads nothing else).
const manifest = (tag: string) =>
  [
    `          image: docker.io/calico/cni:${tag}`,
    `          image: docker.io/calico/cni:${tag}`,
    `          image: docker.io/calico/node:${tag}`,
    `          image: docker.io/calico/kube-controllers:${tag}`
  ].join('\n')

describe('the calico/node tag of a Calico manifest', () => {
  it('is the tag of the calico/node image, not of cni or kube-controllers', () => {
    expect(calicoNodeTag(manifest('v3.28.1'))).toBe('v3.28.1')
    expect(calicoNodeTag(manifest('v3.28.1').replace('calico/node:v3.28.1', 'calico/node:v3.28.2'))).toBe('v3.28.2')
  })

  it('accepts another registry, a bare name and quotes', () => {
    expect(calicoNodeTag('      image: "quay.io/calico/node:v3.29.3"\n')).toBe('v3.29.3')
    expect(calicoNodeTag("  - image: 'calico/node:v3.25.1'\n")).toBe('v3.25.1')
  })

  it('claims nothing when no calico/node image is named or two tags are', () => {
    expect(calicoNodeTag(manifest('v3.25.1').replace(/calico\/node:/, 'calico/nodes:'))).toBeUndefined()
    expect(calicoNodeTag('')).toBeUndefined()
    expect(calicoNodeTag(`${manifest('v3.25.1')}---\n${manifest('v3.28.1')}`)).toBeUndefined()
    expect(calicoNodeTag('          image: docker.io/mycalico/node:v9\n')).toBeUndefined()
  })
})
