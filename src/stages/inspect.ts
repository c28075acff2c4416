/** Stage `inspect`: the snap, readiness and what runs, before anything changes (three microk8s calls when installed). */
import * as os from 'node:os'
import { runStep } from '../report/steps.js'
import { buildInventory, takeInventory } from '../cluster/inventory.js'
import { readNodes, localNode, type HostFacts } from '../cluster/nodes.js'
import type { Stage } from './workflow.js'

export const inspect: Stage = {
  name: 'inspect',
  async run({ tools, report }) {
    const { snap, microk8s } = tools
    const inspected = await runStep(
      report,
      'inspect',
      async () => {
        const installed = await snap.installed()
        // What is known so far, should the cluster not answer: the installed snap (named in the headline).
        if (installed) report.before = buildInventory(installed, undefined, undefined, [])
        const status = installed ? await microk8s.waitReady() : undefined
        const store = await snap.storeChannels()
        const { inventory, items } = await takeInventory(microk8s, installed, status)
        const host = hostFacts()
        const nodes = readNodes(items)
        return { installed, status, store, inventory, items, host, nodes, self: localNode(nodes, host) }
      },
      (r) =>
        r.installed
          ? `microk8s ${r.installed.version} (rev ${r.installed.revision}, ${r.installed.tracking}); API server ${r.inventory.serverVersion}`
          : 'microk8s is not installed'
    )
    report.before = inspected.inventory
    return { inspected }
  }
}

/** The runner's host name and addresses, to find its own node among the cluster's. */
function hostFacts(): HostFacts {
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .map((a) => a?.address)
    .filter((a): a is string => Boolean(a))
  return { hostname: os.hostname(), addresses }
}
