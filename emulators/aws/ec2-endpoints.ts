// Interface VPC endpoints: creation with EC2's client-token idempotency and the placement rules a
// real endpoint service enforces (its AZs, one subnet per AZ, groups in the same VPC), describe with
// filters and paging, modify, delete.
import type {
  Ec2Context,
  Ec2Handler,
  EndpointInterface,
  EndpointService,
  SecurityGroup,
  Subnet,
  Vpc,
  VpcEndpoint
} from './ec2-model.js'
import { applyFilters, paginate, selectByIds, tagSet, tagSpecifications } from './ec2-query.js'
import { AwsError, itemSet, type XmlFields } from './xml.js'

/** Hosted zone that holds `*.vpce.amazonaws.com` names per region (what Route 53 aliases point at). */
const VPCE_HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z7HUB22UULQXV',
  'us-west-2': 'Z1YSA3EXCYUU9Z'
}

export function vpceHostedZoneId(region: string): string {
  return VPCE_HOSTED_ZONES[region] ?? `Z${Buffer.from(region).toString('hex').toUpperCase().slice(0, 13)}`
}

export interface DnsEntry {
  dnsName: string
  hostedZoneId: string
  /** The AZ for per-AZ names; undefined for the regional name. */
  availabilityZone?: string
}

/** The regional name first, then one per AZ, as EC2 lists them. */
export function endpointDnsEntries(endpoint: VpcEndpoint, region: string): DnsEntry[] {
  if (endpoint.interfaces.length === 0) return []
  const serviceId = endpoint.serviceName.split('.').pop()!
  const suffix = `${serviceId}.${region}.vpce.amazonaws.com`
  const base = `${endpoint.vpcEndpointId}-${endpoint.dnsLabel}`
  const hostedZoneId = vpceHostedZoneId(region)
  return [
    { dnsName: `${base}.${suffix}`, hostedZoneId },
    ...endpoint.interfaces.map((eni) => ({
      dnsName: `${base}-${eni.availabilityZone}.${suffix}`,
      hostedZoneId,
      availabilityZone: eni.availabilityZone
    }))
  ]
}

export function endpointXml(endpoint: VpcEndpoint, ctx: Ec2Context): XmlFields {
  return {
    vpcEndpointId: endpoint.vpcEndpointId,
    vpcEndpointType: 'Interface',
    vpcId: endpoint.vpcId,
    serviceName: endpoint.serviceName,
    state: endpoint.state,
    routeTableIdSet: itemSet([]),
    subnetIdSet: itemSet(endpoint.subnetIds),
    groupSet: itemSet(
      endpoint.groupIds.map((groupId) => ({ groupId, groupName: ctx.resources.groups.get(groupId)?.groupName }))
    ),
    ipAddressType: 'ipv4',
    dnsOptions: { dnsRecordIpType: 'ipv4' },
    privateDnsEnabled: endpoint.privateDnsEnabled,
    requesterManaged: false,
    networkInterfaceIdSet: itemSet(endpoint.interfaces.map((eni) => eni.networkInterfaceId)),
    dnsEntrySet: itemSet(
      endpointDnsEntries(endpoint, ctx.region).map((d) => ({ dnsName: d.dnsName, hostedZoneId: d.hostedZoneId }))
    ),
    creationTimestamp: endpoint.createdAt,
    tagSet: tagSet(endpoint.tags),
    ownerId: ctx.accountId,
    lastError:
      endpoint.state === 'rejected' || endpoint.state === 'failed'
        ? { code: 'VpcEndpointRejected', message: 'The endpoint service owner rejected the connection request' }
        : undefined
  }
}

/** The placement rules the real service enforces on an endpoint's subnets. */
function checkSubnets(subnets: Subnet[], vpc: Vpc, service: EndpointService): void {
  const seenZones = new Set<string>()
  for (const subnet of subnets) {
    if (subnet.vpcId !== vpc.vpcId) {
      throw new AwsError(400, 'InvalidParameter', `The subnet ID '${subnet.subnetId}' does not belong to the VPC '${vpc.vpcId}'`)
    }
    if (seenZones.has(subnet.availabilityZoneId)) {
      throw new AwsError(
        400,
        'DuplicateSubnetsInSameZone',
        `Found another VPC endpoint subnet in the availability zone of ${subnet.subnetId}. ` +
          'VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.'
      )
    }
    seenZones.add(subnet.availabilityZoneId)
    if (!service.availabilityZoneIds.includes(subnet.availabilityZoneId)) {
      throw new AwsError(
        400,
        'InvalidParameter',
        `The VPC endpoint service ${service.serviceName} does not support the availability zone ` +
          `${subnet.availabilityZone} (${subnet.availabilityZoneId}) of the subnet: ${subnet.subnetId}.`
      )
    }
  }
}

