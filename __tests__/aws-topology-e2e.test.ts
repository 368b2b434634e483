// The AWS layouts beyond one VPC in one account, end to end through the real SDK against emulators that
// model accounts, their roles' permission policies and Route 53's cross-account association rules:
// zones associated with more VPCs of the same account (aws-dns-vpc-ids), and zones held by a central DNS
// account (aws-dns-role-arn) that authorizes the endpoint's VPC. Each role is held to exactly the actions
// of its file in docs/policies, so a run that needs anything more fails here.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { AssociateVPCWithHostedZoneCommand, CreateHostedZoneCommand } from '@aws-sdk/client-route-53'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import {
  DNS_ACCOUNT_ID,
  DNS_ROLE_ARN,
  dnsAccountTopology,
  HUB_VPC_ID,
  NETWORK_ACCOUNT_ID,
  OTHER_VPC_ID,
  registerAmbientCredentials,
  ROLE_ARN,
  ROLE_TRUSTED_SUBJECT,
  SHARED_SUBNET,
  SHARED_VPC_ID,
  VPC_ID,
  withSharedVpc,
  seedTopology
} from '../emulators/aws/index.js'
import type { HostedZone } from '../emulators/aws/route53-zones.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { VPCS_TAG } from '../src/providers/aws/zone-vpcs.js'
import { route53For } from './support/aws-emulators.js'
import { errorLine, expectNamedError, expectPlanAfterApplyConverged, expectReapplyKeepsEverything, expectSuccess, planSteps, sortedWrites, verificationChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

const HOSTS = ZILLIZ_SEED.clusters.aws.map((c) => `${c}-privatelink.aws-us-west-2.vectordb.zillizcloud.com.`)

function policyActions(file: string): string[] {
  const policy = JSON.parse(readFileSync(`docs/policies/${file}`, 'utf8')) as { Statement: { Action: string | string[] }[] }
  return policy.Statement.flatMap((s) => [s.Action].flat())
}

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators({
    aws: {
      accounts: [dnsAccountTopology()],
      topology: withSharedVpc(seedTopology()),
      trust: { [ROLE_ARN]: ROLE_TRUSTED_SUBJECT, [DNS_ROLE_ARN]: ROLE_TRUSTED_SUBJECT }
    }
  })
  // Each role may do exactly what its published policy grants.
  emulators.aws.iam.allowOnly(ROLE_ARN, policyActions('aws-apply.json'))
  emulators.aws.iam.allowOnly(DNS_ROLE_ARN, policyActions('aws-dns-account-apply.json'))
})
afterEach(async () => {
  await emulators.close()
})

const zones = (owner?: string): HostedZone[] => [...emulators.aws.route53.zones.zones.values()].filter((z) => !owner || z.owner === owner)
const writes = () => sortedWrites(emulators.log)
const vpcsOf = (zone: HostedZone) => zone.vpcs.map((v) => v.vpcId).sort()
/** The calls and writes of the run just made, for the layout's figures (2 clusters). */
const report = (layout: string, run: string) => process.stdout.write(`AWS ${layout}, ${run}: ${emulators.log.calls().length} calls, ${emulators.log.writes().length} writes\n`)

