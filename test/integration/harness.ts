// Runs the bundled dist/index.js against a simulator scenario (scripts/run-action.mjs) in a fresh directory.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runAction, ROOT, type ActionRun, type EndpointPorts } from '../../scripts/run-action.mjs'

export const scenarioFile = (name: string) => path.join(ROOT, 'sim', 'scenarios', `${name}.yaml`)

export async function run(
  scenario: string | Record<string, any>,
  inputs: Record<string, string> | ((ports: EndpointPorts) => Record<string, string>),
  options: {
    endpoints?: boolean | { service?: string }
    overrides?: Record<string, any>
    env?: Record<string, string | undefined>
    post?: boolean
    spawnOptions?: Record<string, any>
    dir?: string
    interruptAfter?: string
  } = {}
): Promise<ActionRun> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-it-'))
  return runAction({
    scenario: typeof scenario === 'string' ? scenarioFile(scenario) : scenario,
    inputs,
    dir,
    ...options
  })
}

/** The simulator's call log as command lines (`snap refresh microk8s --channel=1.29/stable --classic`). */
export function commandLines(r: ActionRun): string[] {
  return r.state.calls.map((c: any) => [c.tool, ...c.args].join(' '))
}

/** Commands that change the snap or the cluster (everything but reads). */
export function mutatingCommands(r: ActionRun): string[] {
  return commandLines(r).filter((l) =>
    /^snap (install|refresh)|^microk8s (enable|disable|addons repo update)|kubectl (apply|rollout restart)/.test(l)
  )
}

export function object(r: ActionRun, kind: string, namespace: string | undefined, name: string): any {
  return r.state.cluster.objects.find(
    (o: any) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? undefined) === namespace
  )
}

export function errorAnnotation(r: ActionRun): string {
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('::error'))
    .join('\n')
}
