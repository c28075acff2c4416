/**
 * The report action's inputs (report/action.yml), validated once into a typed object before anything is read
 * or posted; an error names the input and what would be accepted.
 */
import * as core from '@actions/core'
import { InputError } from '../base/errors.js'
import { bool, checkCommentKey, oneOf, type Getter } from '../inputs/parse.js'

export type FailOn = 'failure' | 'finding' | 'never'

export interface ReportInputs {
  /** Directories or globs of report files, one per entry; `!pattern` excludes. */
  reports: string[]
  prComment: boolean
  githubToken: string
  commentKey: string
  failOn: FailOn
}

export function getReportInputs(get: Getter = (n) => core.getInput(n)): ReportInputs {
  // One path or pattern per line: paths may hold spaces.
  const reports = get('reports')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  if (!reports.length) {
    throw new InputError(
      'reports',
      'is empty; give the directory the report artifacts were downloaded to (actions/download-artifact with merge-multiple: true) or a glob such as reports/**/*.json'
    )
  }
  const githubToken = get('github-token').trim()
  // Masked in every log line from here on, whatever prints it (as the main action does).
  if (githubToken) core.setSecret(githubToken)
  const prComment = bool(get, 'pr-comment', false)
  const commentKey = get('comment-key').trim() || 'microk8s-upgrade-matrix'
  // The key goes into the comment's HTML marker: checked only when a comment is posted (as in the main action).
  if (prComment) checkCommentKey(commentKey)
  return {
    reports,
    prComment,
    githubToken,
    commentKey,
    failOn: oneOf(get, 'fail-on', ['failure', 'finding', 'never'], 'failure')
  }
}