describe('extra VPCs in the endpoint\'s account (aws-dns-vpc-ids)', () => {
  const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...awsInputs(emulators, { 'aws-dns-vpc-ids': OTHER_VPC_ID, ...overrides }) })

  it('creates each zone with the endpoint\'s VPC, records and associates the other, and verifies both', async () => {
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    report('further VPC of the same account', 'fresh apply')
    expect(result.outputs['verified']).toBe('true')
    expect(writes()).toEqual([
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:CreateSecurityGroup',
      'ec2:CreateVpcEndpoint',
      'route53:AssociateVPCWithHostedZone',
      'route53:AssociateVPCWithHostedZone',
      'route53:ChangeResourceRecordSets',
      'route53:ChangeResourceRecordSets',
      'route53:ChangeTagsForResource',
      'route53:ChangeTagsForResource',
      'route53:ChangeTagsForResource',
      'route53:ChangeTagsForResource',
      'route53:CreateHostedZone',
      'route53:CreateHostedZone',
      'zilliz:CreatePrivateEndpoint'
    ])
    // No authorization within one account.
    expect(emulators.log.count('CreateVPCAssociationAuthorization', 'route53')).toBe(0)
    for (const zone of zones()) {
      expect(vpcsOf(zone)).toEqual([OTHER_VPC_ID, VPC_ID].sort())
      expect(zone.tags.get(VPCS_TAG)).toBe(OTHER_VPC_ID)
    }
    const checks = verificationChecks(result).filter((c) => c.id.startsWith('dns-vpc:'))
    expect(checks).toHaveLength(2)
    expect(checks.every((c) => c.status === 'pass')).toBe(true)
  })

  it('re-applies with zero writes, every step kept', async () => {
    await expectReapplyKeepsEverything(run, emulators.log)
    report('further VPC of the same account', 're-apply')
  })

  it('plans with zero writes and no changes after an apply', async () => {
    await expectPlanAfterApplyConverged(run, emulators.log)
  })

  it('destroy deletes the zones with their associations', async () => {
    expectSuccess(await run({ mode: 'apply' }))
    expectSuccess(await run({ mode: 'destroy' }))
    expect(zones()).toEqual([])
  })

  it('never removes an association it did not make: the zone stays, only the action\'s associations go', async () => {
    // Applied for the endpoint's VPC only; then someone associates the other VPC by hand.
    expectSuccess(await runAction({ ...emulators.env, ...awsInputs(emulators, { mode: 'apply' }) }))
    const admin = route53For(emulators.aws, registerAmbientCredentials(emulators.world))
    for (const zone of zones()) await admin.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone.id, VPC: { VPCId: OTHER_VPC_ID, VPCRegion: 'us-west-2' } }))
    // Listing it now: it is associated already, so the action writes nothing and records nothing.
    emulators.log.clear()
    const again = await run({ mode: 'apply' })
    expectSuccess(again)
    expect(writes()).toEqual([])
    const destroyed = await run({ mode: 'destroy' })
    expectSuccess(destroyed)
    expect(zones().map(vpcsOf)).toEqual([[OTHER_VPC_ID], [OTHER_VPC_ID]])
    expect(planSteps(destroyed).filter((s) => s.action === 'keep' && s.reason.includes(OTHER_VPC_ID))).toHaveLength(2)
  })

  it('refuses, before any write, a VPC that resolves a host through another zone already', async () => {
    const admin = route53For(emulators.aws, registerAmbientCredentials(emulators.world))
    await admin.send(new CreateHostedZoneCommand({ Name: HOSTS[0], CallerReference: 'by-hand', VPC: { VPCId: OTHER_VPC_ID, VPCRegion: 'us-west-2' }, HostedZoneConfig: { PrivateZone: true } }))
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectNamedError(result, 'aws-dns-vpc-ids', `${OTHER_VPC_ID} already resolves ${HOSTS[0]!.replace(/\.$/, '')} through zone`)
    expect(writes()).toEqual([])
  })

  it('refuses a VPC shared through RAM before any write: its zone associations are its owner\'s', async () => {
    const result = await run({ mode: 'apply', 'aws-dns-vpc-ids': SHARED_VPC_ID })
    expectNamedError(result, 'aws-dns-vpc-ids', `belongs to account ${NETWORK_ACCOUNT_ID}`)
    expect(writes()).toEqual([])
  })
})

