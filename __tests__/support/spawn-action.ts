// The action as its own process, started the way the runner starts it, for tests that stop it part-way
// (a cancelled run gets SIGTERM from the runner). Only the test's emulator variables and inputs reach it.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputFile } from './run-action.js'

export interface SpawnedAction {
  child: ChildProcess
  /** stdout and stderr so far */
  log(): string
  /** The exit code once the process has ended */
  exited: Promise<number>
  /** The step outputs it wrote (GITHUB_OUTPUT) */
  outputs(): Promise<Record<string, string>>
  /** The job summary it wrote (GITHUB_STEP_SUMMARY) */
  summary(): Promise<string>
}

export async function spawnAction(env: Record<string, string>): Promise<SpawnedAction> {
  const dir = await mkdtemp(join(tmpdir(), 'zpl-spawned-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  await Promise.all([writeFile(outputFile, ''), writeFile(summaryFile, '')])
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(INPUT_|GITHUB_|ACTIONS_|AWS_|RUNNER_)/.test(name) && name !== 'NODE_OPTIONS'))
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: { ...base, GITHUB_REPOSITORY: 'octo-org/octo-repo', GITHUB_EVENT_NAME: 'workflow_dispatch', ...env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, RUNNER_TEMP: dir },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let text = ''
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  return {
    child,
    log: () => text,
    exited: new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1))),
    outputs: async () => parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: () => readFile(summaryFile, 'utf8')
  }
}
