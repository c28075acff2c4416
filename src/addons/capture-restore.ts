/**
 * Reading and putting back addon state on the cluster (the commands for src/addon-state.ts). Every read the plan
 * depends on is retried a bounded number of times; a read that still fails stops the run before any change,
 * naming what could not be read. "Not found" is an answer (nothing there); a failed read never is.
 */
import * as core from '@actions/core'
import type { MicroK8s } from '../cluster/microk8s.js'
import { CommandError, parseJsonOutput } from '../base/errors.js'
import { displayCommand } from '../base/cmd.js'
import { retry } from '../base/retry.js'
import { isCorefileCustomised, plainItems } from '../catalog/index.js'
import {
  type CapturedState,
  type KubeObject,
  type ObjectQuery,
  corefileWithUpstreams,
  extraDefaultPool,
  loadBalancerIps,
  readStorageClass,
  stateSpecs,
  stripServerFields
} from './state-specs.js'
import { type CustomKind, resourceOf } from './custom-resources.js'
import { objectsToRestore, resourceOfKind } from './restore-plan.js'

/** Attempts per read and the first pause between them (doubled each time). */
export const READ_ATTEMPTS = 3
const READ_PAUSE_MS = 500

/** A read that failed every attempt: the run stops before any change. */
export class ReadError extends Error {
  constructor(
    readonly what: string,
    cause: Error
  ) {
    super(`could not read ${what} (${READ_ATTEMPTS} attempts): ${cause.message}`)
    this.name = 'ReadError'
  }
}

/** Runs a read up to READ_ATTEMPTS times (the one retry policy, src/retry.ts); the last failure becomes a ReadError naming `what`. */
export async function readRetried<T>(what: string, read: () => Promise<T>, pauseMs = READ_PAUSE_MS): Promise<T> {
  let last: Error | undefined
  const outcome = await retry(
    async () => {
      try {
        // Boxed: a read may answer undefined (nothing there), which is an answer, not a failure.
        return { value: await read() }
      } catch (error) {
        last = error as Error
        return undefined
      }
    },
    { attempts: READ_ATTEMPTS, baseDelayMs: pauseMs, maxDelayMs: pauseMs * 2 ** READ_ATTEMPTS, deadlineMs: Infinity },
    ({ nextAttempt }) =>
      core.info(`reading ${what} failed (attempt ${nextAttempt - 1} of ${READ_ATTEMPTS}): ${last?.message}`)
  )
  if (outcome.value) return outcome.value.value
  throw new ReadError(what, last!)
}

const notFound = (stderr: string) => /\(NotFound\)|not found/i.test(stderr)
const noSuchType = (stderr: string) =>
  /doesn't have a resource type|the server could not find the requested resource|no matches for kind/.test(stderr)

