// The head start: the entry asks GitHub for the first ID token, and on AWS assumes the role with it, before
// the toolkit and the SDKs load. Proven against the world(): the exchange sent ahead is real and valid, a
// run takes it instead of asking again, and nothing is sent ahead where the run would not send it at all.
import { describe, expect, it } from '@jest/globals'
import { azureInputs } from '../emulators/azure/index.js'
import { gcpInputs } from '../emulators/gcp/index.js'
import { awsInputs, type Emulators } from '../emulators/index.js'
import { readInputs } from '../src/config/inputs.js'
import { formatProblems, parseConfig } from '../src/config/parse.js'
import type { Config } from '../src/config/types.js'
import { headStart } from '../src/head-start.js'
import { expectSuccess } from './support/expectations.js'
import { runAction } from './support/run-action.js'
import { sharedEmulators } from './support/shared-emulators.js'

const world = sharedEmulators()

function configOf(inputs: Record<string, string>): Config {
  const parsed = parseConfig(readInputs(inputs))
  if ('problems' in parsed) throw new Error(formatProblems(parsed.problems))
  return parsed.config
}

const stsCalls = () => world().log.calls('sts').filter((c) => c.operation === 'AssumeRoleWithWebIdentity')
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...world().env, GITHUB_EVENT_NAME: 'workflow_dispatch', ...extra })

