// Cancellation as GitHub does it: the action runs in a child process (node with tsx, from source) and gets
// SIGTERM while apply waits for Zilliz. It must start no new write, publish outputs and a summary marked
// cancelled that says what was done and what was not, exit non-zero within seconds; a re-run converges.
import { afterEach, beforeEach, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { expectSuccess, sortedWrites } from './support/expectations.js'
import { awsCloud } from './support/lifecycle.js'
import { runAction } from './support/run-action.js'
import { spawnAction } from './support/spawn-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

it('SIGTERM during apply publishes a cancelled summary and exits non-zero; a re-run converges', async () => {
  // Acceptance takes long enough that the apply is surely waiting for it when the signal comes.
  emulators.zilliz.settings.acceptanceDelayMs = 60_000
  const action = await spawnAction({ ...emulators.env, ...awsCloud.inputs(emulators, { mode: 'apply' }) })

  // Wait until every write of the apply is made (the registration and the records): from then on it only
  // waits for Zilliz, and any further write would have been started after the signal.
  while (emulators.log.writes().length < 10) {
    if (action.child.exitCode !== null) throw new Error(`the action ended before the wait:\n${action.log()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const writesBefore = sortedWrites(emulators.log)
  const signalled = performance.now()
  action.child.kill('SIGTERM')
  const code = await action.exited
  const toExitMs = performance.now() - signalled
  process.stdout.write(`SIGTERM to exit: ${Math.round(toExitMs)} ms\n`)

  expect(code).toBe(1)
  expect(sortedWrites(emulators.log)).toEqual(writesBefore)
  const outputs = await action.outputs()
  const summary = await action.summary()
  expect(outputs['mode']).toBe('apply')
  expect(JSON.parse(outputs['plan'] ?? '{}')).toMatchObject({ cancelled: true })
  expect(summary).toContain('**Cancelled.**')
  expect(summary).toMatch(/\*\*Done:\*\* .*aws\.vpc-endpoint/)
  expect(summary).toMatch(/\*\*Not done:\*\* .*zilliz\.private-link/)
  expect(action.log()).toContain('Received SIGTERM')
  expect(action.log()).toContain('::error::The run was cancelled')

  // The re-run finds what was done and finishes the rest: nothing is created twice.
  emulators.zilliz.settings.acceptanceDelayMs = 0
  emulators.log.clear()
  const again = await runAction({ ...emulators.env, ...awsCloud.inputs(emulators, { mode: 'apply' }) })
  expectSuccess(again)
  expect(again.outputs['verified']).toBe('true')
  expect(sortedWrites(emulators.log).filter((w) => w.startsWith('ec2:Create') || w === 'zilliz:CreatePrivateEndpoint')).toEqual([])
})
