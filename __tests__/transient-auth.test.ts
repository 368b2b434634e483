// Identity exchanges on all three clouds: transient failures (throttling, 5xx, the identity provider's keys
// briefly out of reach, Entra's transient AADSTS codes) are retried with backoff and a bound, each attempt
// with a fresh GitHub ID token; refusals are never retried and keep their explanations.
import { describe, expect, it } from '@jest/globals'
import { azureInputs } from '../emulators/azure/index.js'
import { gcpInputs } from '../emulators/gcp/index.js'
import { awsInputs } from '../emulators/index.js'
import { errorLine, expectSuccess } from './support/expectations.js'
import { runAction } from './support/run-action.js'
import { sharedEmulators } from './support/shared-emulators.js'
import { TOKEN_EXCHANGE_RETRY } from '../src/base/retry.js'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isTransientGoogleFailure } from '../src/providers/gcp/auth.js'
import { GCP_ENDPOINT_VARIABLES } from '../src/providers/gcp/endpoints.js'
import { federatedAccessToken } from '../src/providers/gcp/token-exchange.js'

const world = sharedEmulators()

const statuses = (service: string, operation: string) => world().log.calls(service).filter((c) => c.operation === operation).map((c) => c.status)
const FEDERATION_HINT = 'needs a federated credential'

describe('AWS STS', () => {
  const run = (overrides: Record<string, string> = {}) => runAction({ ...world().env, ...awsInputs(world(), { mode: 'plan', ...overrides }) })

  it('retries InvalidIdentityToken "Couldn\'t retrieve verification key", IDPCommunicationError, throttling and a 5xx', async () => {
    const sts = { service: 'sts', operation: 'AssumeRoleWithWebIdentity' }
    world().switches.inject({ ...sts, status: 400, code: 'InvalidIdentityToken', message: "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements", times: 1 })
    world().switches.inject({ ...sts, status: 400, code: 'IDPCommunicationError', message: 'The identity provider could not be reached', times: 1 })
    world().switches.inject({ ...sts, status: 400, code: 'Throttling', message: 'Rate exceeded', times: 1 })
    const result = await run()
    expectSuccess(result)
    expect(statuses('sts', 'AssumeRoleWithWebIdentity')).toEqual([400, 400, 400, 200])
    // A fresh ID token for every attempt.
    const tokens = world().aws.sts.presented.map((p) => p.token)
    expect(new Set(tokens).size).toBe(tokens.length)
    expect(result.log).toContain('retrying in')
  })

  it('gives up after its bound when STS keeps failing', async () => {
    world().switches.inject({ service: 'sts', operation: 'AssumeRoleWithWebIdentity', status: 503, code: 'ServiceUnavailable', message: 'Injected outage', times: 10 })
    const result = await run()
    expect(result.exitCode).toBe(1)
    expect(statuses('sts', 'AssumeRoleWithWebIdentity')).toEqual(Array(TOKEN_EXCHANGE_RETRY.attempts).fill(503))
    expect(errorLine(result)).toContain('ServiceUnavailable')
  }, 30_000)

  it.each([
    ['InvalidIdentityToken', 'Incorrect token audience'],
    ['IDPRejectedClaim', 'Identity provider rejected the claim'],
    ['AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity']
  ])('never retries the refusal %s, and keeps its explanation', async (code, message) => {
    world().switches.inject({ service: 'sts', operation: 'AssumeRoleWithWebIdentity', status: code === 'AccessDenied' ? 403 : 400, code, message, times: 1 })
    const result = await run()
    expect(result.exitCode).toBe(1)
    expect(statuses('sts', 'AssumeRoleWithWebIdentity')).toHaveLength(1)
    expect(errorLine(result)).toContain(message)
    expect(errorLine(result)).toContain('trust policy')
  })
})

describe('Google STS', () => {
  const run = () => runAction({ ...world().env, ...gcpInputs(world().zillizUrl, { mode: 'plan' }) })

  it('retries 5xx and throttling from the token exchange, then succeeds', async () => {
    world().switches.inject({ service: 'gcp-sts', operation: 'token', status: 500, code: 'internal_failure', times: 2 })
    world().switches.inject({ service: 'gcp-sts', operation: 'token', status: 429, code: 'rate_limit_exceeded', times: 3 })
    const result = await run()
    expectSuccess(result)
    expect(statuses('gcp-sts', 'token').at(-1)).toBe(200)
    expect(statuses('gcp-sts', 'token')).toHaveLength(6)
  }, 30_000)

  it('never retries a refusal (invalid_grant)', async () => {
    world().switches.inject({ service: 'gcp-sts', operation: 'token', status: 400, code: 'invalid_grant', message: 'The audience in ID Token does not match the expected audience.', times: 1 })
    const result = await run()
    expect(result.exitCode).toBe(1)
    expect(statuses('gcp-sts', 'token')).toEqual([400])
    expect(errorLine(result)).toContain('does not match the expected audience')
  })
})

