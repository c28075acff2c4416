// A minimal GitHub API on loopback for the pull-request comment tests.
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { beforeAll, afterAll } from 'vitest'

export interface Comment {
  id: number
  body: string
  user: { login: string; type?: 'User' | 'Bot' | 'Organization' }
  html_url: string
}

/**
 * GraphQL viewer, list/create/update/delete issue comments of o/r#7; 403 or 422 on demand. `viewer: undefined`
 * makes the identity lookup fail as it does for an installation token (GITHUB_TOKEN): a GraphQL error.
 */
export function fakeGitHub() {
  const state = {
    comments: [] as Comment[],
    nextId: 100,
    requests: [] as string[],
    forbid: false,
    maxBody: Infinity,
    viewer: 'github-actions' as string | undefined
  }
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      state.requests.push(`${req.method} ${req.url?.split('?')[0]}`)
      const send = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(data))
      }
      if (req.url === '/graphql') {
        if (state.viewer === undefined)
          return send(200, {
            data: null,
            errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }]
          })
        return send(200, { data: { viewer: { login: state.viewer } } })
      }
      const list = /^\/repos\/o\/r\/issues\/7\/comments/.exec(req.url ?? '')
      const one = /^\/repos\/o\/r\/issues\/comments\/(\d+)/.exec(req.url ?? '')
      if (req.method === 'GET' && list) return send(200, state.comments)
      if (state.forbid) return send(403, { message: 'Resource not accessible by integration' })
      const text = body ? JSON.parse(body).body : ''
      if (text.length > state.maxBody)
        return send(422, {
          message: 'Validation Failed',
          errors: [{ message: 'Body is too long (maximum is 65536 characters)' }]
        })
      if (req.method === 'POST' && list) {
        const c = {
          id: state.nextId++,
          body: text,
          user: { login: 'github-actions[bot]', type: 'Bot' as const },
          html_url: `http://x/c/${state.nextId}`
        }
        state.comments.push(c)
        return send(201, c)
      }
      if (req.method === 'PATCH' && one) {
        const c = state.comments.find((x) => x.id === Number(one[1]))!
        c.body = text
        return send(200, c)
      }
      if (req.method === 'DELETE' && one) {
        state.comments = state.comments.filter((x) => x.id !== Number(one[1]))
        res.writeHead(204)
        return res.end()
      }
      send(404, { message: 'Not Found' })
    })
  })
  return { server, state }
}

/**
 * The fake API listening on loopback for the enclosing describe block: started before its tests, closed after.
 * `url()` is its base URL once started (for GITHUB_API_URL).
 */
export function useFakeGitHub() {
  const fake = fakeGitHub()
  let url = ''
  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => fake.server.close(() => resolve())))
  return { ...fake, url: () => url }
}
