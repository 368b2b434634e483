// require-protected-environment, bound to the runner: the job's environment from its OIDC token, its rules
// from the GitHub API. Warns when the check cannot be made; the caller fails on `unprotected`.
import { checkProtectedEnvironment, type EnvironmentVerdict } from '../github/environment-check.js'
import { decodeClaims } from '../oidc/claims.js'
import { hasOidcEnvironment } from '../oidc/environment.js'
import { fetchIdToken } from '../oidc/id-token.js'
import { USER_AGENT } from '../version.js'

export async function protectedEnvironmentVerdict(token: string, env: NodeJS.ProcessEnv = process.env): Promise<EnvironmentVerdict> {
  if (!hasOidcEnvironment(env))
    return {
      status: 'unreadable',
      message:
        'require-protected-environment: this job has no GitHub OIDC token, whose environment claim names the job\'s environment, so whether a reviewer approved this apply is not known. ' +
        'Grant `id-token: write` (and `actions: read`) to the job so the check can run; the apply goes on.'
    }
  let environment: string | undefined
  try {
    environment = decodeClaims(await fetchIdToken(undefined)).environment
  } catch (error) {
    return { status: 'unreadable', message: `require-protected-environment: could not get an OIDC token to name the job's environment (${(error as Error).message}); the apply goes on.` }
  }
  return checkProtectedEnvironment({
    environment,
    repository: env['GITHUB_REPOSITORY'] ?? '',
    token,
    apiUrl: env['GITHUB_API_URL'] || 'https://api.github.com',
    serverUrl: env['GITHUB_SERVER_URL'] || 'https://github.com',
    userAgent: USER_AGENT
  })
}
