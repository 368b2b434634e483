// Runs the action's run() in this process the way the runner does: INPUT_* variables, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, stdout as the log. Returns what a workflow would see.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ActionRun {
  outputs: Record<string, string>
  summary: string
  /** Everything written to stdout (the job log), workflow commands included */
  log: string
  exitCode: number
}

/** Parses the GITHUB_OUTPUT file format: name<<delimiter / value / delimiter. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match) continue
    const [, name, delimiter] = match as unknown as [string, string, string]
    const value: string[] = []
    while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] ?? '')
    outputs[name] = value.join('\n')
  }
  return outputs
}

/** Runs fn with stdout captured and returns it: @actions/core writes the job log there, workflow commands included. */
export async function captureStdout(fn: () => Promise<void>): Promise<string> {
  const chunks: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return true
  }) as typeof process.stdout.write
  try {
    await fn()
  } finally {
    process.stdout.write = write
  }
  return chunks.join('')
}

// GitHub's own variables that must not leak from the machine running the tests into a run.
const CLEARED = /^(INPUT_|GITHUB_|ACTIONS_|AWS_|RUNNER_)/

export async function runAction(env: Record<string, string>): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'zpl-run-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  const saved = { ...process.env }
  for (const name of Object.keys(process.env)) if (CLEARED.test(name)) delete process.env[name]
  Object.assign(process.env, { GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, RUNNER_TEMP: dir, GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_REPOSITORY: 'octo-org/octo-repo' }, env)

  process.exitCode = 0
  let log: string
  try {
    log = await captureStdout(async () => {
      const { run } = await import('../../src/main.js')
      await run(process.env)
    })
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
    Object.assign(process.env, saved)
  }
  const exitCode = Number(process.exitCode ?? 0)
  process.exitCode = 0
  return {
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    log,
    exitCode
  }
}