describe('zones in a central DNS account (aws-dns-role-arn)', () => {
  const inputs = { 'aws-dns-role-arn': DNS_ROLE_ARN, 'aws-dns-vpc-ids': `${HUB_VPC_ID}, ${OTHER_VPC_ID}` }
  const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...awsInputs(emulators, { ...inputs, ...overrides }) })
  const authorizations = () => zones().flatMap((z) => z.authorizations)

  it('creates the zones in the DNS account with its hub VPC, authorizes, associates and de-authorizes the endpoint account\'s VPCs', async () => {
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    report('central DNS account', 'fresh apply')
    expect(result.outputs['verified']).toBe('true')
    expect(writes()).toEqual([
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:CreateSecurityGroup',
      'ec2:CreateVpcEndpoint',
      ...Array(4).fill('route53:AssociateVPCWithHostedZone'),
      'route53:ChangeResourceRecordSets',
      'route53:ChangeResourceRecordSets',
      ...Array(4).fill('route53:ChangeTagsForResource'),
      'route53:CreateHostedZone',
      'route53:CreateHostedZone',
      ...Array(4).fill('route53:CreateVPCAssociationAuthorization'),
      ...Array(4).fill('route53:DeleteVPCAssociationAuthorization'),
      'zilliz:CreatePrivateEndpoint'
    ])
    expect(zones(DNS_ACCOUNT_ID).map((z) => z.name).sort()).toEqual([...HOSTS].sort())
    expect(zones(emulators.aws.route53.accountId)).toEqual([])
    for (const zone of zones()) expect(vpcsOf(zone)).toEqual([HUB_VPC_ID, OTHER_VPC_ID, VPC_ID].sort())
    expect(authorizations()).toEqual([])
    // One GitHub ID token served both roles.
    const presented = emulators.aws.sts.presented.filter((p) => p.accepted)
    expect(presented.map((p) => p.roleArn).sort()).toEqual([DNS_ROLE_ARN, ROLE_ARN].sort())
    expect(new Set(presented.map((p) => p.token)).size).toBe(1)
    expect(result.log).toContain(`zones in ${DNS_ACCOUNT_ID}`)
  })

  it('re-applies with zero writes, every step kept', async () => {
    await expectReapplyKeepsEverything(run, emulators.log)
    report('central DNS account', 're-apply')
  })

  it('plans with zero writes and no changes after an apply, the plan role of each account sufficing', async () => {
    expectSuccess(await run({ mode: 'apply' }))
    emulators.aws.iam.allowOnly(ROLE_ARN, policyActions('aws-plan.json'))
    emulators.aws.iam.allowOnly(DNS_ROLE_ARN, policyActions('aws-dns-account-plan.json'))
    emulators.log.clear()
    const plan = await run({ mode: 'plan' })
    expectSuccess(plan)
    expect(writes()).toEqual([])
    expect(plan.outputs['has-changes']).toBe('false')
    expect(plan.outputs['verified']).toBe('true')
  })

  it('destroy leaves the DNS account clean: zones, records, associations and authorizations gone', async () => {
    expectSuccess(await run({ mode: 'apply' }))
    emulators.log.clear()
    const destroyed = await run({ mode: 'destroy' })
    expectSuccess(destroyed)
    expect(zones()).toEqual([])
    expect(emulators.aws.ec2.resources.endpoints.size === 0 || [...emulators.aws.ec2.resources.endpoints.values()].every((e) => e.state === 'deleted' || e.state === 'deleting')).toBe(true)
    emulators.log.clear()
    const again = await run({ mode: 'destroy' })
    expectSuccess(again)
    expect(writes()).toEqual([])
  })

  it('names the DNS role and the IAM action its account lacks', async () => {
    emulators.aws.iam.deny(DNS_ROLE_ARN, 'route53:CreateVPCAssociationAuthorization')
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toContain('AWS route53:CreateVPCAssociationAuthorization was denied (AccessDenied, HTTP 403)')
    expect(error).toContain(`the role arn:aws:sts::${DNS_ACCOUNT_ID}:assumed-role/zilliz-private-link-dns/`)
    expect(error).toContain('lacks the IAM action route53:CreateVPCAssociationAuthorization')
    expect(error).toContain('docs/policies/aws-dns-account-apply.json')
  })

  it.each(['CreateHostedZone', 'ChangeTagsForResource', 'CreateVPCAssociationAuthorization', 'AssociateVPCWithHostedZone', 'DeleteVPCAssociationAuthorization'])(
    'converges after a crash right after %s, leaving no authorization behind, and destroy still removes everything',
    async (operation) => {
      emulators.switches.inject({ service: 'route53', operation, status: 400, code: 'InjectedCrash', message: 'the runner died here', times: 1, afterEffect: true })
      expect((await run({ mode: 'apply' })).exitCode).toBe(1)
      const again = await run({ mode: 'apply' })
      expectSuccess(again)
      expect(again.outputs['verified']).toBe('true')
      expect(authorizations()).toEqual([])
      for (const zone of zones()) expect(vpcsOf(zone)).toEqual([HUB_VPC_ID, OTHER_VPC_ID, VPC_ID].sort())
      emulators.log.clear()
      expectSuccess(await run({ mode: 'apply' }))
      expect(writes()).toEqual([])
      expectSuccess(await run({ mode: 'destroy' }))
      expect(zones()).toEqual([])
    }
  )

  it('cleans an authorization left after the association, as a planned update', async () => {
    expectSuccess(await run({ mode: 'apply' }))
    const [zone] = zones()
    zone!.authorizations.push({ vpcId: VPC_ID, region: 'us-west-2' })
    const plan = await run({ mode: 'plan' })
    const step = planSteps(plan).find((s) => s.action === 'update' && s.id.startsWith('dns-vpcs:'))
    expect(step?.reason).toContain(`delete the leftover authorization of ${VPC_ID}`)
    emulators.log.clear()
    expectSuccess(await run({ mode: 'apply' }))
    expect(writes()).toEqual(['route53:DeleteVPCAssociationAuthorization'])
    expect(authorizations()).toEqual([])
  })

  it('refuses, before any call that writes, a DNS account without a VPC of its own to create the zones with', async () => {
    const result = await run({ mode: 'apply', 'aws-dns-vpc-ids': OTHER_VPC_ID })
    expectNamedError(result, 'aws-dns-vpc-ids', `lists no VPC of account ${DNS_ACCOUNT_ID}`)
    expect(writes()).toEqual([])
  })
})

