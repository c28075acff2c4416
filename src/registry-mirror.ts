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
import { InputError } from './errors.js'
import { CommandError } from './errors.js'
import type { Cmd } from './cmd.js'
import type { MicroK8s } from './microk8s.js'
import { SNAP_DATA, type SystemFiles } from './system-files.js'

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

/** containerd hosts.toml: the mirror first, docker.io itself as the fallback server. */
export function hostsToml(mirror: string): string {
  return (
    '# Written by microk8s-upgrade-action (registry-mirror input)\n' +
    'server = "https://docker.io"\n\n' +
    `[host."${mirror}"]\n` +
    '  capabilities = ["pull", "resolve"]\n'
  )
}

/**
 * Writes hosts.toml when it differs, restarts containerd and waits for readiness again. Returns whether the
 * file was written (an identical file is left alone: no restart).
 */
export async function applyMirror(files: SystemFiles, cmd: Cmd, microk8s: MicroK8s, mirror: string): Promise<boolean> {
  const wanted = hostsToml(mirror)
  if ((await files.read(HOSTS_TOML)) === wanted) return false
  await files.write(HOSTS_TOML, wanted)
  const args = ['restart', 'microk8s.daemon-containerd']
  const r = await cmd.run('snap', args)
  if (r.code !== 0) throw new CommandError(`snap ${args.join(' ')}`, r.code, r.stdout, r.stderr)
  await microk8s.waitReady()
  return true
}
