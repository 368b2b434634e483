// GitHub's OIDC token endpoint against the emulator: transient failures (a dropped connection, 429, 5xx, a
// 200 without a token) are retried within a bound; a refusal is not. The request is the toolkit's: the
// audience URL-encoded, the request token as bearer; the token is masked in the log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startAwsEmulators, type AwsEmulators } from '../emulators/aws/index.js'
import { fetchIdToken, GithubIdTokenError, githubIdTokens, ID_TOKEN_RETRY, idTokenFailureStatus, isTransientIdTokenFailure, OidcUnavailableError } from '../src/oidc/id-token.js'
import { prefetchIdToken } from '../src/oidc/id-token-fetch.js'
import { IdTokenRequestError } from '../src/oidc/token-request.js'

describe('fetchIdToken', () => {
  let aws: AwsEmulators
  const saved = { ...process.env }
  const write = process.stdout.write
  const stdout: string[] = []
  const warnings: string[] = []
  const log = { info: () => undefined, debug: () => undefined, warning: (m: string) => void warnings.push(m), group: <T>(_t: string, body: () => Promise<T>) => body() }

  beforeAll(async () => {
    aws = await startAwsEmulators()
    Object.assign(process.env, aws.env)
    // Each token is masked with ::add-mask::, which the tests read instead of printing.
    process.stdout.write = (chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0
  })
  afterAll(async () => {
    process.stdout.write = write
    process.env = saved
    await aws.close()
  })
  beforeEach(() => {
    aws.log.clear()
    aws.switches.faults.length = 0
    aws.oidc.resetClaims()
    warnings.length = 0
    stdout.length = 0
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

  it('masks each token in the log as it gets it', async () => {
    const token = await fetchIdToken('sts.amazonaws.com', log)
    expect(stdout).toContain(`::add-mask::${token}\n`)
  })

  it('URL-encodes the audience, so one with reserved characters arrives whole', async () => {
    const audience = 'https://example.test/a b&audience=other?x=1#y'
    const token = await fetchIdToken(audience, log)
    expect(aws.oidc.verify(token, audience)).toMatchObject({ aud: audience })
  })

  it("asks for GitHub's default audience when none is given", async () => {
    const token = await fetchIdToken(undefined, log)
    expect(aws.oidc.verify(token, 'https://github.com/octo-org')).toMatchObject({ aud: 'https://github.com/octo-org' })
  })

  it('retries a 200 whose JSON has no value, and one that is not JSON', async () => {
    aws.oidc.answerWithoutToken('no-value')
    aws.oidc.answerWithoutToken('not-json')
    const token = await fetchIdToken('sts.amazonaws.com', log)
    expect(aws.oidc.verify(token, 'sts.amazonaws.com')).toMatchObject({ aud: 'sts.amazonaws.com' })
    expect(tokenCalls()).toBe(3)
    expect(warnings[0]).toMatch(/attempt 1, HTTP 200, but the answer is JSON without a `value`\)/)
    expect(warnings[1]).toMatch(/attempt 2, HTTP 200, but the answer is not JSON\)/)
  })

  it('says what came back when no answer ever held a token', async () => {
    aws.oidc.answerWithoutToken('not-json', ID_TOKEN_RETRY.attempts)
    const error = (await fetchIdToken('sts.amazonaws.com', log).catch((e: unknown) => e)) as Error
    expect(error).toBeInstanceOf(GithubIdTokenError)
    expect(error.message).toMatch(/gave no token \(HTTP 200, but the answer is not JSON\).*tried 6 times.*GitHub said: <html><body>Service temporarily unavailable/)
    expect(stdout.join('')).not.toContain('::add-mask::')
  }, 60_000)

  it('retries a dropped connection and names it', async () => {
    const url = new URL(aws.env['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '')
    url.port = '9'
    const env = { ...process.env, ACTIONS_ID_TOKEN_REQUEST_URL: url.href }
    const error = (await fetchIdToken('sts.amazonaws.com', log, env).catch((e: unknown) => e)) as Error
    expect(error.message).toMatch(/did not answer \(no HTTP answer: connect ECONNREFUSED 127\.0\.0\.1:9\)\. It was tried 6 times/)
    expect(warnings).toHaveLength(ID_TOKEN_RETRY.attempts - 1)
  }, 60_000)

  it('keeps the request token out of what it quotes from GitHub', async () => {
    aws.switches.inject({ service: 'oidc', operation: 'GetIDToken', status: 401, code: 'Unauthorized', times: 1, echo: true })
    const error = (await fetchIdToken('sts.amazonaws.com', log).catch((e: unknown) => e)) as Error
    expect(error.message).toMatch(/refused the request \(HTTP 401\).*GitHub said: Injected Unauthorized; you sent: GET \/token/)
    expect(error.message).not.toContain(aws.oidc.requestToken)
    expect(error.message.length).toBeLessThan(1200)
  })

  it('asks nothing and names the permission when the job has no ID token variables', async () => {
    const env = { ...process.env, ACTIONS_ID_TOKEN_REQUEST_URL: '' }
    const error = (await fetchIdToken('sts.amazonaws.com', log, env).catch((e: unknown) => e)) as Error
    expect(error).toBeInstanceOf(OidcUnavailableError)
    expect(error.message).toContain('id-token: write')
    expect(tokenCalls()).toBe(0)
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

  it('holds the retry warnings of a token asked for ahead, tells them when it is taken, and masks it then', async () => {
    aws.switches.inject({ service: 'oidc', operation: 'GetIDToken', status: 503, code: 'ServiceUnavailable', times: 1 })
    const ahead = prefetchIdToken('sts.amazonaws.com')
    const raw = await ahead.token
    // Nothing said and nothing masked until a run takes it: the entry has no log to say it in yet.
    expect(warnings).toEqual([])
    expect(stdout.join('')).not.toContain(raw)
    const taken = await githubIdTokens(log, 'test', ahead).get('sts.amazonaws.com')
    expect(taken).toBe(raw)
    expect(tokenCalls()).toBe(2)
    expect(warnings).toEqual([expect.stringMatching(/^Getting a GitHub ID token failed \(attempt 1, HTTP 503\); retrying in \d+ ms$/)])
    expect(stdout.join('')).toContain(`::add-mask::${raw}\n`)
  })
})

describe('the ID token failure classification', () => {
  it('reads the status of a failed answer; no answer at all is transient', () => {
    const failed = (status: number) => new IdTokenRequestError('status', `HTTP ${status}`, { status })
    const unanswered = new IdTokenRequestError('no-answer', 'no HTTP answer: socket hang up')
    expect(idTokenFailureStatus(failed(500))).toBe(500)
    expect(idTokenFailureStatus(unanswered)).toBeUndefined()
    expect(isTransientIdTokenFailure(unanswered)).toBe(true)
    expect(isTransientIdTokenFailure(failed(429))).toBe(true)
    expect(isTransientIdTokenFailure(failed(401))).toBe(false)
    expect(isTransientIdTokenFailure(failed(404))).toBe(false)
  })
})
