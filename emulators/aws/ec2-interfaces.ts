// Network interfaces, read-only: the requester-managed interfaces interface endpoints own, one per
// subnet, as DescribeNetworkInterfaces lists them (by id or filter; ids and MaxResults do not mix).
import { createHash } from 'node:crypto'
import type { Ec2Context, Ec2Handler, EndpointInterface, Tag, VpcEndpoint } from './ec2-model.js'
import { applyFilters, paginate, tagSet } from './ec2-query.js'
import { AwsError, itemSet, type XmlFields } from './xml.js'

interface OwnedInterface {
  eni: EndpointInterface
  endpoint: VpcEndpoint
  /** Endpoint interfaces carry no tags of their own */
  tags: Tag[]
}

function ownedInterfaces(ctx: Ec2Context): OwnedInterface[] {
  return [...ctx.resources.endpoints.values()].flatMap((endpoint) => endpoint.interfaces.map((eni) => ({ eni, endpoint, tags: [] })))
}

/** A stable locally administered MAC address per interface. */
function macAddress(eniId: string): string {
  const bytes = createHash('sha256').update(eniId).digest().subarray(0, 5)
  return ['02', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':')
}

function interfaceXml({ eni, endpoint }: OwnedInterface, ctx: Ec2Context): XmlFields {
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
  const all = ownedInterfaces(ctx)
  const ids = params.list('NetworkInterfaceId')
  if (ids.length && params.has('MaxResults')) {
    throw new AwsError(400, 'InvalidParameterCombination', 'The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults')
  }
  const selected = ids.length
    ? ids.map((id) => {
        const found = all.find((o) => o.eni.networkInterfaceId === id)
        if (!found) throw new AwsError(400, 'InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`)
        return found
      })
    : all
  const filtered = applyFilters(selected, params, {
    'network-interface-id': (o) => [o.eni.networkInterfaceId],
    'vpc-id': (o) => [o.endpoint.vpcId],
    'subnet-id': (o) => [o.eni.subnetId],
    'availability-zone': (o) => [o.eni.availabilityZone],
    'private-ip-address': (o) => [o.eni.privateIp],
    'addresses.private-ip-address': (o) => [o.eni.privateIp],
    'group-id': (o) => o.endpoint.groupIds,
    description: (o) => [`VPC Endpoint Interface ${o.endpoint.vpcEndpointId}`],
    'interface-type': () => ['vpc_endpoint'],
    'requester-managed': () => ['true'],
    status: () => ['in-use'],
    'owner-id': () => [ctx.accountId]
  })
  const page = paginate(filtered, params)
  return { networkInterfaceSet: itemSet(page.items.map((o) => interfaceXml(o, ctx))), nextToken: page.nextToken }
}

export const interfaceHandlers: Record<string, Ec2Handler> = {
  DescribeNetworkInterfaces: describeNetworkInterfaces
}