/** `kubectl get` of one object; undefined when it does not exist. Throws on any other failure. */
export async function getObject(
  microk8s: MicroK8s,
  resource: string,
  name: string,
  namespace?: string,
  secret = false
): Promise<KubeObject | undefined> {
  const args = ['kubectl', 'get', resource, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json']
  const r = await microk8s.run(args, undefined, secret)
  if (r.code === 0) return parseJsonOutput(displayCommand('microk8s', args), r.stdout, secret)
  if (notFound(r.stderr)) return undefined
  throw new CommandError(displayCommand('microk8s', args), r.code, secret ? '' : r.stdout, r.stderr)
}

/** The objects a query names; none when the addon's CRDs are not there. Throws on any other failure. */
export async function queryObjects(microk8s: MicroK8s, q: ObjectQuery): Promise<KubeObject[]> {
  const found = await getInNamespace(microk8s, [q.resource], q.namespace, Boolean(q.crd))
  return found === undefined ? [] : pick(found, q)
}

/**
 * The objects of several queries in one namespace, in one `kubectl get r1,r2 -n NS` (each real call costs seconds).
 * When one of the resources is not served (an addon's CRDs missing), each query is read on its own instead.
 */
export async function queryNamespace(microk8s: MicroK8s, queries: ObjectQuery[]): Promise<KubeObject[]> {
  if (queries.length === 1) return queryObjects(microk8s, queries[0])
  const found = await getInNamespace(
    microk8s,
    queries.map((q) => q.resource),
    queries[0].namespace,
    queries.some((q) => q.crd)
  )
  if (found === undefined) {
    const each: KubeObject[] = []
    for (const q of queries) each.push(...(await queryObjects(microk8s, q)))
    return each
  }
  return queries.flatMap((q) => pick(found, q))
}

/** `kubectl get` of resources in a namespace; undefined when a resource type is not served and that may be so. */
async function getInNamespace(
  microk8s: MicroK8s,
  resources: string[],
  namespace: string,
  mayBeUnserved: boolean
): Promise<KubeObject[] | undefined> {
  const secret = resources.includes('secrets')
  const args = ['kubectl', 'get', resources.join(','), '-n', namespace, '-o', 'json']
  const r = await microk8s.run(args, undefined, secret)
  if (r.code !== 0) {
    if (mayBeUnserved && noSuchType(r.stderr)) return undefined
    throw new CommandError(displayCommand('microk8s', args), r.code, secret ? '' : r.stdout, r.stderr)
  }
  return parseJsonOutput(displayCommand('microk8s', args), r.stdout, secret).items ?? []
}

/** The objects of a list that a query asks for: its resource's kind, its names, its filter. */
function pick(items: KubeObject[], q: ObjectQuery): KubeObject[] {
  return items.filter(
    (o) =>
      resourceOfKind(String(o.kind)) === q.resource &&
      (!q.names || q.names.includes(o.metadata?.name)) &&
      (!q.keep || q.keep(o))
  )
}

/** Queries grouped by namespace, in the order their namespaces first appear. */
function byNamespace(queries: ObjectQuery[]): ObjectQuery[][] {
  const groups = new Map<string, ObjectQuery[]>()
  for (const q of queries) groups.set(q.namespace, [...(groups.get(q.namespace) ?? []), q])
  return [...groups.values()]
}

export async function readCorefile(microk8s: MicroK8s): Promise<string | undefined> {
  const cm = await getObject(microk8s, 'configmap', 'coredns', 'kube-system')
  return cm?.data?.Corefile
}

/**
 * Every object of the given custom kinds, each at the version it names, in every namespace: one `kubectl get
 * p1.v1.g1,p2.v2.g2 -A` (each real call costs seconds). Throws on any failure, a kind no longer served included.
 */
export async function listCustomObjects(microk8s: MicroK8s, kinds: CustomKind[]): Promise<KubeObject[]> {
  if (kinds.length === 0) return []
  const args = ['kubectl', 'get', kinds.map(resourceOf).join(','), '-A', '-o', 'json']
  const r = await microk8s.run(args)
  if (r.code !== 0) throw new CommandError(displayCommand('microk8s', args), r.code, r.stdout, r.stderr)
  return parseJsonOutput(displayCommand('microk8s', args), r.stdout).items ?? []
}

async function readLoadBalancers(microk8s: MicroK8s): Promise<NonNullable<CapturedState['loadBalancers']>> {
  const list = await microk8s.kubectlJson<{ items: KubeObject[] }>(['get', 'services', '-A'])
  return loadBalancerIps(list.items ?? [])
}

/**
 * Everything the cycle may delete, read before the plan is made (each read retried; any still failing stops
 * the run before a change): the Corefile, the objects of each addon's state specs, the hostpath StorageClass
 * and the LoadBalancer Services' IPs.
 */
export async function captureState(
  microk8s: MicroK8s,
  enabled: string[],
  disableMinor: number
): Promise<CapturedState> {
  const captured: CapturedState = { objects: {} }
  if (enabled.includes('dns')) {
    captured.corefile = await readRetried('the CoreDNS ConfigMap (kube-system/coredns)', () => readCorefile(microk8s))
  }
  for (const addon of enabled) {
    for (const spec of stateSpecs(addon, disableMinor)) {
      const objects: KubeObject[] = []
      for (const group of byNamespace(spec.objects)) {
        const what = `${group.map((q) => q.resource).join(', ')} in namespace ${group[0].namespace} (${addon})`
        const found = await readRetried(what, () => queryNamespace(microk8s, group))
        objects.push(...found.map(stripServerFields))
      }
      captured.objects[addon] = [...(captured.objects[addon] ?? []), ...objects]
    }
  }
  if (enabled.includes('hostpath-storage') || enabled.includes('storage')) {
    const sc = await readRetried('StorageClass microk8s-hostpath', () =>
      getObject(microk8s, 'storageclass', 'microk8s-hostpath')
    )
    if (sc) captured.storageClass = readStorageClass(sc)
  }
  if (enabled.includes('metallb')) {
    captured.loadBalancers = await readRetried('the LoadBalancer Services', () => readLoadBalancers(microk8s))
  }
  return captured
}

/** Server-side apply of objects, as the action's own field manager; conflicts are taken (the user's values win). */
export async function applyObjects(microk8s: MicroK8s, objects: KubeObject[], secret: boolean): Promise<void> {
  if (objects.length === 0) return
  const args = [
    'kubectl',
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=microk8s-upgrade-action',
    '-f',
    '-'
  ]
  const r = await microk8s.run(args, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }), secret)
  if (r.code !== 0) throw new CommandError(displayCommand('microk8s', args), r.code, secret ? '' : r.stdout, r.stderr)
}

/**
 * Puts back what the addon's disable deleted, right after its enable: its captured objects and custom resources
 * (server-side apply, in restore order), for metallb without the pool the enable made when the user had none,
 * for dns the Corefile. `requestedArgs`: the arguments the addons input gave it (dns: its upstreams). Returns what
 * it did, for the report; throws when a restore fails.
 */
