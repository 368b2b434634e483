// The published IAM policies must grant exactly what the AWS provider calls: the test reads every
// `new XxxCommand(` and `paginateXxx(` under src/providers/aws and maps it to its IAM action.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { OperationPermissions } from '../src/engine/cloud-error.js'
import { AWS_DNS_PERMISSIONS, AWS_OUTSIDE_PERMISSION_POLICY, AWS_PERMISSIONS } from '../src/providers/aws/permissions.js'
import { RESOLVER_OPERATIONS } from '../src/providers/aws/resolver-api.js'
import { WEB_IDENTITY_OPERATION } from '../src/providers/aws/web-identity.js'

const READ_VERB = /^(Describe|List|Get)/
const AWS_PROVIDER_DIR = resolve('src/providers/aws')
const PLAN_POLICY = resolve('docs/policies/aws-plan.json')
const APPLY_POLICY = resolve('docs/policies/aws-apply.json')
const PROBE_POLICY = resolve('docs/policies/aws-probe.json')
const DNS_PLAN_POLICY = resolve('docs/policies/aws-dns-account-plan.json')
const DNS_APPLY_POLICY = resolve('docs/policies/aws-dns-account-apply.json')

/** IAM service prefix of each SDK client package the provider imports. */
const IAM_PREFIX: Record<string, string> = {
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-route-53': 'route53',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-lambda': 'lambda'
}

/** SDK operations whose IAM action has another name. */
const IAM_ACTION: Record<string, string> = { 'lambda:Invoke': 'lambda:InvokeFunction' }

/** Operations of the opt-in level 2 probe: granted by aws-probe.json, added to the apply role only by those who use it. */
const PROBE_OPERATIONS = new Set(Object.entries(AWS_PERMISSIONS).filter(([, p]) => p.policy === 'aws-probe').map(([operation]) => operation))

/** Calls authorized somewhere other than the role's permission policy. */
const NOT_IN_PERMISSION_POLICY = AWS_OUTSIDE_PERMISSION_POLICY

/** Actions AWS checks in addition to the called one: the provider's own tables, which its errors name. */
const ALSO_REQUIRED: Record<string, string[]> = Object.fromEntries(
  [...Object.entries(AWS_PERMISSIONS), ...Object.entries(AWS_DNS_PERMISSIONS)].map(([operation, { permissions }]) => [operation, permissions.filter((p) => p !== operation)])
)

/** Reads the plan never makes: they only follow a write. */
const applyOnlyReads = (table: Record<string, OperationPermissions>) =>
  new Set(Object.entries(table).filter(([operation, { write }]) => write && READ_VERB.test(operation.split(':')[1] ?? '')).map(([operation]) => operation))
const APPLY_ONLY_READS = new Set([...applyOnlyReads(AWS_PERMISSIONS), ...applyOnlyReads(AWS_DNS_PERMISSIONS)])

const WRITE_VERB = /^(Create|Authorize|Modify|Associate|Change|Delete|Disassociate|Revoke|Put|Update|Attach|Detach|Replace|Accept|Reject)/

interface Statement {
  Sid?: string
  Effect: string
  Action: string | string[]
  Resource: string | string[]
  Condition?: Record<string, unknown>
}

interface PolicyDocument {
  Version: string
  Statement: Statement[]
}

function readPolicy(path: string): PolicyDocument {
  return JSON.parse(readFileSync(path, 'utf8')) as PolicyDocument
}

function allowedActions(policy: PolicyDocument): Set<string> {
  return new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return typeScriptFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Local name → SDK package, for every name a file imports from an @aws-sdk/client-* package. */
function sdkImports(source: string): Map<string, string> {
  const imports = new Map<string, string>()
  // Static imports, and dynamic ones destructured where a client is loaded only when needed.
  const statically = /import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[\w-]+)'/g
  const dynamically = /const\s*\{([^}]*)\}\s*=\s*await\s+import\(\s*'(@aws-sdk\/client-[\w-]+)'\s*\)/g
  for (const [, names, pkg] of [...source.matchAll(statically), ...source.matchAll(dynamically)]) {
    for (const raw of (names as string).split(',')) {
      const name = raw.replace(/^\s*type\s+/, '').trim()
      if (!name) continue
      const local = name.split(/\s+as\s+/).pop() as string
      imports.set(local, pkg as string)
    }
  }
  return imports
}

