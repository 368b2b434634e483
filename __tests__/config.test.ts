import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { INPUTS, INPUT_NAMES, inputSpec, readInputs, type InputName } from '../src/config/inputs.js'
import { formatProblems, parseConfig } from '../src/config/parse.js'
import { azureEndpointName } from '../src/engine/ownership.js'
import { OUTPUT_NAMES } from '../src/report/outputs.js'
import {
  checkCidr,
  checkTags,
  DNS_ZONE_ID_EXAMPLES,
  MAX_USER_TAGS,
  parseApiUrl,
  parseBoolean,
  parseDnsServer,
  parseDuration,
  splitList
} from '../src/config/rules.js'
import type { Config, InputProblem } from '../src/config/types.js'

type Values = Partial<Record<InputName, string>>

const API_KEY = 'zk9f8e7d6c5b4a39281706f5e4d3c2b1a0fedcba9876543210'
const PROJECT = 'proj-4487580fcfe2c8a4391686'
const VPC = 'vpc-0a1b2c3d4e5f60718'
const SUBNET_A = 'subnet-0a1b2c3d4e5f60718'
const SUBNET_B = 'subnet-0f1e2d3c4b5a69788'
const CLUSTER = 'in01-108240180a4faf8'
const SUBSCRIPTION = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f'

const ZILLIZ_BASE: Values = { 'zilliz-api-key': API_KEY, 'zilliz-project-id': PROJECT }
const AWS_BASE: Values = { ...ZILLIZ_BASE, 'zilliz-region-id': 'aws-us-west-2', 'aws-vpc-id': VPC, 'aws-subnet-ids': `${SUBNET_A},${SUBNET_B}` }
const GCP_BASE: Values = {
  ...ZILLIZ_BASE,
  'zilliz-region-id': 'gcp-us-west1',
  'gcp-project-id': 'my-project',
  'gcp-network': 'app-vpc',
  'gcp-subnetwork': 'app-subnet-us-west1'
}
const AZURE_BASE: Values = {
  ...ZILLIZ_BASE,
  'zilliz-region-id': 'az-eastus',
  'azure-subscription-id': SUBSCRIPTION,
  'azure-resource-group': 'rg-search-prod',
  'azure-virtual-network': 'vnet-search',
  'azure-subnet': 'snet-endpoints'
}

function reader(values: Values): (name: string) => string {
  return (name) => values[name as InputName] ?? ''
}

function parse(values: Values): { config: Config } | { problems: InputProblem[] } {
  return parseConfig(reader(values))
}

function configOf(values: Values): Config {
  const result = parse(values)
  if ('problems' in result) throw new Error(formatProblems(result.problems))
  return result.config
}

function problemsOf(values: Values): InputProblem[] {
  const result = parse(values)
  if ('config' in result) throw new Error('expected problems, got a config')
  return result.problems
}

/** Examples that are values (not advice such as "leave x unset") should fix the problem when used. */
function exampleIsAValue(problem: InputProblem): boolean {
  return !problem.example.startsWith('leave ') && !problem.example.includes(': ') && !inputSpec(problem.input as InputName).secret
}

interface BadCase {
  name: string
  values: Values
  input: InputName
  says: RegExp
}

function bad(name: string, input: InputName, value: string, says: RegExp, extra: Values = {}): BadCase {
  return { name, values: { [input]: value, ...extra }, input, says }
}

/** Parses base+case, then checks the problem names the input, explains itself and shows a right value. */
function expectHelpfulProblem(base: Values, { values, input, says }: BadCase): void {
  const problems = problemsOf({ ...base, ...values })
  expect(new Set(problems.map((p) => p.input))).toEqual(new Set([input]))
  const problem = problems.find((p) => says.test(p.message))
  expect(problem).toBeDefined()
  if (!problem) return
  expect(problem.message.length).toBeGreaterThan(20)
  expect(problem.example.trim()).not.toBe('')
  expect(problem.example).not.toBe(values[input])
  if (exampleIsAValue(problem)) {
    const fixed = parse({ ...base, ...values, [input]: problem.example })
    const left = 'problems' in fixed ? fixed.problems.filter((p) => p.input === input) : []
    expect(left).toEqual([])
  }
}

describe('parseConfig: AWS', () => {
  it('parses a complete AWS configuration into the exact Config', () => {
    const config = configOf({
      ...AWS_BASE,
      'zilliz-api-url': 'https://api.cloud.zilliz.com/',
      'cluster-ids': `${CLUSTER}\nin01-61e949d971f841b`,
      provider: 'aws',
      mode: 'apply',
      ports: '19531, 8443',
      'allowed-cidrs': '10.0.0.0/16,\n172.16.0.0/12',
      'wait-timeout': '1h30m',
      tags: '{"team":"search","env":"prod"}',
      'name-prefix': 'search-pl',
      verify: 'full',
      'dns-server': '10.0.0.2:53',
      'fail-on-changes': 'True',
      'fail-on-unverified': 'FALSE',
      'comment-on-pr': 'true',
      'github-token': 'ghs_token_value',
      'aws-region': 'us-west-2',
      'aws-role-arn': 'arn:aws:iam::123456789012:role/path/zilliz-private-link',
      'aws-role-session-name': 'gha-run-42',
      'aws-role-duration-seconds': '900',
      'aws-security-group-ids': 'sg-0a1b2c3d'
    })
    expect(config).toEqual({
      provider: 'aws',
      mode: 'apply',
      zilliz: {
        apiKey: API_KEY,
        projectId: PROJECT,
        regionId: 'aws-us-west-2',
        apiUrl: 'https://api.cloud.zilliz.com',
        clusterIds: [CLUSTER, 'in01-61e949d971f841b']
      },
      ports: [19531, 8443],
      allowedCidrs: ['10.0.0.0/16', '172.16.0.0/12'],
      waitTimeoutSeconds: 5400,
      namePrefix: 'search-pl',
      tags: { team: 'search', env: 'prod' },
      verify: 'full',
      dnsServer: '10.0.0.2:53',
      failOnChanges: true,
      prune: false,
      dns: { mode: 'managed', zoneIds: [] },
      failOnUnverified: false,
      networkAnalysis: 'auto',
      client: { securityGroupIds: [] },
      prComment: { githubToken: 'ghs_token_value' },
      aws: {
        region: 'us-west-2',
        roleArn: 'arn:aws:iam::123456789012:role/path/zilliz-private-link',
        roleSessionName: 'gha-run-42',
        roleDurationSeconds: 900,
        vpcId: VPC,
        subnetIds: [SUBNET_A, SUBNET_B],
        securityGroupIds: ['sg-0a1b2c3d'],
        dnsVpcIds: []
      }
    } satisfies Config)
  })

  it('fills every default when only the required inputs are given', () => {
    const config = configOf(AWS_BASE)
    expect(config).toEqual({
      provider: 'aws',
      mode: 'auto',
      zilliz: { apiKey: API_KEY, projectId: PROJECT, regionId: 'aws-us-west-2', apiUrl: 'https://api.cloud.zilliz.com', clusterIds: [] },
      ports: [],
      allowedCidrs: [],
      waitTimeoutSeconds: 900,
      namePrefix: 'zilliz-pl',
      tags: {},
      verify: 'auto',
      failOnChanges: false,
      prune: false,
      dns: { mode: 'managed', zoneIds: [] },
      failOnUnverified: true,
      networkAnalysis: 'auto',
      client: { securityGroupIds: [] },
      aws: {
        region: 'us-west-2',
        roleSessionName: 'zilliz-private-link',
        roleDurationSeconds: 3600,
        vpcId: VPC,
        subnetIds: [SUBNET_A, SUBNET_B],
        securityGroupIds: [],
        dnsVpcIds: []
      }
    } satisfies Config)
    expect(config.aws).not.toHaveProperty('roleArn')
    expect(config).not.toHaveProperty('prComment')
    expect(config).not.toHaveProperty('dnsServer')
    expect(config).not.toHaveProperty('gcp')
    expect(config).not.toHaveProperty('azure')
  })

  it('reads inputs from the environment the way @actions/core does', () => {
    const env = {
      'INPUT_ZILLIZ-API-KEY': `  ${API_KEY}\n`,
      'INPUT_ZILLIZ-PROJECT-ID': PROJECT,
      'INPUT_ZILLIZ-REGION-ID': 'aws-us-west-2',
      'INPUT_AWS-VPC-ID': VPC,
      'INPUT_AWS-SUBNET-IDS': `${SUBNET_A}\n${SUBNET_B}\n`,
      'INPUT_WAIT-TIMEOUT': ' 20m ',
      'INPUT_NAME-PREFIX': ''
    }
    const read = readInputs(env)
    expect(read('zilliz-api-key')).toBe(API_KEY)
    expect(read('not given')).toBe('')
    const config = configOf(Object.fromEntries(INPUT_NAMES.map((name) => [name, read(name)])))
    expect(config.waitTimeoutSeconds).toBe(1200)
    expect(config.namePrefix).toBe('zilliz-pl')
    expect(config.aws?.subnetIds).toEqual([SUBNET_A, SUBNET_B])
  })

  it('maps names with spaces to underscores in the environment variable', () => {
    expect(readInputs({ INPUT_SOME_NAME: 'x' })('some name')).toBe('x')
  })

  it('derives the API URL from the region and strips a trailing slash from a given one', () => {
    expect(configOf(AWS_BASE).zilliz.apiUrl).toBe('https://api.cloud.zilliz.com')
    expect(configOf({ ...AWS_BASE, 'zilliz-api-url': 'http://127.0.0.1:8080/' }).zilliz.apiUrl).toBe('http://127.0.0.1:8080')
    expect(configOf({ ...AWS_BASE, 'zilliz-api-url': 'http://[::1]:9/zilliz/' }).zilliz.apiUrl).toBe('http://[::1]:9/zilliz')
  })

  it('reads the DNS VPCs and the DNS role', () => {
    const config = configOf({ ...AWS_BASE, 'aws-dns-vpc-ids': 'vpc-0b1c2d3e,\nvpc-0c2d3e4f', 'aws-dns-role-arn': 'arn:aws:iam::210987654321:role/dns' })
    expect(config.aws).toMatchObject({ dnsVpcIds: ['vpc-0b1c2d3e', 'vpc-0c2d3e4f'], dnsRoleArn: 'arn:aws:iam::210987654321:role/dns' })
  })

  it('accepts provider and aws-region when they agree with the region id', () => {
    expect(configOf({ ...AWS_BASE, provider: 'aws', 'aws-region': 'us-west-2' }).aws?.region).toBe('us-west-2')
  })
})

