// run(): validate every input first (no toolkit, no SDK loaded), start the first authentication calls, then
// hand over to execute().
import { failFast } from './actions/fail-fast.js'
import { readInputs } from './config/inputs.js'
import { formatProblems, parseConfig } from './config/parse.js'
import { autoMode } from './engine/mode.js'
import { withheldFromRun, type Withheld } from './github/withheld.js'

/** Whether the run only plans: a missing API key is then allowed where GitHub withheld the secrets. */
function plans(read: (name: string) => string, env: NodeJS.ProcessEnv, withheld: Withheld | undefined): boolean {
  const mode = read('mode') || 'auto'
  return mode === 'plan' || (mode === 'auto' && autoMode(env['GITHUB_EVENT_NAME'], withheld).mode === 'plan')
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const read = readInputs(env)
  const withheld = withheldFromRun(env)
  const parsed = parseConfig(read, { secretsWithheld: Boolean(withheld) && plans(read, env, withheld), withheld: withheld?.description })
  if ('problems' in parsed) return failFast(formatProblems(parsed.problems))
  try {
    // The first authentication calls leave before the toolkit and the cloud's code load, and travel while
    // they do; their small module loads first, alone, so the request is out before that code holds the thread.
    const ahead = (await import('./head-start.js')).headStart(parsed.config, withheld, env)
    const { execute } = await import('./execute.js')
    await execute(parsed.config, withheld, ahead)
  } catch (error) {
    // execute() reports its own failures; this catches only a failure to load or a bug.
    // The registry is loaded only here, so a bad input never pays for it.
    const { secrets } = await import('./base/secrets.js')
    failFast(secrets.redact(`zilliz-private-link failed unexpectedly: ${(error as Error).stack ?? String(error)}`))
  }
}
