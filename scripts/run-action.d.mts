// Types for scripts/run-action.mjs, used by the integration tests.
export const ROOT: string
export function parseCommandFile(text: string): Record<string, string>
export function deepMerge<T>(base: T, overrides: unknown): T
export const ACTION_INPUTS: string[]
export function inputEnv(inputs: Record<string, string>, action?: unknown): Record<string, string>
export interface SpawnResult {
  code: number | null
  stdout: string
  stderr: string
  wallMs: number
  /** Set when the process was killed (`interruptAfter`). */
  signal?: string
}
export interface ActionRun extends SpawnResult {
  outputs: Record<string, string>
  savedState: Record<string, string>
  /** Variables the action exported for later steps (GITHUB_ENV). */
  exported: Record<string, string>
  post?: SpawnResult
  summary: string
  report: any
  state: any
  files: { output: string; state: string; env: string; summary: string; temp: string; home: string }
  sim: { statePath: string; binDir: string; env: Record<string, string> }
  /** With `endpoints`: where they listened and every change of what was up (epoch ms). */
  endpoints?: { ports: EndpointPorts; truth: Array<{ name: string; up: boolean; atMs: number }> }
}
export interface EndpointPorts {
  api: number
  app: number
  ingress: number
  dns: number
}
export function runAction(options: {
  scenario: string | Record<string, any>
  inputs?: Record<string, string> | ((ports: EndpointPorts) => Record<string, string>)
  endpoints?: boolean | { service?: string }
  dir: string
  env?: Record<string, string | undefined>
  overrides?: Record<string, any>
  echo?: boolean | ((stream: 'stdout' | 'stderr', chunk: Buffer) => void)
  post?: boolean
  spawnOptions?: Record<string, any>
  simServer?: boolean
  interruptAfter?: string
}): Promise<ActionRun>
export interface ReportActionRun extends SpawnResult {
  outputs: Record<string, string>
  summary: string
  files: { output: string; summary: string; temp: string }
}
export function runReportAction(options: {
  inputs?: Record<string, string>
  dir: string
  workspace?: string
  env?: Record<string, string | undefined>
  echo?: boolean
}): Promise<ReportActionRun>
export function startSimServer(options?: { detached?: boolean }): Promise<{ port: number; stop: () => void }>
export function sharedSimServer(): Promise<{ port: number; stop: () => void }>
