/**
 * The before/after comparison rows of a report and the warnings a reader needs with them (Calico, which a
 * refresh never upgrades: docs/microk8s-behaviour.md §3.6).
 */
import { compareInventories } from '../cluster/inventory.js'
import { addonBranch } from '../catalog/index.js'
import { SNAP_CALICO_MANIFEST } from '../cluster/target-calico.js'
import { parseKubeVersion } from '../cluster/channel.js'
import type { Report } from './model.js'

/**
 * Fills in the comparison rows and the warnings a reader needs: Calico, which a refresh never upgrades (microk8s-behaviour.md
 * §3.6). Kept addons the target has another version of are warned about when the repositories are compared.
 */
export function analyseChanges(report: Report): void {
  // `after` is `before` itself when the run changed nothing (dry run, stopped before the first change).
  if (report.before && report.after && report.after !== report.before) {
    const targetBranch = addonBranch(parseKubeVersion(report.after.serverVersion ?? '')?.minor ?? report.target.minor)
    // What the target ships is measured, never claimed from a table: addons by comparing the addon repositories
    // (addon-repos.ts), Calico by reading the snap's manifest after the last hop (target-calico.ts).
    const calico = report.targetCalico
    report.changes = compareInventories(report.before, report.after, (name): Record<string, string> =>
      name === 'calico' && calico ? { 'calico/node': calico } : {}
    )
    const running = report.after.cni?.images.find((i) => i.repository === 'calico/node')?.tag
    if (calico && running && running !== calico) {
      // The snap's calico.yaml is a template: the first install runs generate-cni.sh over it (microk8s-behaviour.md
      // §3.6), so applying it as it is would undo what that did. Say what an upgrade has to carry over instead.
      report.warnings.push(
        `Calico ${running} keeps running: it is bundled in the snap, not an addon, and a refresh does not upgrade it; ` +
          `the ${targetBranch} snap bundles ${calico}. Its ${SNAP_CALICO_MANIFEST} is the template the install ` +
          'completes with generate-cni.sh: applied as it is, it resets the pod CIDR, the IPv4/IPv6 address ' +
          'assignment, the MTU and the IP autodetection (which microk8s join sets to can-reach on joined nodes); ' +
          'an upgrade has to carry those over from the running calico-node and its CNI configuration'
      )
    }
  } else if (report.before) {
    report.changes = []
  }
}
