// The nvidia addon (`gpu` on 1.28, where it is the real addon; an alias of nvidia from 1.29): what its enable
// installs and what its disable deletes, per branch (canonical/microk8s-core-addons addons/nvidia/{enable,disable},
// addons/gpu/{enable,disable}; docs/addon-state.md "nvidia"). Its enable options (--gpu-operator-*,
// --network-operator-*) end up only in the Helm release's values.
import { makeObject } from './objects.mjs'
import { branchMinor, pick } from './addon-releases.mjs'
import { helmReleaseSecret } from './helm.mjs'

/**
 * Kinds the 1.33+ disable deletes with their CRDs (`kubectl delete crd` of clusterpolicies.nvidia.com,
 * nvidiadrivers.nvidia.com and the four mellanox.com CRDs): every object of them goes. All cluster-scoped here.
 */
export const NVIDIA_KINDS = [
  'ClusterPolicy',
  'NVIDIADriver',
  'HostDeviceNetwork',
  'IPoIBNetwork',
  'MacvlanNetwork',
  'NicClusterPolicy'
]

const NVIDIA_CRDS = [
  'clusterpolicies.nvidia.com',
  'nvidiadrivers.nvidia.com',
  'hostdevicenetworks.mellanox.com',
  'ipoibnetworks.mellanox.com',
  'macvlannetworks.mellanox.com',
  'nicclusterpolicies.mellanox.com'
]

/** The gpu-operator chart each branch's enable installs by default. */
const chartOf = (branch) =>
  pick(branch, [
    [['1.28', '1.29', '1.30', '1.31'], 'v23.9.1'],
    [['1.32'], 'v24.6.2'],
    [['1.33'], 'v25.3.0'],
    [['1.34'], 'v25.3.2'],
    [['1.35', 'main'], 'v25.10.0']
  ])

/** The enable: dns and helm3 first, then the gpu-operator release, whose chart creates ClusterPolicy cluster-policy. */
export function nvidiaEnable(branch) {
  const ns = 'gpu-operator-resources'
  const chartVersion = chartOf(branch)
  return {
    needs: ['dns', 'helm3'],
    out: [
      'Enabling NVIDIA GPU',
      'Deploy NVIDIA GPU operator',
      `Installing gpu-operator ${chartVersion}`,
      'NVIDIA is enabled'
    ],
    objects: [
      makeObject('Namespace', { name: ns }),
      makeObject('ClusterPolicy', {
        name: 'cluster-policy',
        apiVersion: 'nvidia.com/v1',
        spec: { driver: { enabled: true } }
      }),
      helmReleaseSecret({ name: 'gpu-operator', namespace: ns, chart: 'gpu-operator', chartVersion })
    ],
    flag: true
  }
}

/**
 * What the disable removes besides the release (the caller removes the addon's own objects, as `helm uninstall`
 * does): from 1.33 the CRDs, and with them every object of their kinds, the user's included. Return codes of the
 * deletes are ignored, so a CRD that is not there only prints an error. Returns the lines it prints.
 */
export function nvidiaDisable(state, branch) {
  const out = ['Disabling NVIDIA support', 'release "gpu-operator" uninstalled']
  if (branchMinor(branch) >= 33) {
    state.cluster.objects = state.cluster.objects.filter((o) => !NVIDIA_KINDS.includes(o.kind))
    // The network operator is not simulated: its CRDs are never there.
    for (const crd of NVIDIA_CRDS)
      out.push(
        crd.endsWith('.nvidia.com')
          ? `customresourcedefinition.apiextensions.k8s.io "${crd}" deleted`
          : `Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "${crd}" not found`
      )
  }
  out.push('NVIDIA support disabled')
  return out
}
