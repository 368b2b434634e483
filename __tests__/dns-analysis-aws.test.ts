// Level 1 DNS analysis on AWS, end to end (run() against the EC2, Route 53 and Route 53 Resolver emulators,
// the runner outside the network): a correct link passes with proof 'analysis' in the summary; a DNS
// attribute turned off, a DHCP option set with a public server and a Resolver rule that forwards the host
// fail, named, with the fix; a private DHCP server (its own forwarding unknowable) is a skip with the reason.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulators, awsInputs, type Emulators } from '../emulators/index.js'
import { VPC_ID } from '../emulators/aws/seed.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { expectSuccess, verificationChecks } from './support/expectations.js'
import { expectDnsReadsBesideVerification } from './support/dns-beside.js'
import { runAction } from './support/run-action.js'

const CLUSTER = ZILLIZ_SEED.clusters.aws[0]!
const HOST = `${CLUSTER}-privatelink.aws-us-west-2.vectordb.zillizcloud.com`

let emulators: Emulators
let runId = 0
const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...awsInputs(emulators, overrides), GITHUB_RUN_ID: String(++runId) })
const dnsCheck = (result: Awaited<ReturnType<typeof run>>) => verificationChecks(result).find((c) => c.id === `dns:${CLUSTER}`)
const vpc = () => emulators.aws.ec2.resources.vpc(VPC_ID)
const resolver = () => emulators.aws.resolver

beforeAll(async () => {
  emulators = await startEmulators()
  expectSuccess(await run({ mode: 'apply' }))
})
afterAll(async () => {
  await emulators.close()
})

