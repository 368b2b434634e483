// Loopback fake of the GitHub REST API endpoints the action uses: for its pull request comment, list
// (paginated with Link headers), create and update issue comments; for require-protected-environment, get
// an environment with its protection rules. Tokens carry permissions, as a GITHUB_TOKEN does: a read-only
// one (fork and Dependabot pull requests) gets GitHub's 403 on writes, one without actions: read gets it
// on environments.
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'

export const GITHUB_OPERATIONS = {
  listComments: 'issues/list-comments',
  createComment: 'issues/create-comment',
  updateComment: 'issues/update-comment',
  getEnvironment: 'repos/get-environment'
} as const

/** GitHub's limit for a comment body. */
export const MAX_COMMENT_CHARS = 65_536
const MAX_PER_PAGE = 100
const DEFAULT_PER_PAGE = 30
const DOCS = 'https://docs.github.com/rest/issues/comments'
const ENVIRONMENT_DOCS = 'https://docs.github.com/rest/deployments/environments#get-an-environment'

export interface TokenGrant {
  /** write: pull-requests (or issues) write; read: what fork and Dependabot pull requests get */
  permission: 'write' | 'read'
  /** Who comments with this token */
  login: string
  /** Repositories (owner/name) the token can see; all when absent */
  repositories?: string[]
  /** actions: read lets the token read environments; a job that does not grant it gets none (default read) */
  actions?: 'read' | 'none'
}

/** An environment as its settings define it; the API derives protection_rules from these. */
export interface EnvironmentSettings {
  /** Logins of the required reviewers; none means no required_reviewers rule */
  reviewers?: string[]
  /** Minutes; 0 or absent means no wait_timer rule */
  waitTimer?: number
  /** Deployment branches limited (a branch_policy rule) */
  branchPolicy?: boolean
  canAdminsBypass?: boolean
}

export interface IssueComment {
  id: number
  repository: string
  issueNumber: number
  body: string
  login: string
  createdAt: string
  updatedAt: string
}

export interface GitHubApiOptions {
  /** Path of the API under the server, '' like api.github.com or '/api/v3' like GitHub Enterprise Server */
  basePath?: string
}

type Operation = (typeof GITHUB_OPERATIONS)[keyof typeof GITHUB_OPERATIONS]

interface Route {
  operation: Operation
  write: boolean
  repository: string
  issueNumber?: number
  commentId?: number
  environment?: string
}

export class GitHubApiEmulator implements Service {
  readonly name = 'github'
  readonly basePath: string
  readonly comments: IssueComment[] = []
  private readonly tokens = new Map<string, TokenGrant>()
  private readonly pullRequests = new Set<string>()
  private readonly environments = new Map<string, EnvironmentSettings>()
  private nextId = 1_000_001

  constructor(options: GitHubApiOptions = {}) {
    this.basePath = options.basePath ?? ''
  }

  grant(token: string, grant: Partial<TokenGrant> = {}): void {
    this.tokens.set(token, { permission: 'write', login: 'github-actions[bot]', ...grant })
  }

  /** Creates or replaces an environment, as Settings → Environments (or a job's first use) would. */
  setEnvironment(repository: string, name: string, settings: EnvironmentSettings = {}): void {
    this.environments.set(`${repository}/${name.toLowerCase()}`, settings)
  }

  openPullRequest(repository: string, number: number): void {
    this.pullRequests.add(`${repository}#${number}`)
  }

  /** Seeds a comment as if someone had written it. */
  addComment(repository: string, issueNumber: number, body: string, login = 'octocat'): IssueComment {
    const now = new Date().toISOString()
    const comment = { id: this.nextId++, repository, issueNumber, body, login, createdAt: now, updatedAt: now }
    this.comments.push(comment)
    return comment
  }

  commentsOn(repository: string, issueNumber: number): IssueComment[] {
    return this.comments.filter((c) => c.repository === repository && c.issueNumber === issueNumber)
  }

  classify(req: EmulatorRequest): Classified {
    const route = this.route(req)
    return route ? { operation: route.operation, write: route.write } : { operation: `${req.method} ${req.url.pathname}`, write: false }
  }

