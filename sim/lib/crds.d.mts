// Types for the parts of the simulator's CRD model the TypeScript tests use.
export interface CrdRow {
  group: string
  kind: string
  plural: string
  scope: 'Namespaced' | 'Cluster'
  /** `*` marks the storage version; a version in `()` is listed but not served. */
  versions: string[]
}
export function makeCrd(row: CrdRow): any
export function gatewayApiCrds(tag: string): CrdRow[]
export function traefikCrds(options: { hub: boolean }): CrdRow[]
export function metallbCrds(minor: number): CrdRow[]