describe('level 1 DNS analysis on AWS', () => {
  it('passes a correct link with proof analysis, shown per host in the summary, from three reads', async () => {
    emulators.log.clear()
    const result = await run({ mode: 'plan' })
    expectSuccess(result)
    expect(dnsCheck(result)).toMatchObject({ status: 'pass', proof: 'analysis', host: HOST, evidence: expect.stringContaining('enableDnsSupport true, enableDnsHostnames true') })
    expect(result.summary).toContain(`| ${HOST} | ✅ analysis (analysis of ${VPC_ID}: DNS attributes, DHCP options, Route 53 Resolver rules) |`)
    expect(JSON.parse(result.outputs['proof-levels'] ?? '{}')).toMatchObject({ [HOST]: { dns: 'analysis' } })
    const ops = (service: string, operation: string) => emulators.log.calls(service).filter((c) => c.operation === operation)
    expect(ops('ec2', 'DescribeVpcAttribute')).toHaveLength(2)
    expect(ops('ec2', 'DescribeDhcpOptions')).toHaveLength(1)
    expect(ops('route53resolver', 'ListResolverRuleAssociations')).toHaveLength(1)
    // No rule is associated with the VPC: the rules themselves are not read.
    expect(ops('route53resolver', 'ListResolverRules')).toHaveLength(0)
  })

  it.each(['enableDnsSupport', 'enableDnsHostnames'] as const)('fails when %s is off, naming the attribute and the command that turns it on', async (attribute) => {
    vpc()[attribute] = false
    try {
      const check = dnsCheck(await run({ mode: 'plan' }))
      expect(check).toMatchObject({ status: 'fail', proof: 'analysis', host: HOST })
      expect(check?.evidence).toContain(`VPC ${VPC_ID} ${attribute}: ${attribute} false`)
      expect(check?.fix).toContain(`aws ec2 modify-vpc-attribute --vpc-id ${VPC_ID} --${attribute === 'enableDnsSupport' ? 'enable-dns-support' : 'enable-dns-hostnames'}`)
    } finally {
      vpc()[attribute] = true
    }
  })

  it('fails on a DHCP option set with a public server, skips on a private one, passes on the Amazon DNS address', async () => {
    const original = vpc().dhcpOptionsId
    try {
      const publicSet = emulators.aws.ec2.resources.associateDhcpOptions(VPC_ID, [{ key: 'domain-name-servers', values: ['8.8.8.8'] }])
      const failed = dnsCheck(await run({ mode: 'plan' }))
      expect(failed).toMatchObject({ status: 'fail', proof: 'analysis' })
      expect(failed?.evidence).toContain(`DHCP option set ${publicSet.dhcpOptionsId} (domain-name-servers): domain-name-servers = 8.8.8.8`)
      expect(failed?.fix).toContain(`aws ec2 associate-dhcp-options --vpc-id ${VPC_ID}`)

      emulators.aws.ec2.resources.associateDhcpOptions(VPC_ID, [{ key: 'domain-name-servers', values: ['10.0.0.53'] }])
      const unknown = dnsCheck(await run({ mode: 'plan' }))
      expect(unknown).toMatchObject({ status: 'skip', proof: 'analysis' })
      expect(unknown?.evidence).toMatch(/^cannot be known from the configuration: DHCP option set .*10\.0\.0\.53/)
      expect(unknown?.evidence).toContain(`Whether that server forwards ${HOST} back to the cloud's resolver cannot be read`)

      // The VPC range's base plus two is the Amazon DNS server itself.
      emulators.aws.ec2.resources.associateDhcpOptions(VPC_ID, [{ key: 'domain-name-servers', values: ['10.0.0.2'] }])
      expect(dnsCheck(await run({ mode: 'plan' }))).toMatchObject({ status: 'pass' })
    } finally {
      vpc().dhcpOptionsId = original
    }
  })

  it('fails on a Resolver rule forwarding the host, not on one for a parent domain (the private zone is more specific)', async () => {
    const parent = resolver().addRule({ Name: 'corp', DomainName: 'zillizcloud.com.', RuleType: 'FORWARD', TargetIps: [{ Ip: '192.168.10.2', Port: 53 }] }, [VPC_ID])
    try {
      emulators.log.clear()
      expect(dnsCheck(await run({ mode: 'plan' }))).toMatchObject({ status: 'pass' })
      expect(emulators.log.calls('route53resolver').filter((c) => c.operation === 'ListResolverRules')).toHaveLength(1)

      const exact = resolver().addRule({ Name: 'zilliz', DomainName: `${HOST}.`, RuleType: 'FORWARD', TargetIps: [{ Ip: '192.168.10.2', Port: 53 }] }, [VPC_ID])
      const check = dnsCheck(await run({ mode: 'plan' }))
      expect(check).toMatchObject({ status: 'fail', proof: 'analysis' })
      expect(check?.evidence).toContain(`Route 53 Resolver rule ${exact.Id} (zilliz): forwards ${HOST}. to 192.168.10.2:53`)
      expect(check?.fix).toContain(`aws route53resolver disassociate-resolver-rule --resolver-rule-id ${exact.Id}`)
    } finally {
      resolver().rules.clear()
      resolver().associations.clear()
    }
    expect(parent.Id).toMatch(/^rslvr-rr-/)
  })

  it('fails on a rule shared with the account, and skips, saying so, on an associated rule it cannot list', async () => {
    const shared = resolver().addRule({ Name: 'hub', DomainName: `${HOST}.`, RuleType: 'FORWARD', TargetIps: [{ Ip: '10.200.0.10', Port: 53 }], shared: true }, [VPC_ID])
    try {
      expect(dnsCheck(await run({ mode: 'plan' }))).toMatchObject({ status: 'fail', evidence: expect.stringContaining(`Route 53 Resolver rule ${shared.Id} (hub): forwards ${HOST}.`) })
      // The share is withdrawn while the association stays: the rule's domain can no longer be read.
      resolver().rules.delete(shared.Id)
      const unknown = dnsCheck(await run({ mode: 'plan' }))
      expect(unknown).toMatchObject({ status: 'skip', proof: 'analysis' })
      expect(unknown?.evidence).toContain(`Route 53 Resolver rule ${shared.Id}: associated with ${VPC_ID} but not listed by ListResolverRules`)
    } finally {
      resolver().rules.clear()
      resolver().associations.clear()
    }
  })

  it('leaves the link unproven, not the run failed, when the Resolver rules cannot be read, naming the permission', async () => {
    emulators.switches.inject({ service: 'route53resolver', operation: 'ListResolverRuleAssociations', status: 400, code: 'AccessDeniedException', message: 'User is not authorized to perform: route53resolver:ListResolverRuleAssociations', times: 1 })
    const result = await run({ mode: 'plan' })
    expectSuccess(result)
    const skipped = verificationChecks(result).find((c) => c.id === 'dns-analysis')
    expect(skipped).toMatchObject({ status: 'skip', proof: 'none' })
    expect(skipped?.evidence).toContain('route53resolver:ListResolverRuleAssociations')
    expect(skipped?.evidence).toContain('docs/policies/aws-plan.json')
  })
  it('reads the network\'s DNS settings beside the verification\'s reads, not after them', () =>
    expectDnsReadsBesideVerification(emulators, run, ['route53:ListResourceRecordSets', 'ec2:DescribeVpcAttribute'], CLUSTER))
})
