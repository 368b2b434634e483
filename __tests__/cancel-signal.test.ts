// The run's one cancellation signal is listened to by every concurrent call, wait and step: at 50 clusters
// that is dozens of listeners at once, which Node must not report as a leak in the user's log. Node's
// warning goes to the process's stderr, so the signal is made in a process of its own.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

const SCRIPT = `
import { onCancel } from ${JSON.stringify(resolve('src/actions/cancel.ts'))}
const cancellation = onCancel({ warning: () => undefined })
let aborted = 0
for (let i = 0; i < 60; i++) cancellation.signal.addEventListener('abort', () => aborted++, { once: true })
process.emit('SIGTERM', 'SIGTERM')
setImmediate(() => {
  cancellation.dispose()
  console.log(JSON.stringify({ aborted, received: cancellation.receivedAt() !== undefined }))
})
`

describe('the run\'s cancellation signal', () => {
  it('takes many listeners without Node\'s MaxListenersExceededWarning, and still aborts them all', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8' })
    expect(child.stderr).not.toContain('MaxListenersExceededWarning')
    expect(JSON.parse(child.stdout)).toEqual({ aborted: 60, received: true })
  })
})
