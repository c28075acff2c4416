// Launch configuration, sideloaded images, a registry mirror, Docker's FORWARD DROP and a balchua-style
// workflow, run through the bundled action against the simulator (system files live under the simulation's
// root, sim/lib/host.mjs). Runs are shared between tests where one run shows several behaviours.
import { describe, it, expect, beforeAll } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { run, commandLines, mutatingCommands } from './harness.js'
import { validateReport } from '../helpers/schema.js'
import { writeImageArchive } from '../helpers/image-archive.js'
import type { ActionRun } from '../../scripts/run-action.mjs'

const LAUNCH = '---\nversion: 0.1.0\naddons:\n  - name: dns\n  - name: hostpath-storage\n'
const HOSTS_TOML = '/var/snap/microk8s/current/args/certs.d/docker.io/hosts.toml'

/** A run directory with a workspace holding `files` and two image archives (docker-archive and OCI). */
function workspace(files: Record<string, string> = {}): { dir: string; ws: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mk8s-setup-'))
  const ws = path.join(dir, 'workspace')
  fs.mkdirSync(path.join(ws, 'images'), { recursive: true })
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(ws, name), text)
  writeImageArchive(path.join(ws, 'images', 'alpine.tar'), ['alpine:edge'])
  writeImageArchive(path.join(ws, 'images', 'app.tar'), ['ghcr.io/octo/app:1.2'], 'oci')
  return { dir, ws }
}

const rootFile = (r: ActionRun, p: string) => path.join(r.state.root, p)
const index = (lines: string[], re: RegExp) => lines.findIndex((l) => re.test(l))
const IMAGES = ['docker.io/library/alpine:edge', 'ghcr.io/octo/app:1.2']
/** A runner with MicroK8s 1.28 as a fresh install leaves it. */
const EXISTING = { timeScale: 0.001, installed: { channel: '1.28/stable' } }

describe.concurrent(
  'a fresh install on a runner with Docker: launch configuration, two image archives, an addon',
  () => {
    let r: ActionRun
    let lines: string[]
    let ws: string
    beforeAll(async () => {
      const w = workspace({ 'microk8s-config.yaml': LAUNCH })
      ws = w.ws
      r = await run(
        'fresh-runner',
        {
          channel: '1.30/stable',
          'launch-configuration': 'microk8s-config.yaml',
          'sideload-images': 'images',
          addons: 'dns hostpath-storage metrics-server'
        },
        { dir: w.dir, env: { GITHUB_WORKSPACE: ws }, overrides: { runner: { docker: true } } }
      )
      lines = commandLines(r)
    })

    it('succeeds with a valid report', () => {
      expect(r.code, r.stdout).toBe(0)
      expect(validateReport(r.report)).toEqual([])
    })

    it('places the launch configuration and the archives where the install hook reads them, before snap install', () => {
      const install = index(lines, /^snap install microk8s/)
      const placed = [
        index(lines, /^install -D -m 0600 \S+ \/var\/snap\/microk8s\/common\/\.microk8s\.yaml$/),
        lines.indexOf(`install -D -m 0644 ${ws}/images/alpine.tar /var/snap/microk8s/common/sideload/alpine.tar`),
        lines.indexOf(`install -D -m 0644 ${ws}/images/app.tar /var/snap/microk8s/common/sideload/app.tar`)
      ]
      for (const i of placed) expect(i).toBeGreaterThan(-1)
      for (const i of placed) expect(i).toBeLessThan(install)
      // The text that was validated, readable by root only (it may carry certificates and tokens).
      const placedFile = rootFile(r, '/var/snap/microk8s/common/.microk8s.yaml')
      expect(fs.readFileSync(placedFile, 'utf8')).toBe(LAUNCH)
      expect(fs.statSync(placedFile).mode & 0o777).toBe(0o600)
      expect(r.report.setup.launchConfiguration).toMatchObject({ enables: ['dns', 'hostpath-storage'] })
    })

    it('waits for the cluster-agent to apply it; the addons it enabled are not enabled again', () => {
      expect(fs.existsSync(rootFile(r, '/var/snap/microk8s/common/etc/launcher/install.yaml.applied'))).toBe(true)
      expect(lines.filter((l) => l.startsWith('microk8s enable'))).toEqual(['microk8s enable metrics-server'])
      const enabled = r.report.after.addons.filter((a: any) => a.enabled).map((a: any) => a.name)
      expect(enabled).toEqual(expect.arrayContaining(['dns', 'hostpath-storage', 'metrics-server']))
    })

    it('finds the images in containerd before any addon is enabled, without importing them again, and reports them', () => {
      expect(lines.some((l) => l.startsWith('microk8s images import'))).toBe(false)
      expect(index(lines, /^microk8s ctr image ls/)).toBeLessThan(index(lines, /^microk8s enable/))
      expect(r.state.cluster.images).toEqual(IMAGES)
      expect(r.summary).toContain(`<td>sideloaded images</td><td>${ws}/images/app.tar: ${IMAGES[1]}</td>`)
      expect(r.report.setup.sideloadedImages.map((a: any) => a.images)).toEqual([[IMAGES[0]], [IMAGES[1]]])
      expect(r.report.steps.find((s: any) => s.name === 'sideload images').detail).toBe(
        `2 image(s) loaded: ${IMAGES.join(', ')}`
      )
    })

    it("accepts pod and service traffic in DOCKER-USER before MicroK8s starts, leaving Docker's policy", () => {
      expect(r.state.network.forwardPolicy).toBe('DROP')
      expect(r.report.setup.runnerNetwork.added).toEqual([
        '-I DOCKER-USER -s 10.1.0.0/16 -j ACCEPT',
        '-I DOCKER-USER -d 10.1.0.0/16 -j ACCEPT',
        '-I DOCKER-USER -s 10.152.183.0/24 -j ACCEPT',
        '-I DOCKER-USER -d 10.152.183.0/24 -j ACCEPT'
      ])
      expect(index(lines, /^iptables -I/)).toBeLessThan(index(lines, /^snap install/))
    })
  }
)