interface SdkCall {
  file: string
  call: string
  action: string
}

/** Every SDK operation the files invoke, as IAM actions. */
function sdkCalls(files: string[]): SdkCall[] {
  return files.flatMap((file) => {
    const source = readFileSync(file, 'utf8')
    const imports = sdkImports(source)
    const used = [
      ...[...source.matchAll(/\bnew\s+(\w+)Command\s*\(/g)].map((m) => ({ call: `${m[1]}Command`, operation: m[1] as string })),
      ...[...source.matchAll(/\bpaginate(\w+)\s*\(/g)].map((m) => ({ call: `paginate${m[1]}`, operation: m[1] as string }))
    ]
    return used.map(({ call, operation }) => {
      const pkg = imports.get(call)
      const prefix = pkg ? IAM_PREFIX[pkg] : undefined
      if (!prefix) throw new Error(`${file}: ${call} is not imported from a known @aws-sdk/client-* package; add its IAM prefix to this test`)
      return { file, call, action: `${prefix}:${operation}` }
    })
  })
}

const calls = sdkCalls(typeScriptFiles(AWS_PROVIDER_DIR))
// Route 53 Resolver goes as signed requests whose operation names the type system holds to this list, and
// the web-identity exchange as an unsigned STS request.
const calledActions = new Set([...calls.map((c) => c.action), ...RESOLVER_OPERATIONS.map((o) => `route53resolver:${o}`), `sts:${WEB_IDENTITY_OPERATION}`])
const permissionActions = [...calledActions].filter((a) => !(a in NOT_IN_PERMISSION_POLICY))
/** The endpoint role's calls, the probe's apart; the DNS account's role has its own table. */
const linkActions = Object.keys(AWS_PERMISSIONS).filter((a) => !PROBE_OPERATIONS.has(a))
const dnsActions = Object.keys(AWS_DNS_PERMISSIONS)
const probeActions = permissionActions.filter((a) => PROBE_OPERATIONS.has(a))
const verb = (action: string) => action.split(':')[1] ?? ''
const withRequired = (actions: string[]) => [...new Set(actions.flatMap((a) => [IAM_ACTION[a] ?? a, ...(ALSO_REQUIRED[a] ?? [])]))].sort()

const apply = readPolicy(APPLY_POLICY)
const plan = readPolicy(PLAN_POLICY)
const applyActions = allowedActions(apply)
const planActions = allowedActions(plan)

describe('the scan of src/providers/aws', () => {
  it('finds exactly the operations of the two roles\' permission tables that error reports read', () => {
    expect([...permissionActions].sort()).toEqual([...new Set([...Object.keys(AWS_PERMISSIONS), ...dnsActions])].sort())
    for (const [operation, { permissions }] of [...Object.entries(AWS_PERMISSIONS), ...Object.entries(AWS_DNS_PERMISSIONS)]) expect(permissions).toContain(IAM_ACTION[operation] ?? operation)
  })

  // Guards the regular expressions: a scan that found nothing would make every check below pass.
  it('finds the calls the provider is known to make', () => {
    for (const known of ['ec2:CreateVpcEndpoint', 'ec2:DescribeVpcEndpoints', 'route53:ChangeResourceRecordSets', 'sts:AssumeRoleWithWebIdentity', 'lambda:CreateFunction'])
      expect([...calledActions]).toContain(known)
  })
})

describe.each([
  ['aws-plan.json', plan],
  ['aws-apply.json', apply]
])('%s', (_name, policy) => {
  it('is a 2012-10-17 policy of Allow statements naming each action exactly', () => {
    expect(policy.Version).toBe('2012-10-17')
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Allow')
      for (const action of [statement.Action].flat()) expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/)
    }
  })

  it('grants nothing the code does not need', () => {
    const needed = new Set(withRequired(linkActions))
    expect([...allowedActions(policy)].filter((a) => !needed.has(a))).toEqual([])
  })
})

