// Microsoft.Network (api-version 2025-05-01): virtual networks and subnets (read), private endpoints (PUT
// and DELETE as long-running operations with Azure-AsyncOperation, GET, list) and their network interfaces. A manual
// connection to an alias stays Pending until Zilliz accepts the endpoint (see setConnectionStatus).
import { randomUUID } from 'node:crypto'
import type { EmulatorResponse } from '../core/service.js'
import type { World } from '../core/world.js'
import { ArmFailure, armJson, checkPreconditions, cloudError, networkEtag, parseBody, propertiesOf, requireLocation, tagsOf, resourceNotFound } from './arm-http.js'
import {
  allocateIp,
  key,
  resourceIds,
  type ArmState,
  type ConnectionStatus,
  type NetworkInterfaceState,
  type PeeringState,
  type PrivateEndpointState,
  type SubnetState,
  type VirtualNetworkState
} from './arm-model.js'
import { armRoute, MANAGEMENT_HOST, type ArmCall, type ArmRoute } from './arm-route.js'
import { AsyncOperations } from './operations.js'
import type { RoleAssignments } from './rbac.js'

export const NETWORK_API_VERSION = '2025-05-01'
const GROUP = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network'

export interface ArmTiming {
  /** Retry-After on 202/201 LRO answers and 429s (send 0 in tests: core-lro then uses its own interval) */
  retryAfterSeconds: number
}

type JsonObject = Record<string, unknown>

function subnetView(vnet: VirtualNetworkState, subnet: SubnetState, endpoints: PrivateEndpointState[]): JsonObject {
  const id = `${vnet.id}/subnets/${subnet.name}`
  return {
    name: subnet.name,
    id,
    etag: vnet.etag,
    type: 'Microsoft.Network/virtualNetworks/subnets',
    properties: {
      provisioningState: 'Succeeded',
      addressPrefix: subnet.addressPrefix,
      delegations: subnet.delegations.map((serviceName, i) => ({
        name: `delegation${i}`,
        id: `${id}/delegations/delegation${i}`,
        type: 'Microsoft.Network/virtualNetworks/subnets/delegations',
        properties: { provisioningState: 'Succeeded', serviceName, actions: [] }
      })),
      privateEndpoints: endpoints.filter((e) => key(e.subnetId) === key(id)).map((e) => ({ id: e.id })),
      ...(subnet.networkSecurityGroupId ? { networkSecurityGroup: { id: subnet.networkSecurityGroupId } } : {}),
      ...(subnet.routeTableId ? { routeTable: { id: subnet.routeTableId } } : {}),
      privateEndpointNetworkPolicies: subnet.privateEndpointNetworkPolicies ?? 'Disabled',
      privateLinkServiceNetworkPolicies: 'Enabled'
    }
  }
}

function peeringView(vnet: VirtualNetworkState, p: PeeringState, state: ArmState): JsonObject {
  const remote = state.virtualNetworks.get(key(p.remoteVnetId))
  const space = { addressPrefixes: remote?.addressPrefixes ?? [] }
  return {
    name: p.name,
    id: `${vnet.id}/virtualNetworkPeerings/${p.name}`,
    etag: vnet.etag,
    type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
    properties: {
      provisioningState: 'Succeeded',
      peeringState: p.peeringState,
      peeringSyncLevel: 'FullyInSync',
      allowVirtualNetworkAccess: p.allowVirtualNetworkAccess,
      allowForwardedTraffic: false,
      allowGatewayTransit: false,
      useRemoteGateways: false,
      remoteVirtualNetwork: { id: p.remoteVnetId },
      remoteAddressSpace: space,
      remoteVirtualNetworkAddressSpace: space
    }
  }
}

function connectionView(e: PrivateEndpointState): JsonObject {
  const kind = e.manual ? 'manualPrivateLinkServiceConnections' : 'privateLinkServiceConnections'
  const c = e.connection
  return {
    name: c.name,
    id: `${e.id}/${kind}/${c.name}`,
    etag: e.etag,
    type: `Microsoft.Network/privateEndpoints/${kind}`,
    properties: {
      provisioningState: 'Succeeded',
      privateLinkServiceId: c.target,
      groupIds: c.groupIds,
      ...(c.requestMessage !== undefined ? { requestMessage: c.requestMessage } : {}),
      privateLinkServiceConnectionState: { status: c.status, description: c.description, actionsRequired: 'None' }
    }
  }
}

