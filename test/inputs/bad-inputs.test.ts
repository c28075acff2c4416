// Every input, given hostile or careless values: each is refused when the inputs are read (before main runs any
// command), with an error that names the input. Rows are [input, value, what the message must say]; add rows
// here when an input is added. test/integration/faults.test.ts runs a few of them through the bundled action
// and checks that no command at all reached the simulator.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { readInputs } from '../helpers/inputs.js'

let dir = ''
/** Paths made in a scratch directory: a directory, a symlink to a file, a file standing where a parent should be. */
const at = (name: string) => Object.assign(() => path.join(dir, name), { toJSON: () => `<scratch>/${name}` })

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-inputs-'))
  fs.mkdirSync(path.join(dir, 'a-directory'))
  fs.writeFileSync(path.join(dir, 'victim'), 'not a kubeconfig\n')
  fs.symlinkSync(path.join(dir, 'victim'), path.join(dir, 'link'))
  fs.symlinkSync('/etc', path.join(dir, 'etc-link'))
  fs.writeFileSync(path.join(dir, 'a-file'), '')
  fs.writeFileSync(path.join(dir, 'images.txt'), 'alpine:edge\n')
  fs.writeFileSync(path.join(dir, 'junk.tar'), Buffer.alloc(1024))
  fs.writeFileSync(path.join(dir, 'launch-version.yaml'), 'version: 0.9.0\n')
  fs.writeFileSync(path.join(dir, 'launch-join.yaml'), 'version: 0.1.0\njoin:\n  url: 10.0.0.1:25000/token\n')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

type Row = [input: string, value: string | (() => string), message: RegExp, extra?: Record<string, string>]
const withComment = { 'pr-comment': 'true' }

