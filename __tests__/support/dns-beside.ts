// The level 1 DNS analysis reads beside the verification, on every cloud: proven by holding the
// verification's record read until the analysis's first read has arrived too.
import { expect } from '@jest/globals'
import type { Emulators } from '../../emulators/index.js'
import { expectSuccess, verificationChecks, type RunWith } from './expectations.js'

/**
 * Destroys, so the record is read by the verification alone, then applies from nothing with the two reads
 * ('service:operation') held until both have arrived: a run that read the DNS settings only after its
 * verification never sends the second, and the gathering names it missing.
 */
export async function expectDnsReadsBesideVerification(emulators: Emulators, run: RunWith, reads: [record: string, dnsSetting: string], clusterId: string): Promise<void> {
  expectSuccess(await run({ mode: 'destroy' }))
  const gathered = emulators.switches.gather(reads, 5_000)
  const result = await run({ mode: 'apply' })
  expect(await gathered).toMatchObject({ missing: [] })
  expectSuccess(result)
  expect(verificationChecks(result).find((c) => c.id === `dns:${clusterId}`)).toMatchObject({ status: 'pass', proof: 'analysis' })
}
