// Types for the parts of the simulator the TypeScript tests use.
export function dnsServiceIp(args: string[], kubeApiserverArgs?: string): string
export function dnsClusterDomain(branch: string, args: string[]): string
export function metallbRanges(branch: string, first: string | undefined): { ranges: string[] } | { bad: string }
