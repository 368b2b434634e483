// No secret reaches any output, log line or summary; every bad input fails by name with zero calls.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { errorLine, expectNamedInputError, expectSecretsHidden } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeAll(async () => {
  emulators = await startEmulators()
})
afterAll(async () => {
  await emulators.close()
})

const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...awsInputs(emulators, overrides) })

describe('secrets', () => {
  it('never shows the API key, an ID token or session credentials, in plan, apply and a failure', async () => {
    const results = [await run({ mode: 'plan' }), await run({ mode: 'apply' }), await run({ mode: 'apply', 'aws-subnet-ids': 'subnet-0e55555555555555e' })]
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 1])
    const secrets = [
      ZILLIZ_SEED.apiKey,
      ...emulators.aws.sts.presented.map((p) => p.token),
      ...[...emulators.world.credentials.values()].flatMap((c) => [c.secretAccessKey, c.sessionToken ?? ''].filter(Boolean))
    ]
    expect(emulators.aws.sts.presented.length).toBeGreaterThan(0)
    expect(secrets.length).toBeGreaterThan(3)
    expectSecretsHidden(results, secrets, ZILLIZ_SEED.apiKey)
  })
})

// Each row: the input, a bad value, and a fragment the error must contain. One problem per row.
const BAD_INPUTS: [string, string, string][] = [
  ['zilliz-api-key', '', 'zilliz-api-key'],
  ['zilliz-project-id', '', 'zilliz-project-id'],
  ['zilliz-project-id', 'project-1', 'zilliz-project-id'],
  ['zilliz-region-id', 'us-west-2', 'zilliz-region-id'],
  ['zilliz-region-id', 'ali-cn-hangzhou', 'zilliz-region-id'],
  // A 10 KB region id would otherwise reach STS as a region the SDK refuses.
  ['zilliz-region-id', `aws-us-${'west'.repeat(2500)}-2`, 'at most 40'],
  ['zilliz-region-id', `aws-us-${'w'.repeat(20)}-2`, 'not an AWS region'],
  // Not a valid HTTP header value: bad input at once, never a retried "no answer" from the API.
  ['zilliz-api-key', `${ZILLIZ_SEED.apiKey.slice(0, 10)}\u00e9${ZILLIZ_SEED.apiKey.slice(10)}`, 'U+00E9'],
  ['zilliz-api-key', `${ZILLIZ_SEED.apiKey}\u201d`, 'cannot be sent in an HTTP header'],
  ['provider', 'gcp', 'provider'],
  ['provider', 'oracle', 'provider'],
  ['cluster-ids', 'cluster-1', 'cluster-ids'],
  ['mode', 'destroy-everything', 'mode'],
  ['aws-vpc-id', '', 'aws-vpc-id'],
  ['aws-vpc-id', 'vpc-xyz', 'aws-vpc-id'],
  ['aws-subnet-ids', '', 'aws-subnet-ids'],
  ['aws-subnet-ids', 'subnet-0a11111111111111a,subnet-0a11111111111111a', 'aws-subnet-ids'],
  ['aws-subnet-ids', 'subnet-zzz', 'aws-subnet-ids'],
  ['aws-security-group-ids', 'group-1', 'aws-security-group-ids'],
  ['allowed-cidrs', '10.0.0.1/16', 'allowed-cidrs'],
  ['allowed-cidrs', '300.0.0.0/8', 'allowed-cidrs'],
  ['ports', '0', 'ports'],
  ['ports', 'https', 'ports'],
  ['wait-timeout', 'forever', 'wait-timeout'],
  ['wait-timeout', '3h', 'wait-timeout'],
  ['tags', '{not json', 'tags'],
  ['tags', '["a"]', 'tags'],
  ['tags', '{"aws:owner":"me"}', 'tags'],
  ['name-prefix', 'Zilliz_PL', 'name-prefix'],
  ['aws-role-arn', 'arn:aws:iam::123:user/me', 'aws-role-arn'],
  ['aws-region', 'eu-west-1', 'aws-region'],
  ['aws-role-duration-seconds', '60', 'aws-role-duration-seconds'],
  ['aws-role-session-name', 'has spaces in it', 'aws-role-session-name'],
  ['zilliz-api-url', 'http://api.example.com', 'zilliz-api-url'],
  ['verify', 'sometimes', 'verify'],
  ['fail-on-changes', 'yes', 'fail-on-changes'],
  ['gcp-project-id', 'my-project', 'gcp-project-id'],
  ['dns', 'private', 'dns'],
  ['dns-zone-ids', 'Z0123456789ABCDEFGHIJ', 'dns-zone-ids: Is used only with dns: existing-zone']
]

describe('bad inputs', () => {
  it.each(BAD_INPUTS)('%s = %j fails by name before any call', async (input, value, fragment) => {
    emulators.log.clear()
    const result = await run({ [input]: value })
    expectNamedInputError(result, input, fragment, emulators.log.calls())
  })

  it.each([
    [{ dns: 'existing-zone' }, 'dns-zone-ids: Required when dns is existing-zone'],
    [{ dns: 'existing-zone', 'dns-zone-ids': 'aws-us-west-2.vectordb.zillizcloud.com' }, 'not the zone name']
  ])('dns %j fails by name before any call', async (inputs, fragment) => {
    emulators.log.clear()
    const result = await run(inputs)
    expectNamedInputError(result, 'dns-zone-ids', fragment, emulators.log.calls())
  })

  it('reports every problem together', async () => {
    emulators.log.clear()
    const result = await run({ 'aws-vpc-id': 'vpc-xyz', ports: 'https', tags: '[]', mode: 'x' })
    const error = errorLine(result)
    for (const input of ['aws-vpc-id', 'ports', 'tags', 'mode']) expect(error).toContain(input)
    expect(emulators.log.calls()).toEqual([])
  })
})