describe.concurrent("Docker's FORWARD DROP left alone (fix-runner-network: false)", () => {
  it('pod traffic is dropped: the addon never rolls out', async () => {
    const r = await run(
      'fresh-runner',
      { channel: '1.30/stable', addons: 'hostpath-storage', 'fix-runner-network': 'false', 'wait-timeout': '30' },
      { overrides: { runner: { docker: true } } }
    )
    expect(r.code).not.toBe(0)
    expect(r.report.failure.message).toMatch(/hostpath-provisioner did not finish rolling out/)
    expect(commandLines(r).some((l) => l.startsWith('iptables'))).toBe(false)
  })
})

describe.concurrent('launch configuration refused', () => {
  it.each([
    ['/etc/microk8s.yaml', /\/etc\/microk8s.yaml exists .* the install hook reads it before/],
    ['/var/snap/microk8s/common/.microk8s.yaml', /\.microk8s\.yaml already exists with other content/]
  ])('when %s exists (read instead, or not ours to replace): an input error before any change', async (file, why) => {
    const { dir, ws } = workspace({ 'c.yaml': LAUNCH })
    const r = await run(
      'fresh-runner',
      { channel: '1.30/stable', 'launch-configuration': 'c.yaml' },
      {
        dir,
        env: { GITHUB_WORKSPACE: ws },
        overrides: { runner: { docker: true }, hostFiles: { [file]: 'version: 0.1.0\n' } }
      }
    )
    expect(r.code).not.toBe(0)
    expect(r.report.failure.step).toBe('input launch-configuration')
    expect(r.report.failure.message).toMatch(why)
    // Not even the runner network: Docker's FORWARD DROP would have had DOCKER-USER rules inserted.
    expect(commandLines(r).filter((l) => /^(iptables -I|install )/.test(l))).toEqual([])
    expect(mutatingCommands(r)).toEqual([])
    expect(fs.readFileSync(rootFile(r, file), 'utf8')).toBe('version: 0.1.0\n')
  })

  it('on an existing install, before any change, unless it is the file the cluster was installed with', async () => {
    const { dir, ws } = workspace({ 'c.yaml': LAUNCH })
    const other = await run(
      EXISTING,
      { channel: '1.30/stable', 'launch-configuration': 'c.yaml' },
      { dir, env: { GITHUB_WORKSPACE: ws } }
    )
    expect(other.code).not.toBe(0)
    expect(other.report.failure.step).toBe('input launch-configuration')
    expect(other.report.failure.message).toMatch(/applies at install only/)
    expect(mutatingCommands(other)).toEqual([])

    const again = workspace({ 'c.yaml': LAUNCH })
    const same = await run(
      EXISTING,
      { channel: '1.28/stable', 'launch-configuration': 'c.yaml', 'cycle-addons': 'never' },
      {
        dir: again.dir,
        env: { GITHUB_WORKSPACE: again.ws },
        overrides: {
          hostFiles: { '/var/snap/microk8s/common/etc/launcher/install.yaml.applied': LAUNCH }
        }
      }
    )
    expect(same.code, same.stdout).toBe(0)
    expect(same.report.plan.notes.join('\n')).toMatch(/the one this cluster was installed with/)
  })
})

