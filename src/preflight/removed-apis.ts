/**
 * The removed-API pre-flight: which objects in the cluster were authored with an API version that a hop's
 * Kubernetes minor no longer serves. Pure functions over objects already read; the table is
 * docs/kubernetes-upgrades.md §2.1 (the official migration guide) and §2.2 (alpha/beta-off APIs,
 * informational).
 */
import { gunzipSync } from 'node:zlib'
import { parseAllDocuments } from 'yaml'

export interface RemovedApi {
  removedIn: number
  apiVersion: string
  kind: string
  replacement: string
  /** `guide`: on-by-default API in the official guide; `off-by-default`: alpha/beta APIs only some clusters enable. */
  source: 'guide' | 'off-by-default'
  /** kubectl resource to list for stored objects of this kind; absent for create-only review kinds. */
  resource?: string
}

const g = (
  removedIn: number,
  apiVersion: string,
  kinds: string[],
  replacement: string,
  resources: Array<string | undefined> = []
) =>
  kinds.map((kind, i): RemovedApi => ({
    removedIn,
    apiVersion,
    kind,
    replacement,
    source: 'guide',
    resource: resources[i]
  }))

export const REMOVED_APIS: readonly RemovedApi[] = [
  ...g(
    22,
    'admissionregistration.k8s.io/v1beta1',
    ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    'admissionregistration.k8s.io/v1',
    [
      'mutatingwebhookconfigurations.admissionregistration.k8s.io',
      'validatingwebhookconfigurations.admissionregistration.k8s.io'
    ]
  ),
  ...g(22, 'apiextensions.k8s.io/v1beta1', ['CustomResourceDefinition'], 'apiextensions.k8s.io/v1', [
    'customresourcedefinitions.apiextensions.k8s.io'
  ]),
  ...g(22, 'apiregistration.k8s.io/v1beta1', ['APIService'], 'apiregistration.k8s.io/v1', [
    'apiservices.apiregistration.k8s.io'
  ]),
  ...g(22, 'authentication.k8s.io/v1beta1', ['TokenReview'], 'authentication.k8s.io/v1'),
  ...g(
    22,
    'authorization.k8s.io/v1beta1',
    ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SubjectAccessReview', 'SelfSubjectRulesReview'],
    'authorization.k8s.io/v1'
  ),
  ...g(22, 'certificates.k8s.io/v1beta1', ['CertificateSigningRequest'], 'certificates.k8s.io/v1', [
    'certificatesigningrequests.certificates.k8s.io'
  ]),
  ...g(22, 'coordination.k8s.io/v1beta1', ['Lease'], 'coordination.k8s.io/v1', ['leases.coordination.k8s.io']),
  ...g(22, 'extensions/v1beta1', ['Ingress'], 'networking.k8s.io/v1', ['ingresses.networking.k8s.io']),
  ...g(22, 'networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], 'networking.k8s.io/v1', [
    'ingresses.networking.k8s.io',
    'ingressclasses.networking.k8s.io'
  ]),
  ...g(
    22,
    'rbac.authorization.k8s.io/v1beta1',
    ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    'rbac.authorization.k8s.io/v1',
    [
      'clusterroles.rbac.authorization.k8s.io',
      'clusterrolebindings.rbac.authorization.k8s.io',
      'roles.rbac.authorization.k8s.io',
      'rolebindings.rbac.authorization.k8s.io'
    ]
  ),
  ...g(22, 'scheduling.k8s.io/v1beta1', ['PriorityClass'], 'scheduling.k8s.io/v1', [
    'priorityclasses.scheduling.k8s.io'
  ]),
  ...g(
    22,
    'storage.k8s.io/v1beta1',
    ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    'storage.k8s.io/v1',
    [
      'csidrivers.storage.k8s.io',
      'csinodes.storage.k8s.io',
      'storageclasses.storage.k8s.io',
      'volumeattachments.storage.k8s.io'
    ]
  ),
  ...g(25, 'batch/v1beta1', ['CronJob'], 'batch/v1', ['cronjobs.batch']),
  ...g(25, 'discovery.k8s.io/v1beta1', ['EndpointSlice'], 'discovery.k8s.io/v1', ['endpointslices.discovery.k8s.io']),
  ...g(25, 'events.k8s.io/v1beta1', ['Event'], 'events.k8s.io/v1'),
  ...g(25, 'autoscaling/v2beta1', ['HorizontalPodAutoscaler'], 'autoscaling/v2', [
    'horizontalpodautoscalers.autoscaling'
  ]),
  ...g(25, 'policy/v1beta1', ['PodDisruptionBudget'], 'policy/v1', ['poddisruptionbudgets.policy']),
  ...g(25, 'policy/v1beta1', ['PodSecurityPolicy'], 'none: Pod Security Admission or a third-party admission webhook'),
  ...g(25, 'node.k8s.io/v1beta1', ['RuntimeClass'], 'node.k8s.io/v1', ['runtimeclasses.node.k8s.io']),
  ...g(
    26,
    'flowcontrol.apiserver.k8s.io/v1beta1',
    ['FlowSchema', 'PriorityLevelConfiguration'],
    'flowcontrol.apiserver.k8s.io/v1',
    ['flowschemas.flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io']
  ),
  ...g(26, 'autoscaling/v2beta2', ['HorizontalPodAutoscaler'], 'autoscaling/v2', [
    'horizontalpodautoscalers.autoscaling'
  ]),
  ...g(27, 'storage.k8s.io/v1beta1', ['CSIStorageCapacity'], 'storage.k8s.io/v1', [
    'csistoragecapacities.storage.k8s.io'
  ]),
  ...g(
    29,
    'flowcontrol.apiserver.k8s.io/v1beta2',
    ['FlowSchema', 'PriorityLevelConfiguration'],
    'flowcontrol.apiserver.k8s.io/v1',
    ['flowschemas.flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io']
  ),
  ...g(
    32,
    'flowcontrol.apiserver.k8s.io/v1beta3',
    ['FlowSchema', 'PriorityLevelConfiguration'],
    'flowcontrol.apiserver.k8s.io/v1',
    ['flowschemas.flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io']
  ),
  ...[
    [
      33,
      'admissionregistration.k8s.io/v1alpha1',
      ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'],
      'admissionregistration.k8s.io/v1'
    ],
    [
      34,
      'resource.k8s.io/v1alpha3',
      ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'],
      'resource.k8s.io/v1'
    ],
    [35, 'storage.k8s.io/v1alpha1', ['VolumeAttributesClass'], 'storage.k8s.io/v1'],
    [35, 'storagemigration.k8s.io/v1alpha1', ['StorageVersionMigration'], 'storagemigration.k8s.io/v1beta1'],
    [
      36,
      'resource.k8s.io/v1beta1',
      ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'],
      'resource.k8s.io/v1'
    ]
  ].flatMap(([removedIn, apiVersion, kinds, replacement]) =>
    (kinds as string[]).map((kind): RemovedApi => ({
      removedIn: removedIn as number,
      apiVersion: apiVersion as string,
      kind,
      replacement: replacement as string,
      source: 'off-by-default'
    }))
  )
]