function endpointView(e: PrivateEndpointState): JsonObject {
  return {
    name: e.name,
    id: e.id,
    etag: e.etag,
    type: 'Microsoft.Network/privateEndpoints',
    location: e.location,
    tags: e.tags,
    properties: {
      provisioningState: e.provisioningState,
      resourceGuid: e.resourceGuid,
      privateLinkServiceConnections: e.manual ? [] : [connectionView(e)],
      manualPrivateLinkServiceConnections: e.manual ? [connectionView(e)] : [],
      subnet: { id: e.subnetId },
      ipVersionType: 'IPv4',
      networkInterfaces: [{ id: e.nicId }],
      // Empty for a connection to another tenant's alias: the IP is on the network interface only.
      customDnsConfigs: [],
      ipConfigurations: []
    }
  }
}

function nicView(n: NetworkInterfaceState): JsonObject {
  const config = `privateEndpointIpConfig.${n.resourceGuid}`
  return {
    name: n.name,
    id: n.id,
    etag: n.etag,
    type: 'Microsoft.Network/networkInterfaces',
    location: n.location,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: n.resourceGuid,
      ipConfigurations: [
        {
          name: config,
          id: `${n.id}/ipConfigurations/${config}`,
          etag: n.etag,
          type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
          properties: {
            provisioningState: 'Succeeded',
            privateIPAddress: n.privateIp,
            privateIPAllocationMethod: 'Dynamic',
            subnet: { id: n.subnetId },
            primary: true,
            privateIPAddressVersion: 'IPv4'
          }
        }
      ],
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      macAddress: '',
      enableAcceleratedNetworking: false,
      enableIPForwarding: false,
      hostedWorkloads: [],
      ...(n.endpointId ? { privateEndpoint: { id: n.endpointId } } : {}),
      ...(n.virtualMachineId ? { virtualMachine: { id: n.virtualMachineId } } : {}),
      nicType: 'Standard'
    }
  }
}

interface ConnectionRequest {
  manual: boolean
  name: string
  target: string
  requestMessage?: string
  groupIds: string[]
}

function connectionRequest(properties: JsonObject): ConnectionRequest {
  const manualOnes = (properties['manualPrivateLinkServiceConnections'] ?? []) as JsonObject[]
  const automaticOnes = (properties['privateLinkServiceConnections'] ?? []) as JsonObject[]
  const all = [...manualOnes.map((c) => ({ c, manual: true })), ...automaticOnes.map((c) => ({ c, manual: false }))]
  if (all.length !== 1) throw new ArmFailure(400, 'InvalidRequestFormat', 'A private endpoint needs exactly one private link service connection.')
  const { c, manual } = all[0] as { c: JsonObject; manual: boolean }
  const cp = propertiesOf(c)
  const target = cp['privateLinkServiceId']
  if (typeof target !== 'string' || !target) throw new ArmFailure(400, 'InvalidRequestFormat', 'privateLinkServiceId is required on the connection.')
  const requestMessage = typeof cp['requestMessage'] === 'string' ? (cp['requestMessage'] as string) : undefined
  if (requestMessage && requestMessage.length > 140) throw new ArmFailure(400, 'InvalidRequestFormat', 'requestMessage is restricted to 140 characters.')
  return { manual, name: String(c['name'] ?? 'connection'), target, requestMessage, groupIds: (cp['groupIds'] ?? []) as string[] }
}

function withScope(scope: NonNullable<ArmRoute['scope']>, operations: string[], routes: ArmRoute[]): ArmRoute[] {
  return routes.map((route) => (operations.includes(route.operation) ? { ...route, scope } : route))
}

export class NetworkProvider {
  constructor(
    private readonly state: ArmState,
    private readonly operations: AsyncOperations,
    private readonly rbac: RoleAssignments,
    private readonly world: World,
    private readonly timing: ArmTiming
  ) {}

