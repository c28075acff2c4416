/**
 * What the runner's kernel does with AppArmor's `net` class, read without changing anything, and the AppArmor
 * denials in its log (docs/strict-apparmor.md §2, §5).
 *
 * Mediation is read from securityfs through the system-files reader (`test -d`, with sudo on a runner, as
 * securityfs is root's): `/sys/kernel/security/apparmor/features/network_v9` is the fine-grained network ABI
 * (Ubuntu kernel `security/apparmor/apparmorfs.c`, `aa_sfs_entry_networkv9`); `features/network` is the old ABI,
 * present for years, and no sign. A read that fails is `unknown`, never "not mediating".
 *
 * The kernel log is `dmesg` (root on Ubuntu: kernel.dmesg_restrict=1), its lines filtered here; the ring buffer
 * is bounded by the kernel and the command by the runner's time bound. A log that cannot be read says so.
 */
import type { Cmd } from '../base/cmd.js'
import { SystemFiles } from './system-files.js'

export const APPARMOR_FEATURES = '/sys/kernel/security/apparmor/features'
const SECURITYFS = '/sys/kernel/security'

export interface NetMediation {
  /** `mediating`: fine-grained network mediation (network_v9); `unknown`: the reads failed. */
  state: 'mediating' | 'not-mediating' | 'unknown'
  /** What was read, in words, for the plan's notes. */
  detail: string
}

/** Reads whether the kernel mediates AppArmor's `net` class finely (network_v9). Changes nothing. */
export async function readNetMediation(files: SystemFiles): Promise<NetMediation> {
  const features = await files.directory(APPARMOR_FEATURES)
  if (typeof features === 'object') return { state: 'unknown', detail: features.error }
  if (features === 'no') {
    // Either no AppArmor, or securityfs could not be read: only a readable securityfs tells them apart.
    const securityfs = await files.directory(SECURITYFS)
    if (securityfs === 'yes')
      return { state: 'not-mediating', detail: `AppArmor is not enabled (no ${APPARMOR_FEATURES})` }
    const why = typeof securityfs === 'object' ? securityfs.error : `${SECURITYFS} is not there or not readable`
    return { state: 'unknown', detail: `cannot read AppArmor's features: ${why}` }
  }
  const v9 = await files.directory(`${APPARMOR_FEATURES}/network_v9`)
  if (typeof v9 === 'object') return { state: 'unknown', detail: v9.error }
  return v9 === 'yes'
    ? { state: 'mediating', detail: `fine-grained network mediation: ${APPARMOR_FEATURES}/network_v9 is present` }
    : { state: 'not-mediating', detail: `no ${APPARMOR_FEATURES}/network_v9 (only the older network features)` }
}

/** The profile containerd applies to every container that is not privileged (MicroK8s loads it under this name). */
export const CONTAINERD_PROFILE = 'cri-containerd.apparmor.d'

export type KernelDenials = { lines: string[] } | { error: string }

/**
 * The kernel log's AppArmor denials under containerd's profile (`apparmor="DENIED" … profile="cri-containerd…"`),
 * the last `limit` of them, each from `apparmor=` on (the timestamps and audit ids dropped).
 */
export async function readKernelDenials(cmd: Cmd, limit = 3): Promise<KernelDenials> {
  const r = await cmd.run('dmesg', [])
  if (r.code !== 0) {
    const why = (r.stderr.trim() || r.stdout.trim()).split('\n')[0]
    return { error: `'dmesg' exited ${r.code}${why ? `: ${why}` : ''}` }
  }
  return { lines: containerdDenials(r.stdout).slice(-limit) }
}

/** The AppArmor denials under containerd's profile in a kernel log. */
export function containerdDenials(log: string): string[] {
  return log
    .split('\n')
    .filter((l) => l.includes('apparmor="DENIED"') && l.includes(`profile="${CONTAINERD_PROFILE}"`))
    .map((l) => l.slice(l.indexOf('apparmor="DENIED"')).trim())
}

/** Whether a denial is of the `net` class (a socket). */
export function isNetDenial(line: string): boolean {
  return /\bclass="net"/.test(line)
}