/** The removals that land in the minors the plan goes through: `(fromMinor, toMinor]`. */
export function removalsBetween(fromMinor: number, toMinor: number): RemovedApi[] {
  return REMOVED_APIS.filter((r) => r.removedIn > fromMinor && r.removedIn <= toMinor)
}

/** The resources to list (one `kubectl get` with all of them) to find stored objects of the removed kinds. */
export function resourcesToList(removals: RemovedApi[]): string[] {
  return [...new Set(removals.map((r) => r.resource).filter((r): r is string => Boolean(r)))].sort()
}

export interface Finding {
  /** The hop's minor (the first minor that no longer serves the API). */
  removedIn: number
  apiVersion: string
  kind: string
  namespace?: string
  name: string
  replacement: string
  /** `last-applied`, `managedFields:<manager>`, `helm:<namespace>/<release>`, or `<file>:<line>` for a manifest file. */
  evidence: string
  source: RemovedApi['source']
  /** For a finding in a manifest file (the manifests input): its path relative to the workspace, and the line of its apiVersion. */
  file?: string
  line?: number
}

/**
 * Field managers that are the control plane itself: their entries say which version the API server wrote
 * with, not what a user authored (docs/kubernetes-upgrades.md §3.4). Without this filter a fresh cluster flags its
 * own default FlowSchemas.
 */
