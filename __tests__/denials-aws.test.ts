// Every AWS operation the action calls, denied on purpose: the error names the step, the operation, the
// error code, the IAM action, the role it was evaluated for, and the policy file that grants it. The
// denial carries AWS's bare message, so what names the permission is the action's own table.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { AssociateVPCWithHostedZoneCommand, CreateHostedZoneCommand } from '@aws-sdk/client-route-53'
import { CreateVpcEndpointCommand } from '@aws-sdk/client-ec2'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { OTHER_VPC_ID, registerAmbientCredentials, ROLE_ARN, SUBNET_A, VPC_ID, ZILLIZ_SERVICE_NAME } from '../emulators/aws/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { zoneCallerReference } from '../src/providers/aws/dns.js'
import { AWS_PATH_ANALYSIS_PERMISSIONS, AWS_PERMISSIONS } from '../src/providers/aws/permissions.js'
import { ec2For, route53For } from './support/aws-emulators.js'
import { errorLine, expectSuccess, verificationChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...awsInputs(emulators, overrides) })
const HOST = `${ZILLIZ_SEED.clusters.aws[0]}-privatelink.aws-us-west-2.vectordb.zillizcloud.com`

/** What exists before the denied run, so that the run reaches the operation. */
const SCENARIOS = {
  fresh: async () => undefined,
  applied: async () => expectSuccess(await run({ mode: 'apply' })),
  handMadeEndpoint: async () => {
    await ec2For(emulators.aws, registerAmbientCredentials(emulators.world)).send(
      new CreateVpcEndpointCommand({ VpcEndpointType: 'Interface', VpcId: VPC_ID, ServiceName: ZILLIZ_SERVICE_NAME, SubnetIds: [SUBNET_A], PrivateDnsEnabled: false })
    )
  },
  // Zilliz allocated another host than the documented one the first apply built DNS for.
  wrongHostApplied: async () => {
    emulators.zilliz.state.clusters.find((c) => c.clusterId === ZILLIZ_SEED.clusters.aws[0])!.privateLinkHost = `${ZILLIZ_SEED.clusters.aws[0]}.pl-us-west-2.vectordb.zillizcloud.com`
    await run({ mode: 'apply' })
  },
  // After an apply, the zone of the first cluster also serves another VPC: destroy only disassociates this one.
  sharedZone: async () => {
    expectSuccess(await run({ mode: 'apply' }))
    const zone = [...emulators.aws.route53.zones.zones.values()].find((z) => z.name === `${HOST}.`)!
    await route53For(emulators.aws, registerAmbientCredentials(emulators.world)).send(
      new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone.id, VPC: { VPCId: OTHER_VPC_ID, VPCRegion: 'us-west-2' } })
    )
  },
  // The action's own zone for this VPC, associated with another VPC only.
  ownZoneElsewhere: async () => {
    await route53For(emulators.aws, registerAmbientCredentials(emulators.world)).send(
      new CreateHostedZoneCommand({
        Name: HOST,
        CallerReference: zoneCallerReference(HOST, VPC_ID, ZILLIZ_SEED.projectId),
        VPC: { VPCId: OTHER_VPC_ID, VPCRegion: 'us-west-2' },
        HostedZoneConfig: { PrivateZone: true }
      })
    )
  }
}