describe('a VPC shared through RAM as the endpoint\'s VPC', () => {
  it('is refused before any write: interface endpoints in a shared VPC are the owner\'s', async () => {
    const result = await runAction({ ...emulators.env, ...awsInputs(emulators, { mode: 'apply', 'aws-vpc-id': SHARED_VPC_ID, 'aws-subnet-ids': SHARED_SUBNET }) })
    expectNamedError(result, 'aws-vpc-id', `belongs to account ${NETWORK_ACCOUNT_ID} and is shared with`)
    expect(errorLine(result)).toContain('Run the action with a role of 345678901234')
    expect(sortedWrites(emulators.log)).toEqual([])
  })
})

describe('dns: existing-zone with a zone of the central DNS account and further VPCs', () => {
  const REGION_ZONE = 'aws-us-west-2.vectordb.zillizcloud.com'
  const inputs = { dns: 'existing-zone', 'aws-dns-role-arn': DNS_ROLE_ARN, 'aws-dns-vpc-ids': OTHER_VPC_ID }
  const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...awsInputs(emulators, { ...inputs, ...overrides }) })
  const bare = (host: string) => host.replace(/\.$/, '')

  /** The landing zone's central zone: made in the DNS account with its hub VPC, then serving the given VPCs. */
  function centralZone(vpcIds: string[]): HostedZone {
    const { zone } = emulators.aws.route53.zones.create({ owner: DNS_ACCOUNT_ID, name: REGION_ZONE, callerReference: 'landing-zone', privateZone: true, vpc: { region: 'us-west-2', vpcId: HUB_VPC_ID } })
    for (const vpcId of vpcIds) zone.vpcs.push({ region: 'us-west-2', vpcId })
    return zone
  }
  const records = (zone: HostedZone) => zone.records.filter((r) => r.type === 'A' || r.type === 'TXT').map((r) => `${bare(r.name)} ${r.type}`).sort()

  beforeEach(() => {
    // The DNS account's role holds only the smaller existing-zone policy.
    emulators.aws.iam.allowOnly(DNS_ROLE_ARN, policyActions('aws-dns-account-apply-dns-existing-zone.json'))
  })

  it('plans with zero writes, writes only its records in the DNS account, re-applies with zero writes, destroys only its records', async () => {
    const zone = centralZone([VPC_ID, OTHER_VPC_ID])
    const base = { 'dns-zone-ids': zone.id }
    const plan = await run({ ...base, mode: 'plan' })
    expectSuccess(plan)
    expect(writes()).toEqual([])

    emulators.log.clear()
    const apply = await run({ ...base, mode: 'apply' })
    expectSuccess(apply)
    report('existing-zone in the central DNS account', 'fresh apply')
    expect(apply.outputs['verified']).toBe('true')
    expect(writes()).toEqual(['ec2:AuthorizeSecurityGroupIngress', 'ec2:CreateSecurityGroup', 'ec2:CreateVpcEndpoint', 'route53:ChangeResourceRecordSets', 'route53:ChangeResourceRecordSets', 'zilliz:CreatePrivateEndpoint'])
    // The records went into the DNS account's zone; no zone, association or authorization was made anywhere.
    expect(zones().map((z) => z.id)).toEqual([zone.id])
    expect(vpcsOf(zone)).toEqual([HUB_VPC_ID, OTHER_VPC_ID, VPC_ID].sort())
    expect(records(zone)).toEqual(HOSTS.flatMap((h) => [`${bare(h)} A`, `_zilliz-private-link.${bare(h)} TXT`]).sort())
    const vpcChecks = verificationChecks(apply).filter((c) => c.id.startsWith('dns-vpc:'))
    expect(vpcChecks.map((c) => [c.id.split(':')[2], c.status])).toEqual(HOSTS.map(() => [OTHER_VPC_ID, 'pass']))

    emulators.log.clear()
    const again = await run({ ...base, mode: 'apply' })
    expectSuccess(again)
    report('existing-zone in the central DNS account', 're-apply')
    expect(writes()).toEqual([])
    expect(planSteps(again).every((s) => s.action === 'keep')).toBe(true)

    emulators.aws.iam.allowOnly(ROLE_ARN, policyActions('aws-plan-dns-existing-zone.json'))
    emulators.aws.iam.allowOnly(DNS_ROLE_ARN, policyActions('aws-dns-account-plan-dns-existing-zone.json'))
    emulators.log.clear()
    const replan = await run({ ...base, mode: 'plan' })
    expectSuccess(replan)
    expect(writes()).toEqual([])
    expect(replan.outputs['has-changes']).toBe('false')

    emulators.aws.iam.allowOnly(ROLE_ARN, policyActions('aws-apply-dns-existing-zone.json'))
    emulators.aws.iam.allowOnly(DNS_ROLE_ARN, policyActions('aws-dns-account-apply-dns-existing-zone.json'))
    expectSuccess(await run({ ...base, mode: 'destroy' }))
    // The zone and its associations stay, as the DNS team made them; only the action's records are gone.
    expect(zones().map((z) => z.id)).toEqual([zone.id])
    expect(vpcsOf(zone)).toEqual([HUB_VPC_ID, OTHER_VPC_ID, VPC_ID].sort())
    expect(records(zone)).toEqual([])
  })

  it('refuses, before any write, a listed VPC the named zone does not serve, and never associates it', async () => {
    const zone = centralZone([VPC_ID])
    const result = await run({ 'dns-zone-ids': zone.id, mode: 'apply' })
    expectNamedError(result, 'aws-dns-vpc-ids', `hosted zone ${zone.id} (${REGION_ZONE}) is not associated with ${OTHER_VPC_ID}`)
    expect(writes()).toEqual([])
    expect(vpcsOf(zone)).toEqual([HUB_VPC_ID, VPC_ID].sort())
  })

  it('looks for the named zone in the DNS account and says so when it is another account\'s', async () => {
    const { zone } = emulators.aws.route53.zones.create({ owner: emulators.aws.route53.accountId, name: REGION_ZONE, callerReference: 'app-account', privateZone: true, vpc: { region: 'us-west-2', vpcId: VPC_ID } })
    const result = await run({ 'dns-zone-ids': zone.id, mode: 'apply' })
    expectNamedError(result, 'dns-zone-ids', `hosted zone ${zone.id} is held by another account than account ${DNS_ACCOUNT_ID} (aws-dns-role-arn)`)
    expect(writes()).toEqual([])
  })

  it('names the DNS role, the IAM action its account lacks and the existing-zone policy file', async () => {
    const zone = centralZone([VPC_ID, OTHER_VPC_ID])
    emulators.aws.iam.deny(DNS_ROLE_ARN, 'route53:ChangeResourceRecordSets', policyActions('aws-dns-account-apply-dns-existing-zone.json'))
    const result = await run({ 'dns-zone-ids': zone.id, mode: 'apply' })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    expect(error).toContain('AWS route53:ChangeResourceRecordSets was denied (AccessDenied, HTTP 403)')
    expect(error).toContain(`the role arn:aws:sts::${DNS_ACCOUNT_ID}:assumed-role/zilliz-private-link-dns/`)
    expect(error).toContain('docs/policies/aws-dns-account-apply.json')
  })
})