describe('lists, durations and other value parsers', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c'], []],
    [' a ,\n b \n\n,c, ', ['a', 'b', 'c'], []],
    ['a\r\nb', ['a', 'b'], []],
    ['a, b, a, a', ['a', 'b', 'a', 'a'], ['a']],
    ['', [], []],
    [',,\n', [], []]
  ])('splitList(%j)', (text, items, duplicates) => {
    expect(splitList(text)).toEqual({ items, duplicates })
  })

  it.each([
    ['900', 900],
    ['900s', 900],
    ['15m', 900],
    ['1h', 3600],
    ['1h30m', 5400],
    ['2h', 7200],
    ['1m30s', 90],
    ['1h0m5s', 3605]
  ])('parseDuration(%j) = %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toEqual({ value: seconds })
  })

  it.each(['15 m', '1.5h', '15min', 'm15', '30m1h', '-5m', '', 'PT15M'])('parseDuration rejects %j', (text) => {
    expect(parseDuration(text)).toEqual({ error: expect.stringContaining('15m') })
  })

  it.each([
    ['10.0.0.1/16', 'did you mean 10.0.0.0/16'],
    ['192.168.1.77/24', 'did you mean 192.168.1.0/24'],
    ['172.16.5.4/12', 'did you mean 172.16.0.0/12'],
    ['10.1.2.3/0', 'did you mean 0.0.0.0/0'],
    ['10.0.0.9', 'did you mean 10.0.0.9/32']
  ])('checkCidr(%j) says which network was meant', (cidr, meant) => {
    expect(checkCidr(cidr)).toContain(meant)
  })

  it.each(['10.0.0.0/16', '0.0.0.0/0', '10.0.0.1/32', '255.255.255.255/32', '100.64.0.0/10'])('checkCidr accepts %j', (cidr) => {
    expect(checkCidr(cidr)).toBeUndefined()
  })

  it.each([
    ['10.0.0.2', { host: '10.0.0.2', port: 53 }],
    ['10.0.0.2:5353', { host: '10.0.0.2', port: 5353 }],
    ['fd00::2', { host: 'fd00::2', port: 53 }],
    ['[fd00::2]:53', { host: 'fd00::2', port: 53 }]
  ])('parseDnsServer(%j)', (text, value) => {
    expect(parseDnsServer(text)).toEqual({ value })
  })

  it.each(['dns.google', '10.0.0.2:0', '[10.0.0.2]:53', '10.0.0:53', 'fd00::2:53:x'])('parseDnsServer rejects %j', (text) => {
    expect(parseDnsServer(text)).toHaveProperty('error')
  })

  it('never quotes a URL that carries credentials', () => {
    const parsed = parseApiUrl('https://user:hunter2@api.cloud.zilliz.com')
    expect(parsed).toHaveProperty('error')
    expect(JSON.stringify(parsed)).not.toContain('hunter2')
  })

  it('allows at most 45 user tags, leaving room for the 5 ownership tags', () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))
    expect(MAX_USER_TAGS).toBe(45)
    expect(checkTags(tags(45))).toEqual([])
    expect(checkTags(tags(46))).toEqual([expect.stringContaining('at most 45')])
  })
})

describe('YAML 1.2 booleans', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false]
  ])('%j is %s', (text, value) => {
    expect(parseBoolean(text)).toEqual({ value })
  })

  it.each([
    ['yes', /YAML 1\.1/],
    ['No', /YAML 1\.1/],
    ['on', /YAML 1\.1/],
    ['OFF', /YAML 1\.1/],
    ['y', /YAML 1\.1/],
    ['1', /Numbers are not booleans/],
    ['0', /Numbers are not booleans/],
    ['tRUE', /true or false/],
    ['truee', /true or false/],
    ['"true"', /true or false/]
  ])('%j is rejected with an explanation', (text, says) => {
    const parsed = parseBoolean(text)
    expect(parsed).toHaveProperty('error')
    expect('error' in parsed && parsed.error).toMatch(says)
  })

  it('applies the declared default when a boolean input is empty', () => {
    const config = configOf({ ...AWS_BASE, 'fail-on-changes': '', 'fail-on-unverified': '  ' })
    expect(config.failOnChanges).toBe(false)
    expect(config.failOnUnverified).toBe(true)
  })

  it('reads True and FALSE through parseConfig', () => {
    const config = configOf({ ...AWS_BASE, 'fail-on-changes': 'True', 'fail-on-unverified': 'FALSE' })
    expect([config.failOnChanges, config.failOnUnverified]).toEqual([true, false])
  })
})

