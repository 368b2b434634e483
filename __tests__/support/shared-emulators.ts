// One emulated world for a test file: started before its tests, its faults and records cleared before
// each test, closed after the last.
import { afterAll, beforeAll, beforeEach } from '@jest/globals'
import { startEmulators, type EmulatorOptions, type Emulators } from '../../emulators/index.js'

/** Registers the hooks; the returned function gives the world inside a test. */
export function sharedEmulators(options?: EmulatorOptions): () => Emulators {
  let emulators: Emulators | undefined
  beforeAll(async () => {
    emulators = await startEmulators(options)
  })
  afterAll(async () => {
    await emulators?.close()
  })
  beforeEach(() => {
    emulators?.switches.reset()
    emulators?.log.clear()
  })
  return () => {
    if (!emulators) throw new Error('the emulators are not started yet')
    return emulators
  }
}
