import { describe, it, expect } from 'vitest'
import { parseAddons } from '../../src/inputs/action.js'
import { defaultCommentKey, isCommentKey } from '../../src/inputs/parse.js'
import { readInputs } from '../helpers/inputs.js'

describe('inputs', () => {
  it('applies defaults', () => {
    const i = readInputs({ channel: '1.30/stable' })
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
    ['channel', '1.30/unstable', /unknown risk/]
  ])('refuses %s=%j with a message naming it', (name, value, message) => {
    const values = { channel: '1.30/stable', [name]: value }
    expect(() => readInputs(values)).toThrow(message)
    expect(() => readInputs(values)).toThrow(new RegExp(`^Input '${name}'`))
  })

  it('derives a valid comment key from any legal job id, and checks the key only when a comment is posted', () => {
    expect(readInputs({ channel: '1.30/stable' }, { GITHUB_JOB: 'upgrade--k8s' }).commentKey).toBe(
      'upgrade-k8s-1.30/stable'
    )
    expect(defaultCommentKey('build matrix (1.29)', '1.30/stable')).toBe('build-matrix-1.29-1.30/stable')
    expect(defaultCommentKey(`j${'x'.repeat(200)}`, '1.30/stable')).toHaveLength(100)
    expect(isCommentKey(defaultCommentKey('--', 'latest/edge'))).toBe(true)
    // Unused: a key that could not be written into the marker does not stop a run without a comment.
    expect(readInputs({ channel: '1.30/stable', 'comment-key': 'a--b' }).commentKey).toBe('a--b')
    expect(() => readInputs({ channel: '1.30/stable', 'comment-key': 'a--b', 'pr-comment': 'true' })).toThrow(
      /^Input 'comment-key': 'a--b' is not accepted.*no '--'/
    )
  })

  it('shows control characters in errors instead of printing them', () => {
    expect(() => readInputs({ channel: '1.30/stable', 'wait-timeout': '5\n6' })).toThrow(/'5\\n6'/)
  })
})
