// Security groups: create (no client token, so duplicates are an error), describe with filters,
// ingress rules with duplicate detection, and delete guarded by dependencies.
import type { Ec2Context, Ec2Handler, IngressRule, SecurityGroup, Vpc } from './ec2-model.js'
import { parseCidr } from './ec2-model.js'
import { applyFilters, paginate, selectByIds, tagSet, tagSpecifications } from './ec2-query.js'
import type { IdFactory } from './names.js'
import { AwsError, itemSet, type QueryParams, type XmlFields } from './xml.js'

const ALL_TRAFFIC = '-1'
const PROTOCOLS: Record<string, string> = { tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', '-1': ALL_TRAFFIC, all: ALL_TRAFFIC }

/** Every VPC comes with a `default` group that admits its own members and allows all egress. */
export function defaultSecurityGroup(vpc: Vpc, ids: IdFactory): SecurityGroup {
  const groupId = ids.hex('sg-')
  return {
    groupId,
    groupName: 'default',
    description: 'default VPC security group',
    vpcId: vpc.vpcId,
    tags: [],
    ingress: [{ ruleId: ids.hex('sgr-'), ipProtocol: ALL_TRAFFIC, referencedGroupId: groupId }],
    egress: [{ ruleId: ids.hex('sgr-'), ipProtocol: ALL_TRAFFIC, cidrIpv4: '0.0.0.0/0' }]
  }
}

const createSecurityGroup: Ec2Handler = (params, ctx) => {
  const groupName = params.require('GroupName')
  const description = params.require('GroupDescription')
  const vpc = params.has('VpcId') ? ctx.resources.vpc(params.require('VpcId')) : defaultVpc(ctx)
  if (groupName.startsWith('sg-')) {
    throw new AwsError(400, 'InvalidParameterValue', `Group names may not be in the format sg-*. Value (${groupName})`)
  }
  const taken = [...ctx.resources.groups.values()].some((g) => g.vpcId === vpc.vpcId && g.groupName === groupName)
  if (taken) {
    throw new AwsError(400, 'InvalidGroup.Duplicate', `The security group '${groupName}' already exists for VPC '${vpc.vpcId}'`)
  }
  const tags = tagSpecifications(params, 'security-group')
  const group: SecurityGroup = {
    groupId: ctx.ids.hex('sg-'),
    groupName,
    description,
    vpcId: vpc.vpcId,
    tags,
    ingress: [],
    egress: [{ ruleId: ctx.ids.hex('sgr-'), ipProtocol: ALL_TRAFFIC, cidrIpv4: '0.0.0.0/0' }]
  }
  ctx.resources.groups.set(group.groupId, group)
  return {
    return: true,
    groupId: group.groupId,
    tagSet: tags.length > 0 ? tagSet(tags) : undefined,
    securityGroupArn: groupArn(group, ctx)
  }
}

function defaultVpc(ctx: Ec2Context): Vpc {
  const vpc = [...ctx.resources.vpcs.values()].find((v) => v.isDefault)
  if (!vpc) throw new AwsError(400, 'VPCIdNotSpecified', 'No default VPC for this user')
  return vpc
}

const describeSecurityGroups: Ec2Handler = (params, ctx) => {
  const { resources } = ctx
  const byId = selectByIds(params, 'GroupId', (id) => resources.group(id), () => [...resources.groups.values()])
  const names = params.list('GroupName')
  const selected = names.length === 0 ? byId : byId.filter((g) => names.includes(g.groupName))
  for (const name of names) {
    if (!selected.some((g) => g.groupName === name)) {
      throw new AwsError(400, 'InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC 'none'`)
    }
  }
  const filtered = applyFilters(selected, params, {
    'group-id': (g) => [g.groupId],
    'group-name': (g) => [g.groupName],
    'vpc-id': (g) => [g.vpcId],
    description: (g) => [g.description],
    'owner-id': () => [ctx.accountId],
    'ip-permission.cidr': (g) => g.ingress.map((r) => r.cidrIpv4),
    'ip-permission.protocol': (g) => g.ingress.map((r) => r.ipProtocol),
    'ip-permission.from-port': (g) => g.ingress.map((r) => r.fromPort?.toString()),
    'ip-permission.to-port': (g) => g.ingress.map((r) => r.toPort?.toString()),
    'ip-permission.group-id': (g) => g.ingress.map((r) => r.referencedGroupId)
  })
  const page = paginate(filtered, params)
  return { securityGroupInfo: itemSet(page.items.map((g) => securityGroupXml(g, ctx))), nextToken: page.nextToken }
}

function securityGroupXml(group: SecurityGroup, ctx: Ec2Context): XmlFields {
  return {
    ownerId: ctx.accountId,
    groupId: group.groupId,
    groupName: group.groupName,
    groupDescription: group.description,
    vpcId: group.vpcId,
    ipPermissions: permissionsXml(group.ingress, ctx),
    ipPermissionsEgress: permissionsXml(group.egress, ctx),
    tagSet: tagSet(group.tags),
    securityGroupArn: groupArn(group, ctx)
  }
}

/** Rules grouped back into IpPermissions: one per protocol and port range, peers listed inside. */
function permissionsXml(rules: IngressRule[], ctx: Ec2Context) {
  const byRange = new Map<string, IngressRule[]>()
  for (const rule of rules) {
    const key = `${rule.ipProtocol}|${rule.fromPort ?? ''}|${rule.toPort ?? ''}`
    byRange.set(key, [...(byRange.get(key) ?? []), rule])
  }
  return itemSet(
    [...byRange.values()].map((group) => ({
      ipProtocol: group[0]!.ipProtocol,
      fromPort: group[0]!.fromPort,
      toPort: group[0]!.toPort,
      groups: itemSet(
        group
          .filter((r) => r.referencedGroupId)
          .map((r) => ({ groupId: r.referencedGroupId, userId: ctx.accountId, description: r.description }))
      ),
      ipRanges: itemSet(group.filter((r) => r.cidrIpv4).map((r) => ({ cidrIp: r.cidrIpv4, description: r.description }))),
      ipv6Ranges: itemSet([]),
      prefixListIds: itemSet([])
    }))
  )
}

/** A rule as requested, before it gets an id. */
type RuleSpec = Omit<IngressRule, 'ruleId'>

/** Rules from `IpPermissions.N` (or the legacy flat CidrIp/IpProtocol/FromPort/ToPort form). */
function requestedRules(params: QueryParams, ctx: Ec2Context): RuleSpec[] {
  const permissions = params.members('IpPermissions')
  const flat = params.has('IpProtocol') ? [params] : []
  const specs = (permissions.length > 0 ? permissions : flat).flatMap((permission) => {
    const range = portRange(permission)
    const peers: Array<Pick<RuleSpec, 'cidrIpv4' | 'referencedGroupId' | 'description'>> = [
      ...permission.members('IpRanges').map((r) => ({ cidrIpv4: r.require('CidrIp'), description: r.get('Description') })),
      ...permission.members('Groups').map((g) => ({ referencedGroupId: g.require('GroupId'), description: g.get('Description') }))
    ]
    if (permission === params && params.has('CidrIp')) peers.push({ cidrIpv4: params.require('CidrIp') })
    if (peers.length === 0) {
      throw new AwsError(400, 'MissingParameter', 'The request must contain the parameter ipPermissions.ipRanges or ipPermissions.groups')
    }
    return peers.map((peer) => ({ ...range, ...withoutUndefined(peer) }))
  })
  if (specs.length === 0) throw new AwsError(400, 'MissingParameter', 'The request must contain the parameter ipPermissions')
  for (const spec of specs) {
    if (spec.cidrIpv4 !== undefined) parseCidr(spec.cidrIpv4)
    if (spec.referencedGroupId !== undefined) ctx.resources.group(spec.referencedGroupId)
  }
  return specs
}

function portRange(permission: QueryParams): Pick<RuleSpec, 'ipProtocol' | 'fromPort' | 'toPort'> {
  const raw = permission.require('IpProtocol')
  const ipProtocol = PROTOCOLS[raw.toLowerCase()]
  if (!ipProtocol) throw new AwsError(400, 'InvalidParameterValue', `Invalid value '${raw}' for IP protocol. Unknown protocol.`)
  if (ipProtocol === ALL_TRAFFIC) return { ipProtocol }
  const fromPort = permission.int('FromPort')
  const toPort = permission.int('ToPort')
  if (fromPort === undefined || toPort === undefined) {
    throw new AwsError(400, 'InvalidParameterValue', `Invalid value 'null' for portRange. Must specify both from and to ports with ${ipProtocol.toUpperCase()}.`)
  }
  if (ipProtocol !== 'icmp' && (fromPort < 0 || toPort > 65535 || fromPort > toPort)) {
    throw new AwsError(400, 'InvalidParameterValue', `Invalid ${ipProtocol.toUpperCase()} port range ${fromPort}-${toPort}`)
  }
  return { ipProtocol, fromPort, toPort }
}

const sameRule = (a: RuleSpec, b: RuleSpec): boolean =>
  a.ipProtocol === b.ipProtocol &&
  a.fromPort === b.fromPort &&
  a.toPort === b.toPort &&
  a.cidrIpv4 === b.cidrIpv4 &&
  a.referencedGroupId === b.referencedGroupId

const describeRule = (r: RuleSpec): string =>
  `peer: ${r.cidrIpv4 ?? r.referencedGroupId}, ${r.ipProtocol === ALL_TRAFFIC ? 'ALL' : r.ipProtocol.toUpperCase()}, ` +
  `from port: ${r.fromPort ?? -1}, to port: ${r.toPort ?? -1}, ALLOW`

function targetGroup(params: QueryParams, ctx: Ec2Context): SecurityGroup {
  if (params.has('GroupId')) return ctx.resources.group(params.require('GroupId'))
  const name = params.require('GroupName')
  const group = [...ctx.resources.groups.values()].find((g) => g.groupName === name)
  if (!group) throw new AwsError(400, 'InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC 'none'`)
  return group
}

const authorizeSecurityGroupIngress: Ec2Handler = (params, ctx) => {
  const group = targetGroup(params, ctx)
  const specs = requestedRules(params, ctx)
  specs.forEach((spec, i) => {
    if (group.ingress.some((r) => sameRule(r, spec)) || specs.slice(0, i).some((r) => sameRule(r, spec))) {
      throw new AwsError(400, 'InvalidPermission.Duplicate', `the specified rule "${describeRule(spec)}" already exists`)
    }
  })
  const tags = tagSpecifications(params, 'security-group-rule')
  const added = specs.map((spec) => ({ ruleId: ctx.ids.hex('sgr-'), ...spec }))
  group.ingress.push(...added)
  return {
    return: true,
    securityGroupRuleSet: itemSet(
      added.map((rule) => ({
        securityGroupRuleId: rule.ruleId,
        groupId: group.groupId,
        groupOwnerId: ctx.accountId,
        isEgress: false,
        ipProtocol: rule.ipProtocol,
        fromPort: rule.fromPort ?? -1,
        toPort: rule.toPort ?? -1,
        cidrIpv4: rule.cidrIpv4,
        referencedGroupInfo: rule.referencedGroupId ? { groupId: rule.referencedGroupId, userId: ctx.accountId } : undefined,
        description: rule.description,
        tagSet: tagSet(tags),
        securityGroupRuleArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group-rule/${rule.ruleId}`
      }))
    )
  }
}

const revokeSecurityGroupIngress: Ec2Handler = (params, ctx) => {
  const group = targetGroup(params, ctx)
  const ruleIds = params.list('SecurityGroupRuleId')
  const doomed =
    ruleIds.length > 0
      ? ruleIds.map((id) => {
          const rule = group.ingress.find((r) => r.ruleId === id)
          if (!rule) throw new AwsError(400, 'InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`)
          return rule
        })
      : requestedRules(params, ctx).map((spec) => {
          const rule = group.ingress.find((r) => sameRule(r, spec))
          if (!rule) throw new AwsError(400, 'InvalidPermission.NotFound', 'The specified rule does not exist in this security group.')
          return rule
        })
  group.ingress = group.ingress.filter((r) => !doomed.includes(r))
  return {
    return: true,
    revokedSecurityGroupRuleSet: itemSet(
      doomed.map((r) => ({ securityGroupRuleId: r.ruleId, groupId: group.groupId, isEgress: false, ipProtocol: r.ipProtocol }))
    )
  }
}

const deleteSecurityGroup: Ec2Handler = (params, ctx) => {
  const group = targetGroup(params, ctx)
  if (group.groupName === 'default') {
    throw new AwsError(400, 'CannotDelete', `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`)
  }
  const inUse =
    [...ctx.resources.endpoints.values()].some((e) => e.state !== 'deleted' && e.groupIds.includes(group.groupId)) ||
    [...ctx.resources.groups.values()].some((g) => g !== group && g.ingress.some((r) => r.referencedGroupId === group.groupId))
  if (inUse) throw new AwsError(400, 'DependencyViolation', `resource ${group.groupId} has a dependent object`)
  ctx.resources.groups.delete(group.groupId)
  return { return: true, groupId: group.groupId }
}

const groupArn = (group: SecurityGroup, ctx: Ec2Context): string =>
  `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${group.groupId}`

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

export const securityGroupHandlers: Record<string, Ec2Handler> = {
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
  DeleteSecurityGroup: deleteSecurityGroup
}