  handle(req: EmulatorRequest): EmulatorResponse {
    const route = this.route(req)
    if (!route) return this.errorResponse(404, 'NotFound', 'Not Found')
    const grant = this.tokenOf(req)
    if (!grant) return this.errorResponse(401, 'BadCredentials', 'Bad credentials')
    if (grant.repositories && !grant.repositories.includes(route.repository)) return this.errorResponse(404, 'NotFound', 'Not Found')
    if (route.write && grant.permission !== 'write') {
      return this.errorResponse(403, 'Forbidden', 'Resource not accessible by integration')
    }
    if (route.operation === GITHUB_OPERATIONS.getEnvironment && grant.actions === 'none') {
      return json(403, { message: 'Resource not accessible by integration', documentation_url: ENVIRONMENT_DOCS, status: '403' })
    }
    switch (route.operation) {
      case GITHUB_OPERATIONS.getEnvironment:
        return this.environment(req, route)
      case GITHUB_OPERATIONS.listComments:
        return this.list(req, route)
      case GITHUB_OPERATIONS.createComment:
        return this.create(req, route, grant)
      case GITHUB_OPERATIONS.updateComment:
        return this.update(req, route)
    }
  }

  errorResponse(status: number, _code: string, message: string): EmulatorResponse {
    return json(status, { message, documentation_url: DOCS, status: String(status) })
  }

  private route(req: EmulatorRequest): Route | undefined {
    const path = req.url.pathname
    if (!path.startsWith(`${this.basePath}/`)) return undefined
    const rest = path.slice(this.basePath.length)
    const onIssue = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(rest)
    if (onIssue && (req.method === 'GET' || req.method === 'POST')) {
      const [, repository, number] = onIssue as unknown as [string, string, string]
      const list = req.method === 'GET'
      return {
        operation: list ? GITHUB_OPERATIONS.listComments : GITHUB_OPERATIONS.createComment,
        write: !list,
        repository,
        issueNumber: Number(number)
      }
    }
    const environment = /^\/repos\/([^/]+\/[^/]+)\/environments\/([^/]+)$/.exec(rest)
    if (environment && req.method === 'GET') {
      const [, repository, name] = environment as unknown as [string, string, string]
      return { operation: GITHUB_OPERATIONS.getEnvironment, write: false, repository, environment: decodeURIComponent(name) }
    }
    const oneComment = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(rest)
    if (oneComment && req.method === 'PATCH') {
      const [, repository, id] = oneComment as unknown as [string, string, string]
      return { operation: GITHUB_OPERATIONS.updateComment, write: true, repository, commentId: Number(id) }
    }
    return undefined
  }

  /** Authorization: "token X" (what @actions/github sends) or "Bearer X". */
  private tokenOf(req: EmulatorRequest): TokenGrant | undefined {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    return match ? this.tokens.get(match[1]!) : undefined
  }