describe.concurrent('an existing 1.28 cluster to 1.30 with a registry mirror and two image archives', () => {
  let r: ActionRun
  let lines: string[]
  let ws: string
  beforeAll(async () => {
    const w = workspace()
    ws = w.ws
    r = await run(
      EXISTING,
      {
        channel: '1.30/stable',
        'registry-mirror': 'https://mirror.example:5000',
        'sideload-images': `${ws}/images/*.tar`,
        addons: 'hostpath-storage',
        'cycle-addons': 'never'
      },
      { dir: w.dir, env: { GITHUB_WORKSPACE: ws } }
    )
    lines = commandLines(r)
  })

  it('writes hosts.toml, restarts containerd and waits for readiness, before the first hop', () => {
    expect(r.code, r.stdout).toBe(0)
    const restart = lines.indexOf('snap restart microk8s.daemon-containerd')
    expect(restart).toBeGreaterThan(-1)
    expect(lines[restart + 1]).toMatch(/^microk8s status --wait-ready/)
    expect(restart).toBeLessThan(lines.indexOf('snap refresh microk8s --channel=1.29/stable --classic'))
    expect(fs.readFileSync(rootFile(r, HOSTS_TOML), 'utf8')).toContain('[host."https://mirror.example:5000"]')
    expect(r.report.setup.registryMirror).toEqual({
      mirror: 'https://mirror.example:5000',
      written: true,
      rewrittenAfter: []
    })
  })

  it('checks it after each of the two hops (kept: no second restart)', () => {
    const hops = ['1.29/stable', '1.30/stable'].map((c) =>
      lines.indexOf(`snap refresh microk8s --channel=${c} --classic`)
    )
    const reads = lines.map((l, i) => (l === `cat ${HOSTS_TOML}` ? i : -1)).filter((i) => i >= 0)
    expect(reads.filter((i) => i > hops[0] && i < hops[1])).toHaveLength(1)
    expect(reads.filter((i) => i > hops[1])).toHaveLength(1)
    expect(lines.filter((l) => l.startsWith('snap restart'))).toHaveLength(1)
  })

  it('imports each archive with microk8s images import before any addon is enabled', () => {
    const imports = lines.filter((l) => l.startsWith('microk8s images import'))
    expect(imports).toEqual([
      `microk8s images import ${ws}/images/alpine.tar`,
      `microk8s images import ${ws}/images/app.tar`
    ])
    expect(lines.indexOf(imports[1])).toBeLessThan(index(lines, /^microk8s enable/))
    expect(r.state.cluster.images).toEqual(IMAGES)
  })
})