  routes(): ArmRoute[] {
    // The status of an operation is a subscription-level path, but an identity whose role sits on a resource
    // group polls its own operations all the same: the emulator checks the read on the resource operated on.
    const onOperated = (params: Record<string, string>, path: string) => this.operations.resourceOf(params['operationId'] ?? '') ?? path
    return withScope(onOperated, ['NetworkOperationStatus_Get', 'NetworkOperationResult_Get'], [
      armRoute('GET', `${GROUP}/virtualNetworks/{name}`, 'VirtualNetworks_Get', 'Microsoft.Network/virtualNetworks/read', (c) => this.getVirtualNetwork(c)),
      armRoute('GET', `${GROUP}/virtualNetworks/{name}/subnets/{subnet}`, 'Subnets_Get', 'Microsoft.Network/virtualNetworks/subnets/read', (c) => this.getSubnet(c)),
      armRoute('GET', `${GROUP}/privateEndpoints`, 'PrivateEndpoints_List', 'Microsoft.Network/privateEndpoints/read', (c) => this.listEndpoints(c)),
      armRoute('GET', `${GROUP}/privateEndpoints/{name}`, 'PrivateEndpoints_Get', 'Microsoft.Network/privateEndpoints/read', (c) => this.getEndpoint(c)),
      armRoute('PUT', `${GROUP}/privateEndpoints/{name}`, 'PrivateEndpoints_CreateOrUpdate', 'Microsoft.Network/privateEndpoints/write', (c) => this.putEndpoint(c)),
      armRoute('DELETE', `${GROUP}/privateEndpoints/{name}`, 'PrivateEndpoints_Delete', 'Microsoft.Network/privateEndpoints/delete', (c) => this.deleteEndpoint(c)),
      armRoute('GET', `${GROUP}/networkInterfaces/{name}`, 'NetworkInterfaces_Get', 'Microsoft.Network/networkInterfaces/read', (c) => this.getNetworkInterface(c)),
      armRoute(
        'GET',
        '/subscriptions/{subscriptionId}/providers/Microsoft.Network/locations/{location}/operations/{operationId}',
        'NetworkOperationStatus_Get',
        'Microsoft.Network/locations/operations/read',
        (c) => this.operationStatus(c)
      ),
      armRoute(
        'GET',
        '/subscriptions/{subscriptionId}/providers/Microsoft.Network/locations/{location}/operationResults/{operationId}',
        'NetworkOperationResult_Get',
        'Microsoft.Network/locations/operationResults/read',
        (c) => this.operationResult(c)
      )
    ])
  }

  /** Zilliz accepted (Approved) or dropped (Disconnected) the endpoint registered as <name>.<resourceGuid>. */
  setConnectionStatus(registrationId: string, status: ConnectionStatus): void {
    for (const e of this.state.privateEndpoints.values()) {
      if (`${e.name}.${e.resourceGuid}` !== registrationId) continue
      // Azure never revives a connection once rejected or disconnected.
      if (status === 'Approved' && e.connection.status !== 'Pending') continue
      e.connection.status = status
      e.connection.description = status === 'Approved' ? 'Approved by Zilliz Cloud' : `${status} by Zilliz Cloud`
      e.etag = networkEtag()
    }
  }

  /** An endpoint by name, for tests. */
  endpoint(name: string): PrivateEndpointState | undefined {
    return [...this.state.privateEndpoints.values()].find((e) => e.name === name)
  }

  private id(c: ArmCall, type: string, name = c.params['name'] ?? ''): string {
    return resourceIds.network(c.params['subscriptionId'] ?? '', c.params['resourceGroupName'] ?? '', type, name)
  }

  private vnetOrFail(c: ArmCall): VirtualNetworkState {
    const vnet = this.state.virtualNetworks.get(key(this.id(c, 'virtualNetworks')))
    if (!vnet) throw resourceNotFound('Microsoft.Network/virtualNetworks', c.params['name'], c.params['resourceGroupName'])
    return vnet
  }

  private getVirtualNetwork(c: ArmCall): EmulatorResponse {
    const vnet = this.vnetOrFail(c)
    const endpoints = [...this.state.privateEndpoints.values()]
    return armJson(200, {
      name: vnet.name,
      id: vnet.id,
      etag: vnet.etag,
      type: 'Microsoft.Network/virtualNetworks',
      location: vnet.location,
      tags: vnet.tags,
      properties: {
        provisioningState: 'Succeeded',
        resourceGuid: vnet.resourceGuid,
        addressSpace: { addressPrefixes: vnet.addressPrefixes },
        subnets: vnet.subnets.map((s) => subnetView(vnet, s, endpoints)),
        ...(vnet.dnsServers?.length ? { dhcpOptions: { dnsServers: vnet.dnsServers } } : {}),
        virtualNetworkPeerings: (vnet.peerings ?? []).map((p) => peeringView(vnet, p, this.state)),
        enableDdosProtection: false
      }
    })
  }

  private getSubnet(c: ArmCall): EmulatorResponse {
    const vnet = this.vnetOrFail(c)
    const subnet = vnet.subnets.find((s) => s.name.toLowerCase() === (c.params['subnet'] ?? '').toLowerCase())
    if (!subnet) throw new ArmFailure(404, 'NotFound', `Resource ${c.scope} not found.`)
    return armJson(200, subnetView(vnet, subnet, [...this.state.privateEndpoints.values()]))
  }

