/**
 * The report's model: the one JSON document a run writes (schema/report.schema.json), its records, and the
 * constructors. Types only and the two small functions every producer needs; rendering lives beside it
 * (summary.ts, timeline.ts, grid.ts), so producers never import a renderer.
 */
import type { Change, Inventory } from '../cluster/inventory.js'
import type { Finding } from '../preflight/removed-apis.js'
import type { ManifestScanSummary } from '../preflight/manifests.js'
import type { RequestedApisRead } from '../preflight/requested-apis.js'
import type { DisruptionRecord } from '../probes/outages.js'
import type { WorkloadsRecord } from '../cluster/workload-changes.js'

/** The report's schema version (schema/report.schema.json); the report action reads this one and every older one. */
export const SCHEMA_VERSION = 4

export interface StepRecord {
  name: string
  status: 'ok' | 'failed' | 'skipped'
  durationMs: number
  /** Milliseconds after the run started (for the timeline). */
  atMs?: number
  detail?: string
}

export interface HopRecord {
  channel: string
  minor: number
  /** `install` (a fresh install, not a hop between versions) or `refresh`. */
  kind?: 'install' | 'refresh'
  status: 'done' | 'failed' | 'planned'
  durationMs: number
  /** Milliseconds after the run started, when the refresh began (for the timeline). */
  atMs?: number
  /** Seconds spent waiting for readiness after the refresh. */
  readyAfterMs?: number
  serverVersion?: string
}

export interface AddonRecord {
  name: string
  /** `cycled`, `enabled` (newly, from the addons input), `kept` (not cycled, with a reason), `failed`, `planned`. */
  status: 'cycled' | 'enabled' | 'kept' | 'failed' | 'planned' | 're-enabled'
  /**
   * Cycled addons: the downtime, from the start of the disable until its workloads were rolled out again.
   * Newly enabled addons: how long the enable took.
   */
  durationMs?: number
  /** Milliseconds after the run started, when the disable (or, for new addons, the enable) began. */
  atMs?: number
  args?: string
  argsSource?: 'input' | 'recovered' | 'none'
  note?: string
}

export interface DataCheck {
  name: string
  before: string
  after: string
  /** The check ran and found everything kept. */
  ok: boolean
  /** False when the check could not run (a read failed): shown as not checked, never as kept. */
  checked?: boolean
  detail?: string
}

export interface SetupRecord {
  launchConfiguration?: { file: string; placedAt?: string; enables: string[]; disables: string[] }
  sideloadedImages?: Array<{ archive: string; images: string[] }>
  registryMirror?: { mirror: string; written: boolean; rewrittenAfter: string[] }
  runnerNetwork?: { outcome: string; added: string[]; detail: string }
}

/** What the post step did when the main step was stopped in the middle of the addon cycle. */
export interface InterruptedRecord {
  finishedBy: 'post step'
  /** `interrupted`: the job was cancelled or timed out mid-cycle; `failed`: the cycle failed and left addons down. */
  cause: 'interrupted' | 'failed'
  addons: Array<{ name: string; result: 'restored' | 'still down'; detail: string }>
}

export interface Report {
  schemaVersion: number
  status: 'success' | 'failure' | 'dry-run'
  target: { channel: string; minor?: number }
  startedAt: string
  finishedAt?: string
  plan?: {
    kind: string
    fromMinor?: number
    targetMinor?: number
    hops: string[]
    cycling?: boolean
    cyclingWhy?: string
    enableOrder: string[]
    disableOrder: string[]
    /** Addons from the addons input that were not enabled, enabled after the cycle. */
    thenEnable: string[]
    notes: string[]
  }
  before: Inventory | null
  after: Inventory | null
  hops: HopRecord[]
  steps: StepRecord[]
  addons: AddonRecord[]
  changes: Change[]
  dataChecks: DataCheck[]
  findings: Finding[]
  warnings: string[]
  failure?: { step: string; message: string; output?: string; clusterState: string }
  interrupted?: InterruptedRecord
  diagnostics?: string
  runUrl?: string
  /** The job (GITHUB_JOB) and run attempt that wrote the report, for the matrix grid. */
  job?: string
  runAttempt?: string
  /** The manifests input: what was scanned for removed APIs (schema version 2). */
  manifests?: ManifestScanSummary
  /** What the action set up around MicroK8s (launch configuration, images, registry mirror, runner network). */
  setup?: SetupRecord
  /** The `calico/node` tag the installed snap's Calico manifest names, read after the last hop; absent when unread. */
  targetCalico?: string
  /**
   * What the probes measured from the first change to the end of the run: per target, samples, availability and
   * outages attributed to steps (schema version 3; docs/disruption.md). Absent when nothing was changed.
   */
  disruption?: DisruptionRecord
  /**
   * The deprecated APIs clients really requested (`apiserver_requested_deprecated_apis`), read before the run,
   * before each hop's refresh and after the run (schema version 4; docs/kubernetes-upgrades.md §4).
   */
  requestedApis?: { reads: RequestedApisRead[] }
  /**
   * The user's workloads before the first change and at the end: restarts, replaced pods, rollouts, availability,
   * claims, PodDisruptionBudgets (schema version 4; docs/disruption.md "Workloads"). Absent on a fresh install.
   */
  workloads?: WorkloadsRecord
  /** Where the time went: inside snap/microk8s commands versus the action itself. */
  timing?: { wallMs: number; commandMs: number; commands: number; maxRssKb: number }
}

export function newReport(channel: string, minor?: number): Report {
  return {
    schemaVersion: SCHEMA_VERSION,
    status: 'success',
    target: { channel, ...(minor !== undefined ? { minor } : {}) },
    startedAt: new Date().toISOString(),
    before: null,
    after: null,
    hops: [],
    steps: [],
    addons: [],
    changes: [],
    dataChecks: [],
    findings: [],
    warnings: []
  }
}

/** Milliseconds since the run started: where a bar of the timeline begins. */
export function runElapsedMs(report: Report, now = Date.now()): number {
  return Math.max(0, now - Date.parse(report.startedAt))
}
