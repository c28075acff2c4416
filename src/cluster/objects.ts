/** Cluster reads several stages share: Helm's release records, and objects of many resources in one call. */
import type { MicroK8s } from '../cluster/microk8s.js'
import { CommandError, parseJsonOutput } from '../base/errors.js'
import { displayCommand } from '../base/cmd.js'

/** Helm's release records (Secrets labelled owner=helm, type helm.sh/release.v1); their values may hold passwords. */
export async function readHelmSecrets(microk8s: MicroK8s): Promise<any[]> {
  const list = await microk8s.kubectlJson<{ items: any[] }>(['get', 'secrets', '-A', '-l', 'owner=helm'], true)
  return (list.items ?? []).filter((s) => s.type === 'helm.sh/release.v1')
}

/**
 * Lists objects of several resources in one `kubectl get`; when the server does not serve one of them (older
 * clusters), lists them one by one and returns the ones it does not serve instead of failing.
 */
export async function listObjects(
  microk8s: MicroK8s,
  resources: string[]
): Promise<{ objects: any[]; unavailable: string[] }> {
  if (resources.length === 0) return { objects: [], unavailable: [] }
  const list = async (names: string[]) => {
    const args = ['kubectl', 'get', names.join(','), '-A', '-o', 'json']
    const r = await microk8s.run(args)
    if (r.code === 0) return parseJsonOutput(displayCommand('microk8s', args), r.stdout).items ?? []
    if (/doesn't have a resource type|the server could not find the requested resource/.test(r.stderr)) return undefined
    throw new CommandError(
      displayCommand('microk8s', ['kubectl', 'get', names.join(','), '-A', '-o', 'json']),
      r.code,
      r.stdout,
      r.stderr
    )
  }
  const all = await list(resources)
  if (all) return { objects: all, unavailable: [] }
  const objects: any[] = []
  const unavailable: string[] = []
  for (const resource of resources) {
    const items = await list([resource])
    if (items) objects.push(...items)
    else unavailable.push(resource)
  }
  return { objects, unavailable }
}