const CONTROL_PLANE_MANAGERS = new Set([
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelite',
  'api-priority-and-fairness-config-producer-v1'
])

function lookup(removals: RemovedApi[], apiVersion: string, kind: string): RemovedApi | undefined {
  return removals.find((r) => r.apiVersion === apiVersion && r.kind === kind)
}

/** Findings from live objects: the last-applied annotation and non-control-plane managedFields entries. */
export function findInObjects(items: any[], removals: RemovedApi[]): Finding[] {
  const findings: Finding[] = []
  for (const o of items) {
    const meta = o.metadata ?? {}
    const annotations = meta.annotations ?? {}
    // Objects the API server maintains itself (APF defaults) are not the user's.
    if (annotations['apf.kubernetes.io/autoupdate-spec'] === 'true') continue
    const seen = new Set<string>()
    const add = (apiVersion: string, evidence: string) => {
      const r = lookup(removals, apiVersion, o.kind)
      if (!r || seen.has(`${apiVersion}|${evidence}`)) return
      seen.add(`${apiVersion}|${evidence}`)
      findings.push({
        removedIn: r.removedIn,
        apiVersion,
        kind: o.kind,
        namespace: meta.namespace,
        name: meta.name,
        replacement: r.replacement,
        evidence,
        source: r.source
      })
    }
    const lastApplied = annotations['kubectl.kubernetes.io/last-applied-configuration']
    if (lastApplied) {
      try {
        const doc = JSON.parse(lastApplied)
        if (doc.kind === o.kind && typeof doc.apiVersion === 'string') add(doc.apiVersion, 'last-applied')
      } catch {
        // An unreadable annotation is no evidence either way.
      }
    }
    for (const mf of meta.managedFields ?? []) {
      if (!mf?.apiVersion || CONTROL_PLANE_MANAGERS.has(mf.manager) || mf.subresource === 'status') continue
      add(mf.apiVersion, `managedFields:${mf.manager}`)
    }
  }
  return findings
}

/** A Helm v3 release from its storage Secret: base64 (Secret) of base64 (Helm) of gzip (JSON). */
export function decodeHelmRelease(
  secret: any
): { name: string; namespace: string; version: number; status: string; manifest: string; chart?: string } | undefined {
  const data = secret?.data?.release
  if (typeof data !== 'string') return undefined
  try {
    const helmEncoded = Buffer.from(data, 'base64').toString('utf8')
    let raw = Buffer.from(helmEncoded, 'base64')
    if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw)
    const release = JSON.parse(raw.toString('utf8'))
    const chart = release.chart?.metadata
      ? `${release.chart.metadata.name}-${release.chart.metadata.version}`
      : undefined
    return {
      name: release.name,
      namespace: release.namespace,
      version: release.version,
      status: release.info?.status ?? '',
      manifest: release.manifest ?? '',
      chart
    }
  } catch {
    return undefined
  }
}

/** Findings from the manifests of deployed Helm releases (latest deployed revision of each). */
export function findInHelmReleases(secrets: any[], removals: RemovedApi[]): Finding[] {
  const latest = new Map<string, NonNullable<ReturnType<typeof decodeHelmRelease>>>()
  for (const s of secrets) {
    const r = decodeHelmRelease(s)
    if (!r || r.status !== 'deployed') continue
    const key = `${r.namespace}/${r.name}`
    if (!latest.has(key) || latest.get(key)!.version < r.version) latest.set(key, r)
  }
  const findings: Finding[] = []
  for (const [key, release] of latest) {
    for (const doc of parseAllDocuments(release.manifest)) {
      const o = doc.toJSON() as any
      if (!o?.apiVersion || !o.kind) continue
      const r = lookup(removals, o.apiVersion, o.kind)
      if (!r) continue
      findings.push({
        removedIn: r.removedIn,
        apiVersion: o.apiVersion,
        kind: o.kind,
        namespace: o.metadata?.namespace ?? release.namespace,
        name: o.metadata?.name ?? '',
        replacement: r.replacement,
        evidence: `helm:${key}`,
        source: r.source
      })
    }
  }
  return findings
}
