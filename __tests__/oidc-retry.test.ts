// GitHub's OIDC token endpoint through @actions/core against the emulator: transient failures (500, 429,
// and the 502-504 that @actions/core retries itself) are retried within a bound; a refusal is not.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startAwsEmulators, type AwsEmulators } from '../emulators/aws/index.js'
import { fetchIdToken, GithubIdTokenError, githubIdTokens, ID_TOKEN_RETRY, idTokenFailureStatus, isTransientIdTokenFailure } from '../src/oidc/id-token.js'

describe('fetchIdToken', () => {
  let aws: AwsEmulators
  const saved = { ...process.env }
  const write = process.stdout.write
  const warnings: string[] = []
  const log = { info: () => undefined, debug: () => undefined, warning: (m: string) => void warnings.push(m), group: <T>(_t: string, body: () => Promise<T>) => body() }

  beforeAll(async () => {
    aws = await startAwsEmulators()
    Object.assign(process.env, aws.env)
    process.stdout.write = () => true // @actions/core masks each token with ::add-mask::
  })
  afterAll(async () => {
    process.stdout.write = write
    process.env = saved
    await aws.close()
  })
  beforeEach(() => {
    aws.log.clear()
    aws.switches.faults.length = 0
    warnings.length = 0
  })

  const tokenCalls = () => aws.log.count('GetIDToken', 'oidc')

  it('retries a 500 and a 429 from the token endpoint and returns a token the emulator signed', async () => {
    aws.switches.inject({ service: 'oidc', operation: 'GetIDToken', status: 500, code: 'InternalError', times: 1 })
    aws.switches.inject({ service: 'oidc', operation: 'GetIDToken', status: 429, code: 'TooManyRequests', times: 1 })
    const token = await fetchIdToken('sts.amazonaws.com', log)
    expect(aws.oidc.verify(token, 'sts.amazonaws.com')).toMatchObject({ aud: 'sts.amazonaws.com' })
    expect(tokenCalls()).toBe(3)
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatch(/attempt 1, HTTP 500/)
  })

  it('gives up after its bound and says the endpoint did not answer', async () => {
    aws.switches.inject({ service: 'oidc', operation: 'GetIDToken', status: 500, code: 'InternalError', times: 100 })
    const error = (await fetchIdToken('sts.amazonaws.com', log).catch((e: unknown) => e)) as Error
    expect(error).toBeInstanceOf(GithubIdTokenError)
    expect(error.message).toMatch(/did not answer \(HTTP 500\).*tried 6 times/)
    expect(tokenCalls()).toBe(ID_TOKEN_RETRY.attempts)
  }, 60_000)

  it('does not retry a refusal, and names the permission to check', async () => {
    aws.switches.inject({ service: 'oidc', operation: 'GetIDToken', status: 403, code: 'Forbidden', times: 100 })
    const error = (await fetchIdToken('sts.amazonaws.com', log).catch((e: unknown) => e)) as Error
    expect(error).toBeInstanceOf(GithubIdTokenError)
    expect(error.message).toMatch(/refused the request \(HTTP 403\).*id-token: write.*GitHub said: Injected Forbidden/)
    expect(tokenCalls()).toBe(1)
  })

  it('sends the prefetched token to the first exchange of its audience, and fresh ones to every later exchange', async () => {
    const tokens = githubIdTokens(log, 'test', 'sts.amazonaws.com')
    // Requested at once, before any exchange asks.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(tokenCalls()).toBe(1)
    const first = await tokens.get('sts.amazonaws.com')
    expect(tokenCalls()).toBe(1)
    expect(aws.oidc.verify(first, 'sts.amazonaws.com')).toMatchObject({ aud: 'sts.amazonaws.com' })
    const second = await tokens.get('sts.amazonaws.com')
    expect(second).not.toBe(first)
    expect(tokenCalls()).toBe(2)
    expect(aws.oidc.verify(await tokens.get('api://AzureADTokenExchange'), 'api://AzureADTokenExchange')).toMatchObject({ aud: 'api://AzureADTokenExchange' })
    expect(tokenCalls()).toBe(3)
  })

  it('reports a failed prefetch at the first exchange, as a fetch of its own would have', async () => {
    aws.switches.inject({ service: 'oidc', operation: 'GetIDToken', status: 403, code: 'Forbidden', times: 1 })
    const tokens = githubIdTokens(log, 'test', 'sts.amazonaws.com')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const error = (await tokens.get('sts.amazonaws.com').catch((e: unknown) => e)) as Error
    expect(error).toBeInstanceOf(GithubIdTokenError)
    // The next exchange (a retry of the cloud call) asks for a fresh token, which the endpoint now gives.
    await expect(tokens.get('sts.amazonaws.com')).resolves.toEqual(expect.any(String))
    expect(tokenCalls()).toBe(2)
  })
})

describe('the ID token failure classification', () => {
  it('reads the status @actions/core puts in its message', () => {
    const coreError = (code: string) => new Error(`Error message: Failed to get ID Token. \n \n        Error Code : ${code}\n \n        Error Message: x`)
    expect(idTokenFailureStatus(coreError('500'))).toBe(500)
    expect(idTokenFailureStatus(coreError('undefined'))).toBeUndefined()
    expect(isTransientIdTokenFailure(coreError('undefined'))).toBe(true)
    expect(isTransientIdTokenFailure(coreError('429'))).toBe(true)
    expect(isTransientIdTokenFailure(coreError('401'))).toBe(false)
    expect(isTransientIdTokenFailure(coreError('404'))).toBe(false)
  })
})
