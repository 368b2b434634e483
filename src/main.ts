// run(): validate every input first (no toolkit, no SDK loaded), then hand over to execute().
import { failFast } from './actions/fail-fast.js'
import { readInputs } from './config/inputs.js'
import { formatProblems, parseConfig } from './config/parse.js'
import { autoMode } from './engine/mode.js'
import { hasOidcEnvironment } from './oidc/environment.js'

/** A plan in a run without an ID token is a fork or Dependabot run, which GitHub gives no secrets. */
function secretsWithheld(read: (name: string) => string, env: NodeJS.ProcessEnv): boolean {
  const mode = read('mode') || 'auto'
  const plans = mode === 'plan' || (mode === 'auto' && autoMode(env['GITHUB_EVENT_NAME']).mode === 'plan')
  return plans && !hasOidcEnvironment(env)
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const read = readInputs(env)
  const parsed = parseConfig(read, { secretsWithheld: secretsWithheld(read, env) })
  if ('problems' in parsed) return failFast(formatProblems(parsed.problems))
  try {
    const { execute } = await import('./execute.js')
    await execute(parsed.config)
  } catch (error) {
    // execute() reports its own failures; this catches only a failure to load or a bug.
    failFast(`zilliz-private-link failed unexpectedly: ${(error as Error).stack ?? String(error)}`)
  }
}
