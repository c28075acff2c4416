export const SNAP_REPO: string
export const ACTIVE_REPO: string
export const BRANCHES: string[]
export function lsTree(branch: string, stale?: string[]): string
export function runGit(argv: string[]): number
