// Launch configuration, image archives, registry mirror, runner network and balchua/microk8s-actions spellings:
// the pure parts and the command sequences, against a scripted Cmd.
import { describe, it, expect } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  parseLaunchConfig,
  checkLaunchTarget,
  launchEnables,
  placeLaunchConfig,
  LAUNCH_CONFIG_PATH
} from '../../src/setup/launch-config.js'
import {
  parseMirror,
  hostsToml,
  applyMirror,
  isReplaceable,
  HOSTS_TOML,
  SNAP_DEFAULT_HOSTS_TOML
} from '../../src/setup/registry-mirror.js'
import { SystemFiles } from '../../src/cluster/system-files.js'
import { MicroK8s } from '../../src/cluster/microk8s.js'
import { setupRows } from '../../src/report/setup-rows.js'
import { addonsFromInput, aliased } from '../../src/inputs/aliases.js'
import {
  imagesInArchive,
  normaliseImageRef,
  resolveArchives,
  importArchives,
  waitLoaded,
  strictReadable,
  checkStrictArchives
} from '../../src/setup/images.js'
import { waitApplied } from '../../src/setup/launch-config.js'
import { acceptRules, fixForwarding } from '../../src/setup/runner-network.js'
import { expandPath } from '../../src/cluster/system-files.js'
import { getInputs } from '../../src/inputs/action.js'
import { scriptedCmd } from '../helpers/fake-cmd.js'
import { writeImageArchive } from '../helpers/image-archive.js'

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'setup-'))

describe('launch configuration', () => {
  it('reads addons (enable and disable) and CIDRs from every document', () => {
    const c = parseLaunchConfig(
      '---\nversion: 0.1.0\naddons:\n  - name: dns\n  - name: registry\n    disable: true\n---\nversion: 0.2.0\nextraCNIEnv:\n  IPv4_CLUSTER_CIDR: 10.2.0.0/16\naddons:\n  - name: core/hostpath-storage\n    args: [x]\n',
      'f.yaml'
    )
    expect(c.version).toBe('0.2.0')
    expect(launchEnables(c)).toEqual(['dns', 'hostpath-storage'])
    expect(c.addons[1]).toEqual({ name: 'registry', disable: true, args: [] })
    expect(c.podCidr).toBe('10.2.0.0/16')
  })

  it.each([
    ['addons: [dns]\n', /version '' is not a launch configuration version/],
    ['version: 0.3.0\n', /version '0.3.0'/],
    ['version: 0.1.0\naddons: [dns, rbac]\n', /each entry of addons must be a mapping/],
    ['version: 0.1.0\naddons:\n  - name: dns\n    disable: yes please\n', /disable must be true or false/],
    ['version: 0.1.0\njoin:\n  url: 10.0.0.1:25000/x\n', /join is not supported/],
    ['version: 0.1.0\n  bad: [\n', /not valid YAML/],
    ['# nothing\n', /holds no configuration/],
    ['- version: 0.1.0\n', /must be a mapping/]
  ])('refuses %j before any change, naming the input and the file', (text, why) => {
    expect(() => parseLaunchConfig(text, 'cfg.yaml')).toThrow(why)
    expect(() => parseLaunchConfig(text, 'cfg.yaml')).toThrow(/launch-configuration.*cfg\.yaml/)
  })

  it('installs the validated text, not the file read again, with mode 0600', async () => {
    const dir = tmp()
    const file = path.join(dir, 'c.yaml')
    fs.writeFileSync(file, 'version: 0.1.0\n')
    const config = parseLaunchConfig(fs.readFileSync(file, 'utf8'), file)
    fs.writeFileSync(file, 'version: 0.1.0\njoin: {}\n') // changed after it was checked
    const installed: Array<{ args: string[]; text: string; mode: number }> = []
    const cmd = scriptedCmd([])
    const run = cmd.run.bind(cmd)
    cmd.run = async (tool, args) => {
      if (tool === 'install')
        installed.push({ args, text: fs.readFileSync(args[3], 'utf8'), mode: fs.statSync(args[3]).mode & 0o777 })
      return run(tool, args)
    }
    expect(await placeLaunchConfig(new SystemFiles(cmd), config)).toBe(LAUNCH_CONFIG_PATH)
    expect(installed).toHaveLength(1)
    expect(installed[0].args.slice(0, 3)).toEqual(['-D', '-m', '0600'])
    expect(installed[0].args[4]).toBe(LAUNCH_CONFIG_PATH)
    expect(installed[0].text).toBe('version: 0.1.0\n')
    expect(installed[0].mode).toBe(0o600)
  })

  it('reads an absolute path outside the workspace (balchua workflows name $HOME files), as action.yml says', () => {
    const home = tmp()
    fs.writeFileSync(path.join(home, 'launch.yaml'), 'version: 0.1.0\n')
    const inputs = getInputs(
      (n) => (n === 'launch-configuration' ? '$HOME/launch.yaml' : ''),
      { RUNNER_TEMP: '/tmp', HOME: home, GITHUB_WORKSPACE: tmp() },
      () => {}
    )
    expect(inputs.launchConfig?.file).toBe(path.join(home, 'launch.yaml'))
    const action = fs.readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')
    const described = /\n  launch-configuration:\n    description: >-\n([\s\S]*?)\n    required/.exec(action)![1]
    expect(described.replace(/\s+/g, ' ')).toMatch(/absolute or relative to the workspace/)
  })

  it('reports unknown keys and needs 1.27+ (0.2.0: 1.28+)', () => {
    const c = parseLaunchConfig('version: 0.2.0\nx-extra: 1\n', 'f')
    expect(c.unknownKeys).toEqual(['x-extra'])
    expect(() => checkLaunchTarget(c, 27)).toThrow(/needs MicroK8s 1.28/)
    expect(() => checkLaunchTarget(parseLaunchConfig('version: 0.1.0\n', 'f'), 26)).toThrow(/1.27 or newer/)
    expect(() => checkLaunchTarget(c, 30)).not.toThrow()
  })
})

