// Kubernetes objects held by the simulator, and the resource names kubectl accepts for them.
import { randomUUID } from 'node:crypto'

const API = {
  Deployment: 'apps/v1',
  DaemonSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  Namespace: 'v1',
  Node: 'v1',
  Pod: 'v1',
  PersistentVolume: 'v1',
  PersistentVolumeClaim: 'v1',
  StorageClass: 'storage.k8s.io/v1',
  IngressClass: 'networking.k8s.io/v1',
  Ingress: 'networking.k8s.io/v1',
  FlowSchema: 'flowcontrol.apiserver.k8s.io/v1',
  PriorityLevelConfiguration: 'flowcontrol.apiserver.k8s.io/v1',
  IPAddressPool: 'metallb.io/v1beta1',
  L2Advertisement: 'metallb.io/v1beta1',
  BGPAdvertisement: 'metallb.io/v1beta1',
  BGPPeer: 'metallb.io/v1beta2',
  TLSStore: 'traefik.io/v1alpha1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  CronJob: 'batch/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1'
}

/**
 * kubectl resource names (plural, singular, short, and group-qualified) → kind, for the built-in kinds; the kinds
 * a CRD defines (MetalLB's, Gateway API's, Traefik's) resolve through the installed CRDs (crds.mjs).
 */
const RESOURCES = {
  Node: ['nodes', 'node', 'no'],
  Pod: ['pods', 'pod', 'po'],
  Deployment: ['deployments', 'deployment', 'deploy', 'deployments.apps'],
  DaemonSet: ['daemonsets', 'daemonset', 'ds', 'daemonsets.apps'],
  StatefulSet: ['statefulsets', 'statefulset', 'sts', 'statefulsets.apps'],
  ReplicaSet: ['replicasets', 'replicaset', 'rs', 'replicasets.apps'],
  ConfigMap: ['configmaps', 'configmap', 'cm'],
  Secret: ['secrets', 'secret'],
  Service: ['services', 'service', 'svc'],
  Namespace: ['namespaces', 'namespace', 'ns'],
  PersistentVolume: ['persistentvolumes', 'persistentvolume', 'pv'],
  PersistentVolumeClaim: ['persistentvolumeclaims', 'persistentvolumeclaim', 'pvc'],
  StorageClass: ['storageclasses', 'storageclass', 'sc', 'storageclasses.storage.k8s.io'],
  IngressClass: ['ingressclasses', 'ingressclass', 'ingressclasses.networking.k8s.io'],
  Ingress: ['ingresses', 'ingress', 'ing', 'ingresses.networking.k8s.io'],
  FlowSchema: ['flowschemas', 'flowschema', 'flowschemas.flowcontrol.apiserver.k8s.io'],
  PriorityLevelConfiguration: [
    'prioritylevelconfigurations',
    'prioritylevelconfiguration',
    'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io'
  ],
  CustomResourceDefinition: [
    'customresourcedefinitions',
    'customresourcedefinition',
    'crd',
    'crds',
    'customresourcedefinitions.apiextensions.k8s.io'
  ],
  CronJob: ['cronjobs', 'cronjob', 'cj', 'cronjobs.batch'],
  HorizontalPodAutoscaler: ['horizontalpodautoscalers', 'hpa', 'horizontalpodautoscalers.autoscaling'],
  PodDisruptionBudget: ['poddisruptionbudgets', 'pdb', 'poddisruptionbudgets.policy']
}

const CLUSTER_SCOPED = new Set([
  'Node',
  'Namespace',
  'PersistentVolume',
  'StorageClass',
  'IngressClass',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'CustomResourceDefinition'
])

export function kindOfResource(resource) {
  for (const [kind, names] of Object.entries(RESOURCES)) if (names.includes(resource)) return kind
  return undefined
}

export function isClusterScoped(kind) {
  return CLUSTER_SCOPED.has(kind)
}

/** A new object as the API server would hold it. `extra` is merged at the top level (spec, status, data…). */
export function makeObject(kind, { name, namespace, labels, annotations, data, spec, apiVersion, extra = {} }) {
  const obj = {
    apiVersion: apiVersion ?? API[kind] ?? 'v1',
    kind,
    metadata: {
      name,
      ...(namespace && !CLUSTER_SCOPED.has(kind) ? { namespace } : {}),
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {})
    },
    ...(spec ? { spec } : {}),
    ...(data ? { data } : {}),
    ...extra
  }
  if (['Deployment', 'StatefulSet'].includes(kind)) obj.status = { replicas: 1, readyReplicas: 1, availableReplicas: 1 }
  if (kind === 'DaemonSet') obj.status = { desiredNumberScheduled: 1, numberReady: 1 }
  return obj
}

export function sameObject(a, b) {
  return (
    a.kind === b.kind &&
    a.metadata.name === b.metadata.name &&
    (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '')
  )
}

/** The object as kubectl prints it: internal fields (`_addon`) removed, served apiVersion applied. */
export function served(obj, serverMinor) {
  const out = structuredClone(obj)
  for (const key of Object.keys(out)) if (key.startsWith('_')) delete out[key]
  if (out.apiVersion?.startsWith('flowcontrol.apiserver.k8s.io/')) {
    // The preferred flowcontrol version: v1beta3 on 1.28, v1 from 1.29 (objects are converted on read).
    out.apiVersion = serverMinor >= 29 ? 'flowcontrol.apiserver.k8s.io/v1' : 'flowcontrol.apiserver.k8s.io/v1beta3'
  }
  return out
}
