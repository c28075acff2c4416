export const id = 611;
export const ids = [611];
export const modules = {

/***/ 7611:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   commentMarker: () => (/* binding */ commentMarker),
/* harmony export */   pullRequestTarget: () => (/* binding */ pullRequestTarget),
/* harmony export */   upsertComment: () => (/* binding */ upsertComment)
/* harmony export */ });
/* unused harmony exports COMMENT_LIMIT, writtenByAction */
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(157);
/**
 * The sticky pull-request comment: one comment per `comment-key`, found by a hidden marker and the token's own
 * identity (or, when that is unknown, a bot author), updated in place; any other comment is left alone. Uses @actions/github (which honours GITHUB_API_URL).
 */

const COMMENT_LIMIT = 65536;
function commentMarker(key) {
    return `<!-- microk8s-upgrade-report:v1 key=${key} -->`;
}
/** The pull request this run belongs to, or why there is none. */
function pullRequestTarget(context = _actions_github__WEBPACK_IMPORTED_MODULE_0__/* .context */ ._) {
    const pr = context.payload.pull_request;
    if (!pr?.number)
        return `event '${context.eventName}' is not a pull request`;
    const { owner, repo } = context.repo;
    return { owner, repo, issueNumber: pr.number };
}
/**
 * Creates or updates the sticky comment. `render(limit)` gives the body for a character limit; on 422 (body
 * too long) it is asked again for a much shorter one. A 403 (a fork's read-only token, or missing
 * `pull-requests: write`) is reported, not thrown: the job summary still has everything.
 */
async function upsertComment(token, target, key, render) {
    const octokit = _actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q(token);
    const marker = commentMarker(key);
    try {
        const login = await viewerLogin(octokit);
        const comments = await octokit.paginate(octokit.rest.issues.listComments, {
            owner: target.owner,
            repo: target.repo,
            issue_number: target.issueNumber,
            per_page: 100
        });
        const mine = comments.find((c) => c.body?.includes(marker) && writtenByAction(c.user, login));
        for (const limit of [COMMENT_LIMIT - 1000, 8000]) {
            const body = render(limit);
            try {
                if (mine) {
                    if (mine.body === body)
                        return { outcome: 'unchanged', id: mine.id, url: mine.html_url };
                    const r = await octokit.rest.issues.updateComment({
                        owner: target.owner,
                        repo: target.repo,
                        comment_id: mine.id,
                        body
                    });
                    return { outcome: 'updated', id: r.data.id, url: r.data.html_url };
                }
                const r = await octokit.rest.issues.createComment({
                    owner: target.owner,
                    repo: target.repo,
                    issue_number: target.issueNumber,
                    body
                });
                return { outcome: 'created', id: r.data.id, url: r.data.html_url };
            }
            catch (error) {
                if (statusOf(error) !== 422 || limit === 8000)
                    throw error;
            }
        }
        return { outcome: 'failed', reason: 'unreachable' };
    }
    catch (error) {
        const status = statusOf(error);
        const message = error.message;
        if (status === 403) {
            return {
                outcome: 'failed',
                reason: `the token may not comment on this pull request (403: ${message}). Pull requests from forks get a ` +
                    "read-only token: see the README's two-workflow pattern; otherwise grant 'pull-requests: write'"
            };
        }
        return { outcome: 'failed', reason: `${status ? `${status}: ` : ''}${message}` };
    }
}
/** The token's own login (GraphQL `viewer`; `github-actions` for GITHUB_TOKEN). Undefined when not available. */
async function viewerLogin(octokit) {
    try {
        const r = await octokit.graphql('query { viewer { login } }');
        return r.viewer.login;
    }
    catch {
        return undefined;
    }
}
/**
 * Whether a comment may be edited: written by the token's own identity, or, when the identity cannot be looked
 * up (GITHUB_TOKEN cannot query `viewer`), by a bot account. A person's comment is never edited, whatever it
 * quotes: a new comment is created instead.
 */
function writtenByAction(user, login) {
    if (!user?.login)
        return false;
    // The same login, or the bot behind it (`github-actions` is `github-actions[bot]` on comments).
    if (login)
        return user.login === login || (user.type === 'Bot' && stripBot(user.login) === stripBot(login));
    return user.type === 'Bot';
}
function stripBot(login) {
    return login.replace(/\[bot\]$/, '');
}
function statusOf(error) {
    const s = error?.status;
    return typeof s === 'number' ? s : undefined;
}


/***/ })

};