function checkGroups(groups: SecurityGroup[], vpc: Vpc, subnets: Subnet[]): void {
  if (groups.length === 0) throw new AwsError(400, 'InvalidParameter', 'An Interface VPC endpoint must have at least one security group')
  for (const group of groups) {
    if (group.vpcId !== vpc.vpcId) {
      const peer = subnets[0]?.subnetId ?? vpc.vpcId
      throw new AwsError(400, 'InvalidParameter', `Security group ${group.groupId} and subnet ${peer} belong to different networks.`)
    }
  }
}

function checkPrivateDns(enabled: boolean, service: EndpointService): void {
  if (enabled && service.privateDnsName === undefined) {
    throw new AwsError(
      400,
      'InvalidParameter',
      `Private DNS can't be enabled because the service ${service.serviceName} does not provide a private DNS name.`
    )
  }
}

function newInterface(subnet: Subnet, ctx: Ec2Context): EndpointInterface {
  return {
    networkInterfaceId: ctx.ids.hex('eni-'),
    subnetId: subnet.subnetId,
    availabilityZone: subnet.availabilityZone,
    privateIp: ctx.resources.allocateIp(subnet)
  }
}

export function releaseInterface(eni: EndpointInterface, ctx: Ec2Context): void {
  const subnet = ctx.resources.subnets.get(eni.subnetId)
  if (subnet) ctx.resources.releaseIp(subnet, eni.privateIp)
}

const createVpcEndpoint: Ec2Handler = (params, ctx) => {
  const { resources } = ctx
  const clientToken = params.get('ClientToken')
  const fingerprint = params.fingerprint(['ClientToken'])
  const earlier = clientToken === undefined ? undefined : resources.clientTokens.get(clientToken)
  if (earlier) {
    if (earlier.fingerprint !== fingerprint) {
      throw new AwsError(400, 'IdempotentParameterMismatch', `The client token '${clientToken}' has already been used with different parameters.`)
    }
    const current = resources.endpoints.get(earlier.endpointId)
    return current ? { vpcEndpoint: endpointXml(current, ctx), clientToken } : earlier.original
  }

  const vpc = resources.vpc(params.require('VpcId'))
  // Interface endpoints are the VPC owner's to create; a participant of a VPC shared through RAM gets this
  // (AWS re:Post, "Resolve errors when creating interface endpoints": Client.UnauthorizedOperation).
  if ((vpc.ownerId ?? ctx.accountId) !== ctx.accountId) throw new AwsError(403, 'UnauthorizedOperation', 'This operation does not support shared VPCs.')
  const service = resources.service(params.require('ServiceName'))
  const type = params.get('VpcEndpointType') ?? 'Gateway'
  if (type !== 'Interface') {
    throw new AwsError(400, 'InvalidParameter', `Endpoint type (${type}) does not match available service types ([Interface]).`)
  }
  const subnets = params.list('SubnetId').map((id) => resources.subnet(id))
  checkSubnets(subnets, vpc, service)
  const requestedGroups = params.list('SecurityGroupId').map((id) => resources.group(id))
  const groups = requestedGroups.length > 0 ? requestedGroups : defaultGroupOf(vpc, ctx)
  checkGroups(groups, vpc, subnets)
  const privateDnsEnabled = params.bool('PrivateDnsEnabled') ?? service.privateDnsName !== undefined
  checkPrivateDns(privateDnsEnabled, service)
  const tags = tagSpecifications(params, 'vpc-endpoint')

  const endpoint: VpcEndpoint = {
    vpcEndpointId: ctx.ids.hex('vpce-'),
    vpcId: vpc.vpcId,
    serviceName: service.serviceName,
    state: service.acceptanceRequired ? 'pendingAcceptance' : 'pending',
    subnetIds: subnets.map((s) => s.subnetId),
    groupIds: groups.map((g) => g.groupId),
    privateDnsEnabled,
    interfaces: subnets.map((s) => newInterface(s, ctx)),
    dnsLabel: ctx.ids.lower('', 8),
    createdAt: new Date(ctx.now()),
    tags
  }
  resources.endpoints.set(endpoint.vpcEndpointId, endpoint)
  const result = { vpcEndpoint: endpointXml(endpoint, ctx), clientToken }
  if (clientToken !== undefined) resources.clientTokens.set(clientToken, { fingerprint, endpointId: endpoint.vpcEndpointId, original: result })
  ctx.endpointCreated(endpoint, service)
  return result
}