  private list(req: EmulatorRequest, route: Route): EmulatorResponse {
    if (!this.pullRequests.has(`${route.repository}#${route.issueNumber}`)) return this.errorResponse(404, 'NotFound', 'Not Found')
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number(req.url.searchParams.get('per_page') ?? DEFAULT_PER_PAGE)))
    const page = Math.max(1, Number(req.url.searchParams.get('page') ?? 1))
    const all = this.commentsOn(route.repository, route.issueNumber!)
    const lastPage = Math.max(1, Math.ceil(all.length / perPage))
    const items = all.slice((page - 1) * perPage, page * perPage).map((c) => this.view(req, c))
    const headers: Record<string, string> = {}
    if (page < lastPage) headers['link'] = linkHeader(req, perPage, page, lastPage)
    return json(200, items, headers)
  }

  private create(req: EmulatorRequest, route: Route, grant: TokenGrant): EmulatorResponse {
    if (!this.pullRequests.has(`${route.repository}#${route.issueNumber}`)) return this.errorResponse(404, 'NotFound', 'Not Found')
    const given = bodyOf(req)
    if ('problem' in given) return invalidBody(given.problem)
    return json(201, this.view(req, this.addComment(route.repository, route.issueNumber!, given.body, grant.login)))
  }

  private update(req: EmulatorRequest, route: Route): EmulatorResponse {
    const comment = this.comments.find((c) => c.id === route.commentId && c.repository === route.repository)
    if (!comment) return this.errorResponse(404, 'NotFound', 'Not Found')
    const given = bodyOf(req)
    if ('problem' in given) return invalidBody(given.problem)
    comment.body = given.body
    comment.updatedAt = new Date().toISOString()
    return json(200, this.view(req, comment))
  }

  /** GET /repos/{owner}/{repo}/environments/{name}: the environment with the rules its settings define. */
  private environment(req: EmulatorRequest, route: Route): EmulatorResponse {
    const name = route.environment!
    const settings = this.environments.get(`${route.repository}/${name.toLowerCase()}`)
    if (!settings) return json(404, { message: 'Not Found', documentation_url: ENVIRONMENT_DOCS, status: '404' })
    let ruleId = 3515
    const rule = (type: string, extra: Record<string, unknown> = {}) => ({ id: ruleId, node_id: `GA_${ruleId++}`, type, ...extra })
    const rules = [
      ...(settings.reviewers?.length
        ? [rule('required_reviewers', { prevent_self_review: false, reviewers: settings.reviewers.map((login, i) => ({ type: 'User', reviewer: { login, id: 100 + i, type: 'User' } })) })]
        : []),
      ...(settings.waitTimer ? [rule('wait_timer', { wait_timer: settings.waitTimer })] : []),
      ...(settings.branchPolicy ? [rule('branch_policy')] : [])
    ]
    const api = `http://${req.headers.host}${this.basePath}/repos/${route.repository}`
    return json(200, {
      id: 56780428,
      node_id: 'EN_kwDOAAAAAA',
      name,
      url: `${api}/environments/${encodeURIComponent(name)}`,
      html_url: `https://github.com/${route.repository}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
      created_at: '2026-01-05T10:00:00Z',
      updated_at: '2026-01-05T10:00:00Z',
      can_admins_bypass: settings.canAdminsBypass ?? true,
      protection_rules: rules,
      deployment_branch_policy: settings.branchPolicy ? { protected_branches: false, custom_branch_policies: true } : null
    })
  }

  /** A comment as the API returns it (the fields clients read). */
  private view(req: EmulatorRequest, c: IssueComment): Record<string, unknown> {
    const api = `http://${req.headers.host}${this.basePath}/repos/${c.repository}`
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${api}/issues/comments/${c.id}`,
      html_url: `https://github.com/${c.repository}/pull/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${api}/issues/${c.issueNumber}`,
      body: c.body,
      user: { login: c.login, type: c.login.endsWith('[bot]') ? 'Bot' : 'User' },
      created_at: c.createdAt,
      updated_at: c.updatedAt
    }
  }
}

type BodyProblem = 'missing' | 'too-long'

/** The body field, or why it is unusable (GitHub answers both with 422). */
function bodyOf(req: EmulatorRequest): { body: string } | { problem: BodyProblem } {
  let parsed: { body?: unknown }
  try {
    parsed = JSON.parse(req.body || '{}') as { body?: unknown }
  } catch {
    return { problem: 'missing' }
  }
  if (typeof parsed.body !== 'string' || parsed.body === '') return { problem: 'missing' }
  return parsed.body.length > MAX_COMMENT_CHARS ? { problem: 'too-long' } : { body: parsed.body }
}

function invalidBody(problem: BodyProblem): EmulatorResponse {
  const error =
    problem === 'too-long'
      ? { resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_COMMENT_CHARS} characters)` }
      : { resource: 'IssueComment', code: 'missing_field', field: 'body' }
  return json(422, { message: 'Validation Failed', errors: [error], documentation_url: DOCS, status: '422' })
}

function linkHeader(req: EmulatorRequest, perPage: number, page: number, lastPage: number): string {
  const at = (n: number) => {
    const url = new URL(req.url.pathname, `http://${req.headers.host}`)
    url.searchParams.set('per_page', String(perPage))
    url.searchParams.set('page', String(n))
    return url.toString()
  }
  return `<${at(page + 1)}>; rel="next", <${at(lastPage)}>; rel="last"`
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) }
}