describe('aws-apply.json', () => {
  it('allows every call the AWS provider makes', () => {
    const missing = calls.filter((c) => c.action in AWS_PERMISSIONS && !PROBE_OPERATIONS.has(c.action) && !applyActions.has(c.action))
    expect(missing.map((c) => `${c.action} (${c.call} in ${c.file})`)).toEqual([])
  })

  it('allows the actions AWS checks alongside them', () => {
    expect(withRequired(linkActions).filter((a) => !applyActions.has(a))).toEqual([])
  })

  it('leaves trust-policy and permission-free calls out', () => {
    for (const action of Object.keys(NOT_IN_PERMISSION_POLICY)) expect(applyActions.has(action)).toBe(false)
  })
})

describe('aws-plan.json', () => {
  it('holds only Describe, List and Get actions', () => {
    expect([...planActions].filter((a) => WRITE_VERB.test(verb(a)) || !READ_VERB.test(verb(a)))).toEqual([])
  })

  it('allows every read the plan makes', () => {
    const reads = linkActions.filter((a) => READ_VERB.test(verb(a)) && !APPLY_ONLY_READS.has(a))
    expect(withRequired(reads).filter((a) => !planActions.has(a))).toEqual([])
  })

  it('is the apply policy without its writes', () => {
    const applyReads = [...applyActions].filter((a) => READ_VERB.test(verb(a)) && !APPLY_ONLY_READS.has(a)).sort()
    expect([...planActions].sort()).toEqual(applyReads)
  })
})

describe('aws-probe.json (level 2, aws-probe-role-arn)', () => {
  const probe = readPolicy(PROBE_POLICY)

  it('grants exactly what the probe calls and what AWS checks alongside: nothing of the link, nothing more', () => {
    expect(probe.Version).toBe('2012-10-17')
    expect(probeActions.length).toBeGreaterThan(4)
    expect([...allowedActions(probe)].sort()).toEqual(withRequired(probeActions))
  })

  it('passes only the probe execution role, and only to Lambda', () => {
    const pass = probe.Statement.find((s) => [s.Action].flat().includes('iam:PassRole'))
    expect(pass?.Resource).toBe('arn:aws:iam::*:role/zilliz-private-link-probe')
    expect(pass?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } })
  })

  it('is not part of the apply or plan policy', () => {
    for (const action of allowedActions(probe)) {
      expect(applyActions.has(action)).toBe(false)
      expect(planActions.has(action)).toBe(false)
    }
  })
})

// The role of the account that holds the zones (aws-dns-role-arn): its own pair of policies.
describe('aws-dns-account-apply.json and aws-dns-account-plan.json', () => {
  const dnsApply = allowedActions(readPolicy(DNS_APPLY_POLICY))
  const dnsPlan = allowedActions(readPolicy(DNS_PLAN_POLICY))

  it('the apply policy grants exactly the DNS role\'s calls and the actions AWS checks alongside them', () => {
    expect([...dnsApply].sort()).toEqual(withRequired(dnsActions))
  })

  it('the plan policy is the apply policy\'s reads, without those that only follow a write', () => {
    const reads = withRequired(dnsActions.filter((a) => READ_VERB.test(verb(a)) && !APPLY_ONLY_READS.has(a)))
    expect([...dnsPlan].sort()).toEqual(reads)
    expect([...dnsPlan].filter((a) => WRITE_VERB.test(verb(a)))).toEqual([])
  })

  it('hold the cross-account authorization calls, which the endpoint\'s role never makes', () => {
    for (const action of ['route53:CreateVPCAssociationAuthorization', 'route53:DeleteVPCAssociationAuthorization']) {
      expect(dnsApply.has(action)).toBe(true)
      expect(applyActions.has(action)).toBe(false)
    }
  })
})