describe('headStart', () => {
  it('assumes aws-role-arn with the first ID token, without the SDK, and the credentials work', async () => {
    const ahead = headStart(configOf(awsInputs(world(), { mode: 'plan' })), undefined, env())
    expect(ahead?.aws).toBeDefined()
    const session = await ahead!.aws!.result
    expect(session.accessKeyId).toMatch(/^ASIA/)
    expect(session.principal).toMatch(/^arn:aws:sts::\d{12}:assumed-role\//)
    expect(session.expiration!.getTime()).toBeGreaterThan(Date.now())
    // STS saw the very token the head start holds, and accepted it.
    expect(world().aws.sts.presented.at(-1)).toMatchObject({ token: await ahead!.idToken.token, accepted: true })
  })

  it('keeps STS\'s refusal in the shape the session judges: the error code as name, the HTTP status', async () => {
    world().switches.inject({ service: 'sts', operation: 'AssumeRoleWithWebIdentity', status: 403, code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity', times: 1 })
    const ahead = headStart(configOf(awsInputs(world(), { mode: 'plan' })), undefined, env())
    const error = (await ahead!.aws!.result.catch((e: unknown) => e)) as Error & { $metadata: { httpStatusCode: number } }
    expect(error.name).toBe('AccessDenied')
    expect(error.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity')
    expect(error.$metadata.httpStatusCode).toBe(403)
  })

  it('federates on Google Cloud with the first ID token, without google-auth-library: STS, then generateAccessToken', async () => {
    const ahead = headStart(configOf(gcpInputs(world().zillizUrl, { mode: 'plan' })), undefined, env())
    expect(ahead?.gcp).toBeDefined()
    const got = await ahead!.gcp!.result
    expect(got.access_token).toMatch(/^ya29\./)
    expect(got.federated).toBeDefined()
    expect(got.expiry_date).toBeGreaterThan(Date.now())
    expect(world().log.calls().map((c) => `${c.service}:${c.operation}:${c.status}`)).toEqual(['oidc:GetIDToken:200', 'gcp-sts:token:200', 'gcp-iam:generateAccessToken:200'])
  })

  it('keeps Google\'s refusal as the session judges it: google-auth-library\'s wording, the status and the URL', async () => {
    world().switches.inject({ service: 'gcp-sts', operation: 'token', status: 400, code: 'invalid_grant', message: 'The audience in ID Token does not match the expected audience.', times: 1 })
    const ahead = headStart(configOf(gcpInputs(world().zillizUrl, { mode: 'plan' })), undefined, env())
    const error = (await ahead!.gcp!.result.catch((e: unknown) => e)) as Error & { status: number; config: { url: string } }
    expect(error.message).toBe('Error code invalid_grant: The audience in ID Token does not match the expected audience.')
    expect(error.status).toBe(400)
    expect(error.config.url).toMatch(/\/v1\/token$/)
  })

  it('signs in to Entra with the first ID token as the client assertion, without MSAL, and the ARM token is Entra\'s', async () => {
    const ahead = headStart(configOf(azureInputs(world().zillizUrl, { mode: 'plan' })), undefined, env())
    expect(ahead?.azure).toBeDefined()
    const signedIn = await ahead!.azure!.result
    expect(signedIn.expiresOnTimestamp).toBeGreaterThan(Date.now())
    const claims = JSON.parse(Buffer.from(signedIn.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
    expect(claims['aud']).toBe('https://management.azure.com')
    expect(world().log.calls().map((c) => `${c.service}:${c.operation}:${c.status}`)).toEqual(['oidc:GetIDToken:200', 'entra:GetToken:200'])
  })

  it('keeps Entra\'s refusal as the session judges it: its description with the AADSTS code first', async () => {
    world().switches.inject({ service: 'entra', operation: 'GetToken', status: 400, code: 'invalid_request', message: 'AADSTS90002: Tenant not found.', times: 1 })
    const ahead = headStart(configOf(azureInputs(world().zillizUrl, { mode: 'plan' })), undefined, env())
    const error = (await ahead!.azure!.result.catch((e: unknown) => e)) as Error & { status: number }
    expect(error.message).toBe('AADSTS90002: Tenant not found.')
    expect(error.status).toBe(400)
  })

  it.each([
    ['GitHub cannot issue a token', awsInputs, { ACTIONS_ID_TOKEN_REQUEST_URL: '' }],
    ['a proxy variable is not a URL (the run fails on it before any call)', (e: Emulators) => awsInputs(e, { mode: 'plan' }), { HTTPS_PROXY: 'proxy.internal:3128:x' }],
    ['the run uses ambient AWS credentials', (e: Emulators) => awsInputs(e, { mode: 'plan', 'aws-role-arn': '' }), {}],
    ['the Zilliz API key is missing', (e: Emulators) => awsInputs(e, { mode: 'plan', 'zilliz-api-key': '' }), {}],
    ['an apply must first pass the environment gate', (e: Emulators) => awsInputs(e, { mode: 'apply', 'require-protected-environment': 'true', 'github-token': 'ghs_x' }), {}]
  ])('sends nothing when %s', async (_why, inputs, extra: Record<string, string>) => {
    const before = world().aws.oidc.issued
    const parsed = parseConfig(readInputs(inputs(world())), { secretsWithheld: true })
    if ('problems' in parsed) throw new Error(formatProblems(parsed.problems))
    expect(headStart(parsed.config, undefined, env(extra))).toBeUndefined()
    expect(world().aws.oidc.issued).toBe(before)
    expect(world().log.calls()).toEqual([])
  })

  it('sends nothing for a pull request from a fork, which plans offline', () => {
    const config = configOf(awsInputs(world(), { mode: 'plan' }))
    expect(headStart(config, { kind: 'fork', description: 'a pull request from the fork octo/repo' }, env({ ACTIONS_ID_TOKEN_REQUEST_URL: '' }))).toBeUndefined()
    expect(world().log.calls()).toEqual([])
  })
})

describe('a run with the head start', () => {
  it('on Google Cloud asks GitHub once, STS once and IAM once: the federation sent ahead is the one the run uses', async () => {
    const before = world().aws.oidc.issued
    expectSuccess(await runAction({ ...world().env, ...gcpInputs(world().zillizUrl, { mode: 'plan' }) }))
    expect(world().aws.oidc.issued - before).toBe(1)
    expect([...world().log.calls('gcp-sts'), ...world().log.calls('gcp-iam')].map((c) => `${c.operation}:${c.status}`)).toEqual(['token:200', 'generateAccessToken:200'])
  })

  it('on Azure asks GitHub once and Entra once: the sign-in sent ahead is the one the run uses', async () => {
    const before = world().aws.oidc.issued
    expectSuccess(await runAction({ ...world().env, ...azureInputs(world().zillizUrl, { mode: 'plan' }) }))
    expect(world().aws.oidc.issued - before).toBe(1)
    expect(world().log.calls('entra').map((c) => `${c.operation}:${c.status}`)).toEqual(['GetToken:200'])
  })

  it('asks GitHub once and STS once: the exchange sent ahead is the one the run uses', async () => {
    const before = world().aws.oidc.issued
    const result = await runAction({ ...world().env, ...awsInputs(world(), { mode: 'plan' }) })
    expectSuccess(result)
    expect(world().aws.oidc.issued - before).toBe(1)
    expect(stsCalls().map((c) => c.status)).toEqual([200])
    // Taken, it is masked and logged like any token: the runner is told to mask it, then its claims show, never its value.
    const token = world().aws.sts.presented.at(-1)!.token
    const lines = result.log.split('\n')
    expect(lines).toContain(`::add-mask::${token}`)
    expect(result.log).toContain('GitHub OIDC token claims')
    expect(lines.filter((l) => l.includes(token) && l !== `::add-mask::${token}`)).toEqual([])
  })

  it('retries a refused first attempt as any attempt: a transient failure with a fresh token, once', async () => {
    world().switches.inject({ service: 'sts', operation: 'AssumeRoleWithWebIdentity', status: 400, code: 'IDPCommunicationError', message: 'The identity provider could not be reached', times: 1 })
    const result = await runAction({ ...world().env, ...awsInputs(world(), { mode: 'plan' }) })
    expectSuccess(result)
    expect(stsCalls().map((c) => c.status)).toEqual([400, 200])
    const [first, second] = world().aws.sts.presented.slice(-2)
    expect(first!.token).not.toBe(second!.token)
    expect(result.log).toContain('AssumeRoleWithWebIdentity attempt 1 failed (IDPCommunicationError)')
  })
})
