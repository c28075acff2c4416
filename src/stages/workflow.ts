/**
 * The run as data: a list of named stages, each `{ name, runIf?, run }` over the run's state, in the manner of
 * kubeadm's phases (cmd/kubeadm/app/cmd/phases/workflow: a phase is Name, Run, RunIf; `upgrade apply` is a list
 * of AppendPhase calls). A stage reads the state and returns what it produces, which the workflow merges in;
 * no stage patches another's values. A stage may end the run early (`finished`: a dry run).
 */
import * as core from '@actions/core'
import type { Inputs } from '../inputs/action.js'
import type { Report } from '../report/model.js'
import type { InstalledSnap, StoreChannel } from '../cluster/snap.js'
import type { MicroK8sStatus } from '../cluster/microk8s.js'
import type { Inventory } from '../cluster/inventory.js'
import type { HostFacts, NodeFacts } from '../cluster/nodes.js'
import type { CapturedState } from '../addons/state-specs.js'
import type { DataSnapshot } from '../addons/data-checks.js'
import type { Plan } from '../upgrade/plan.js'
import type { Tools } from './tools.js'
import { describePlan, recordPlan } from './plan-record.js'

/** What `inspect` found before anything changed. */
export interface Inspected {
  installed?: InstalledSnap
  status?: MicroK8sStatus
  store: Map<string, StoreChannel>
  inventory: Inventory
  /** The objects the inventory was read from (nodes, workloads, volumes). */
  items: any[]
  host: HostFacts
  nodes: NodeFacts[]
  /** This runner's node, when the cluster has it. */
  self?: NodeFacts
}

export interface RunState {
  readonly inputs: Inputs
  readonly tools: Tools
  /** The report every stage records into (steps, hops, addons, warnings): the run's log, not its state. */
  readonly report: Report
  inspected?: Inspected
  plan?: Plan
  /** What the cycled addons' disables delete, read before the first disable. */
  captured?: CapturedState
  /** Helm releases, the Corefile and volumes before the run, for the data checks. */
  dataBefore?: DataSnapshot
  /** Helm's release records before the run (the removed-API pre-flight reads their manifests). */
  helmSecrets?: any[]
  /** The addon repository the target snap ships differs from the active one. */
  reposDiffer?: boolean
  /** A stage ended the run early (a dry run): the stages after it do not run. */
  finished?: boolean
}

/** The state once `inspect` and `plan` have run: what every later stage may rely on. */
export type Planned = RunState & Required<Pick<RunState, 'inspected' | 'plan' | 'captured' | 'dataBefore'>>

export interface Stage {
  name: string
  /** Skipped (silently) when this says no. */
  runIf?: (state: Planned) => boolean
  run: (state: Planned) => Promise<Partial<RunState> | void>
}

/**
 * Runs the stages in order. Each stage's result is merged into the state; a new plan is recorded in the report,
 * whichever stage made it. The log prints the plan once: a stage that refines it (the repository comparison
 * decides which candidates are cycled) prints only the lines that are new, under its name.
 */
export async function runStages(
  initial: RunState,
  stages: readonly Stage[],
  /** Told the state after each stage, so a failure can still use what the stages before it produced. */
  onState?: (state: RunState) => void
): Promise<RunState> {
  let state = initial
  const printed = new Set<string>()
  for (const stage of stages) {
    // Before `plan` has run, the later fields are absent; stages before it do not read them.
    const planned = state as Planned
    if (stage.runIf && !stage.runIf(planned)) continue
    core.debug(`stage: ${stage.name}`)
    const produced = (await stage.run(planned)) ?? {}
    state = { ...state, ...produced }
    onState?.(state)
    if (produced.plan) {
      recordPlan(state.report, produced.plan)
      const lines = describePlan(produced.plan).split('\n')
      const fresh = lines.filter((line) => !printed.has(line))
      if (printed.size === 0) core.info(lines.join('\n'))
      else if (fresh.length) core.info([`Plan after ${stage.name}:`, ...fresh].join('\n'))
      for (const line of lines) printed.add(line)
    }
    if (state.finished) break
  }
  return state
}
