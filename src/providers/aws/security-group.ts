// The endpoint's security group: found by name in the VPC, created with the link ports, and topped up
// when ports or CIDRs were added. Groups the user supplies are never modified, only verified.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type SecurityGroup
} from '@aws-sdk/client-ec2'
import type { PlannedStep } from '../../engine/plan.js'
import { describeGrants, missingGrants, type IngressRule, type PortGrant } from '../../engine/ports.js'
import { toTags } from './clients.js'

export const SECURITY_GROUP_STEP = 'security-group'
export const SECURITY_GROUP_RULES_STEP = 'security-group-ingress'

export interface ObservedGroup {
  id: string
  name: string
  vpcId: string
  rules: IngressRule[]
  tags: Record<string, string>
}

function toObserved(group: SecurityGroup): ObservedGroup {
  return {
    id: group.GroupId ?? '',
    name: group.GroupName ?? '',
    vpcId: group.VpcId ?? '',
    tags: Object.fromEntries((group.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    rules: (group.IpPermissions ?? []).map((p) => ({
      protocol: p.IpProtocol ?? '',
      fromPort: p.FromPort ?? 0,
      toPort: p.ToPort ?? 65535,
      cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp ?? '')
    }))
  }
}

export async function findGroupByName(ec2: EC2Client, vpcId: string, name: string): Promise<ObservedGroup | undefined> {
  const out = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: [name] }] })
  )
  const group = out.SecurityGroups?.[0]
  return group ? toObserved(group) : undefined
}

export async function describeGroups(ec2: EC2Client, ids: string[]): Promise<ObservedGroup[]> {
  if (!ids.length) return []
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ids }))
  return (out.SecurityGroups ?? []).map(toObserved)
}

const isError = (error: unknown, code: string) => (error as { name?: string }).name === code

const authorizeCommand = (groupId: string, grants: PortGrant[]) =>
  new AuthorizeSecurityGroupIngressCommand({
    GroupId: groupId,
    IpPermissions: grants.map((g) => ({ IpProtocol: 'tcp', FromPort: g.port, ToPort: g.port, IpRanges: [{ CidrIp: g.cidr, Description: 'Zilliz private link' }] }))
  })

// A retried authorize whose first attempt landed reports the rules as duplicates: that is success.
async function authorize(ec2: EC2Client, groupId: string, grants: PortGrant[]): Promise<void> {
  await ec2.send(authorizeCommand(groupId, grants)).catch((error: unknown) => {
    if (!isError(error, 'InvalidPermission.Duplicate')) throw error
  })
}

/**
 * Every wanted rule of a group this run created: EC2 refuses a request with any rule the group already has
 * and adds none of it, so a duplicate (a group adopted after a lost create response, or an earlier attempt
 * that landed) is answered by reading the group and adding only what it lacks.
 */
async function authorizeAll(ec2: EC2Client, groupId: string, wanted: PortGrant[]): Promise<void> {
  try {
    await ec2.send(authorizeCommand(groupId, wanted))
  } catch (error) {
    if (!isError(error, 'InvalidPermission.Duplicate')) throw error
    const current = (await describeGroups(ec2, [groupId]))[0]
    const missing = missingGrants(current?.rules ?? [], wanted)
    if (missing.length) await authorize(ec2, groupId, missing)
  }
}

// Group names are unique per VPC, so a create whose response was lost shows up as a duplicate: adopt it.
async function createGroup(input: SecurityGroupPlanInput): Promise<string> {
  try {
    const created = await input.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: input.name,
        Description: 'Zilliz Cloud private link endpoint (managed by zilliz-private-link)',
        VpcId: input.vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: toTags({ ...input.tags, Name: input.name }) }]
      })
    )
    return created.GroupId as string
  } catch (error) {
    if (!isError(error, 'InvalidGroup.Duplicate')) throw error
    const found = await findGroupByName(input.ec2, input.vpcId, input.name)
    if (!found) throw error
    return found.id
  }
}

export interface SecurityGroupPlanInput {
  ec2: EC2Client
  vpcId: string
  name: string
  existing: ObservedGroup | undefined
  wanted: PortGrant[]
  tags: Record<string, string>
  /** Receives the group id once it is known (created or kept) */
  onReady(groupId: string): void
}

/**
 * Two steps: the group, then its inbound rules. The endpoint needs only the group's id, so its create goes
 * out beside the rules instead of after them. A run stopped between the two finds the group by name next
 * time and plans the missing rules as an update.
 */
export function planSecurityGroup(input: SecurityGroupPlanInput): PlannedStep[] {
  const { ec2, existing, wanted } = input
  const rules = { id: SECURITY_GROUP_RULES_STEP, kind: 'aws.security-group-ingress', dependsOn: [SECURITY_GROUP_STEP], attributes: { ingress: describeGrants(wanted) } }
  if (!existing) {
    let groupId = ''
    return [
      {
        id: SECURITY_GROUP_STEP,
        kind: 'aws.security-group',
        dependsOn: [],
        attributes: { vpc: input.vpcId },
        name: input.name,
        action: 'create',
        reason: `no security group named ${input.name} in ${input.vpcId}`,
        run: async () => {
          groupId = await createGroup(input)
          input.onReady(groupId)
        }
      },
      { ...rules, name: input.name, action: 'create', reason: 'a new group admits nothing', run: () => authorizeAll(ec2, groupId, wanted) }
    ]
  }
  input.onReady(existing.id)
  const group: PlannedStep = { id: SECURITY_GROUP_STEP, kind: 'aws.security-group', dependsOn: [], attributes: { vpc: input.vpcId }, name: existing.id, action: 'keep', reason: `named ${input.name} in ${input.vpcId}` }
  const missing = missingGrants(existing.rules, wanted)
  if (!missing.length) return [group, { ...rules, name: existing.id, action: 'keep', reason: 'admits every link port from the allowed CIDRs' }]
  return [group, { ...rules, name: existing.id, action: 'update', reason: `missing ingress ${describeGrants(missing)}`, run: () => authorize(ec2, existing.id, missing) }]
}