  private listEndpoints(c: ArmCall): EmulatorResponse {
    const prefix = key(`${resourceIds.resourceGroup(c.params['subscriptionId'] ?? '', c.params['resourceGroupName'] ?? '')}/`)
    const value = [...this.state.privateEndpoints.values()].filter((e) => key(e.id).startsWith(prefix)).map(endpointView)
    return armJson(200, { value })
  }

  private getEndpoint(c: ArmCall): EmulatorResponse {
    const e = this.state.privateEndpoints.get(key(this.id(c, 'privateEndpoints')))
    if (!e) throw resourceNotFound('Microsoft.Network/privateEndpoints', c.params['name'], c.params['resourceGroupName'])
    return armJson(200, endpointView(e))
  }

  private getNetworkInterface(c: ArmCall): EmulatorResponse {
    const n = this.state.networkInterfaces.get(key(this.id(c, 'networkInterfaces')))
    if (!n) throw new ArmFailure(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/networkInterfaces/${c.params['name']}' under resource group '${c.params['resourceGroupName']}' was not found.`)
    return armJson(200, nicView(n))
  }

  private putEndpoint(c: ArmCall): EmulatorResponse {
    const id = this.id(c, 'privateEndpoints')
    const existing = this.state.privateEndpoints.get(key(id))
    checkPreconditions(c.req, existing?.etag)
    const body = parseBody(c.req)
    const location = requireLocation(body)
    const tags = tagsOf(body)
    const properties = propertiesOf(body)
    const subnetId = String((properties['subnet'] as JsonObject | undefined)?.['id'] ?? '')
    if (!subnetId) throw new ArmFailure(400, 'InvalidRequestFormat', 'Cannot parse the request: properties.subnet.id is required.')
    const found = this.state.subnet(subnetId)
    // ARM looks referenced resources up in the endpoint's region, so a subnet elsewhere is "not found".
    if (!found || found.vnet.location !== location)
      throw new ArmFailure(400, 'InvalidResourceReference', `Resource ${subnetId} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`)
    this.rbac.requireLinked(c.principal, 'Microsoft.Network/privateEndpoints/write', id, 'Microsoft.Network/virtualNetworks/subnets/join/action', subnetId)
    if (found.subnet.delegations.length)
      throw new ArmFailure(400, 'PrivateEndpointCannotBeCreatedInSubnetThatHasDelegations', `Private endpoint ${id} cannot be created in a subnet ${subnetId} since it has delegations.`)
    const connection = connectionRequest(properties)
    this.checkTarget(connection)
    if (existing) {
      // Emulator's choice of codes: Azure refuses to move or retarget an endpoint, the wording is ours.
      if (key(existing.subnetId) !== key(subnetId)) throw new ArmFailure(400, 'PrivateEndpointSubnetCannotBeChanged', `The subnet of private endpoint ${id} cannot be changed.`)
      if (existing.connection.target.toLowerCase() !== connection.target.toLowerCase())
        throw new ArmFailure(400, 'PrivateLinkServiceIdCannotBeChanged', `The private link service of private endpoint ${id} cannot be changed.`)
    }
    const endpoint = existing ?? this.newEndpoint(c, id, location, subnetId, found.subnet, connection)
    endpoint.tags = tags
    endpoint.connection.requestMessage = connection.requestMessage
    endpoint.provisioningState = 'Updating'
    endpoint.etag = networkEtag()
    const op = this.operations.start(
      'PrivateEndpoints_CreateOrUpdate',
      (failed) => {
        endpoint.provisioningState = failed ? 'Failed' : 'Succeeded'
        if (!failed) this.world.endpoints.add('azure', `${endpoint.name}.${endpoint.resourceGuid}`, c.params['subscriptionId'])
      },
      id
    )
    const status = `https://${MANAGEMENT_HOST}/subscriptions/${c.params['subscriptionId']}/providers/Microsoft.Network/locations/${location}/operations/${op.id}?api-version=${NETWORK_API_VERSION}`
    return armJson(existing ? 200 : 201, endpointView(endpoint), { 'azure-asyncoperation': status, 'retry-after': String(this.timing.retryAfterSeconds) })
  }

  /**
   * 202 with Azure-AsyncOperation and Location while the endpoint is Deleting; the operation removes it and its
   * network interface. 204 when there is nothing to delete, as ARM answers.
   */
  private deleteEndpoint(c: ArmCall): EmulatorResponse {
    const id = this.id(c, 'privateEndpoints')
    const endpoint = this.state.privateEndpoints.get(key(id))
    if (!endpoint) return armJson(204, undefined)
    endpoint.provisioningState = 'Deleting'
    const op = this.operations.start('PrivateEndpoints_Delete', (failed) => {
      if (failed) {
        endpoint.provisioningState = 'Failed'
        return
      }
      this.state.privateEndpoints.delete(key(id))
      this.state.networkInterfaces.delete(key(endpoint.nicId))
      this.world.endpoints.remove('azure', `${endpoint.name}.${endpoint.resourceGuid}`)
    }, id)
    const base = `https://${MANAGEMENT_HOST}/subscriptions/${c.params['subscriptionId']}/providers/Microsoft.Network/locations/${endpoint.location}`
    return armJson(202, undefined, {
      'azure-asyncoperation': `${base}/operations/${op.id}?api-version=${NETWORK_API_VERSION}`,
      location: `${base}/operationResults/${op.id}?api-version=${NETWORK_API_VERSION}`,
      'retry-after': String(this.timing.retryAfterSeconds)
    })
  }

  private checkTarget(connection: ConnectionRequest): void {
    const target = connection.target.toLowerCase()
    if (target.startsWith('/subscriptions/')) throw new ArmFailure(400, 'InvalidResourceReference', `Resource ${connection.target} referenced by the private endpoint was not found.`)
    if (!this.state.aliases.has(target)) throw new ArmFailure(400, 'PrivateLinkServiceAliasNotFound', `Private link service alias ${connection.target} could not be resolved.`)
    // Emulator's rule: the aliases it knows belong to another tenant and approve by hand only.
    if (!connection.manual)
      throw new ArmFailure(400, 'PrivateLinkServiceRequiresManualApproval', `Private link service ${connection.target} does not auto-approve this subscription; request the connection in manualPrivateLinkServiceConnections.`)
  }

  private newEndpoint(c: ArmCall, id: string, location: string, subnetId: string, subnet: SubnetState, connection: ConnectionRequest): PrivateEndpointState {
    const ip = allocateIp(subnet)
    if (!ip) throw new ArmFailure(400, 'SubnetIsFull', `Subnet ${subnetId} has no free address for private endpoint ${id}.`)
    const resourceGuid = randomUUID()
    const nicName = `${c.params['name']}.nic.${randomUUID()}`
    const nicId = this.id(c, 'networkInterfaces', nicName)
    this.state.networkInterfaces.set(key(nicId), { id: nicId, name: nicName, location, subnetId, privateIp: ip, endpointId: id, resourceGuid: randomUUID(), etag: networkEtag() })
    const endpoint: PrivateEndpointState = {
      id,
      name: c.params['name'] ?? '',
      location,
      tags: {},
      subnetId,
      resourceGuid,
      provisioningState: 'Updating',
      manual: connection.manual,
      connection: { name: connection.name, target: connection.target, groupIds: connection.groupIds, status: 'Pending', description: 'Awaiting approval' },
      nicId,
      etag: networkEtag()
    }
    this.state.privateEndpoints.set(key(id), endpoint)
    return endpoint
  }

  private operationStatus(c: ArmCall): EmulatorResponse {
    const op = this.operations.poll(c.params['operationId'] ?? '')
    if (!op) return cloudError(404, 'OperationNotFound', `Operation ${c.params['operationId']} was not found.`)
    return armJson(200, AsyncOperations.statusBody(op), op.status === 'InProgress' ? { 'retry-after': String(this.timing.retryAfterSeconds) } : {})
  }

  private operationResult(c: ArmCall): EmulatorResponse {
    const op = this.operations.poll(c.params['operationId'] ?? '')
    if (!op) return cloudError(404, 'OperationNotFound', `Operation ${c.params['operationId']} was not found.`)
    if (op.status === 'InProgress') return armJson(202, undefined, { location: `https://${MANAGEMENT_HOST}${c.req.url.pathname}${c.req.url.search}`, 'retry-after': String(this.timing.retryAfterSeconds) })
    if (op.status === 'Failed') return cloudError(400, op.error?.code ?? 'Failed', op.error?.message ?? 'The operation failed.')
    if (op.status === 'Canceled') return cloudError(409, 'Canceled', 'The operation was superseded by a later request on the resource.')
    return op.result ? armJson(200, op.result) : armJson(204, undefined)
  }
}