// [operation, scenario, mode, the step or phase the error names]
const CASES: [string, keyof typeof SCENARIOS, 'plan' | 'apply' | 'destroy', string][] = [
  ['ec2:DescribeVpcs', 'fresh', 'plan', 'Observe and plan'],
  ['ec2:DescribeSubnets', 'fresh', 'plan', 'Observe and plan'],
  ['ec2:DescribeVpcEndpointServices', 'fresh', 'plan', 'Observe and plan'],
  ['ec2:DescribeSecurityGroups', 'fresh', 'plan', 'Observe and plan'],
  ['ec2:DescribeVpcEndpoints', 'fresh', 'plan', 'Observe and plan'],
  ['ec2:DescribeNetworkInterfaces', 'applied', 'plan', 'Verify'],
  ['ec2:CreateSecurityGroup', 'fresh', 'apply', 'Step security-group'],
  ['ec2:AuthorizeSecurityGroupIngress', 'fresh', 'apply', 'Step security-group'],
  ['ec2:CreateVpcEndpoint', 'fresh', 'apply', 'Step vpc-endpoint'],
  ['ec2:ModifyVpcEndpoint', 'handMadeEndpoint', 'apply', 'Step vpc-endpoint'],
  ['route53:ListHostedZonesByVPC', 'fresh', 'plan', 'Observe and plan'],
  ['route53:ListHostedZonesByName', 'fresh', 'plan', 'Observe and plan'],
  ['route53:GetHostedZone', 'applied', 'destroy', 'Observe what the action manages'],
  ['route53:ListTagsForResources', 'applied', 'plan', 'Observe and plan'],
  ['route53:ListResourceRecordSets', 'applied', 'plan', 'Observe and plan'],
  ['route53:CreateHostedZone', 'fresh', 'apply', `Step dns-zone:${ZILLIZ_SEED.clusters.aws[0]}`],
  ['route53:ChangeTagsForResource', 'fresh', 'apply', 'Step dns-zone:'],
  ['route53:AssociateVPCWithHostedZone', 'ownZoneElsewhere', 'apply', `Step dns-zone:${ZILLIZ_SEED.clusters.aws[0]}`],
  ['route53:ChangeResourceRecordSets', 'fresh', 'apply', 'Step dns-record:'],
  ['route53:GetChange', 'fresh', 'apply', 'Step dns-record:'],
  ['route53:DeleteHostedZone', 'wrongHostApplied', 'apply', `Step dns-zone-replaced:${ZILLIZ_SEED.clusters.aws[0]}`],
  ['ec2:DeleteVpcEndpoints', 'applied', 'destroy', 'Step vpc-endpoint:'],
  ['ec2:DeleteSecurityGroup', 'applied', 'destroy', 'Step security-group:'],
  ['route53:DisassociateVPCFromHostedZone', 'sharedZone', 'destroy', 'Step dns-link:']
]

// The level 1 DNS analysis reads: a denial leaves the link unproven, not the run failed; the skipped check
// names the operation, the IAM action and the policy. [operation, whether a Resolver rule must be associated]
const PROOF_CASES: [string, boolean][] = [
  ['ec2:DescribeVpcAttribute', false],
  ['ec2:DescribeDhcpOptions', false],
  ['route53resolver:ListResolverRuleAssociations', false],
  ['route53resolver:ListResolverRules', true]
]