const ROWS: Row[] = [
  // channel
  ['channel', 'stable', /not a channel/],
  ['channel', '1.30', /not a channel/],
  ['channel', '1.30/unstable', /unknown risk 'unstable'/],
  ['channel', '1.30/Stable', /unknown risk/],
  ['channel', '1.30/stable/hotfix', /not a channel/],
  ['channel', '/stable', /unknown track ''/],
  ['channel', 'latest/', /unknown risk ''/],
  ['channel', '1.30-eksd/stable', /EKS-D tracks are not supported/],
  ['channel', 'dqlite/stable', /unknown track 'dqlite'/],
  ['channel', '1.300/stable', /unknown track/],
  ['channel', '2.30/stable', /unknown track/],
  ['channel', '1.30/stable;reboot', /unknown risk/],
  ['channel', '$(id)/stable', /unknown track/],
  ['channel', '../1.30/stable', /not a channel/],
  ['channel', '1.30\n/stable', /unknown track/],
  // addons
  ['addons', 'dns;rm -rf /', /'dns;rm' does not start with an addon name/],
  ['addons', 'dns:1.1.1.1;reboot', /arguments of 'dns' \('1.1.1.1;reboot'\) are not accepted/],
  ['addons', "dns:'1.1.1.1'", /quotes, spaces and shell characters are refused/],
  ['addons', 'dns:$(id)', /not accepted/],
  ['addons', 'ingress:`id`', /not accepted/],
  ['addons', 'dns:1.1.1.1|nc', /not accepted/],
  ['addons', 'metallb:10.0.0.1-10.0.0.5&&id', /not accepted/],
  ['addons', 'dns:>out', /not accepted/],
  ['addons', 'dns:', /arguments of 'dns' \(''\) are not accepted/],
  ['addons', `dns:${'1'.repeat(257)}`, /1 to 256/],
  ['addons', 'Ingress', /lower-case/],
  ['addons', '-dns', /does not start with an addon name/],
  ['addons', 'dns dns:1.1.1.1', /'dns' is listed twice/],
  ['addons', 'core/dns community/dns', /'dns' is listed twice/],
  ['addons', 'community/', /does not start with an addon name/],
  ['addons', 'other/dns', /does not start with an addon name/],
  ['addons', 'core//dns', /does not start with an addon name/],
  ['addons', 'x'.repeat(64), /does not start with an addon name/],
  ['addons', 'dns\u0007', /does not start with an addon name/],
  ['addons', 'ingress-', /does not start with an addon name/],
  // cycle-addons
  ['cycle-addons', 'sometimes', /not one of auto, always, never/],
  ['cycle-addons', 'AUTO', /not one of auto, always, never/],
  ['cycle-addons', 'true', /not one of/],
  ['cycle-addons', 'auto;id', /not one of/],
  // never-cycle
  ['never-cycle', 'dns;x', /not an addon name/],
  ['never-cycle', 'DNS', /not an addon name/],
  ['never-cycle', '-x', /not an addon name/],
  ['never-cycle', 'community/', /not an addon name/],
  // wait-timeout
  ['wait-timeout', '-5', /whole number of seconds from 1 to 21600/],
  ['wait-timeout', '0', /from 1 to 21600/],
  ['wait-timeout', '21601', /from 1 to 21600/],
  ['wait-timeout', '999999999', /from 1 to 21600/],
  ['wait-timeout', '1e3', /whole number/],
  ['wait-timeout', '1.5', /whole number/],
  ['wait-timeout', '60s', /whole number/],
  ['wait-timeout', 'ten', /whole number/],
  // booleans (read by @actions/core: true, True, TRUE, false, False, FALSE)
  ['dry-run', 'yes', /'yes' is not a boolean; use true or false/],
  ['dry-run', '1', /not a boolean/],
  ['dry-run', 'on', /not a boolean/],
  ['dry-run', 'tRUE', /not a boolean/],
  ['pr-comment', 'y', /not a boolean/],
  ['pr-comment', '0', /not a boolean/],
  ['hold-refresh', 'off', /not a boolean/],
  ['hold-refresh', 'no', /not a boolean/],
  // removed-apis
  ['removed-apis', 'ignore', /not one of fail, warn, off/],
  ['removed-apis', 'Fail', /not one of fail, warn, off/],
  ['removed-apis', 'error', /not one of/],
  // strict-apparmor: two modes only (no `off`: the warning always stays)
  ['strict-apparmor', 'off', /not one of fail, warn/],
  ['strict-apparmor', 'true', /not one of fail, warn/],
  // comment-key (checked when a comment is posted)
  ['comment-key', 'a--b', /no '--'/, withComment],
  ['comment-key', 'a b', /not accepted/, withComment],
  ['comment-key', 'k'.repeat(101), /1 to 100/, withComment],
  ['comment-key', '<!--x', /not accepted/, withComment],
  ['comment-key', 'x-->y', /not accepted/, withComment],
  // github-token (checked when a comment is posted; never shown)
  ['github-token', 'ghs_abc\nX-Injected: 1', /contains whitespace/, withComment],
  // kubeconfig
  ['kubeconfig', at('a-directory'), /is a directory/],
  ['kubeconfig', at('link'), /is a symbolic link/],
  ['kubeconfig', Object.assign(() => `${dir}/new-dir/`, { toJSON: () => '<scratch>/new-dir/' }), /names a directory/],
  ['kubeconfig', at('a-file/config'), /a-file is not a directory/],
  ['kubeconfig', at('etc-link/kubeconfig'), /resolves into the system directory \/etc/],
  ['kubeconfig', '/etc/passwd', /system directory \/etc/],
  ['kubeconfig', '/etc/kubernetes/admin.conf', /system directory \/etc/],
  ['kubeconfig', '/usr/local/share/config', /system directory \/usr/],
  ['kubeconfig', '/proc/self/environ', /system directory \/proc/],
  ['kubeconfig', '/dev/null', /system directory \/dev/],
  ['kubeconfig', '/var/snap/microk8s/current/credentials/client.config', /system directory \/var\/snap/],
  // cycle-also
  ['cycle-also', 'argocd;id', /not an addon name/],
  ['cycle-also', 'Argo', /not an addon name/],
  // manifests (read from the workspace only)
  ['manifests', '../outside/*.yaml', /leaves the workspace/],
  ['manifests', '/etc/kubernetes/*.yaml', /leaves the workspace/],
  ['manifests', '~/deploy.yaml', /leaves the workspace/],
  // probes (a refused target is named by its line, never echoed)
  ['probes', 'https://user:hunter2@app.example/', /line 1 carries credentials/],
  ['probes', 'https://:hunter2@app.example/', /line 1 carries credentials/],
  ['probes', 'ftp://app.example/', /line 1 is not one of the accepted forms/],
  ['probes', 'http://app.example/$(id)', /shell characters are refused/],
  ['probes', 'http://app.example/a;reboot', /shell characters are refused/],
  ['probes', 'http://app.example/`id`', /shell characters are refused/],
  ['probes', 'http://app.example:99999/', /port that is not a number/],
  ['probes', 'http://app.example/#x', /fragment/],
  ['probes', 'http://a b/', /whitespace/],
  ['probes', 'service/demo/web', /service\/NAMESPACE\/NAME:PORT/],
  ['probes', 'service/Demo/web:80', /namespace that is not a DNS-1123 label/],
  ['probes', 'service/demo/web;id:80', /service\/NAMESPACE\/NAME:PORT|DNS-1035/],
  ['probes', 'service/demo/web:0', /port that is not a number/],
  ['probes', 'dns/web..demo', /not a DNS name/],
  ['probes', 'dns/$(id)', /not a DNS name/],
  ['probes', 'web', /line 1 is not one of the accepted forms/],
  ['probes', 'dns/a\ndns/a', /repeats a label/],
  ['probes', Array.from({ length: 11 }, (_, i) => `dns/n${i}`).join('\n'), /at most 10/],
  ['probe-interval', '1', /whole number with ms, s or m/],
  ['probe-interval', '5ms', /from 10 ms/],
  ['probe-interval', '2m', /to 60 s/],
  ['probe-interval', '1s;id', /not accepted/],
  ['max-disruption', '-1s', /not accepted/],
  ['max-disruption', '30 seconds', /not accepted/],
  // launch-configuration
  ['launch-configuration', '$NO_SUCH_VARIABLE_HERE/launch.yaml', /uses \$NO_SUCH_VARIABLE_HERE, which is not set/],
  ['launch-configuration', at('no-such-launch.yaml'), /cannot read/],
  ['launch-configuration', at('launch-version.yaml'), /version '0.9.0' is not a launch configuration version/],
  ['launch-configuration', at('launch-join.yaml'), /join is not supported/],
  // sideload-images (every archive is read when the inputs are)
  ['sideload-images', at('no-such-images'), /matches no image archive/],
  ['sideload-images', at('images.txt'), /does not end in \.tar/],
  ['sideload-images', at('junk.tar'), /is not an image archive \(no manifest.json or index.json\)/],
  // registry-mirror
  ['registry-mirror', 'ftp://mirror.example', /give http\(s\):\/\/host\[:port\]/],
  ['registry-mirror', 'https://user:secret@mirror.example', /holds credentials/],
  // booleans added with the compat inputs
  ['fix-runner-network', 'yes', /not a boolean/],
  ['strict-devmode', 'enabled', /not a boolean/],
  // an old spelling that disagrees with the new one
  ['strict-devmode', 'true', /both strict-devmode and its old spelling devMode/, { devMode: 'false' }],
  // report-file
  [
    'report-file',
    at('a-directory'),
    /is a directory; give a file path such as \$\{\{ runner\.temp \}\}\/microk8s-report\.json/
  ],
  ['report-file', '/etc/report.json', /system directory \/etc/],
  ['report-file', at('a-file/report.json'), /a-file is not a directory/]
]

