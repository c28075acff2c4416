/**
 * The sticky pull-request comment: one comment per `comment-key`, found by a hidden marker and the token's own
 * identity (or, when that is unknown, a bot author), updated in place; any other comment is left alone. Uses @actions/github (which honours GITHUB_API_URL).
 */
import * as github from '@actions/github'

export const COMMENT_LIMIT = 65536

export function commentMarker(key: string): string {
  return `<!-- microk8s-upgrade-report:v1 key=${key} -->`
}

export type CommentResult =
  { outcome: 'created' | 'updated' | 'unchanged'; id: number; url?: string } | { outcome: 'failed'; reason: string }

export interface CommentTarget {
  owner: string
  repo: string
  issueNumber: number
}

/** The pull request this run belongs to, or why there is none. */
export function pullRequestTarget(context = github.context): CommentTarget | string {
  const pr = context.payload.pull_request
  if (!pr?.number) return `event '${context.eventName}' is not a pull request`
  const { owner, repo } = context.repo
  return { owner, repo, issueNumber: pr.number }
}

/**
 * Creates or updates the sticky comment. `render(limit)` gives the body for a character limit; on 422 (body
 * too long) it is asked again for a much shorter one. A 403 (a fork's read-only token, or missing
 * `pull-requests: write`) is reported, not thrown: the job summary still has everything.
 */
export async function upsertComment(
  token: string,
  target: CommentTarget,
  key: string,
  render: (limit: number) => string
): Promise<CommentResult> {
  const octokit = github.getOctokit(token)
  const marker = commentMarker(key)
  try {
    const login = await viewerLogin(octokit)
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      per_page: 100
    })
    const mine = comments.find((c) => c.body?.includes(marker) && writtenByAction(c.user, login))
    for (const limit of [COMMENT_LIMIT - 1000, 8000]) {
      const body = render(limit)
      try {
        if (mine) {
          if (mine.body === body) return { outcome: 'unchanged', id: mine.id, url: mine.html_url }
          const r = await octokit.rest.issues.updateComment({
            owner: target.owner,
            repo: target.repo,
            comment_id: mine.id,
            body
          })
          return { outcome: 'updated', id: r.data.id, url: r.data.html_url }
        }
        const r = await octokit.rest.issues.createComment({
          owner: target.owner,
          repo: target.repo,
          issue_number: target.issueNumber,
          body
        })
        return { outcome: 'created', id: r.data.id, url: r.data.html_url }
      } catch (error) {
        if (statusOf(error) !== 422 || limit === 8000) throw error
      }
    }
    return { outcome: 'failed', reason: 'unreachable' }
  } catch (error) {
    const status = statusOf(error)
    const message = (error as Error).message
    if (status === 403) {
      return {
        outcome: 'failed',
        reason:
          `the token may not comment on this pull request (403: ${message}). Pull requests from forks get a ` +
          "read-only token: see the README's two-workflow pattern; otherwise grant 'pull-requests: write'"
      }
    }
    return { outcome: 'failed', reason: `${status ? `${status}: ` : ''}${message}` }
  }
}

/** The token's own login (GraphQL `viewer`; `github-actions` for GITHUB_TOKEN). Undefined when not available. */
async function viewerLogin(octokit: ReturnType<typeof github.getOctokit>): Promise<string | undefined> {
  try {
    const r = await octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }')
    return r.viewer.login
  } catch {
    return undefined
  }
}

/**
 * Whether a comment may be edited: written by the token's own identity, or, when the identity cannot be looked
 * up (GITHUB_TOKEN cannot query `viewer`), by a bot account. A person's comment is never edited, whatever it
 * quotes: a new comment is created instead.
 */
export function writtenByAction(
  user: { login?: string; type?: string } | null | undefined,
  login: string | undefined
): boolean {
  if (!user?.login) return false
  // The same login, or the bot behind it (`github-actions` is `github-actions[bot]` on comments).
  if (login) return user.login === login || (user.type === 'Bot' && stripBot(user.login) === stripBot(login))
  return user.type === 'Bot'
}

function stripBot(login: string): string {
  return login.replace(/\[bot\]$/, '')
}

function statusOf(error: unknown): number | undefined {
  const s = (error as { status?: unknown })?.status
  return typeof s === 'number' ? s : undefined
}
