/**
 * The `registry-mirror` input: a mirror for docker.io, written as containerd's hosts.toml.
 *
 * Facts (canonical/microk8s microk8s-resources/default-args/containerd-template.toml and certs.d): containerd
 * reads registry hosts from `config_path = "${SNAP_DATA}/args/certs.d"`, one directory per registry; the snap
 * ships `certs.d/docker.io/hosts.toml` with `server = "https://docker.io"` and registry-1.docker.io as host.
 * MicroK8s restarts containerd with `snapctl restart microk8s.daemon-containerd` (actions/common/utils.sh
 * restart_service); from outside the snap that is `snap restart microk8s.daemon-containerd`. $SNAP_DATA is
 * copied to each new revision by a refresh, so the file should survive hops: the action checks after each.
 */
import { InputError } from '../base/errors.js'
import { CommandError } from '../base/errors.js'
import type { Cmd } from '../base/cmd.js'
import type { MicroK8s } from '../cluster/microk8s.js'
import { SNAP_DATA, type SystemFiles } from '../cluster/system-files.js'

export const HOSTS_TOML = `${SNAP_DATA}/args/certs.d/docker.io/hosts.toml`

/** `https://host[:port]` or `http://…`, nothing else; a refused value is never echoed (it may hold a token). */
export function parseMirror(text: string, input = 'registry-mirror'): string {
  const value = text.trim()
  const m =
    /^(https?):\/\/([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?\/?$/.exec(
      value
    )
  // The value is never echoed: a rejected value may hold a token (user:tok3n@host, ?token=…) in any shape.
  if (!m) {
    const why = /@/.test(value)
      ? 'holds credentials or an @, which containerd would not use and the log must not show'
      : /[?#]/.test(value)
        ? 'holds a query or fragment (which may carry a token), which containerd would not use'
        : 'is not accepted'
    throw new InputError(
      input,
      `${why}; give http(s)://host[:port] with no credentials, path or query, e.g. https://mirror.gcr.io (the value is not shown)`
    )
  }
  if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535))
    throw new InputError(input, `port ${m[3]} is out of range`)
  return `${m[1]}://${m[2]}${m[3] ? `:${m[3]}` : ''}`
}

/** The first line of every hosts.toml the action writes: what tells its own file from a person's. */
const HEADER = '# Written by microk8s-upgrade-action (registry-mirror input)\n'

/** What the snap ships (canonical/microk8s, microk8s-resources/default-args/certs.d/docker.io/hosts.toml). */
export const SNAP_DEFAULT_HOSTS_TOML =
  'server = "https://docker.io"\n\n[host."https://registry-1.docker.io"]\n  capabilities = ["pull", "resolve"]\n'

const normalised = (text: string) =>
  text
    .replace(/\r\n/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .trimEnd()

/** Whether the action may replace hosts.toml: absent, the snap's default, or a file the action wrote. */
export function isReplaceable(present: string | undefined): boolean {
  return (
    present === undefined || present.startsWith(HEADER) || normalised(present) === normalised(SNAP_DEFAULT_HOSTS_TOML)
  )
}

/** Refuses (naming the input) a hosts.toml a person wrote: it is never edited. */
export function checkReplaceable(present: string | undefined): void {
  if (!isReplaceable(present))
    throw new InputError(
      'registry-mirror',
      `${HOSTS_TOML} holds a docker.io configuration that is neither the snap's default nor written by this action; a person's file is not replaced. Remove the input (and keep that file) or remove the file`
    )
}

/** containerd hosts.toml: the mirror first, docker.io itself as the fallback server. */
export function hostsToml(mirror: string): string {
  return HEADER + 'server = "https://docker.io"\n\n' + `[host."${mirror}"]\n` + '  capabilities = ["pull", "resolve"]\n'
}

/**
 * Writes hosts.toml when it differs (and is the snap's or the action's own), restarts containerd and waits for readiness again. Returns whether the
 * file was written (an identical file is left alone: no restart).
 */
export async function applyMirror(files: SystemFiles, cmd: Cmd, microk8s: MicroK8s, mirror: string): Promise<boolean> {
  const wanted = hostsToml(mirror)
  const present = await files.read(HOSTS_TOML)
  if (present === wanted) return false
  checkReplaceable(present)
  await files.write(HOSTS_TOML, wanted)
  const args = ['restart', 'microk8s.daemon-containerd']
  const r = await cmd.run('snap', args)
  if (r.code !== 0) throw new CommandError(`snap ${args.join(' ')}`, r.code, r.stdout, r.stderr)
  await microk8s.waitReady()
  return true
}