const tagsOf = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag${i}`, 'v'])))
const WITH_ROLE: Values = { 'aws-role-arn': 'arn:aws:iam::123456789012:role/zilliz' }

const COMMON_AND_AWS_BAD_CASES: BadCase[] = [
  bad('missing API key', 'zilliz-api-key', '', /Is empty.*ZILLIZ_API_KEY/),
  bad('API key with a Bearer prefix', 'zilliz-api-key', `Bearer ${API_KEY}`, /Bearer/),
  bad('API key broken over two lines', 'zilliz-api-key', `${API_KEY.slice(0, 20)}\n${API_KEY.slice(20)}`, /line break/),
  bad('cluster credential instead of an API key', 'zilliz-api-key', 'db_admin:Secr3tPassw0rd', /user:password/),
  bad('API key with a typographic quote pasted along', 'zilliz-api-key', `${API_KEY}\u2019`, /Character \d+ \(U\+2019\) cannot be sent in an HTTP header/),
  bad('API key with a control character', 'zilliz-api-key', `${API_KEY}\u0000`, /U\+0000/),
  bad('GitHub token with a non-ASCII character', 'github-token', 'ghp_abc\u00e9def', /U\+00E9/),
  bad('over-long region id', 'zilliz-region-id', `aws-us-${'west'.repeat(2500)}-2`, /10009 characters long; a Zilliz region id has at most 40/),
  bad('region id with an over-long AWS region', 'zilliz-region-id', `aws-us-${'w'.repeat(20)}-2`, /not an AWS region/),
  bad('missing project id', 'zilliz-project-id', '', /Required/),
  bad('project name instead of id', 'zilliz-project-id', 'my-search-project', /project name/),
  bad('cluster id instead of project id', 'zilliz-project-id', CLUSTER, /cluster id/),
  bad('upper-case project id', 'zilliz-project-id', PROJECT.toUpperCase().replace('PROJ', 'proj'), /lowercase/),
  bad('region id without cloud prefix', 'zilliz-region-id', 'us-west-2', /aws-us-west-2/),
  bad('azure- instead of az-', 'zilliz-region-id', 'azure-eastus', /az-eastus/),
  bad('Alibaba region', 'zilliz-region-id', 'ali-cn-hangzhou', /Alibaba\/Tencent clusters yet/),
  bad('Tencent region', 'zilliz-region-id', 'tc-ap-beijing', /Tencent Cloud region/),
  bad('AWS region id with a malformed region', 'zilliz-region-id', 'aws-uswest2', /not an AWS region/),
  bad('plain http API URL', 'zilliz-api-url', 'http://api.cloud.zilliz.com', /https/),
  bad('API URL with /v2', 'zilliz-api-url', 'https://api.cloud.zilliz.com/v2', /adds \/v2/),
  bad('API URL that is no URL', 'zilliz-api-url', 'api.cloud.zilliz.com', /not a URL/),
  bad('repeated cluster id', 'cluster-ids', `${CLUSTER}, ${CLUSTER}`, /more than once/),
  bad('cluster address instead of id', 'cluster-ids', `https://${CLUSTER}.aws-us-west-2.vectordb.zillizcloud.com:19530`, /cluster id only/),
  bad('cluster ids separated by a space', 'cluster-ids', `${CLUSTER} in01-61e949d971f841b`, /commas or newlines/),
  bad('provider that disagrees with the region id', 'provider', 'gcp', /aws region/),
  bad('unknown provider', 'provider', 'amazon', /aws, gcp, azure/),
  bad('upper-case provider', 'provider', 'AWS', /Did you mean aws/),
  bad('unknown mode', 'mode', 'deploy', /auto, plan, apply/),
  bad('capitalised mode', 'mode', 'Apply', /Did you mean apply/),
  bad('port 0', 'ports', '0', /1 to 65535/),
  bad('port above 65535', 'ports', '70000', /1 to 65535/),
  bad('port range', 'ports', '8000-8010', /ranges are not supported/),
  bad('repeated port', 'ports', '443, 443', /more than once/),
  bad('CIDR with host bits', 'allowed-cidrs', '10.0.0.1/16', /did you mean 10\.0\.0\.0\/16/),
  bad('bare address', 'allowed-cidrs', '10.0.0.5', /10\.0\.0\.5\/32/),
  bad('prefix length 33', 'allowed-cidrs', '10.0.0.0/33', /0 to 32/),
  bad('octet above 255', 'allowed-cidrs', '300.0.0.0/8', /0 to 255/),
  bad('IPv6 range', 'allowed-cidrs', 'fd00::/8', /IPv6/),
  bad('wait longer than 2h', 'wait-timeout', '3h', /maximum of 2h/),
  bad('wait in words', 'wait-timeout', '15 minutes', /15m/),
  bad('zero wait', 'wait-timeout', '0', /minimum of 1s/),
  bad('tags as key=value', 'tags', 'team=search', /not valid JSON/),
  bad('tags as an array', 'tags', '["team"]', /array/),
  bad('tag with a number value', 'tags', '{"cost":42}', /must be strings/),
  bad('tag named aws:*', 'tags', '{"aws:created":"x"}', /reserves/),
  bad('tag overriding an ownership tag', 'tags', '{"zilliz-private-link:managed-by":"me"}', /ownership tags/),
  bad('46 tags', 'tags', tagsOf(46), /at most 45/),
  bad('tag name of 129 characters', 'tags', JSON.stringify({ ['k'.repeat(129)]: 'v' }), /limit is 128/),
  bad('tag value of 257 characters', 'tags', JSON.stringify({ k: 'v'.repeat(257) }), /limit is 256/),
  bad('capitalised name prefix', 'name-prefix', 'Zilliz', /lowercase/),
  bad('name prefix starting with a digit', 'name-prefix', '1pl', /lowercase letter/),
  bad('name prefix ending with a hyphen', 'name-prefix', 'zilliz-pl-', /not ending with a hyphen/),
  bad('name prefix starting with sg-', 'name-prefix', 'sg-links', /security group/),
  bad('name prefix of 31 characters', 'name-prefix', 'a'.repeat(31), /at most 30/),
  bad('unknown verify level', 'verify', 'data-plane', /control-plane/),
  bad('DNS server given by name', 'dns-server', 'dns.google', /IP address/),
  bad('DNS server port too high', 'dns-server', '10.0.0.2:99999', /invalid port/),
  bad('DNS server while verify is none', 'dns-server', '10.0.0.2', /verify is none/, { verify: 'none' }),
  bad('YAML 1.1 yes', 'fail-on-changes', 'yes', /YAML 1\.1/),
  bad('number as boolean', 'fail-on-unverified', '1', /not booleans/),
  bad('PR comment without a token', 'github-token', '', /comment-on-pr is true/, { 'comment-on-pr': 'true' }),
  bad('aws-region other than the cluster region', 'aws-region', 'us-east-1', /us-west-2/),
  bad('upper-case aws-region', 'aws-region', 'US-WEST-2', /lowercase/),
  bad('role name instead of ARN', 'aws-role-arn', 'zilliz-private-link', /full ARN/),
  bad('assumed-role ARN', 'aws-role-arn', 'arn:aws:sts::123456789012:assumed-role/zilliz/gha', /session ARN/),
  bad('short account id in ARN', 'aws-role-arn', 'arn:aws:iam::12345:role/zilliz', /12 digits/),
  bad('session name with a space', 'aws-role-session-name', 'my session', /2 to 64/, WITH_ROLE),
  bad('session name without a role', 'aws-role-session-name', 'gha', /no effect without aws-role-arn/),
  bad('role duration below 900', 'aws-role-duration-seconds', '600', /900 to 43200/, WITH_ROLE),
  bad('role duration as 1h', 'aws-role-duration-seconds', '1h', /Give seconds/, WITH_ROLE),
  bad('missing VPC id', 'aws-vpc-id', '', /Required when provider is aws/),
  bad('subnet id as VPC id', 'aws-vpc-id', SUBNET_A, /looks like a subnet id/),
  bad('short VPC id', 'aws-vpc-id', 'vpc-123', /8 or 17/),
  bad('missing subnets', 'aws-subnet-ids', '', /Required when provider is aws/),
  bad('subnets separated by a space', 'aws-subnet-ids', `${SUBNET_A} ${SUBNET_B}`, /commas or newlines/),
  bad('upper-case security group id', 'aws-security-group-ids', 'sg-0A1B2C3D', /lowercase/),
  bad('unknown dns mode', 'dns', 'private', /managed, existing-zone, none/),
  bad('capitalised dns mode', 'dns', 'None', /Did you mean none/),
  bad('existing-zone without zones', 'dns-zone-ids', '', /Required when dns is existing-zone/, { dns: 'existing-zone' }),
  bad('zone ids with dns managed', 'dns-zone-ids', 'Z0123456789ABCDEFGHIJ', /only with dns: existing-zone, but dns is managed/),
  bad('zone ids with dns none', 'dns-zone-ids', 'Z0123456789ABCDEFGHIJ', /but dns is none/, { dns: 'none' }),
  bad('zone name instead of hosted zone id', 'dns-zone-ids', 'aws-us-west-2.vectordb.zillizcloud.com', /not the zone name/, { dns: 'existing-zone' }),
  bad('lower-case hosted zone id', 'dns-zone-ids', 'z0123456789abcdefghij', /Use uppercase/, { dns: 'existing-zone' }),
  bad('hosted zone id repeated after normalising', 'dns-zone-ids', 'Z0123456789ABCDEFGHIJ, /hostedzone/Z0123456789ABCDEFGHIJ', /more than once/, { dns: 'existing-zone' }),
  bad('endpoint VPC listed among the DNS VPCs', 'aws-dns-vpc-ids', `vpc-0b1c2d3e, ${VPC}`, /the endpoint's VPC \(aws-vpc-id\)/),
  bad('subnet among the DNS VPCs', 'aws-dns-vpc-ids', SUBNET_A, /looks like a subnet id/),
  bad('eleven DNS VPCs', 'aws-dns-vpc-ids', Array.from({ length: 11 }, (_, i) => `vpc-0b1c2d${String(i).padStart(2, '0')}`).join(','), /at most 10/),
  bad('DNS role that is the endpoint role', 'aws-dns-role-arn', 'arn:aws:iam::123456789012:role/zilliz', /Is aws-role-arn itself/, { 'aws-role-arn': 'arn:aws:iam::123456789012:role/zilliz' }),
  bad('DNS VPCs with dns none', 'aws-dns-vpc-ids', 'vpc-0b1c2d3e', /but dns is none/, { dns: 'none' }),
  bad('DNS role given as a session ARN', 'aws-dns-role-arn', 'arn:aws:sts::210987654321:assumed-role/dns/gha', /session ARN/),
  bad('GCP input with provider aws', 'gcp-network', 'app-vpc', /provider gcp only/),
  bad('Azure input with provider aws', 'azure-subscription-id', SUBSCRIPTION, /provider azure only/)
]