describe('a denied AWS call', () => {
  // A denied path-analysis call makes the analysis unknown, not the run failed: path-analysis-aws.test.ts.
  it('is tested for every operation in the permission table', () => {
    // The level 2 probe's operations are denied in probe-aws-e2e.test.ts: a probe that cannot run is an unknown, not a failed run.
    const link = Object.keys(AWS_PERMISSIONS).filter((op) => !AWS_PERMISSIONS[op]!.policy && !(op in AWS_PATH_ANALYSIS_PERMISSIONS))
    expect([...CASES, ...PROOF_CASES].map(([operation]) => operation).sort()).toEqual(link.sort())
  })

  it.each(PROOF_CASES)('%s, a read of the DNS analysis, leaves the link unproven and names the IAM action and the policy', async (operation, ruleAssociated) => {
    await SCENARIOS.applied()
    if (ruleAssociated) emulators.aws.resolver.addRule({ Name: 'corp', DomainName: 'corp.example.', RuleType: 'FORWARD', TargetIps: [{ Ip: '10.9.0.2', Port: 53 }] }, [VPC_ID])
    const [service, name] = operation.split(':') as [string, string]
    const code = service === 'ec2' ? 'UnauthorizedOperation' : 'AccessDeniedException'
    emulators.switches.inject({ service, operation: name, status: service === 'ec2' ? 403 : 400, code, message: 'You are not authorized to perform this operation.', times: 1 })
    const result = await run({ mode: 'plan' })
    expectSuccess(result)
    const skipped = verificationChecks(result).find((c) => c.id === 'dns-analysis')
    expect(skipped).toMatchObject({ status: 'skip', proof: 'none' })
    expect(skipped?.evidence).toContain(`AWS ${operation} was denied (${code}`)
    expect(skipped?.evidence).toContain(`lacks the IAM action ${operation}`)
    expect(skipped?.evidence).toContain('docs/policies/aws-plan.json')
  })

  it.each(CASES)('%s names the step, the operation, the IAM action, the role and the policy', async (operation, scenario, mode, step) => {
    await SCENARIOS[scenario]()
    const [service, name] = operation.split(':') as [string, string]
    const code = service === 'ec2' ? 'UnauthorizedOperation' : 'AccessDenied'
    emulators.switches.inject({ service, operation: name, status: 403, code, message: 'You are not authorized to perform this operation.', times: 1 })
    const result = await run({ mode })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toContain(step)
    expect(error).toContain(`AWS ${operation} was denied (${code}, HTTP 403)`)
    for (const permission of AWS_PERMISSIONS[operation]!.permissions) expect(error).toContain(permission)
    expect(error).toMatch(new RegExp(`the role arn:aws:(iam|sts)::123456789012:(role|assumed-role)/zilliz-private-link`))
    expect(error).toContain(AWS_PERMISSIONS[operation]!.write ? 'docs/policies/aws-apply.json' : 'docs/policies/aws-plan.json')
    expect(error).toContain('AWS said: You are not authorized to perform this operation.')
  })

  it('names only the action AWS says it refused, when it says', async () => {
    const message = `You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/zilliz-private-link/gha is not authorized to perform: ec2:CreateTags on resource: arn:aws:ec2:us-west-2:123456789012:vpc-endpoint/* because no identity-based policy allows the ec2:CreateTags action. Encoded authorization failure message: ${'x'.repeat(600)}`
    emulators.switches.inject({ service: 'ec2', operation: 'CreateVpcEndpoint', status: 403, code: 'UnauthorizedOperation', message, times: 1 })
    const error = errorLine(await run({ mode: 'apply' }))
    expect(error).toContain('lacks the IAM action ec2:CreateTags; grant it as docs/policies/aws-apply.json does.')
    expect(error).toContain('(decode the encoded authorization failure message with aws sts decode-authorization-message)')
    expect(error).not.toContain('x'.repeat(100))
  })

  it('names sts:AssumeRoleWithWebIdentity and the trust policy when the role refuses the token', async () => {
    emulators.aws.sts.allowRole(ROLE_ARN, 'repo:someone-else/*')
    const error = errorLine(await run({ mode: 'plan' }))
    expect(error).toContain('sts:AssumeRoleWithWebIdentity failed (AccessDenied)')
    expect(error).toContain(`trust policy of ${ROLE_ARN}`)
  })
})

describe('a rejected AWS request', () => {
  it('names the step, the operation and the code of a Route 53 InvalidChangeBatch', async () => {
    const detail = '[Tried to create an alias that targets vpce.example., type A in zone Z1, but the alias target name does not lie within the target zone]'
    emulators.switches.inject({ service: 'route53', operation: 'ChangeResourceRecordSets', status: 400, code: 'InvalidChangeBatch', message: detail, times: 1 })
    const error = errorLine(await run({ mode: 'apply' }))
    expect(error).toContain('Step dns-record:')
    expect(error).toContain(`AWS route53:ChangeResourceRecordSets failed (InvalidChangeBatch, HTTP 400). AWS said: ${detail}`)
  })

  it('names the operation and the code of an EC2 validation error', async () => {
    emulators.switches.inject({ service: 'ec2', operation: 'CreateVpcEndpoint', status: 400, code: 'InvalidParameter', message: 'The subnet ID does not exist', times: 1 })
    const error = errorLine(await run({ mode: 'apply' }))
    expect(error).toContain('Step vpc-endpoint failed: AWS ec2:CreateVpcEndpoint failed (InvalidParameter, HTTP 400). AWS said: The subnet ID does not exist')
  })
})