function defaultGroupOf(vpc: Vpc, ctx: Ec2Context): SecurityGroup[] {
  return [...ctx.resources.groups.values()].filter((g) => g.vpcId === vpc.vpcId && g.groupName === 'default')
}

const describeVpcEndpoints: Ec2Handler = (params, ctx) => {
  const { resources } = ctx
  const selected = selectByIds(params, 'VpcEndpointId', (id) => resources.endpoint(id), () => [...resources.endpoints.values()])
  const filtered = applyFilters(selected, params, {
    'vpc-id': (e) => [e.vpcId],
    'service-name': (e) => [e.serviceName],
    'vpc-endpoint-state': (e) => [e.state],
    'vpc-endpoint-id': (e) => [e.vpcEndpointId],
    'vpc-endpoint-type': () => ['Interface'],
    'ip-address-type': () => ['ipv4']
  })
  const page = paginate(filtered, params, { min: 1, capAt1000: true })
  return { vpcEndpointSet: itemSet(page.items.map((e) => endpointXml(e, ctx))), nextToken: page.nextToken }
}

const modifyVpcEndpoint: Ec2Handler = (params, ctx) => {
  const { resources } = ctx
  const endpoint = resources.endpoint(params.require('VpcEndpointId'))
  const vpc = resources.vpc(endpoint.vpcId)
  const service = resources.service(endpoint.serviceName)

  const removeSubnets = params.list('RemoveSubnetId')
  for (const id of removeSubnets) {
    if (!endpoint.subnetIds.includes(id)) {
      throw new AwsError(400, 'InvalidParameter', `The subnet ID '${id}' is not associated with ${endpoint.vpcEndpointId}`)
    }
  }
  const addedSubnets = params.list('AddSubnetId').map((id) => resources.subnet(id))
  const keptSubnets = endpoint.subnetIds.filter((id) => !removeSubnets.includes(id)).map((id) => resources.subnet(id))
  checkSubnets([...keptSubnets, ...addedSubnets], vpc, service)

  const removeGroups = params.list('RemoveSecurityGroupId')
  const addedGroups = params.list('AddSecurityGroupId').map((id) => resources.group(id))
  const groups = [
    ...endpoint.groupIds.filter((id) => !removeGroups.includes(id)).map((id) => resources.group(id)),
    ...addedGroups.filter((g) => !endpoint.groupIds.includes(g.groupId))
  ]
  checkGroups(groups, vpc, [...keptSubnets, ...addedSubnets])
  const privateDnsEnabled = params.bool('PrivateDnsEnabled') ?? endpoint.privateDnsEnabled
  checkPrivateDns(privateDnsEnabled, service)

  for (const eni of endpoint.interfaces.filter((i) => removeSubnets.includes(i.subnetId))) releaseInterface(eni, ctx)
  endpoint.interfaces = [
    ...endpoint.interfaces.filter((i) => !removeSubnets.includes(i.subnetId)),
    ...addedSubnets.map((s) => newInterface(s, ctx))
  ]
  endpoint.subnetIds = endpoint.interfaces.map((i) => i.subnetId)
  endpoint.groupIds = groups.map((g) => g.groupId)
  endpoint.privateDnsEnabled = privateDnsEnabled
  return { return: true }
}

const deleteVpcEndpoints: Ec2Handler = (params, ctx) => {
  const ids = params.list('VpcEndpointId')
  if (ids.length === 0) throw new AwsError(400, 'MissingParameter', 'The request must contain the parameter VpcEndpointId')
  const unsuccessful: XmlFields[] = []
  for (const id of ids) {
    const endpoint = ctx.resources.endpoints.get(id)
    if (!endpoint) {
      unsuccessful.push({
        error: { code: 'InvalidVpcEndpoint.NotFound', message: `The VpcEndpoint Id '${id}' does not exist` },
        resourceId: id
      })
      continue
    }
    // EC2 accepts the delete and finishes it later; a deleted endpoint stays listed as `deleted` for a while.
    if (endpoint.state === 'deleted') {
      unsuccessful.push({ error: { code: 'InvalidVpcEndpoint.NotFound', message: `The VpcEndpoint Id '${id}' does not exist` }, resourceId: id })
      continue
    }
    if (endpoint.state === 'deleting') continue
    endpoint.state = 'deleting'
    ctx.endpointDeleting(endpoint)
  }
  return { unsuccessful: itemSet(unsuccessful) }
}

export const endpointHandlers: Record<string, Ec2Handler> = {
  CreateVpcEndpoint: createVpcEndpoint,
  DescribeVpcEndpoints: describeVpcEndpoints,
  ModifyVpcEndpoint: modifyVpcEndpoint,
  DeleteVpcEndpoints: deleteVpcEndpoints
}
