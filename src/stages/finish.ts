/**
 * The last stages: the kubeconfig for later steps, then the inventory of what runs now, the user's workloads
 * compared with what inspect read (stages/workloads.ts), and the data checks (Helm releases, the Corefile,
 * volumes, each cycled addon's captured state) that back "nothing lost".
 */
import * as core from '@actions/core'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError, StepError } from '../base/errors.js'
import { runStep } from '../report/steps.js'
import { writeKubeconfigFile } from '../cluster/kubeconfig.js'
import { takeInventory } from '../cluster/inventory.js'
import { readHelmSecrets } from '../cluster/objects.js'
import { MAIN_MINOR, releaseMinor } from '../catalog/index.js'
import { readCorefile, readRetried, readStateAfter } from '../addons/capture-restore.js'
import { readDnsSettingsAfter } from '../addons/dns-read.js'
import { compareData, latestDeployed, volumesOf, type DataSnapshot } from '../addons/data-checks.js'
import { addonOwnedReleases } from './plan.js'
import { requestedArgs } from '../upgrade/cycle.js'
import type { Planned, Stage } from './workflow.js'
import { recordWorkloads } from './workloads.js'

/**
 * Writes the admin kubeconfig (a new 0600 file renamed into place; a different one kept as `.bak`), exports
 * KUBECONFIG for later steps, and lets the runner user use `microk8s` in later steps.
 */
async function writeKubeconfig({ inputs, tools }: Planned): Promise<void> {
  const config = await tools.microk8s.config()
  try {
    const written = writeKubeconfigFile(inputs.kubeconfig, config)
    if (written.backup) core.info(`The kubeconfig that was at ${inputs.kubeconfig} is kept as ${written.backup}`)
  } catch (error) {
    throw new InputError(
      'kubeconfig',
      `cannot write ${inputs.kubeconfig}: ${(error as Error).message}; give a writable path`
    )
  }
  core.exportVariable('KUBECONFIG', path.resolve(inputs.kubeconfig))
  if (process.getuid?.() !== 0) {
    const user = os.userInfo().username
    // The plan refuses to change confinement, so the target channel's is the installed one's.
    const group = inputs.channel.confinement === 'strict' ? 'snap_microk8s' : 'microk8s'
    const r = await tools.cmd.run('usermod', ['-a', '-G', group, user])
    if (r.code !== 0)
      core.warning(`could not add ${user} to the ${group} group: ${r.stderr.trim()}`, { title: 'microk8s group' })
  }
}

export const kubeconfig: Stage = {
  name: 'kubeconfig',
  async run(state) {
    await runStep(
      state.report,
      'kubeconfig',
      () => writeKubeconfig(state),
      () => state.inputs.kubeconfig
    )
  }
}

export const inventory: Stage = {
  name: 'inventory',
  async run({ tools, report, plan, captured, dataBefore, inspected }) {
    const { snap, microk8s } = tools
    const addonPlan = plan.addons
    await runStep(
      report,
      'inventory',
      async () => {
        const installed = await snap.installed()
        const { inventory, items } = await takeInventory(microk8s, installed)
        report.after = inventory
        recordWorkloads(report, inspected, { inventory, items })
        const helm = latestDeployed(
          await readRetried('the Helm release records', () => readHelmSecrets(microk8s)),
          addonOwnedReleases(addonPlan)
        )
        const hasDns = inventory.addons.some((a) => a.name === 'dns' && a.enabled)
        const dataAfter: DataSnapshot = {
          helmReleases: helm,
          corefile: hasDns ? await readRetried('the CoreDNS ConfigMap', () => readCorefile(microk8s)) : undefined,
          volumes: volumesOf(inventory)
        }
        const dnsStep = addonPlan.cycle.find((s) => s.name === 'dns')
        const stateAfter = {
          ...(await readStateAfter(microk8s, captured)),
          ...(captured.dns && dnsStep ? { dns: await readDnsSettingsAfter(microk8s, tools.files) } : {})
        }
        report.dataChecks = compareData(dataBefore, dataAfter, captured, stateAfter, {
          cycled: addonPlan.cycle.map((s) => s.name),
          enableMinor: releaseMinor(addonPlan.toRelease) ?? MAIN_MINOR,
          disableMinor: releaseMinor(addonPlan.fromRelease) ?? MAIN_MINOR,
          requestedUpstreams: dnsStep?.argsSource === 'input' ? dnsStep.args : undefined,
          dnsArgs: dnsStep?.args,
          requestedArgs: Object.fromEntries(
            addonPlan.cycle.flatMap((s) => {
              const args = requestedArgs(s)
              return args ? [[s.name, args]] : []
            })
          ),
          // An addon the target's repository lacks (dashboard on 1.36) no longer shows in status, though it runs.
          kept: addonPlan.kept.filter((k) => k.policy !== 'not-in-target').map((k) => k.name),
          enabledAfter: inventory.addons.filter((a) => a.enabled).map((a) => a.name)
        })
        const lost = report.dataChecks.filter((c) => c.checked !== false && !c.ok)
        if (lost.length) {
          throw new StepError(
            'inventory',
            `data checks failed: ${lost.map((c) => `${c.name} (${c.detail ?? `${c.before} → ${c.after}`})`).join('; ')}`
          )
        }
      },
      () => `${report.dataChecks.length} data checks passed`
    )
  }
}