describe('bad inputs are refused when the inputs are read, naming the input', () => {
  it('covers at least 60 cases and every input of action.yml', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60)
    const covered = new Set(ROWS.map((r) => r[0]))
    const action = parseYaml(fs.readFileSync(new URL('../../action.yml', import.meta.url), 'utf8'))
    // Old spellings feed the same checks as the inputs they stand for (one row shows they are read).
    const aliases = ['devMode', 'sideload-images-path', 'container-registry-url']
    const missing = Object.keys(action.inputs).filter((n) => !covered.has(n) && !aliases.includes(n))
    expect(missing, 'inputs without a bad-value row').toEqual([])
  })

  const cases = ROWS.map(([input, value, message, extra]) => ({
    input,
    label: typeof value === 'function' ? (value as unknown as { toJSON(): string }).toJSON() : value,
    value,
    message,
    extra: extra ?? {}
  }))
  it.each(cases)('$input = $label', ({ input, value, message, extra }) => {
    const text = typeof value === 'function' ? value() : value
    const values = { channel: '1.30/stable', ...extra, [input]: text }
    let error: Error | undefined
    try {
      readInputs(values)
    } catch (e) {
      error = e as Error
    }
    expect(error, 'accepted').toBeDefined()
    expect(error!.message).toMatch(new RegExp(`^Input '${input}': `))
    expect(error!.message).toMatch(message)
    // A refused token or a mirror's password is never repeated in the error.
    if (input === 'github-token') expect(error!.message).not.toContain('ghs_abc')
    if (input === 'registry-mirror') expect(error!.message).not.toContain('secret@')
  })
})
