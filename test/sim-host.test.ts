// The simulated runner host (sim/lib/host.mjs, host-tools.mjs) behaves as the real install hook, containerd's
// sideload plugin, `microk8s images import`, `snap restart` and Docker's iptables rules do, and never touches this
// machine's /etc. The quick probes sim/bin/test and sim/bin/cat answer themselves (sim/lib/host-probe.sh) say
// what the Node simulator says.
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createSimulation } from '../sim/lib/scenario.mjs'
import { writeImageArchive } from './helpers/image-archive.js'

function sim(scenario: Record<string, any>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-host-'))
  const env = { ...process.env, ...createSimulation({ timeScale: 0.001, ...scenario }, dir).env } as Record<
    string,
    string
  >
  const runSim = (cmd: string[]) => spawnSync(cmd[0], cmd.slice(1), { env, input: '', encoding: 'utf8' })
  const state = () => JSON.parse(fs.readFileSync(path.join(dir, 'sim-state.json'), 'utf8'))
  /** Waits (simulated time) until the background work of a running node has had its chance. */
  const settle = () => {
    runSim(['microk8s', 'status', '--wait-ready', '--timeout', '60'])
    spawnSync('sleep', ['0.05'])
  }
  return { dir, env, runSim, state, settle, root: path.join(dir, 'root') }
}

const LAUNCH = 'version: 0.1.0\naddons:\n  - name: hostpath-storage\n'

describe('simulated install hook and launch configuration', () => {
  it('applies a launch configuration placed before snap install, at first start, then renames it .applied', () => {
    const s = sim({})
    const src = path.join(s.dir, 'c.yaml')
    fs.writeFileSync(src, LAUNCH)
    expect(s.runSim(['install', '-D', '-m', '0644', src, '/var/snap/microk8s/common/.microk8s.yaml']).status).toBe(0)
    expect(fs.readFileSync(path.join(s.root, 'var/snap/microk8s/common/.microk8s.yaml'), 'utf8')).toBe(LAUNCH)
    expect(s.runSim(['snap', 'install', 'microk8s', '--classic', '--channel=1.30/stable']).status).toBe(0)
    s.settle()
    expect(s.runSim(['microk8s', 'status', '-a', 'hostpath-storage']).stdout).toBe('enabled\n')
    const applied = '/var/snap/microk8s/common/etc/launcher/install.yaml.applied'
    expect(s.runSim(['test', '-e', applied]).status).toBe(0)
  })

  it('ignores one placed after the install, and fails the install on a file the cluster-agent cannot parse', () => {
    const s = sim({})
    s.runSim(['snap', 'install', 'microk8s', '--classic', '--channel=1.30/stable'])
    const src = path.join(s.dir, 'c.yaml')
    fs.writeFileSync(src, LAUNCH)
    s.runSim(['install', '-D', '-m', '0644', src, '/var/snap/microk8s/common/.microk8s.yaml'])
    s.settle()
    expect(s.runSim(['microk8s', 'status', '-a', 'hostpath-storage']).stdout).toBe('disabled\n')

    const bad = sim({ hostFiles: { '/etc/microk8s.yaml': 'version: 0.3.0\n' } })
    const r = bad.runSim(['snap', 'install', 'microk8s', '--classic', '--channel=1.30/stable'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/run hook "install".*maximum version supported is 0.2.0/s)
    expect(bad.state().snap).toBeNull()
  })

  it('maps system paths into the simulation only', () => {
    const s = sim({})
    expect(s.runSim(['test', '-e', '/etc/passwd']).status).toBe(1)
    expect(s.runSim(['test', '-e', os.tmpdir()]).status).toBe(0)
  })
})

describe('simulated images', () => {
  it('containerd loads sideloaded archives once running; images import adds more; a bad archive still exits 0', () => {
    const s = sim({})
    const a = path.join(s.dir, 'a.tar')
    writeImageArchive(a, ['alpine:edge'])
    s.runSim(['install', '-D', '-m', '0644', a, '/var/snap/microk8s/common/sideload/a.tar'])
    s.runSim(['snap', 'install', 'microk8s', '--classic', '--channel=1.30/stable'])
    s.settle()
    expect(s.runSim(['microk8s', 'ctr', 'image', 'ls', '-q']).stdout).toBe('docker.io/library/alpine:edge\n')
    expect(fs.existsSync(path.join(s.root, 'var/snap/microk8s/common/etc/sideload/a.tar.loaded'))).toBe(true)

    const b = path.join(s.dir, 'b.tar')
    writeImageArchive(b, ['ghcr.io/o/b:1'], 'oci')
    expect(s.runSim(['microk8s', 'images', 'import', b]).stdout).toBe('Pushing OCI images to 127.0.0.1:25000\n')
    expect(s.state().cluster.images).toEqual(['docker.io/library/alpine:edge', 'ghcr.io/o/b:1'])
    const junk = path.join(s.dir, 'junk.tar')
    fs.writeFileSync(junk, Buffer.alloc(1024))
    const r = s.runSim(['microk8s', 'images', 'import', junk])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/Failed to import images/)
  })
})

