// Types for the parts of the simulator the TypeScript tests use.
export const SIM_BIN: string
export function readScenario(file: string): Record<string, any>
export function helmReleaseSecret(release: {
  name: string
  namespace?: string
  revision?: number
  chart?: string
  chartVersion?: string
  manifest: string
  status?: string
}): any
export function buildState(scenario: Record<string, any>, root?: string): any
export function createSimulation(
  scenario: Record<string, any>,
  dir: string,
  overrides?: Record<string, any>
): { statePath: string; binDir: string; env: Record<string, string> }