describe.concurrent('registry mirror over a hosts.toml a person wrote', () => {
  it('is refused at plan time naming registry-mirror; the file is left as it was', async () => {
    const theirs = 'server = "https://docker.io"\n\n[host."https://cache.corp.example"]\n  capabilities = ["pull"]\n'
    const r = await run(
      { ...EXISTING, hostFiles: { [HOSTS_TOML]: theirs } },
      { channel: '1.30/stable', 'registry-mirror': 'https://mirror.example:5000' },
      { overrides: { runner: { docker: true } } }
    )
    expect(r.code).not.toBe(0)
    expect(r.report.failure.step).toBe('input registry-mirror')
    expect(r.report.failure.message).toMatch(/neither the snap's default nor written by this action/)
    expect(fs.readFileSync(rootFile(r, HOSTS_TOML), 'utf8')).toBe(theirs)
    expect(commandLines(r).filter((l) => /^(iptables -I|install |snap restart)/.test(l))).toEqual([])
    expect(mutatingCommands(r)).toEqual([])
  })
})

describe.concurrent('bad launch-configuration and sideload-images values, through the action', () => {
  it.each([
    ['launch-configuration', 'c.yaml', { 'c.yaml': 'version: 0.9.0\n' }, /version '0.9.0'/],
    ['launch-configuration', 'c.yaml', { 'c.yaml': 'version: 0.1.0\njoin:\n  url: x\n' }, /join is not supported/],
    ['sideload-images', 'no-such-dir', {}, /matches no image archive/],
    ['sideload-images', 'list.txt', { 'list.txt': 'alpine\n' }, /does not end in \.tar/],
    ['sideload-images', 'junk.tar', { 'junk.tar': 'not a tar' }, /is not an image archive/]
  ])('%s = %s: refused naming the input, no change made', async (input, value, files, why) => {
    const { dir, ws } = workspace(files)
    const r = await run(EXISTING, { channel: '1.30/stable', [input]: value }, { dir, env: { GITHUB_WORKSPACE: ws } })
    expect(r.code).not.toBe(0)
    expect(r.report.failure.step).toBe(`input ${input}`)
    expect(r.report.failure.message).toMatch(why)
    expect(mutatingCommands(r)).toEqual([])
    expect(commandLines(r).filter((l) => /^(iptables -I|install |microk8s images)/.test(l))).toEqual([])
  })
})

describe.concurrent('image archives on an existing strict cluster', () => {
  it('outside /home: refused at plan time naming sideload-images, before any change', async () => {
    const { dir, ws } = workspace()
    expect(ws.startsWith('/home/')).toBe(false)
    const r = await run(
      { timeScale: 0.001, installed: { channel: '1.29-strict/stable' } },
      { channel: '1.30-strict/stable', 'sideload-images': 'images' },
      { dir, env: { GITHUB_WORKSPACE: ws } }
    )
    expect(r.code).not.toBe(0)
    expect(r.report.failure.step).toBe('input sideload-images')
    expect(r.report.failure.message).toMatch(
      /strictly confined, and its images import reads non-hidden files under \/home only/
    )
    expect(mutatingCommands(r)).toEqual([])
    expect(commandLines(r).filter((l) => l.startsWith('microk8s images import'))).toEqual([])
  })
})

describe.concurrent('registry mirror from CONTAINER_REGISTRY_URL', () => {
  it('refuses credentials before any change, without echoing them', async () => {
    const r = await run(
      EXISTING,
      { channel: '1.30/stable' },
      { env: { CONTAINER_REGISTRY_URL: 'https://u:hunter2@m.example' } }
    )
    expect(r.code).not.toBe(0)
    expect(r.report.failure.step).toBe('input CONTAINER_REGISTRY_URL')
    expect(r.stdout + r.stderr + JSON.stringify(r.report)).not.toContain('hunter2')
    expect(mutatingCommands(r)).toEqual([])
  })
})

describe.concurrent('a balchua/microk8s-actions workflow, unchanged', () => {
  it('runs with its input names (a strict track with devMode), with notices naming the new inputs', async () => {
    const { dir, ws } = workspace({
      'microk8s-config.yaml': 'version: 0.1.0\naddons:\n  - name: dns\n  - name: rbac\n'
    })
    fs.mkdirSync(path.join(dir, 'home', 'sideload'), { recursive: true })
    writeImageArchive(path.join(dir, 'home', 'sideload', 'alpine-edge.tar'), ['alpine:edge'])
    const r = await run(
      'fresh-runner',
      {
        channel: '1.30-strict/stable',
        addons: '["dns", "hostpath-storage"]',
        devMode: 'true',
        'launch-configuration': '$GITHUB_WORKSPACE/microk8s-config.yaml',
        'sideload-images-path': '$HOME/sideload/'
      },
      { dir, env: { GITHUB_WORKSPACE: ws } }
    )
    expect(r.code, r.stdout).toBe(0)
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('::warning'))
    for (const name of ["use 'strict-devmode'", "use 'sideload-images'", 'addons: dns hostpath-storage'])
      expect(
        warnings.some((w) => w.includes(name)),
        name
      ).toBe(true)
    const lines = commandLines(r)
    expect(lines).toContain('snap install microk8s --devmode --channel=1.30-strict/stable')
    expect(r.state.cluster.images).toEqual(['docker.io/library/alpine:edge'])
    expect(lines.filter((l) => l.startsWith('microk8s enable'))).toEqual(['microk8s enable hostpath-storage'])
  })

  it('with no inputs at all installs latest/stable and gives a working cluster', async () => {
    const r = await run('fresh-runner', { channel: '' })
    expect(r.code, r.stdout).toBe(0)
    expect(commandLines(r)).toContain('snap install microk8s --classic --channel=latest/stable')
    expect(r.outputs.channel).toBe('latest/stable')
  })
})
