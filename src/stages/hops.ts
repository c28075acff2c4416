/**
 * Stage `hops`: each hop of the plan, verified before the next (upgrade/hops.ts); a fresh install is held and
 * gets its launch configuration and mirror right after its install hop, a refresh has its mirror checked. Before
 * each refresh, the deprecated APIs the API server was asked for (the refresh restarts it and empties the gauge:
 * requested-apis.ts). Then what the target snap ships (its Calico) and the image archives, before any addon is
 * enabled.
 */
import { runStep } from '../report/steps.js'
import { readTargetCalico } from '../cluster/target-calico.js'
import { runHop } from '../upgrade/hops.js'
import * as setup from './setup.js'
import { holdRefresh, setupContext } from './prepare.js'
import { beforeRefresh } from './requested-apis.js'
import type { Stage } from './workflow.js'

export const hops: Stage = {
  name: 'hops',
  runIf: ({ plan }) => plan.core.hops.length > 0,
  async run(state) {
    const { inputs, tools, report, inspected, plan } = state
    let revisionBefore = inspected.installed?.revision
    let minorBefore = plan.core.fromMinor
    for (const hop of plan.core.hops) {
      await beforeRefresh(state, hop, minorBefore)
      const ctx = {
        snap: tools.snap,
        microk8s: tools.microk8s,
        cmd: tools.cmd,
        report,
        host: inspected.host,
        waitTimeoutMs: inputs.waitTimeout * 1000,
        revisionBefore
      }
      await runStep(
        report,
        `${hop.kind} ${hop.channelText}`,
        () => runHop(ctx, hop),
        () => report.hops[report.hops.length - 1]?.serverVersion ?? ''
      )
      revisionBefore = hop.storeRevision
      minorBefore = hop.minor
      if (hop.kind === 'install') {
        await holdRefresh(state)
        await setup.afterInstall(setupContext(state))
      } else {
        await setup.checkMirrorAfterHop(setupContext(state), hop.channelText)
      }
    }
    // What the target snap ships, read from the installed revision (the report claims nothing when it cannot).
    report.targetCalico = await readTargetCalico(tools.files)
  }
}

export const sideloadImages: Stage = {
  name: 'sideload images',
  run: (s) => setup.sideloadImages(setupContext(s), s.plan.core.kind === 'install')
}