describe('bad inputs: common and AWS', () => {
  it('covers at least 30 distinct cases', () => {
    expect(new Set(COMMON_AND_AWS_BAD_CASES.map((c) => c.name)).size).toBe(COMMON_AND_AWS_BAD_CASES.length)
    expect(COMMON_AND_AWS_BAD_CASES.length).toBeGreaterThanOrEqual(30)
  })

  it.each(COMMON_AND_AWS_BAD_CASES)('$name → $input', (badCase) => {
    expectHelpfulProblem(AWS_BASE, badCase)
  })

  it('quotes the offending value', () => {
    const [problem] = problemsOf({ ...AWS_BASE, 'aws-vpc-id': 'vpc-xyz' })
    expect(problem.message).toContain('"vpc-xyz"')
  })
})

describe('dns and dns-zone-ids', () => {
  const HUB_ZONE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-dns-hub/providers/Microsoft.Network/privateDnsZones/az-eastus.vectordb.zillizcloud.com`

  it('defaults to managed without zones, and takes none', () => {
    expect(configOf(AWS_BASE).dns).toEqual({ mode: 'managed', zoneIds: [] })
    expect(configOf({ ...AWS_BASE, dns: 'none' }).dns).toEqual({ mode: 'none', zoneIds: [] })
  })

  it('reads the zones of existing-zone in each cloud\'s id format, normalised', () => {
    expect(configOf({ ...AWS_BASE, dns: 'existing-zone', 'dns-zone-ids': '/hostedzone/Z0123456789ABCDEFGHIJ\nZ09876543ABC' }).dns).toEqual({
      mode: 'existing-zone',
      zoneIds: ['Z0123456789ABCDEFGHIJ', 'Z09876543ABC']
    })
    expect(
      configOf({ ...GCP_BASE, dns: 'existing-zone', 'dns-zone-ids': 'https://dns.googleapis.com/dns/v1/projects/network-hub/managedZones/hub, local-zone' }).dns
    ).toEqual({ mode: 'existing-zone', zoneIds: ['projects/network-hub/managedZones/hub', 'local-zone'] })
    expect(configOf({ ...AZURE_BASE, dns: 'existing-zone', 'dns-zone-ids': HUB_ZONE }).dns).toEqual({ mode: 'existing-zone', zoneIds: [HUB_ZONE] })
  })

  it('shows the example of the provider\'s cloud with a zone id problem', () => {
    const [problem] = problemsOf({ ...AZURE_BASE, dns: 'existing-zone', 'dns-zone-ids': 'Z0123456789ABCDEFGHIJ' })
    expect(problem.input).toBe('dns-zone-ids')
    expect(problem.example).toMatch(/^\/subscriptions\/.+\/privateDnsZones\//)
    expect(configOf({ ...AZURE_BASE, dns: 'existing-zone', 'dns-zone-ids': problem.example }).dns.zoneIds).toEqual([problem.example])
  })
})

describe('reporting problems', () => {
  const broken: Values = {
    'zilliz-api-key': API_KEY,
    'zilliz-project-id': 'my-project',
    'zilliz-region-id': 'aws-us-west-2',
    mode: 'yolo',
    'wait-timeout': '5h',
    'allowed-cidrs': '10.0.0.1/16, 10.0.0.0/33',
    'fail-on-changes': 'on',
    'aws-vpc-id': '',
    'aws-subnet-ids': SUBNET_A,
    'gcp-network': 'app-vpc'
  }

  it('reports every problem together, in the order of action.yml', () => {
    expect(problemsOf(broken).map((p) => p.input)).toEqual([
      'zilliz-project-id',
      'mode',
      'allowed-cidrs',
      'allowed-cidrs',
      'wait-timeout',
      'fail-on-changes',
      'aws-vpc-id',
      'gcp-network'
    ])
  })

  it('formats them as one readable message', () => {
    const text = formatProblems(problemsOf(broken))
    const lines = text.split('\n')
    expect(lines[0]).toBe('7 inputs need fixing before anything was called:')
    expect(lines).toHaveLength(9)
    expect(lines[1]).toMatch(/^• zilliz-project-id: ".+" is not a Zilliz project id: .+ Example: proj-[0-9a-f]+$/)
    expect(lines.slice(1).every((line) => /^• [a-z-]+: .+[.?] Example: .+$/.test(line))).toBe(true)
  })

  it('uses the singular for one input', () => {
    expect(formatProblems(problemsOf({ ...AWS_BASE, mode: 'x' }))).toMatch(/^1 input needs fixing before anything was called:\n• mode: /)
  })

  it('never shows the API key, even when it was pasted into another input', () => {
    const values: Values = {
      ...broken,
      'zilliz-project-id': API_KEY,
      'aws-vpc-id': API_KEY,
      'cluster-ids': `${API_KEY}, ${API_KEY}`,
      tags: JSON.stringify({ [API_KEY]: 'x'.repeat(300) })
    }
    const problems = problemsOf(values)
    expect(problems.length).toBeGreaterThan(5)
    expect(formatProblems(problems)).not.toContain(API_KEY)
    expect(JSON.stringify(problems)).not.toContain(API_KEY)
  })

  it.each([`Bearer ${API_KEY}`, `${API_KEY} `.repeat(2).trim(), `admin:${API_KEY}`])('never echoes a malformed API key (%#)', (key) => {
    const problems = problemsOf({ ...AWS_BASE, 'zilliz-api-key': key })
    expect(problems).toHaveLength(1)
    expect(JSON.stringify(problems)).not.toContain(API_KEY)
  })

  it('never shows the GitHub token', () => {
    const token = 'ghp_0123456789abcdefghijklmnopqrstuv'
    const problems = problemsOf({ ...AWS_BASE, 'github-token': token, 'cluster-ids': token })
    expect(JSON.stringify(problems)).not.toContain(token)
  })
})

describe('GCP', () => {
  it('parses a complete GCP configuration', () => {
    const config = configOf({
      ...GCP_BASE,
      'gcp-workload-identity-provider': '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/providers/my-repo',
      'gcp-service-account': 'zilliz-link@my-project.iam.gserviceaccount.com',
      'gcp-endpoint-prefix': 'search-psc',
      'gcp-global-access': 'true',
      tags: '{"team":"search"}'
    })
    expect(config.provider).toBe('gcp')
    expect(config.tags).toEqual({ team: 'search' })
    expect(config.gcp).toEqual({
      workloadIdentityProvider: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/my-repo',
      serviceAccount: 'zilliz-link@my-project.iam.gserviceaccount.com',
      projectId: 'my-project',
      networkProjectId: 'my-project',
      endpointProjectId: 'my-project',
      dnsProjectId: 'my-project',
      region: 'us-west1',
      network: 'app-vpc',
      subnetwork: 'app-subnet-us-west1',
      endpointPrefix: 'search-psc',
      globalAccess: true
    })
    expect(config).not.toHaveProperty('aws')
  })

  it('defaults the endpoint prefix to name-prefix and global access to false', () => {
    const config = configOf({ ...GCP_BASE, 'name-prefix': 'search-pl' })
    expect(config.gcp).toEqual({
      projectId: 'my-project',
      networkProjectId: 'my-project',
      endpointProjectId: 'my-project',
      dnsProjectId: 'my-project',
      region: 'us-west1',
      network: 'app-vpc',
      subnetwork: 'app-subnet-us-west1',
      endpointPrefix: 'search-pl',
      globalAccess: false
    })
  })

  describe('Shared VPC layouts', () => {
    const HOST = 'net-host-project'
    const projectsOf = (inputs: Record<string, string>) => {
      const { networkProjectId, endpointProjectId, dnsProjectId, network, subnetwork } = configOf({ ...GCP_BASE, ...inputs }).gcp!
      return { networkProjectId, endpointProjectId, dnsProjectId, network, subnetwork }
    }

    it('takes the host project from gcp-network-project-id; endpoint and zones stay in gcp-project-id', () => {
      expect(projectsOf({ 'gcp-network-project-id': HOST })).toEqual({ networkProjectId: HOST, endpointProjectId: 'my-project', dnsProjectId: 'my-project', network: 'app-vpc', subnetwork: 'app-subnet-us-west1' })
    })

    it('takes the host project from a network path and a subnetwork URL, reduced to their names', () => {
      const inputs = {
        'gcp-network': `projects/${HOST}/global/networks/shared-vpc`,
        'gcp-subnetwork': `https://www.googleapis.com/compute/v1/projects/${HOST}/regions/us-west1/subnetworks/shared-subnet`
      }
      expect(projectsOf(inputs)).toEqual({ networkProjectId: HOST, endpointProjectId: 'my-project', dnsProjectId: 'my-project', network: 'shared-vpc', subnetwork: 'shared-subnet' })
    })

    it('accepts a URL that agrees with gcp-network-project-id', () => {
      expect(projectsOf({ 'gcp-network-project-id': HOST, 'gcp-network': `https://compute.googleapis.com/compute/v1/projects/${HOST}/global/networks/shared-vpc` }).networkProjectId).toBe(HOST)
    })

    it('puts the endpoint in the host project, and the zones with it unless gcp-dns-project-id says otherwise', () => {
      expect(projectsOf({ 'gcp-network-project-id': HOST, 'gcp-endpoint-project-id': HOST })).toMatchObject({ endpointProjectId: HOST, dnsProjectId: HOST })
      expect(projectsOf({ 'gcp-network-project-id': HOST, 'gcp-dns-project-id': 'dns-hub-project' })).toMatchObject({ endpointProjectId: 'my-project', dnsProjectId: 'dns-hub-project' })
    })
  })

  const GCP_BAD_CASES: BadCase[] = [
    bad(
      'network URL in another project than gcp-network-project-id',
      'gcp-network',
      'https://www.googleapis.com/compute/v1/projects/other-host/global/networks/app-vpc',
      /Names project other-host, but gcp-network-project-id is net-host-project/,
      { 'gcp-network-project-id': 'net-host-project' }
    ),
    bad(
      'subnetwork path in another project than the network path',
      'gcp-subnetwork',
      'projects/host-b-project/regions/us-west1/subnetworks/app-subnet',
      /a subnetwork belongs to the project of its network/,
      { 'gcp-network': 'projects/host-a-project/global/networks/app-vpc' }
    ),
    bad('missing GCP project id', 'gcp-project-id', '', /Required when provider is gcp/),
    bad('project number instead of id', 'gcp-project-id', '123456789012', /project number/),
    bad('upper-case project id', 'gcp-project-id', 'My-Project', /lowercase/),
    bad('network path without global', 'gcp-network', 'projects/my-project/networks/app-vpc', /not a network resource path: expected projects\/PROJECT\/global\/networks\/NAME/),
    bad('network path with a project number', 'gcp-network', 'projects/123456789012/global/networks/app-vpc', /not a GCP project id/),
    bad('network path naming an invalid network', 'gcp-network', 'projects/my-project/global/networks/App_Vpc', /lowercase/),
    bad('subnetwork path in another region', 'gcp-subnetwork', 'projects/my-project/regions/us-east1/subnetworks/app-subnet', /region us-east1, but zilliz-region-id is in us-west1/),
    bad('subnetwork URL with a wrong collection', 'gcp-subnetwork', 'https://www.googleapis.com/compute/v1/projects/my-project/global/subnetworks/app-subnet', /not a subnetwork resource path/),
    bad('network project as a number', 'gcp-network-project-id', '123456789012', /project number/),
    bad('endpoint project with upper case', 'gcp-endpoint-project-id', 'My-Project', /lowercase/),
    bad('DNS project too short', 'gcp-dns-project-id', 'dns', /6 to 30/),
    bad('network with an underscore', 'gcp-network', 'app_vpc', /lowercase letters, digits or hyphens/),
    bad('missing subnetwork', 'gcp-subnetwork', '', /Required when provider is gcp/),
    bad('subnetwork of 64 characters', 'gcp-subnetwork', `s${'a'.repeat(63)}`, /1 to 63/),
    bad('WIF provider with a project id', 'gcp-workload-identity-provider', 'projects/my-project/locations/global/workloadIdentityPools/github/providers/repo', /project number/),
    bad('WIF provider outside global', 'gcp-workload-identity-provider', 'projects/123/locations/us-west1/workloadIdentityPools/github/providers/repo', /locations\/global/),
    bad('WIF provider id only', 'gcp-workload-identity-provider', 'github', /gcloud iam workload-identity-pools/),
    bad('service account name only', 'gcp-service-account', 'zilliz-link', /full email/),
    bad('personal account as service account', 'gcp-service-account', 'someone@gmail.com', /gserviceaccount\.com/),
    bad('upper-case endpoint prefix', 'gcp-endpoint-prefix', 'PSC', /lowercase/),
    bad('YAML 1.1 on for global access', 'gcp-global-access', 'on', /YAML 1\.1/),
    bad('AWS input with provider gcp', 'aws-vpc-id', VPC, /provider aws only/),
    bad('upper-case label key', 'tags', '{"Team":"search"}', /GCP label key/),
    bad('label value with spaces', 'tags', '{"team":"Search Team"}', /GCP label value/),
    bad('malformed GCP region', 'zilliz-region-id', 'gcp-uswest', /not a GCP region/),
    bad('region id with an over-long GCP region', 'zilliz-region-id', `gcp-us-${'w'.repeat(25)}1`, /not a GCP region/),
    bad('provider aws with GCP inputs and region', 'provider', 'aws', /gcp region/),
    bad('hosted zone id as a GCP zone', 'dns-zone-ids', 'Z0123456789ABCDEFGHIJ', /Cloud DNS managed zone name/, { dns: 'existing-zone' }),
    bad('GCP zone path with a project number', 'dns-zone-ids', 'projects/123456789012/managedZones/hub', /project number/, { dns: 'existing-zone' }),
    bad('GCP zone path of another resource', 'dns-zone-ids', 'projects/network-hub/zones/hub', /projects\/PROJECT\/managedZones\/ZONE/, { dns: 'existing-zone' })
  ]

  it.each(GCP_BAD_CASES)('$name → $input', (badCase) => {
    expectHelpfulProblem(GCP_BASE, badCase)
  })
})