describe('simulated images on a strict track', () => {
  it('images import reads non-hidden files under /home only, unless installed in devmode', () => {
    const a = (s: ReturnType<typeof sim>) => {
      const file = path.join(s.dir, 'a.tar')
      writeImageArchive(file, ['alpine:edge'])
      return file
    }
    const strict = sim({ installed: { channel: '1.30-strict/stable' } })
    const file = a(strict)
    expect(file.startsWith('/home/')).toBe(false)
    const r = strict.runSim(['microk8s', 'images', 'import', file])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`[Errno 13] Permission denied: '${file}'`)
    expect(strict.state().cluster.images ?? []).not.toContain('docker.io/library/alpine:edge')

    const devmode = sim({})
    devmode.runSim(['snap', 'install', 'microk8s', '--devmode', '--channel=1.30-strict/stable'])
    devmode.settle()
    expect(devmode.runSim(['microk8s', 'images', 'import', a(devmode)]).status).toBe(0)
    expect(devmode.state().cluster.images).toContain('docker.io/library/alpine:edge')
  })
})

describe('simulated containerd restart and iptables', () => {
  it('snap restart microk8s.daemon-containerd takes the node away for a while', () => {
    const s = sim({ installed: { channel: '1.30/stable' }, readiness: { afterRestart: 1_000_000 } })
    expect(s.runSim(['snap', 'restart', 'microk8s.daemon-containerd']).stdout).toBe('Restarted.\n')
    expect(s.runSim(['microk8s', 'status', '--format', 'short']).status).toBe(1)
    expect(s.state().cluster.restarts).toEqual(['microk8s.daemon-containerd'])
  })

  it("Docker's FORWARD DROP blocks addon rollouts until DOCKER-USER accepts the pod network both ways", () => {
    const s = sim({ installed: { channel: '1.30/stable' }, addons: ['hostpath-storage'], runner: { docker: true } })
    const rollout = () =>
      s.runSim([
        'microk8s',
        'kubectl',
        'rollout',
        'status',
        'deployment/hostpath-provisioner',
        '-n',
        'kube-system',
        '--timeout=5s'
      ])
    expect(s.runSim(['iptables', '-S', 'FORWARD']).stdout).toMatch(/^-P FORWARD DROP$/m)
    expect(rollout().status).toBe(1)
    s.runSim(['iptables', '-I', 'DOCKER-USER', '-s', '10.1.0.0/16', '-j', 'ACCEPT'])
    expect(rollout().status).toBe(1)
    s.runSim(['iptables', '-I', 'DOCKER-USER', '-d', '10.1.0.0/16', '-j', 'ACCEPT'])
    expect(s.runSim(['iptables', '-C', 'DOCKER-USER', '-d', '10.1.0.0/16', '-j', 'ACCEPT']).status).toBe(0)
    expect(rollout().status).toBe(0)

    const plain = sim({ installed: { channel: '1.30/stable' } })
    expect(plain.runSim(['iptables', '-S', 'DOCKER-USER']).stderr).toMatch(/No chain/)
  })
})

