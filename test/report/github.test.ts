// The sticky PR comment against a local HTTP server that speaks the issue-comments API.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest'
import { fakeGitHub } from '../helpers/fake-github.js'
import type { AddressInfo } from 'node:net'

const { server, state } = fakeGitHub()
let upsertComment: typeof import('../../src/report/github.js').upsertComment
let commentMarker: typeof import('../../src/report/github.js').commentMarker

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  process.env.GITHUB_API_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  ;({ upsertComment, commentMarker } = await import('../../src/report/github.js'))
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))
beforeEach(() =>
  Object.assign(state, { comments: [], requests: [], forbid: false, maxBody: Infinity, viewer: 'github-actions' })
)

const target = { owner: 'o', repo: 'r', issueNumber: 7 }
const body = (key: string, text: string) => () => `${text}\n${commentMarker(key)}\n`

describe('sticky pull-request comment', () => {
  it('creates the comment, then updates the same one on the next run', async () => {
    expect(await upsertComment('t', target, 'job-1.30', body('job-1.30', 'first'))).toMatchObject({
      outcome: 'created',
      id: 100
    })
    expect(await upsertComment('t', target, 'job-1.30', body('job-1.30', 'second'))).toMatchObject({
      outcome: 'updated',
      id: 100
    })
    expect(state.comments).toHaveLength(1)
    expect(state.comments[0].body).toMatch(/^second/)
    expect(state.requests.filter((r) => r.startsWith('PATCH'))).toEqual(['PATCH /repos/o/r/issues/comments/100'])
  })

  it('does not call the API to write an unchanged body', async () => {
    await upsertComment('t', target, 'k', body('k', 'same'))
    expect(await upsertComment('t', target, 'k', body('k', 'same'))).toMatchObject({ outcome: 'unchanged' })
    expect(state.requests.filter((r) => r.startsWith('PATCH') || r.startsWith('POST /repos'))).toHaveLength(1)
  })

  it('keeps matrix jobs apart by key', async () => {
    await upsertComment('t', target, 'a', body('a', 'A'))
    await upsertComment('t', target, 'b', body('b', 'B'))
    expect(state.comments.map((c) => c.body[0])).toEqual(['A', 'B'])
  })

  it('does not take over a comment with the marker written by someone else', async () => {
    state.comments.push({ id: 1, body: `quoted ${commentMarker('k')}`, user: { login: 'octocat' }, html_url: '' })
    expect(await upsertComment('t', target, 'k', body('k', 'mine'))).toMatchObject({ outcome: 'created' })
    expect(state.comments[0].body).toMatch(/^quoted/)
  })

  describe('when the token’s identity cannot be looked up (GITHUB_TOKEN cannot query viewer)', () => {
    beforeEach(() => (state.viewer = undefined))

    it('never edits a person’s comment that carries the marker: creates a new one', async () => {
      const quoted = `I copied this: ${commentMarker('k')}`
      state.comments.push({ id: 1, body: quoted, user: { login: 'octocat', type: 'User' }, html_url: '' })
      expect(await upsertComment('t', target, 'k', body('k', 'mine'))).toMatchObject({ outcome: 'created' })
      expect(state.comments.find((c) => c.id === 1)?.body).toBe(quoted)
      expect(state.requests.some((r) => r.startsWith('PATCH') || r.startsWith('DELETE'))).toBe(false)
    })

    it('updates its own comment, written by a bot account', async () => {
      const first = await upsertComment('t', target, 'k', body('k', 'first'))
      expect(first).toMatchObject({ outcome: 'created' })
      const second = await upsertComment('t', target, 'k', body('k', 'second'))
      expect(second).toMatchObject({ outcome: 'updated', id: (first as { id: number }).id })
      expect(state.comments).toHaveLength(1)
    })
  })

  it('with a known identity, leaves another bot’s comment with the marker alone', async () => {
    state.comments.push({
      id: 1,
      body: `copied ${commentMarker('k')}`,
      user: { login: 'renovate[bot]', type: 'Bot' },
      html_url: ''
    })
    expect(await upsertComment('t', target, 'k', body('k', 'mine'))).toMatchObject({ outcome: 'created' })
    expect(state.comments[0].body).toMatch(/^copied/)
  })

  it('reports a 403 (fork’s read-only token) as a failure to warn about, not an exception', async () => {
    state.forbid = true
    const r = await upsertComment('t', target, 'k', body('k', 'x'))
    expect(r).toMatchObject({ outcome: 'failed' })
    expect((r as { reason: string }).reason).toMatch(/403.*forks get a read-only token/)
  })

  it('retries a 422 body-too-long with the shorter rendering', async () => {
    state.maxBody = 10_000
    const limits: number[] = []
    const r = await upsertComment(
      't',
      target,
      'k',
      (limit) => (limits.push(limit), 'x'.repeat(Math.min(limit, 20_000)))
    )
    expect(limits).toEqual([64536, 8000])
    expect(r).toMatchObject({ outcome: 'created' })
    expect(state.comments[0].body).toHaveLength(8000)
  })
})