describe('Google federation sent ahead', () => {
  it('counts a connection dropped without an answer as transient, as it counts the library\'s ECONNRESET, and says where', async () => {
    // A server that takes the request and hangs up, as a dropped connection does.
    const server = createServer((req) => req.socket.destroy())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const env = { ...process.env, [GCP_ENDPOINT_VARIABLES.sts]: `http://127.0.0.1:${port}` }
      const error = await federatedAccessToken({ provider: 'projects/1/locations/global/workloadIdentityPools/p/providers/q', subjectToken: 'eyJ.x.y', env }).catch((e: unknown) => e)
      expect(isTransientGoogleFailure(error)).toBe(true)
      expect((error as { config: { url: string } }).config.url).toBe(`http://127.0.0.1:${port}/v1/token`)
      // An answer that refuses is not.
      expect(isTransientGoogleFailure(Object.assign(new Error('Error code invalid_grant'), { status: 400 }))).toBe(false)
    } finally {
      server.close()
    }
  })
})

describe('Microsoft Entra', () => {
  const run = (overrides: Record<string, string> = {}) => runAction({ ...world().env, ...azureInputs(world().zillizUrl, { mode: 'plan', ...overrides }) })
  const token = { service: 'entra', operation: 'GetToken' }

  it('retries a 503, then succeeds', async () => {
    world().switches.inject({ ...token, status: 503, code: 'temporarily_unavailable', message: 'AADSTS90033: A transient error has occurred. Please try again.', times: 1 })
    const result = await run()
    expectSuccess(result)
    expect(statuses('entra', 'GetToken')).toEqual([503, 200])
    expect(result.log).toContain('retrying in')
    expect(result.log).not.toContain(FEDERATION_HINT)
  })

  it.each([
    ['AADSTS90024', 'RequestBudgetExceededError: A transient error has occurred. Try again.'],
    ['AADSTS90033', 'MsodsServiceUnavailable: A transient error has occurred. Try again.'],
    ['AADSTS90055', 'TenantThrottlingError: There are too many incoming requests.']
  ])('retries the transient %s, then succeeds', async (code, text) => {
    world().switches.inject({ ...token, status: 400, code: 'temporarily_unavailable', message: `${code}: ${text}`, times: 2 })
    const result = await run()
    expectSuccess(result)
    expect(statuses('entra', 'GetToken')).toEqual([400, 400, 200])
    expect(result.log).not.toContain(FEDERATION_HINT)
  })

  it('gives up after its bound, without the federated credential hint', async () => {
    world().switches.inject({ ...token, status: 503, code: 'temporarily_unavailable', message: 'AADSTS90033: A transient error has occurred.', times: 10 })
    const result = await run()
    expect(result.exitCode).toBe(1)
    expect(statuses('entra', 'GetToken')).toEqual(Array(TOKEN_EXCHANGE_RETRY.attempts).fill(503))
    expect(errorLine(result)).toContain('AADSTS90033')
    expect(result.log).not.toContain(FEDERATION_HINT)
  }, 30_000)

  it('never retries an unknown tenant, and names the input instead of the federated credential', async () => {
    const result = await run({ 'azure-tenant-id': '00000000-0000-4000-8000-000000000000' })
    expect(result.exitCode).toBe(1)
    expect(statuses('entra', 'GetToken')).toEqual([400])
    expect(errorLine(result)).toContain('AADSTS90002')
    expect(errorLine(result)).toContain('azure-tenant-id')
    expect(result.log).not.toContain(FEDERATION_HINT)
  })

  it('never retries an unknown client, and names the input instead of the federated credential', async () => {
    const result = await run({ 'azure-client-id': '00000000-0000-4000-8000-000000000001' })
    expect(result.exitCode).toBe(1)
    expect(statuses('entra', 'GetToken')).toEqual([400])
    expect(errorLine(result)).toContain('AADSTS700016')
    expect(errorLine(result)).toContain('azure-client-id')
    expect(result.log).not.toContain(FEDERATION_HINT)
  })
})
