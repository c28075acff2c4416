import { describe, it, expect } from 'vitest'
import { getInputs, parseAddons } from '../src/inputs.js'

const getter = (values: Record<string, string>) => (name: string) => values[name] ?? ''
const env = { RUNNER_TEMP: '/tmp/rt', GITHUB_JOB: 'upgrade' }

describe('inputs', () => {
  it('applies defaults', () => {
    const i = getInputs(getter({ channel: '1.30/stable' }), env)
    expect(i).toMatchObject({
      channelText: '1.30/stable',
      addons: [],
      cycleAddons: 'auto',
      waitTimeout: 600,
      dryRun: false,
      reportFile: '/tmp/rt/microk8s-report.json',
      prComment: false,
      commentKey: 'upgrade-1.30/stable',
      holdRefresh: true,
      removedApis: 'warn'
    })
    expect(i.kubeconfig).toMatch(/\.kube\/config$/)
  })

  it('reads addons separated by spaces and newlines, with arguments containing commas', () => {
    expect(
      parseAddons('dns:1.1.1.1,8.8.8.8\n  ingress   metallb:10.64.140.43-10.64.140.49\ncore/hostpath-storage')
    ).toEqual([
      { name: 'dns', args: '1.1.1.1,8.8.8.8' },
      { name: 'ingress', args: undefined },
      { name: 'metallb', args: '10.64.140.43-10.64.140.49' },
      { name: 'hostpath-storage', args: undefined }
    ])
    expect(parseAddons('  \n ')).toEqual([])
  })

  it.each([
    ['dns;rm -rf /', /'dns;rm' does not start with an addon name/],
    ['dns:1.1.1.1;reboot', /arguments of 'dns' \('1.1.1.1;reboot'\) are not accepted/],
    ["dns:'1.1.1.1'", /quotes, spaces and shell characters are refused/],
    ['dns:$(id)', /not accepted/],
    ['ingress:`id`', /not accepted/],
    ['Ingress', /lower-case/],
    ['dns dns:1.1.1.1', /'dns' is listed twice/],
    ['-dns', /does not start with an addon name/]
  ])('refuses addons %j naming the input', (text, message) => {
    expect(() => parseAddons(text)).toThrow(message)
    expect(() => parseAddons(text)).toThrow(/^Input 'addons'/)
  })

  it.each([
    ['wait-timeout', '-5', /whole number of seconds from 1 to 21600/],
    ['wait-timeout', '0', /from 1 to 21600/],
    ['wait-timeout', '999999999', /from 1 to 21600/],
    ['wait-timeout', '1e3', /from 1 to 21600/],
    ['cycle-addons', 'sometimes', /not one of auto, always, never/],
    ['removed-apis', 'ignore', /not one of fail, warn, off/],
    ['dry-run', 'yes', /not a boolean; use true or false/],
    ['never-cycle', 'dns;x', /not an addon name/],
    ['comment-key', 'a--b', /no '--'/],
    ['channel', '1.30/unstable', /unknown risk/]
  ])('refuses %s=%j with a message naming it', (name, value, message) => {
    const values = { channel: '1.30/stable', [name]: value }
    expect(() => getInputs(getter(values), env)).toThrow(message)
    expect(() => getInputs(getter(values), env)).toThrow(new RegExp(`^Input '${name}'`))
  })

  it('shows control characters in errors instead of printing them', () => {
    expect(() => getInputs(getter({ channel: '1.30/stable', 'wait-timeout': '5\n6' }), env)).toThrow(/'5\\n6'/)
  })
})
