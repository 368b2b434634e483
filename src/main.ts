// run(): validate every input first (no toolkit, no SDK loaded), then hand over to execute().
import { failFast } from './actions/fail-fast.js'
import { readInputs } from './config/inputs.js'
import { formatProblems, parseConfig } from './config/parse.js'

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const parsed = parseConfig(readInputs(env))
  if ('problems' in parsed) return failFast(formatProblems(parsed.problems))
  try {
    const { execute } = await import('./execute.js')
    await execute(parsed.config)
  } catch (error) {
    // execute() reports its own failures; this catches only a failure to load or a bug.
    failFast(`zilliz-private-link failed unexpectedly: ${(error as Error).stack ?? String(error)}`)
  }
}