describe('Azure', () => {
  it('parses a complete Azure configuration, normalising GUIDs and the location', () => {
    const config = configOf({
      ...AZURE_BASE,
      'azure-tenant-id': '4A1B2C3D-5E6F-4A8B-9C0D-1E2F3A4B5C6D',
      'azure-client-id': '9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e',
      'azure-location': 'East US',
      'azure-endpoint-name': 'pe-zilliz_search'
    })
    expect(config.provider).toBe('azure')
    expect(config.azure).toEqual({
      tenantId: '4a1b2c3d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
      clientId: '9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e',
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-search-prod',
      location: 'eastus',
      virtualNetwork: 'vnet-search',
      subnet: 'snet-endpoints',
      networkSubscriptionId: SUBSCRIPTION,
      networkResourceGroup: 'rg-search-prod',
      dnsSubscriptionId: SUBSCRIPTION,
      dnsResourceGroup: 'rg-search-prod',
      dnsLinkVnetIds: [],
      endpointName: 'pe-zilliz_search'
    })
  })

  const HUB = '5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f'
  const NETWORK_SUBNET = `/subscriptions/${HUB.toUpperCase()}/resourcegroups/rg-spoke-network/providers/microsoft.network/virtualNetworks/vnet-spoke/subnets/snet-pe`
  const HUB_VNET = `/subscriptions/${HUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub`

  it('reads a subnet resource id as the network in its own subscription and resource group, with no azure-virtual-network', () => {
    const azure = configOf({ ...AZURE_BASE, 'azure-virtual-network': '', 'azure-subnet': NETWORK_SUBNET }).azure
    expect(azure).toMatchObject({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-search-prod',
      networkSubscriptionId: HUB,
      networkResourceGroup: 'rg-spoke-network',
      virtualNetwork: 'vnet-spoke',
      subnet: 'snet-pe'
    })
    // Given too, the network name may differ in case only: ARM names compare case-insensitively.
    expect(configOf({ ...AZURE_BASE, 'azure-virtual-network': 'VNET-SPOKE', 'azure-subnet': NETWORK_SUBNET }).azure?.virtualNetwork).toBe('vnet-spoke')
  })

  it('reads the DNS scope and the extra networks to link, defaulting to the endpoint\'s scope', () => {
    const azure = configOf({ ...AZURE_BASE, 'azure-dns-subscription-id': HUB.toUpperCase(), 'azure-dns-resource-group': 'rg-dns', 'azure-dns-link-vnet-ids': `${HUB_VNET}\n${HUB_VNET.replace('vnet-hub', 'vnet-dr')}` }).azure
    expect(azure).toMatchObject({ dnsSubscriptionId: HUB, dnsResourceGroup: 'rg-dns', dnsLinkVnetIds: [HUB_VNET, HUB_VNET.replace('vnet-hub', 'vnet-dr')] })
  })

  const PROBE_SUBNET_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-search-prod/providers/Microsoft.Network/virtualNetworks/vnet-search/subnets/snet-probe`

  it('reads azure-probe-subnet-id as the canonical subnet id, in the endpoint network or a network linked to the zones', () => {
    expect(configOf({ ...AZURE_BASE, 'azure-probe-subnet-id': PROBE_SUBNET_ID.replace('/resourceGroups/', '/resourcegroups/') }).azure?.probeSubnetId).toBe(PROBE_SUBNET_ID)
    const inHub = `${HUB_VNET}/subnets/snet-probe`
    expect(configOf({ ...AZURE_BASE, 'azure-dns-link-vnet-ids': HUB_VNET, 'azure-probe-subnet-id': inHub }).azure?.probeSubnetId).toBe(inHub)
    // With the zones someone else links, what the probe's network resolves is the probe's to say.
    const zone = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/az-eastus.vectordb.zillizcloud.com`
    expect(configOf({ ...AZURE_BASE, dns: 'existing-zone', 'dns-zone-ids': zone, 'azure-probe-subnet-id': inHub }).azure?.probeSubnetId).toBe(inHub)
    expect(configOf(AZURE_BASE).azure).not.toHaveProperty('probeSubnetId')
  })

  it('names both inputs when azure-virtual-network disagrees with the subnet id, and nothing else', () => {
    const problems = problemsOf({ ...AZURE_BASE, 'azure-virtual-network': 'vnet-search', 'azure-subnet': NETWORK_SUBNET })
    expect(problems.map((p) => p.input)).toEqual(['azure-virtual-network'])
    expect(problems[0]?.message).toContain('differs from "vnet-spoke", the virtual network of the subnet id in azure-subnet')
    expect(problems[0]?.example).toBe('vnet-spoke')
  })

  it('derives a stable endpoint name from name-prefix, project and region', () => {
    const first = azureEndpointName(configOf(AZURE_BASE))
    expect(configOf(AZURE_BASE).azure?.endpointName).toBeUndefined()
    expect(first).toMatch(/^zilliz-pl-[0-9a-f]{12}$/)
    expect(azureEndpointName(configOf(AZURE_BASE))).toBe(first)
    expect(azureEndpointName(configOf({ ...AZURE_BASE, 'zilliz-region-id': 'az-eastus2' }))).not.toBe(first)
    expect(configOf(AZURE_BASE).azure).not.toHaveProperty('tenantId')
  })

  const AZURE_BAD_CASES: BadCase[] = [
    bad('missing subscription', 'azure-subscription-id', '', /Required when provider is azure/),
    bad('subscription that is no GUID', 'azure-subscription-id', 'my-subscription', /GUID/),
    bad('subscription in braces', 'azure-subscription-id', `{${SUBSCRIPTION}}`, /braces/),
    bad('tenant without client', 'azure-client-id', '', /Required when azure-tenant-id is given/, { 'azure-tenant-id': '4a1b2c3d-5e6f-4a8b-9c0d-1e2f3a4b5c6d' }),
    bad('client without tenant', 'azure-tenant-id', '', /Required when azure-client-id is given/, { 'azure-client-id': '9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e' }),
    bad('resource group ending with a period', 'azure-resource-group', 'rg-search.', /ends with a period/),
    bad('resource group with a space', 'azure-resource-group', 'rg search', /resource group name/),
    bad('resource group of 91 characters', 'azure-resource-group', 'r'.repeat(91), /1 to 90/),
    bad('location other than the region id', 'azure-location', 'westus', /eastus/),
    bad('virtual network starting with a hyphen', 'azure-virtual-network', '-vnet', /starting with a letter or digit/),
    bad('virtual network as a resource id', 'azure-virtual-network', '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-search', /"vnet-search"/),
    bad('missing subnet', 'azure-subnet', '', /Required when provider is azure/),
    bad('missing virtual network with a subnet name', 'azure-virtual-network', '', /Required when provider is azure, unless azure-subnet is a full subnet resource id/),
    bad('subnet id without the subnet', 'azure-subnet', '/subscriptions/5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet', /is not a subnet resource id/),
    bad('subnet id with a bad subscription', 'azure-subnet', '/subscriptions/hub/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s', /GUID/),
    bad('subnet id with a bad subnet name', 'azure-subnet', '/subscriptions/5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-', /ending with a letter, digit or _/),
    bad('DNS subscription that is no GUID', 'azure-dns-subscription-id', 'connectivity', /GUID/),
    bad('DNS resource group with a space', 'azure-dns-resource-group', 'rg dns', /resource group name/),
    bad('link network given by name', 'azure-dns-link-vnet-ids', 'vnet-hub', /is not a virtual network resource id/),
    bad('DNS resource group with dns none', 'azure-dns-resource-group', 'rg-dns', /but dns is none, so it writes no DNS/, { dns: 'none' }),
    bad('networks to link with dns none', 'azure-dns-link-vnet-ids', '/subscriptions/5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub', /but dns is none/, { dns: 'none' }),
    bad('DNS subscription with dns existing-zone', 'azure-dns-subscription-id', '5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f', /dns is existing-zone: the zones of dns-zone-ids say their own subscription/, {
      dns: 'existing-zone',
      'dns-zone-ids': `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/az-eastus.vectordb.zillizcloud.com`
    }),
    bad('networks to link with dns existing-zone', 'azure-dns-link-vnet-ids', '/subscriptions/5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub', /never links a zone it does not own/, {
      dns: 'existing-zone',
      'dns-zone-ids': `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/az-eastus.vectordb.zillizcloud.com`
    }),
    bad('link network given as a subnet id', 'azure-dns-link-vnet-ids', '/subscriptions/5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s', /is not a virtual network resource id/),
    bad('probe subnet by name', 'azure-probe-subnet-id', 'snet-probe', /is not a subnet resource id/),
    bad('probe subnet id of a network', 'azure-probe-subnet-id', HUB_VNET, /is not a subnet resource id/),
    bad('probe subnet in a network the zones are not linked to', 'azure-probe-subnet-id', `${HUB_VNET}/subnets/snet-probe`, /a network the private zones are not linked to .*add \/subscriptions\/5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f\/resourceGroups\/rg-hub\/providers\/Microsoft\.Network\/virtualNetworks\/vnet-hub to azure-dns-link-vnet-ids/),
    bad('endpoint name ending with a hyphen', 'azure-endpoint-name', 'pe-', /ending with a letter, digit or _/),
    bad('endpoint name of 65 characters', 'azure-endpoint-name', 'p'.repeat(65), /2 to 64 .*It has 65 characters/),
    bad('endpoint name of 1 character', 'azure-endpoint-name', 'p', /2 to 64/),
    bad('subnet name of 81 characters', 'azure-subnet', 's'.repeat(81), /1 to 80/),
    bad('tag name with a slash', 'tags', '{"team/owner":"search"}', /Azure does not allow/),
    bad('GCP input with provider azure', 'gcp-project-id', 'my-project', /provider gcp only/),
    bad('malformed Azure location in the region id', 'zilliz-region-id', 'az-east-us', /not an Azure location/),
    bad('Azure zone name instead of resource id', 'dns-zone-ids', 'az-eastus.vectordb.zillizcloud.com', /full resource id/, { dns: 'existing-zone' }),
    bad('Azure public zone', 'dns-zone-ids', `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-dns/providers/Microsoft.Network/dnsZones/example.com`, /public DNS zone/, { dns: 'existing-zone' }),
    bad('Azure zone id with a bad subscription', 'dns-zone-ids', '/subscriptions/hub/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/az-eastus.vectordb.zillizcloud.com', /GUID/, { dns: 'existing-zone' })
  ]

  it.each(AZURE_BAD_CASES)('$name → $input', (badCase) => {
    expectHelpfulProblem(AZURE_BASE, badCase)
  })
})