export async function restoreAddonState(
  microk8s: MicroK8s,
  addon: string,
  captured: CapturedState,
  requestedArgs?: string
): Promise<string | undefined> {
  const requestedUpstreams = addon === 'dns' ? requestedArgs : undefined
  const objects = objectsToRestore(addon, captured, requestedArgs)
  const done: string[] = []
  // First: MetalLB's webhook refuses a pool that overlaps another, and the enable's pool has the first one's range.
  if (addon === 'metallb' && objects.some((o) => o.kind === 'IPAddressPool') && extraDefaultPool(objects)) {
    const args = ['kubectl', 'delete', 'ipaddresspools.metallb.io', 'default-addresspool', '-n', 'metallb-system']
    const r = await microk8s.run([...args, '--ignore-not-found'])
    if (r.code !== 0) throw new CommandError(displayCommand('microk8s', args), r.code, r.stdout, r.stderr)
    done.push('removed the pool the enable created')
  }
  if (objects.length) {
    await applyObjects(
      microk8s,
      objects,
      objects.some((o) => o.kind === 'Secret')
    )
    done.push(`re-applied ${objects.length} captured object(s)`)
  }
  if (addon === 'dns' && captured.corefile !== undefined) {
    const corefile = expectedCorefile(captured.corefile, requestedUpstreams)
    if (corefile !== undefined) {
      await microk8s.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'coredns',
          namespace: 'kube-system',
          labels: { 'k8s-app': 'kube-dns', 'addonmanager.kubernetes.io/mode': 'EnsureExists' }
        },
        data: { Corefile: corefile }
      })
      await microk8s.rolloutRestart('deployment', 'kube-system', 'coredns')
      done.push(
        requestedUpstreams
          ? `customised Corefile restored with the requested upstreams ${plainItems(requestedUpstreams).join(',')}`
          : 'customised Corefile restored'
      )
    }
  }
  return done.length ? done.join('; ') : undefined
}

/**
 * The Corefile to put back after dns's enable: the user's customised one (with the requested upstreams when the
 * addons input names some), or undefined when it was not customised (the enable writes the right one).
 */
export function expectedCorefile(saved: string, requestedUpstreams?: string): string | undefined {
  if (!isCorefileCustomised(saved)) return undefined
  return requestedUpstreams ? corefileWithUpstreams(saved, requestedUpstreams) : saved
}

/** The state after the cycle, for the checks; a part that cannot be read is undefined ("not checked"). */
export async function readStateAfter(
  microk8s: MicroK8s,
  captured: CapturedState
): Promise<{
  objects: Record<string, KubeObject[] | undefined>
  custom: Record<string, KubeObject[] | undefined>
  storageClass?: CapturedState['storageClass'] | null
  loadBalancers?: CapturedState['loadBalancers']
}> {
  const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await readRetried(what, read)
    } catch (error) {
      core.warning(`${(error as Error).message}: that check is reported as not checked`, { title: 'data check' })
      return undefined
    }
  }
  const objects: Record<string, KubeObject[] | undefined> = {}
  const custom: Record<string, KubeObject[] | undefined> = {}
  for (const [addon, { kinds, objects: list }] of Object.entries(captured.customResources ?? {})) {
    if (list.length === 0) continue
    const used = kinds.filter((k) => list.some((o) => o.kind === k.kind && o.apiVersion === `${k.group}/${k.version}`))
    custom[addon] = await attempt(`the ${addon} custom resources (${used.map((k) => k.crd).join(', ')})`, () =>
      listCustomObjects(microk8s, used)
    )
  }
  for (const [addon, list] of Object.entries(captured.objects)) {
    if (list.length === 0) continue
    const keys = [...new Set(list.map((o) => `${o.kind}|${o.metadata.namespace}`))]
    const queries: ObjectQuery[] = keys.map((key) => {
      const [kind, namespace] = key.split('|')
      return { resource: resourceOfKind(kind), namespace, crd: true }
    })
    const found: KubeObject[] = []
    let failed = false
    for (const group of byNamespace(queries)) {
      const what = `${group.map((q) => q.resource).join(', ')} in namespace ${group[0].namespace}`
      const items = await attempt(what, () => queryNamespace(microk8s, group))
      if (items === undefined) failed = true
      else found.push(...items)
    }
    objects[addon] = failed ? undefined : found
  }
  const storageClass = captured.storageClass
    ? await attempt('StorageClass microk8s-hostpath', async () => {
        const sc = await getObject(microk8s, 'storageclass', 'microk8s-hostpath')
        return sc ? readStorageClass(sc) : null
      })
    : undefined
  const loadBalancers = captured.loadBalancers
    ? await attempt('the LoadBalancer Services', () => readLoadBalancers(microk8s))
    : undefined
  return { objects, custom, storageClass, loadBalancers }
}