describe('quick host probes (sim/bin/test, sim/bin/cat: sim/lib/host-probe.sh)', () => {
  const cli = path.join(process.cwd(), 'sim', 'lib', 'cli.mjs')
  /** A `node` first on PATH that notes each start: the shims reach Node only through PATH. */
  function withNodeSpy(s: ReturnType<typeof sim>) {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'node-spy-'))
    const starts = path.join(bin, 'starts')
    fs.writeFileSync(path.join(bin, 'node'), `#!/bin/sh\necho "$*" >>'${starts}'\nexec '${process.execPath}' "$@"\n`, {
      mode: 0o755
    })
    const env = { ...s.env, PATH: `${bin}${path.delimiter}${s.env.PATH}` }
    const log = path.join(s.dir, 'calls.jsonl')
    const lastCall = () => {
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n')
      const { spawned, start, end, ...rest } = JSON.parse(lines[lines.length - 1])
      expect(spawned).toBeLessThanOrEqual(start)
      expect(start).toBeLessThanOrEqual(end)
      return { keys: Object.keys(JSON.parse(lines[lines.length - 1])), ...rest }
    }
    const answer = (cmd: string[]) => {
      const r = spawnSync(cmd[0], cmd.slice(1), { env, input: '', encoding: 'utf8' })
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, call: lastCall() }
    }
    /** The shim's answer (through `sudo -n timeout` as the action calls it, or directly) and the Node simulator's. */
    const both = (tool: string, args: string[], sudo: boolean) => {
      const prefix = sudo ? ['sudo', '-n', 'timeout', '30'] : []
      const nodePrefix = sudo ? ['sudo', '-n', 'timeout', '30', process.execPath] : [process.execPath]
      return { shim: answer([...prefix, tool, ...args]), node: answer([...nodePrefix, cli, tool, ...args]) }
    }
    const nodeStarts = () => (fs.existsSync(starts) ? fs.readFileSync(starts, 'utf8').split('\n').filter(Boolean) : [])
    return { both, nodeStarts }
  }

  it('answer test -e/-f/-d/-L and cat as the Node simulator does, log the same line, and start no Node', () => {
    const s = sim({ installed: { channel: '1.30/stable' }, hostFiles: { '/etc/microk8s.yaml': 'version: 0.1.0\n' } })
    const args = path.join(s.root, 'var/snap/microk8s/current/args')
    fs.symlinkSync('kube-proxy', path.join(args, 'proxy-link'))
    const outside = path.join(s.dir, 'outside.txt')
    fs.writeFileSync(outside, 'not in the simulated root\n')
    const paths = [
      '/var/snap/microk8s/current/args/kube-proxy', // an existing file
      '/var/snap/microk8s/current/args/kube-scheduler', // a missing file
      '/var/snap/microk8s/current/args', // a directory
      '/var/snap/microk8s/current/args/', // the same with a slash
      '/var/snap/microk8s/current/args/proxy-link', // a symlink
      '/etc/microk8s.yaml', // a scenario's host file
      '/etc/passwd', // this machine's, not the simulation's
      '/root/snap/microk8s/common/.microk8s.yaml', // missing under /root
      '/snap/microk8s/current/upgrade-scripts/000-switch-to-calico/resources/calico.yaml', // the snap's file
      outside, // outside the mapped roots
      s.dir, // a directory outside them
      '/etc', // not a system prefix (no slash): this machine's /etc
      '/sys/kernel/security', // securityfs itself is the simulation's (docs/strict-apparmor.md §6)
      '/sys/kernel/security/apparmor/features/network', // the scenario's AppArmor features
      '/sys/kernel/security/apparmor/features/network_v9', // absent from the default kernel
      '/nonexistent-outside/file'
    ]
    const spy = withNodeSpy(s)
    // Every operator on the first five paths (file, missing, directory, slash, symlink: where they differ); the
    // mapping of the rest is the same code whatever the operator, so -e. Each Node answer costs a Node start.
    for (const [i, p] of paths.entries()) {
      for (const op of i < 5 ? ['-e', '-f', '-d', '-L'] : ['-e']) {
        const { shim, node } = spy.both('test', [op, p], op === '-e')
        expect(shim, `test ${op} ${p}`).toEqual(node)
      }
      const { shim, node } = spy.both('cat', [p], p.startsWith('/var'))
      expect(shim, `cat ${p}`).toEqual(node)
    }
    // The answers are not all alike, and none of them started Node.
    const code = (op: string, p: string) => spy.both('test', [op, p], false).shim.status
    expect([code('-f', paths[0]), code('-e', paths[1]), code('-d', paths[2]), code('-L', paths[4])]).toEqual([
      0, 1, 0, 0
    ])
    expect(spy.both('cat', [paths[5]], false).shim.stdout).toBe('version: 0.1.0\n')
    expect(spy.nodeStarts()).toEqual([])
  })

  it('hand to Node what they do not answer themselves, with the same answers', () => {
    const s = sim({})
    const src = path.join(s.dir, 'c.yaml')
    fs.writeFileSync(src, LAUNCH)
    s.runSim(['install', '-D', '-m', '0644', src, '/var/snap/microk8s/common/.microk8s.yaml'])
    const spy = withNodeSpy(s)
    const cases: Array<[string, string[]]> = [
      ['test', ['-e', '/var/snap//microk8s/common/.microk8s.yaml']], // path.join would normalise it
      ['test', ['-f', '/var/snap/microk8s/common/../common/.microk8s.yaml']],
      ['test', ['-s', '/var/snap/microk8s/common/.microk8s.yaml']], // another operator
      ['test', ['-e', '/var/snap/microk8s/common/a "quoted" name']], // JSON would escape it
      ['test', ['-e']],
      ['cat', ['-A', '/var/snap/microk8s/common/.microk8s.yaml']],
      ['cat', ['/var/snap/microk8s/common/.microk8s.yaml', '/etc/microk8s.yaml']]
    ]
    let starts = 0
    for (const [tool, args] of cases) {
      const { shim, node } = spy.both(tool, args, false)
      expect(shim, `${tool} ${args.join(' ')}`).toEqual(node)
      expect(spy.nodeStarts().length, `${tool} ${args.join(' ')} went to Node`).toBe(++starts)
    }
    // While the launch configuration waits for the cluster-agent, the background work is Node's to run.
    expect(s.runSim(['snap', 'install', 'microk8s', '--classic', '--channel=1.30/stable']).status).toBe(0)
    const applied = '/var/snap/microk8s/common/etc/launcher/install.yaml.applied'
    const { shim, node } = spy.both('test', ['-e', applied], false)
    expect(shim).toEqual(node)
    expect(spy.nodeStarts().length).toBe(++starts)
    spawnSync('sleep', ['0.1'])
    s.settle()
    expect(spy.both('test', ['-e', applied], false).shim.status).toBe(0)
    expect(spy.nodeStarts().length).toBe(starts)
  })
})
