// require-protected-environment: before an apply writes anything, prove that the job ran behind a GitHub
// environment with required reviewers. GitHub creates a missing environment on first use with no rules,
// and an environment's rules are only readable through the API, so the action asks.
//
// The job's environment is named by the `environment` claim of its OIDC token (GitHub sets it only for
// jobs that reference an environment); its rules come from GET /repos/{repo}/environments/{name}.

export type EnvironmentVerdict =
  /** Reviewers approve before the job starts: go on */
  | { status: 'protected'; message: string }
  /** No environment, or one nobody has to approve: fail before any write */
  | { status: 'unprotected'; message: string }
  /** The check could not be made: warn, naming what would let it check */
  | { status: 'unreadable'; message: string }

export interface EnvironmentCheckInput {
  /** The `environment` claim of the job's OIDC token; undefined when the token has none */
  environment: string | undefined
  /** owner/name of the repository the workflow runs for (GITHUB_REPOSITORY) */
  repository: string
  token: string
  /** GITHUB_API_URL, e.g. https://api.github.com */
  apiUrl: string
  /** GITHUB_SERVER_URL, e.g. https://github.com, for the settings page */
  serverUrl: string
  userAgent: string
  timeoutMs?: number
}

interface ProtectionRule {
  type?: unknown
  reviewers?: unknown
  wait_timer?: unknown
}

interface EnvironmentBody {
  name?: unknown
  protection_rules?: ProtectionRule[]
  can_admins_bypass?: unknown
}

const DEFAULT_TIMEOUT_MS = 30_000

function settingsPage(input: EnvironmentCheckInput): string {
  return `${input.serverUrl.replace(/\/+$/, '')}/${input.repository}/settings/environments`
}

/** The answer for a job whose token carries no environment claim. */
function noEnvironment(input: EnvironmentCheckInput): EnvironmentVerdict {
  return {
    status: 'unprotected',
    message:
      'require-protected-environment: this apply job references no GitHub environment (its OIDC token has no environment claim), so nobody approves it before it writes. ' +
      `Add environment: zilliz-production (or your environment's name) to the job, and give that environment required reviewers in ${settingsPage(input)}. Nothing was written.`
  }
}

function rulesOf(body: EnvironmentBody): string[] {
  return (body.protection_rules ?? []).map((rule) => String(rule.type ?? 'unknown'))
}

function hasReviewers(body: EnvironmentBody): boolean {
  return (body.protection_rules ?? []).some((rule) => rule.type === 'required_reviewers' && Array.isArray(rule.reviewers) && rule.reviewers.length > 0)
}

function verdictOf(input: EnvironmentCheckInput, name: string, body: EnvironmentBody): EnvironmentVerdict {
  const rules = rulesOf(body)
  if (hasReviewers(body)) {
    const bypass = body.can_admins_bypass === true ? '; repository administrators can bypass it (turn that off in the environment settings to bind them too)' : ''
    return { status: 'protected', message: `require-protected-environment: environment ${name} has required reviewers (rules: ${rules.join(', ')})${bypass}.` }
  }
  return {
    status: 'unprotected',
    message:
      `require-protected-environment: environment ${name} has no required reviewers (rules: ${rules.length ? rules.join(', ') : 'none'}), so this apply would write without anyone's approval. ` +
      `GitHub creates an environment a job names on first use, without rules. Add required reviewers in ${settingsPage(input)} → ${name}; ` +
      'on GitHub Free, Pro and Team they exist for public repositories only. Nothing was written.'
  }
}

function unreadable(name: string, why: string): EnvironmentVerdict {
  return {
    status: 'unreadable',
    message:
      `require-protected-environment: could not read environment ${name} (${why}), so whether a reviewer approved this apply is not known. ` +
      'Grant `actions: read` to the job (a fine-grained token needs the Actions read permission) so the check can run; the apply goes on.'
  }
}

export async function checkProtectedEnvironment(input: EnvironmentCheckInput, fetchFn: typeof fetch = fetch): Promise<EnvironmentVerdict> {
  const name = input.environment
  if (!name) return noEnvironment(input)
  const url = `${input.apiUrl.replace(/\/+$/, '')}/repos/${input.repository}/environments/${encodeURIComponent(name)}`
  let response: Response
  try {
    response = await fetchFn(url, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${input.token}`,
        'user-agent': input.userAgent,
        'x-github-api-version': '2022-11-28'
      },
      signal: AbortSignal.timeout(input.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    })
  } catch (error) {
    return unreadable(name, `GitHub did not answer: ${(error as Error).message}`)
  }
  const text = await response.text()
  if (!response.ok) {
    let message = ''
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? '')
    } catch {
      // A body that is not JSON adds nothing to the status.
    }
    return unreadable(name, `${response.status}${message ? ` ${message}` : ''}`)
  }
  try {
    return verdictOf(input, name, JSON.parse(text) as EnvironmentBody)
  } catch {
    return unreadable(name, 'the answer was not JSON')
  }
}
