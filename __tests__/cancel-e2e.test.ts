// Cancellation as GitHub does it: the action runs in a child process (node with tsx, from source) and gets
// SIGTERM while apply waits for Zilliz. It must start no new write, publish outputs and a summary marked
// cancelled that says what was done and what was not, exit non-zero within seconds; a re-run converges.
import { afterEach, beforeEach, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { expectSuccess, sortedWrites } from './support/expectations.js'
import { awsCloud } from './support/lifecycle.js'
import { parseOutputFile, runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

const CLEARED = /^(INPUT_|GITHUB_|ACTIONS_|AWS_|RUNNER_)/

it('SIGTERM during apply publishes a cancelled summary and exits non-zero; a re-run converges', async () => {
  // Acceptance takes long enough that the apply is surely waiting for it when the signal comes.
  emulators.zilliz.settings.acceptanceDelayMs = 60_000
  const dir = await mkdtemp(join(tmpdir(), 'zpl-cancel-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  await Promise.all([writeFile(outputFile, ''), writeFile(summaryFile, '')])
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CLEARED.test(name) && name !== 'NODE_OPTIONS'))
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: {
      ...base,
      ...emulators.env,
      ...awsCloud.inputs(emulators, { mode: 'apply' }),
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: dir,
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_EVENT_NAME: 'workflow_dispatch'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)))

  // Wait until every write of the apply is made (the registration and the records): from then on it only
  // waits for Zilliz, and any further write would have been started after the signal.
  while (emulators.log.writes().length < 10) {
    if (child.exitCode !== null) throw new Error(`the action ended before the wait:\n${stdout}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const writesBefore = sortedWrites(emulators.log)
  const signalled = performance.now()
  child.kill('SIGTERM')
  const code = await exited
  const toExitMs = performance.now() - signalled
  process.stdout.write(`SIGTERM to exit: ${Math.round(toExitMs)} ms\n`)

  expect(code).toBe(1)
  expect(sortedWrites(emulators.log)).toEqual(writesBefore)
  const outputs = parseOutputFile(await readFile(outputFile, 'utf8'))
  const summary = await readFile(summaryFile, 'utf8')
  expect(outputs['mode']).toBe('apply')
  expect(JSON.parse(outputs['plan'] ?? '{}')).toMatchObject({ cancelled: true })
  expect(summary).toContain('**Cancelled.**')
  expect(summary).toMatch(/\*\*Done:\*\* .*aws\.vpc-endpoint/)
  expect(summary).toMatch(/\*\*Not done:\*\* .*zilliz\.private-link/)
  expect(stdout).toContain('Received SIGTERM')
  expect(stdout).toContain('::error::The run was cancelled')

  // The re-run finds what was done and finishes the rest: nothing is created twice.
  emulators.zilliz.settings.acceptanceDelayMs = 0
  emulators.log.clear()
  const again = await runAction({ ...emulators.env, ...awsCloud.inputs(emulators, { mode: 'apply' }) })
  expectSuccess(again)
  expect(again.outputs['verified']).toBe('true')
  expect(sortedWrites(emulators.log).filter((w) => w.startsWith('ec2:Create') || w === 'zilliz:CreatePrivateEndpoint')).toEqual([])
})
