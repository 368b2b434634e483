// DescribeNetworkInterfaces: the requester-managed interfaces interface endpoints own, one per subnet, and
// the interfaces callers created (ec2-insights.ts), by id or filter; ids and MaxResults do not mix.
import { createHash } from 'node:crypto'
import type { Ec2Context, Ec2Handler, EndpointInterface, Tag, VpcEndpoint } from './ec2-model.js'
import { applyFilters, paginate, tagSet } from './ec2-query.js'
import { userInterfacesXml } from './ec2-insights.js'
import { AwsError, itemSet, type XmlFields } from './xml.js'

interface ListedInterface {
  id: string
  vpcId: string
  subnetId: string
  availabilityZone: string
  privateIp: string
  groupIds: string[]
  description: string
  managed: boolean
  tags: Tag[]
  xml: () => XmlFields
}

function listedInterfaces(ctx: Ec2Context): ListedInterface[] {
  const owned = [...ctx.resources.endpoints.values()].flatMap((endpoint) =>
    endpoint.interfaces.map((eni) => ({
      id: eni.networkInterfaceId,
      vpcId: endpoint.vpcId,
      subnetId: eni.subnetId,
      availabilityZone: eni.availabilityZone,
      privateIp: eni.privateIp,
      groupIds: endpoint.groupIds,
      description: `VPC Endpoint Interface ${endpoint.vpcEndpointId}`,
      managed: true,
      // Endpoint interfaces carry no tags of their own
      tags: [],
      xml: () => interfaceXml({ eni, endpoint }, ctx)
    }))
  )
  const created = userInterfacesXml(ctx).map(({ item, xml }) => ({
    id: item.networkInterfaceId,
    vpcId: item.vpcId,
    subnetId: item.subnetId,
    availabilityZone: item.availabilityZone,
    privateIp: item.privateIp,
    groupIds: item.groupIds,
    description: item.description,
    managed: false,
    tags: item.tags,
    xml
  }))
  return [...owned, ...created]
}

/** A stable locally administered MAC address per interface. */
function macAddress(eniId: string): string {
  const bytes = createHash('sha256').update(eniId).digest().subarray(0, 5)
  return ['02', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':')
}

function interfaceXml({ eni, endpoint }: { eni: EndpointInterface; endpoint: VpcEndpoint }, ctx: Ec2Context): XmlFields {
  const privateDnsName = `ip-${eni.privateIp.replace(/\./g, '-')}.${ctx.region}.compute.internal`
  return {
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    vpcId: endpoint.vpcId,
    availabilityZone: eni.availabilityZone,
    description: `VPC Endpoint Interface ${endpoint.vpcEndpointId}`,
    ownerId: ctx.accountId,
    requesterId: 'amazon-vpce',
    requesterManaged: true,
    status: 'in-use',
    macAddress: macAddress(eni.networkInterfaceId),
    privateIpAddress: eni.privateIp,
    privateDnsName,
    sourceDestCheck: true,
    groupSet: itemSet(endpoint.groupIds.map((groupId) => ({ groupId, groupName: ctx.resources.groups.get(groupId)?.groupName }))),
    interfaceType: 'vpc_endpoint',
    privateIpAddressesSet: itemSet([{ privateIpAddress: eni.privateIp, privateDnsName, primary: true }]),
    ipv6AddressesSet: itemSet([]),
    tagSet: tagSet([])
  }
}

const describeNetworkInterfaces: Ec2Handler = (params, ctx) => {
  const all = listedInterfaces(ctx)
  const ids = params.list('NetworkInterfaceId')
  if (ids.length && params.has('MaxResults')) {
    throw new AwsError(400, 'InvalidParameterCombination', 'The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults')
  }
  const selected = ids.length
    ? ids.map((id) => {
        const found = all.find((o) => o.id === id)
        if (!found) throw new AwsError(400, 'InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`)
        return found
      })
    : all
  const filtered = applyFilters(selected, params, {
    'network-interface-id': (o) => [o.id],
    'vpc-id': (o) => [o.vpcId],
    'subnet-id': (o) => [o.subnetId],
    'availability-zone': (o) => [o.availabilityZone],
    'private-ip-address': (o) => [o.privateIp],
    'addresses.private-ip-address': (o) => [o.privateIp],
    'group-id': (o) => o.groupIds,
    description: (o) => [o.description],
    'interface-type': (o) => [o.managed ? 'vpc_endpoint' : 'interface'],
    'requester-managed': (o) => [String(o.managed)],
    status: (o) => [o.managed ? 'in-use' : 'available'],
    'owner-id': () => [ctx.accountId]
  })
  const page = paginate(filtered, params)
  return { networkInterfaceSet: itemSet(page.items.map((o) => o.xml())), nextToken: page.nextToken }
}

export const interfaceHandlers: Record<string, Ec2Handler> = {
  DescribeNetworkInterfaces: describeNetworkInterfaces
}
