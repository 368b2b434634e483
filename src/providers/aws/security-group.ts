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

// A retried authorize whose first attempt landed reports the rules as duplicates: that is success.
async function authorize(ec2: EC2Client, groupId: string, grants: PortGrant[]): Promise<void> {
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: grants.map((g) => ({
        IpProtocol: 'tcp',
        FromPort: g.port,
        ToPort: g.port,
        IpRanges: [{ CidrIp: g.cidr, Description: 'Zilliz private link' }]
      }))
    })
  ).catch((error: unknown) => {
    if (!isError(error, 'InvalidPermission.Duplicate')) throw error
  })
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

export function planSecurityGroup(input: SecurityGroupPlanInput): PlannedStep {
  const { ec2, existing, wanted } = input
  const base = {
    id: SECURITY_GROUP_STEP,
    kind: 'aws.security-group',
    dependsOn: [],
    attributes: { vpc: input.vpcId, ingress: describeGrants(wanted) }
  }
  if (!existing) {
    return {
      ...base,
      name: input.name,
      action: 'create',
      reason: `no security group named ${input.name} in ${input.vpcId}`,
      run: async () => {
        const id = await createGroup(input)
        // Only what is missing: a group that already existed (a lost create response) may have rules.
        const current = (await describeGroups(ec2, [id]))[0]
        const missing = missingGrants(current?.rules ?? [], wanted)
        if (missing.length) await authorize(ec2, id, missing)
        input.onReady(id)
      }
    }
  }
  input.onReady(existing.id)
  const missing = missingGrants(existing.rules, wanted)
  if (!missing.length) return { ...base, name: existing.id, action: 'keep', reason: 'admits every link port from the allowed CIDRs' }
  return {
    ...base,
    name: existing.id,
    action: 'update',
    reason: `missing ingress ${describeGrants(missing)}`,
    run: async () => {
      await authorize(ec2, existing.id, missing)
    }
  }
}
