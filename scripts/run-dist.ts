// Runs the bundled action (dist/index.js) in a child process exactly as the runner does: INPUT_*
// variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. Used by the demo and the benchmark.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputFile } from '../__tests__/support/run-action.js'

export interface DistRun {
  exitCode: number
  stdout: string
  outputs: Record<string, string>
  summary: string
  wallMs: number
  /** When each phase's log group opened, ms after the spawn (the log reaches the pipe as it is written) */
  phases: { name: string; atMs: number }[]
}

// The caller's own GitHub and AWS settings must not reach the emulated run.
const CLEARED = /^(INPUT_|GITHUB_|ACTIONS_|AWS_|RUNNER_)/

export async function runDist(env: Record<string, string>, node = process.env['DEMO_NODE'] || process.execPath): Promise<DistRun> {
  const dir = await mkdtemp(join(tmpdir(), 'zpl-dist-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  await Promise.all([writeFile(outputFile, ''), writeFile(summaryFile, '')])
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CLEARED.test(name)))
  const started = performance.now()
  const child = spawn(node, ['dist/index.js'], {
    env: { ...base, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, RUNNER_TEMP: dir, GITHUB_REPOSITORY: 'octo-org/octo-repo', GITHUB_EVENT_NAME: 'workflow_dispatch', ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let stdout = ''
  const phases: { name: string; atMs: number }[] = []
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8')
    stdout += text
    for (const m of text.matchAll(/^::group::(.*)$/gm)) phases.push({ name: m[1] ?? '', atMs: performance.now() - started })
  })
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)))
  return {
    exitCode,
    stdout,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    wallMs: performance.now() - started,
    phases
  }
}
