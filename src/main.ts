/**
 * The action's main step as its list of stages, in order: inspect → plan → pre-flight → (dry run ends here) →
 * start probes → runner setup → hops → addons → kubeconfig → inventory → the deprecated APIs requested after the
 * run. Each stage is a small file in stages/ that reads the run's state and returns what it produces;
 * stages/run.ts runs them, turns a failure into the report's, and publishes the report whatever happened. The
 * second invocation of the action is the post step.
 */
import type { Stage } from './stages/workflow.js'
import { isPostStep, runMain } from './stages/run.js'
import { post } from './stages/post.js'
import { inspect } from './stages/inspect.js'
import { plan } from './stages/plan.js'
import { removedApis, manifests } from './stages/preflight.js'
import { requestedApisBefore, requestedApisAfter } from './stages/requested-apis.js'
import { dryRun } from './stages/dry-run.js'
import { startProbes } from './stages/probes.js'
import { runnerNetwork, hold, registryMirror, prepareInstall } from './stages/prepare.js'
import { hops, sideloadImages } from './stages/hops.js'
import {
  planAfterInstall,
  compareRepositories,
  checkAddonDownloads,
  cycle,
  updateRepository,
  enableAddons
} from './stages/addons.js'
import { kubeconfig, inventory } from './stages/finish.js'

export const STAGES: readonly Stage[] = [
  // Before any change: what runs, what to do, what the hops would break.
  inspect,
  plan,
  // The deprecated APIs clients requested, read before the pre-flight's own reads (and again before each hop).
  requestedApisBefore,
  removedApis,
  manifests,
  dryRun,
  // From the first change on: the disruption sampler (stopped by run.ts at the end, whatever happened).
  startProbes,
  // The runner and MicroK8s around the hops.
  runnerNetwork,
  hold,
  registryMirror,
  prepareInstall,
  // The core, one minor at a time; then what the addons need from the target snap.
  hops,
  sideloadImages,
  // The addons: planned again after a fresh install, compared, cycled, then the requested ones enabled.
  planAfterInstall,
  compareRepositories,
  checkAddonDownloads,
  cycle,
  updateRepository,
  enableAddons,
  // What later steps use, and what the report checks.
  kubeconfig,
  inventory,
  requestedApisAfter
]

export async function run(): Promise<void> {
  if (isPostStep()) return post()
  await runMain(STAGES)
}