// ---- In-network proof: network analysis and the client network ------------------------------

describe('network analysis and the client network', () => {
  const VM = '/subscriptions/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-client'
  const SUBNET_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/clients`

  it('reads the client subnet in each cloud\'s own spelling', () => {
    expect(configOf({ ...AWS_BASE, 'client-subnet': SUBNET_B, 'client-security-group-ids': 'sg-0a1b2c3d' }).client).toEqual({ subnet: SUBNET_B, securityGroupIds: ['sg-0a1b2c3d'] })
    expect(configOf({ ...GCP_BASE, 'client-subnet': 'projects/net-host/regions/us-west1/subnetworks/clients' }).client.subnet).toBe('projects/net-host/regions/us-west1/subnetworks/clients')
    expect(configOf({ ...GCP_BASE, 'client-subnet': 'https://www.googleapis.com/compute/v1/projects/net-host/regions/us-west1/subnetworks/clients' }).client.subnet).toContain('subnetworks/clients')
    expect(configOf({ ...AZURE_BASE, 'client-subnet': SUBNET_ID }).client.subnet).toBe(SUBNET_ID)
    expect(configOf({ ...AZURE_BASE, 'client-subnet': 'snet-clients', 'azure-network-watcher-vm-id': VM }).azure?.networkWatcherVmId).toBe(VM)
    expect(configOf({ ...AWS_BASE, 'network-analysis': 'off' }).networkAnalysis).toBe('off')
  })

  it.each([
    ['AWS client subnet that is a security group', AWS_BASE, 'client-subnet', 'sg-0a1b2c3d', /That looks like a security group id/],
    ['GCP client subnetwork with a bad path', GCP_BASE, 'client-subnet', 'projects/p/subnetworks/clients', /not a GCP subnetwork/],
    ['Azure client subnet id of another resource type', AZURE_BASE, 'client-subnet', `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg`, /not a subnet resource id/],
    ['network-analysis on', AWS_BASE, 'network-analysis', 'on', /not one of auto, off/],
    ['client security groups with provider gcp', GCP_BASE, 'client-security-group-ids', 'sg-0a1b2c3d', /provider aws only/],
    ['client security group that is a VPC', AWS_BASE, 'client-security-group-ids', VPC, /That looks like a VPC id/],
    ['VM name instead of id', AZURE_BASE, 'azure-network-watcher-vm-id', 'vm-client', /full resource id/]
  ] as const)('%s', (_name, base, input, value, says) => {
    expectHelpfulProblem(base, { name: _name, values: { [input]: value }, input, says })
  })

  it('refuses a client network that nothing would use', () => {
    expectHelpfulProblem(AWS_BASE, { name: 'client subnet with verify none', values: { 'client-subnet': SUBNET_A, verify: 'none' }, input: 'client-subnet', says: /verify is none/ })
    expectHelpfulProblem(AZURE_BASE, {
      name: 'watcher VM with analysis off',
      values: { 'azure-network-watcher-vm-id': VM, 'network-analysis': 'off' },
      input: 'azure-network-watcher-vm-id',
      says: /network-analysis is off/
    })
  })
})

// ---- action.yml ↔ the inputs table -----------------------------------------------------------

interface YmlEntry {
  description: string
  required?: string
  default?: string
}

/** Just enough YAML for action.yml: top-level sections, 2-space keys, 4-space fields, block scalars. */
function readActionYml(text: string): Record<string, Record<string, YmlEntry>> {
  const sections: Record<string, Record<string, YmlEntry>> = {}
  let section: Record<string, YmlEntry> | undefined
  let entry: YmlEntry | undefined
  let inDescriptionBlock = false
  const unquote = (v: string) => v.trim().replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1')
  for (const line of text.split('\n')) {
    if (inDescriptionBlock && entry && (line.startsWith('      ') || line.trim() === '')) {
      entry.description += `${line.trim()}\n`
      continue
    }
    inDescriptionBlock = false
    if (/^\s*#/.test(line) || line.trim() === '') continue
    const top = /^([a-z-]+):/.exec(line)
    const key = /^ {2}([a-z0-9-]+):\s*$/.exec(line)
    const field = /^ {4}(description|required|default):\s*(.*)$/.exec(line)
    if (top) {
      section = sections[top[1]] = {}
      entry = undefined
    } else if (key && section) {
      entry = section[key[1]] = { description: '' }
    } else if (field && entry) {
      const [, name, value] = field
      if (name === 'description' && /^[|>]-?$/.test(value)) inDescriptionBlock = true
      else entry[name as keyof YmlEntry] = unquote(value)
    }
  }
  return sections
}

describe('action.yml', () => {
  const yml = readActionYml(readFileSync(resolve('action.yml'), 'utf8'))
  const declared = yml['inputs'] ?? {}

  it('declares exactly the inputs of the table, in the same order', () => {
    expect(Object.keys(declared)).toEqual(INPUT_NAMES)
  })

  it.each(INPUT_NAMES)('%s: required flag and default agree with the table', (name) => {
    const spec = inputSpec(name)
    const entry = declared[name]
    expect(entry.required).toBe(spec.required && !spec.provider ? 'true' : 'false')
    if (name === 'github-token') expect(entry.default).toBe('${{ github.token }}')
    else if (spec.provider) expect(entry.default).toBeUndefined()
    else expect(entry.default).toBe(spec.default)
  })

  it.each(INPUT_NAMES)('%s: the description gives the example and the clouds it applies to', (name) => {
    const { description } = declared[name]
    const spec = inputSpec(name)
    expect(description).toContain(`Example: ${spec.example}`)
    if (spec.provider) expect(description).toContain(`Applies to provider ${spec.provider} only`)
    if (spec.default) expect(description).toContain(`Default: ${spec.default}`)
  })

  it('declares exactly the outputs the action sets', () => {
    expect(Object.keys(yml['outputs'] ?? {})).toEqual([...OUTPUT_NAMES])
    for (const output of Object.values(yml['outputs'] ?? {})) expect(output.description).not.toBe('')
  })

  it('runs on node24 from dist/index.js', () => {
    const text = readFileSync(resolve('action.yml'), 'utf8')
    expect(text).toMatch(/^runs:\n {2}using: node24\n {2}main: dist\/index\.js$/m)
  })
})

describe('the table examples', () => {
  const commonExamples = Object.fromEntries(
    INPUT_NAMES.filter((name) => !inputSpec(name).provider && !inputSpec(name).secret).map((name) => [name, INPUTS[name].example])
  ) as Values
  const examplesOf = (provider: 'aws' | 'gcp' | 'azure') =>
    Object.fromEntries(INPUT_NAMES.filter((name) => inputSpec(name).provider === provider).map((name) => [name, INPUTS[name].example])) as Values

  it.each([
    ['aws', 'aws-us-west-2'],
    ['gcp', 'gcp-us-west1'],
    ['azure', 'az-eastus']
  ] as const)('are all valid together for provider %s', (provider, regionId) => {
    const config = configOf({
      ...commonExamples,
      ...examplesOf(provider),
      'zilliz-api-key': API_KEY,
      'github-token': 'ghs_example',
      // expected-plan-id is checked before an apply; with the mode example (plan) it would be refused.
      mode: 'apply',
      provider,
      'zilliz-region-id': regionId,
      // Each cloud names zones its own way; the table's example is an AWS hosted zone id.
      'dns-zone-ids': DNS_ZONE_ID_EXAMPLES[provider],
      ...(provider === 'azure' ? { 'azure-dns-subscription-id': '', 'azure-dns-resource-group': '', 'azure-dns-link-vnet-ids': '' } : {})
    })
    expect(config.provider).toBe(provider)
    expect(config[provider]).toBeDefined()
  })

  // The Azure DNS scope inputs place and link the action's own zones: they go with dns: managed, while the
  // dns example (existing-zone) names zones by id, which carry their own scope.
  it('are valid together with dns: managed for the Azure DNS scope inputs', () => {
    const { 'dns-zone-ids': _zones, ...examples } = { ...commonExamples, ...examplesOf('azure') }
    const config = configOf({ ...examples, 'zilliz-api-key': API_KEY, 'github-token': 'ghs_example', mode: 'apply', provider: 'azure', 'zilliz-region-id': 'az-eastus', dns: 'managed' })
    expect(config.azure).toMatchObject({ dnsSubscriptionId: INPUTS['azure-dns-subscription-id'].example, dnsResourceGroup: INPUTS['azure-dns-resource-group'].example })
    expect(config.azure?.dnsLinkVnetIds).toHaveLength(1)
  })
})

// ---- Cold start: nothing under src/config may load a package ---------------------------------

describe('cold start', () => {
  /** Runtime import specifiers of a file and, recursively, of the relative files it imports. */
  function runtimeImports(file: string, seen = new Set<string>()): string[] {
    if (seen.has(file)) return []
    seen.add(file)
    const source = readFileSync(file, 'utf8')
    const fromClauses = [...source.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)]
    const sideEffects = [...source.matchAll(/^import\s+'([^']+)'/gm)]
    const specifiers = [...fromClauses, ...sideEffects].map((m) => m[1])
    return specifiers.flatMap((spec) =>
      spec.startsWith('.') ? [spec, ...runtimeImports(join(dirname(file), spec.replace(/\.js$/, '.ts')), seen)] : [spec]
    )
  }

  it('src/config/parse.ts reaches only node built-ins and relative files', () => {
    const imports = runtimeImports(resolve('src/config/parse.ts'))
    expect(imports).toEqual(expect.arrayContaining(['./rules.js', './inputs.js']))
    expect(imports.filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'))).toEqual([])
    // Even built-ins cost start-up: the validation path loads none of these heavier ones.
    expect(imports.filter((spec) => ['node:net', 'node:crypto', 'node:dns', 'node:tls'].includes(spec))).toEqual([])
  })
})