describe('registry mirror', () => {
  it('accepts http(s)://host[:port] only and writes the mirror before docker.io', () => {
    expect(parseMirror(' https://mirror.gcr.io/ ')).toBe('https://mirror.gcr.io')
    expect(parseMirror('http://10.0.0.5:5000')).toBe('http://10.0.0.5:5000')
    expect(hostsToml('http://10.0.0.5:5000')).toContain(
      '[host."http://10.0.0.5:5000"]\n  capabilities = ["pull", "resolve"]'
    )
    expect(hostsToml('https://m')).toMatch(/^server = "https:\/\/docker.io"$/m)
    for (const bad of ['mirror.gcr.io', 'ftp://m', 'https://m/path', 'https://m:99999', 'https://a b', 'https://m"]'])
      expect(() => parseMirror(bad), bad).toThrow(/registry-mirror/)
  })

  it.each([
    ['https://user:s3cret@mirror.example', /credentials/],
    ['user:s3cret@registry.example.com', /credentials/],
    ['https://m.example/?token=s3cret', /query/],
    ['s3cret', /not accepted/],
    ['https://m.example/s3cret', /not accepted/]
  ])('refuses %j without printing any part of it, saying what is accepted', (bad, why) => {
    let message = ''
    try {
      parseMirror(bad, 'CONTAINER_REGISTRY_URL')
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatch(why)
    expect(message).toMatch(/CONTAINER_REGISTRY_URL/)
    expect(message).toMatch(/http\(s\):\/\/host\[:port\] with no credentials, path or query/)
    expect(message).not.toContain('s3cret')
  })
})

describe('registry mirror on the node', () => {
  const ready = { stdout: fs.readFileSync(new URL('../fixtures/status-yaml-fresh-1.30.txt', import.meta.url), 'utf8') }
  const apply = async (cmd: ReturnType<typeof scriptedCmd>) =>
    applyMirror(new SystemFiles(cmd), cmd, new MicroK8s(cmd, { waitTimeout: 60 }), 'https://m.example')

  it('an identical hosts.toml is left alone: no write, no restart', async () => {
    const cmd = scriptedCmd([{ stdout: hostsToml('https://m.example') }])
    expect(await apply(cmd)).toBe(false)
    expect(cmd.calls).toEqual([['cat', HOSTS_TOML]])
  })

  it('otherwise installs the file, restarts containerd as snapd names it, and waits for readiness', async () => {
    const cmd = scriptedCmd([{ stdout: SNAP_DEFAULT_HOSTS_TOML }, {}, { stdout: 'Restarted.\n' }, ready])
    expect(await apply(cmd)).toBe(true)
    expect(cmd.calls[1].slice(0, 4)).toEqual(['install', '-D', '-m', '0644'])
    expect(cmd.calls[1][5]).toBe(HOSTS_TOML)
    expect(cmd.calls[2]).toEqual(['snap', 'restart', 'microk8s.daemon-containerd'])
    expect(cmd.calls[3].slice(0, 3)).toEqual(['microk8s', 'status', '--wait-ready'])
  })

  it("replaces only the snap's default or its own file, never a person's", async () => {
    expect(isReplaceable(undefined)).toBe(true)
    expect(isReplaceable(SNAP_DEFAULT_HOSTS_TOML + '\n')).toBe(true)
    expect(isReplaceable(hostsToml('https://old.example'))).toBe(true)
    const theirs = 'server = "https://docker.io"\n[host."https://cache.corp"]\n'
    expect(isReplaceable(theirs)).toBe(false)
    const cmd = scriptedCmd([{ stdout: theirs }])
    await expect(apply(cmd)).rejects.toThrow(/^Input 'registry-mirror': .* a person's file is not replaced/)
    expect(cmd.calls).toEqual([['cat', HOSTS_TOML]])
  })

  it('a failed restart is an error naming the command', async () => {
    const cmd = scriptedCmd([
      { stdout: SNAP_DEFAULT_HOSTS_TOML },
      {},
      { code: 1, stderr: 'error: snap "microk8s" has no service' }
    ])
    await expect(apply(cmd)).rejects.toThrow(/snap restart microk8s.daemon-containerd/)
  })
})

describe('the summary rows of the runner setup', () => {
  it('lists each part, and nothing when the runner network needed no change', () => {
    expect(setupRows(undefined)).toEqual([])
    expect(
      setupRows({
        launchConfiguration: { file: 'c.yaml', placedAt: '/p', enables: ['dns'], disables: ['registry'] },
        sideloadedImages: [{ archive: 'a.tar', images: ['docker.io/library/alpine:edge'] }],
        registryMirror: { mirror: 'https://m', written: true, rewrittenAfter: ['1.29/stable'] },
        runnerNetwork: { outcome: 'unchanged', added: [], detail: 'nothing' }
      })
    ).toEqual([
      ['launch configuration', 'c.yaml → /p; enables dns; disables registry'],
      ['sideloaded images', 'a.tar: docker.io/library/alpine:edge'],
      ['registry mirror', 'docker.io → https://m; written again after 1.29/stable']
    ])
  })
})

describe('balchua/microk8s-actions spellings', () => {
  it('turns a JSON array of addons (double or single quotes) into the list, with a notice', () => {
    const notices: string[] = []
    expect(addonsFromInput('["dns", "hostpath-storage"]', (m) => notices.push(m))).toBe('dns hostpath-storage')
    expect(addonsFromInput("['prometheus','metrics-server']", (m) => notices.push(m))).toBe('prometheus metrics-server')
    expect(addonsFromInput('[]', (m) => notices.push(m))).toBe('')
    expect(addonsFromInput('dns ingress', (m) => notices.push(m))).toBe('dns ingress')
    expect(notices).toHaveLength(3)
    expect(notices[0]).toMatch(/deprecated.*addons: dns hostpath-storage/)
    expect(() => addonsFromInput('["dns" "x"]', () => {})).toThrow(/addons/)
    expect(() => addonsFromInput('[dns]', () => {})).toThrow(/addons/)
    expect(() => addonsFromInput('["a",]', () => {})).toThrow(/addons/)
    expect(addonsFromInput('["dns:1.1.1.1,8.8.8.8"]', () => {})).toBe('dns:1.1.1.1,8.8.8.8')
  })

  it('reads an old input name with a notice naming the new one; refuses two different values', () => {
    const notices: string[] = []
    const get = (values: Record<string, string>) => (n: string) => values[n] ?? ''
    expect(aliased(get({ devMode: 'true' }), 'strict-devmode', (m) => notices.push(m))).toBe('true')
    expect(notices).toEqual(["input 'devMode' is deprecated (balchua/microk8s-actions spelling); use 'strict-devmode'"])
    expect(aliased(get({ 'sideload-images': '/a' }), 'sideload-images', (m) => notices.push(m))).toBe('/a')
    expect(notices).toHaveLength(1)
    expect(() =>
      aliased(get({ 'sideload-images': '/a', 'sideload-images-path': '/b' }), 'sideload-images', () => {})
    ).toThrow(/both sideload-images and its old spelling sideload-images-path/)
  })

  it('expands $VAR, ${VAR} and ~ in paths as the shell did for balchua, and refuses an unset variable', () => {
    const env = { GITHUB_WORKSPACE: '/w', HOME: '/home/r' }
    const fail = (n: string): never => {
      throw new Error(`unset ${n}`)
    }
    expect(expandPath('$GITHUB_WORKSPACE/c.yaml', env, fail)).toBe('/w/c.yaml')
    expect(expandPath('${HOME}/sideload/', env, fail)).toBe('/home/r/sideload')
    expect(expandPath('~/x', env, fail)).toBe('/home/r/x')
    expect(expandPath('rel/c.yaml', env, fail)).toBe('/w/rel/c.yaml')
    expect(() => expandPath('$NOPE/x', env, fail)).toThrow(/unset NOPE/)
  })

  it('defaults channel to latest/stable, and devmode off', () => {
    const inputs = getInputs(
      () => '',
      { RUNNER_TEMP: '/tmp' },
      () => {}
    )
    expect(inputs.channelText).toBe('latest/stable')
    expect(inputs.devmode).toBe(false)
    expect(inputs.fixRunnerNetwork).toBe(true)
  })

  it('takes CONTAINER_REGISTRY_URL when registry-mirror is empty', () => {
    const inputs = getInputs(
      () => '',
      { RUNNER_TEMP: '/tmp', CONTAINER_REGISTRY_URL: 'https://m.example:5000' },
      () => {}
    )
    expect(inputs.registryMirror).toBe('https://m.example:5000')
    expect(() =>
      getInputs(
        () => '',
        { CONTAINER_REGISTRY_URL: 'nope' },
        () => {}
      )
    ).toThrow(/CONTAINER_REGISTRY_URL/)
  })
})

describe('image archives', () => {
  it('on a strict cluster, only non-hidden files under /home can be imported', () => {
    expect(strictReadable('/home/runner/work/repo/repo/images/a.tar')).toBe(true)
    expect(strictReadable('/home/runner/sideload/a.tar')).toBe(true)
    for (const bad of ['/tmp/a.tar', '/home/runner/.cache/a.tar', '/home/a.tar', '/home/runner/x/../../../tmp/a.tar'])
      expect(strictReadable(bad), bad).toBe(false)
    const archive = (file: string) => ({ file, images: ['docker.io/library/alpine:edge'] })
    expect(() => checkStrictArchives([archive('/home/r/w/a.tar'), archive('/tmp/b.tar')])).toThrow(
      /^Input 'sideload-images': \/tmp\/b.tar: this MicroK8s is strictly confined/
    )
    expect(() => checkStrictArchives([archive('/home/r/w/a.tar')])).not.toThrow()
  })

  it('names images as containerd does', () => {
    expect(normaliseImageRef('alpine:edge')).toBe('docker.io/library/alpine:edge')
    expect(normaliseImageRef('bitnami/redis')).toBe('docker.io/bitnami/redis:latest')
    expect(normaliseImageRef('localhost:32000/app:1')).toBe('localhost:32000/app:1')
    expect(normaliseImageRef('ghcr.io/o/app:2')).toBe('ghcr.io/o/app:2')
  })

  it('reads the names of docker-archive and OCI archives from their tar entries', () => {
    const dir = tmp()
    writeImageArchive(path.join(dir, 'a.tar'), ['alpine:edge', 'busybox:1'])
    writeImageArchive(path.join(dir, 'b.tar'), ['ghcr.io/o/app:2'], 'oci')
    fs.writeFileSync(path.join(dir, 'c.tar'), Buffer.alloc(2048))
    expect(imagesInArchive(path.join(dir, 'a.tar'))).toEqual([
      'docker.io/library/alpine:edge',
      'docker.io/library/busybox:1'
    ])
    expect(imagesInArchive(path.join(dir, 'b.tar'))).toEqual(['ghcr.io/o/app:2'])
    expect(imagesInArchive(path.join(dir, 'c.tar'))).toBeUndefined()
  })

  it('takes directories, files and globs; refuses what the install hook would not load', () => {
    const dir = tmp()
    writeImageArchive(path.join(dir, 'a.tar'), ['alpine:edge'])
    writeImageArchive(path.join(dir, 'b.tar'), ['busybox:1'])
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x')
    const env = { GITHUB_WORKSPACE: dir }
    expect(resolveArchives(dir, env).map((a) => path.basename(a.file))).toEqual(['a.tar', 'b.tar'])
    expect(resolveArchives('b*.tar', env).map((a) => a.images)).toEqual([['docker.io/library/busybox:1']])
    expect(() => resolveArchives('none/*.tar', env)).toThrow(/sideload-images.*matches no image archive/)
    expect(() => resolveArchives('*.txt', env)).toThrow(/does not end in .tar/)
    fs.writeFileSync(path.join(dir, 'junk.tar'), Buffer.alloc(1024))
    expect(() => resolveArchives('junk.tar', env)).toThrow(/not an image archive/)
    const other = tmp()
    writeImageArchive(path.join(other, 'a.tar'), ['x:1'])
    expect(() => resolveArchives(`${dir}/a.tar\n${other}/a.tar`, env)).toThrow(/two archives are named a.tar/)
  })
})

describe('loading and waiting, bounded', () => {
  const archive = { file: '/w/a.tar', images: ['docker.io/library/alpine:edge'] }
  const noSleep = async () => {}

  it('microk8s images import exits 0 when a node rejects the archive: its output is what tells', async () => {
    const cmd = scriptedCmd([
      { stdout: 'Pushing OCI images to 10.0.0.4:25000\nFailed to import images on 10.0.0.4:25000: unexpected EOF\n' }
    ])
    await expect(importArchives(cmd, [archive])).rejects.toThrow(/a.tar failed: Failed to import images on 10.0.0.4/)
    expect(cmd.calls).toEqual([['microk8s', 'images', 'import', '/w/a.tar']])
  })

  it('polls containerd until every image is listed, and names the missing ones at the deadline', async () => {
    const cmd = scriptedCmd([{ stdout: '' }, { stdout: 'docker.io/library/alpine:edge\nsha256:abc\n' }])
    expect(await waitLoaded(cmd, [archive], 60, noSleep)).toEqual(['docker.io/library/alpine:edge'])
    expect(cmd.calls).toHaveLength(2)
    await expect(waitLoaded(scriptedCmd([{ stdout: 'other:1\n' }]), [archive], 0, noSleep)).rejects.toThrow(
      /containerd does not list docker.io\/library\/alpine:edge within 0 s/
    )
  })

  it('the launch configuration wait ends when the cluster-agent renamed it, or names the log at the deadline', async () => {
    const cmd = scriptedCmd([{ code: 1 }, { code: 1 }, { code: 0 }])
    await waitApplied(new SystemFiles(cmd), 60, noSleep)
    expect(cmd.calls.map((c) => c.join(' '))).toEqual(
      Array(3).fill('test -e /var/snap/microk8s/common/etc/launcher/install.yaml.applied')
    )
    await expect(waitApplied(new SystemFiles(scriptedCmd([{ code: 1 }])), 0, noSleep)).rejects.toThrow(
      /daemon-cluster-agent/
    )
  })
})

describe('runner network', () => {
  const cidrs = { pod: '10.1.0.0/16', service: '10.152.183.0/24' }

  it("with Docker's FORWARD DROP inserts the missing DOCKER-USER rules only", async () => {
    const cmd = scriptedCmd([
      { stdout: '-P FORWARD DROP\n-A FORWARD -j DOCKER-USER\n' },
      { stdout: '-N DOCKER-USER\n' },
      { code: 0 }, // -s pod present
      { code: 1 },
      { code: 0 },
      { code: 1 },
      { code: 0 },
      { code: 1 },
      { code: 0 }
    ])
    const fix = await fixForwarding(cmd, async () => cidrs)
    expect(fix.outcome).toBe('fixed')
    expect(fix.added).toEqual([
      '-I DOCKER-USER -d 10.1.0.0/16 -j ACCEPT',
      '-I DOCKER-USER -s 10.152.183.0/24 -j ACCEPT',
      '-I DOCKER-USER -d 10.152.183.0/24 -j ACCEPT'
    ])
    expect(cmd.calls.filter((c) => c[1] === '-I')).toHaveLength(3)
    expect(acceptRules(cidrs)).toHaveLength(4)
  })

  it('leaves an ACCEPT policy, a firewall without Docker, and a runner without iptables alone', async () => {
    expect((await fixForwarding(scriptedCmd([{ stdout: '-P FORWARD ACCEPT\n' }]), async () => cidrs)).outcome).toBe(
      'unchanged'
    )
    const firewall = scriptedCmd([{ stdout: '-P FORWARD DROP\n' }, { code: 1 }])
    expect((await fixForwarding(firewall, async () => cidrs)).outcome).toBe('not-docker')
    expect(firewall.calls).toHaveLength(2)
    expect((await fixForwarding(scriptedCmd([{ code: 127 }]), async () => cidrs)).outcome).toBe('no-iptables')
  })
})
