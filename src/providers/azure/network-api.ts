// Microsoft.Network as plain ARM REST (api-version 2025-05-01, the excerpts in __tests__/fixtures/specs/azure/
// network): the reads, the private endpoint's PUT and DELETE, and Network Watcher's two checks. The generated
// @azure/arm-network client was 1.2 MB of the 1.74 MB Azure chunk and most of its load time, for eleven calls
// (docs/architecture.md). Requests go through the run's ARM pipeline (clients.ts) and carry what the SDK
// sent: the same paths, api-version, Accept and JSON bodies in ARM's wire shape. Long-running operations
// follow ARM's rules through @azure/core-lro, the library the SDK clients use: Azure-AsyncOperation or
// Location polled with Retry-After, then the resource (or the Location's result) read at the end.
// The types are the wire's (properties nested), narrowed to the fields the action reads or writes.
import { createHttpPoller, type LroResourceLocationConfig, type LroResponse, type OperationState } from '@azure/core-lro'
import { armList, armSend, armUrl, type ArmMethod, type ArmPipeline } from './arm-rest.js'

export const NETWORK_API_VERSION = '2025-05-01'

export interface SubResource {
  id?: string
}

export interface Subnet {
  id?: string
  name?: string
  properties?: {
    addressPrefix?: string
    addressPrefixes?: string[]
    networkSecurityGroup?: SubResource
    routeTable?: SubResource
    delegations?: { name?: string; properties?: { serviceName?: string } }[]
    /** Disabled (Azure's default), Enabled, NetworkSecurityGroupEnabled or RouteTableEnabled */
    privateEndpointNetworkPolicies?: string
  }
}

export interface VirtualNetworkPeering {
  name?: string
  properties?: {
    peeringState?: string
    allowVirtualNetworkAccess?: boolean
    remoteVirtualNetwork?: SubResource
    remoteAddressSpace?: { addressPrefixes?: string[] }
  }
}

export interface VirtualNetwork {
  id?: string
  name?: string
  location?: string
  properties?: {
    addressSpace?: { addressPrefixes?: string[] }
    /** Custom DNS servers the network hands its VMs; none: Azure-provided DNS */
    dhcpOptions?: { dnsServers?: string[] }
    subnets?: Subnet[]
    virtualNetworkPeerings?: VirtualNetworkPeering[]
  }
}

export interface NetworkInterface {
  id?: string
  properties?: { ipConfigurations?: { name?: string; properties?: { privateIPAddress?: string; primary?: boolean } }[] }
}

/** A security rule's fields as ARM nests them under `properties` (the flow evaluation reads them flat). */
export interface SecurityRuleProperties {
  priority?: number
  direction?: string
  access?: string
  protocol?: string
  sourceAddressPrefix?: string
  sourceAddressPrefixes?: string[]
  sourcePortRange?: string
  sourcePortRanges?: string[]
  destinationAddressPrefix?: string
  destinationAddressPrefixes?: string[]
  destinationPortRange?: string
  destinationPortRanges?: string[]
  sourceApplicationSecurityGroups?: unknown[]
  destinationApplicationSecurityGroups?: unknown[]
}

export interface NetworkSecurityGroup {
  id?: string
  name?: string
  properties?: {
    securityRules?: { name?: string; properties?: SecurityRuleProperties }[]
    defaultSecurityRules?: { name?: string; properties?: SecurityRuleProperties }[]
  }
}

export interface RouteTable {
  id?: string
  name?: string
  properties?: { routes?: { name?: string; properties?: { addressPrefix?: string; nextHopType?: string; nextHopIpAddress?: string } }[] }
}

export interface PrivateLinkServiceConnection {
  id?: string
  name?: string
  type?: string
  etag?: string
  properties?: {
    privateLinkServiceId?: string
    groupIds?: string[]
    requestMessage?: string
    provisioningState?: string
    privateLinkServiceConnectionState?: { status?: string; description?: string; actionsRequired?: string }
  }
}

export interface PrivateEndpoint {
  id?: string
  name?: string
  type?: string
  etag?: string
  location?: string
  tags?: Record<string, string>
  properties?: {
    provisioningState?: string
    /** Part of the id Zilliz registers */
    resourceGuid?: string
    subnet?: SubResource
    networkInterfaces?: SubResource[]
    privateLinkServiceConnections?: PrivateLinkServiceConnection[]
    manualPrivateLinkServiceConnections?: PrivateLinkServiceConnection[]
    ipConfigurations?: { name?: string; type?: string; etag?: string; properties?: unknown }[]
    [writable: string]: unknown
  }
  [writable: string]: unknown
}

export interface NetworkWatcher {
  id?: string
  name?: string
  location?: string
}

export interface VerificationIPFlowParameters {
  targetResourceId: string
  direction: 'Inbound' | 'Outbound'
  protocol: 'TCP' | 'UDP'
  localPort: string
  remotePort: string
  localIPAddress: string
  remoteIPAddress: string
}

export interface VerificationIPFlowResult {
  access?: string
  ruleName?: string
}

export interface ConnectivityParameters {
  source: { resourceId: string }
  destination: { address: string; port: number }
  protocol: 'Tcp'
}

export interface ConnectivityIssue {
  origin?: string
  severity?: string
  type?: string
  context?: Record<string, string>[]
}

export interface ConnectivityInformation {
  connectionStatus?: string
  hops?: { issues?: ConnectivityIssue[] }[]
}

/**
 * A PUT of an endpoint as it was read: what ARM declares read-only (the spec's readOnly fields, and the
 * resourceGuid the SDK's model never sent) is left out, everything else of the user's is kept.
 */
export function writableEndpoint(read: PrivateEndpoint): PrivateEndpoint {
  const { name: _name, type: _type, etag: _etag, properties, ...rest } = read
  if (!properties) return rest
  const { provisioningState: _state, resourceGuid: _guid, networkInterfaces: _nics, ...writable } = properties
  const connection = ({ type: _t, etag: _e, properties: p, ...c }: PrivateLinkServiceConnection): PrivateLinkServiceConnection => {
    if (!p) return c
    const { provisioningState: _s, ...kept } = p
    return { ...c, properties: kept }
  }
  return {
    ...rest,
    properties: {
      ...writable,
      ...(writable.privateLinkServiceConnections ? { privateLinkServiceConnections: writable.privateLinkServiceConnections.map(connection) } : {}),
      ...(writable.manualPrivateLinkServiceConnections ? { manualPrivateLinkServiceConnections: writable.manualPrivateLinkServiceConnections.map(connection) } : {}),
      ...(writable.ipConfigurations ? { ipConfigurations: writable.ipConfigurations.map(({ type: _t, etag: _e, ...c }) => c) } : {})
    }
  }
}

/** Microsoft.Network in one subscription. Reads and long-running operations throw ARM's RestError (arm-rest.ts). */
export class NetworkApi {
  /** `pollIntervalMs`: between polls that name no Retry-After (core-lro's default, 2 s, unless given) */
  constructor(
    private readonly arm: ArmPipeline,
    readonly subscriptionId: string,
    private readonly principal: () => string | undefined,
    private readonly pollIntervalMs?: number
  ) {}

  private path(resourceGroup: string, type: string, name?: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${encodeURIComponent(resourceGroup)}/providers/Microsoft.Network/${type}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`
  }

  private async get<T>(path: string): Promise<T> {
    return (await armSend<T>(this.arm, 'GET', armUrl(this.arm, path, NETWORK_API_VERSION), this.principal, { acceptJson: true })).body as T
  }

  private list<T>(path: string): Promise<T[]> {
    return armList<T>(this.arm, 'GET', path, NETWORK_API_VERSION, this.principal, { acceptJson: true })
  }

  virtualNetwork(resourceGroup: string, name: string): Promise<VirtualNetwork> {
    return this.get(this.path(resourceGroup, 'virtualNetworks', name))
  }

  networkInterface(resourceGroup: string, name: string): Promise<NetworkInterface> {
    return this.get(this.path(resourceGroup, 'networkInterfaces', name))
  }

  networkSecurityGroup(resourceGroup: string, name: string): Promise<NetworkSecurityGroup> {
    return this.get(this.path(resourceGroup, 'networkSecurityGroups', name))
  }

  routeTable(resourceGroup: string, name: string): Promise<RouteTable> {
    return this.get(this.path(resourceGroup, 'routeTables', name))
  }

  privateEndpoint(resourceGroup: string, name: string): Promise<PrivateEndpoint> {
    return this.get(this.path(resourceGroup, 'privateEndpoints', name))
  }

  /** Every private endpoint of the resource group. */
  privateEndpoints(resourceGroup: string): Promise<PrivateEndpoint[]> {
    return this.list(this.path(resourceGroup, 'privateEndpoints'))
  }

  /** PUTs the endpoint and follows the operation (Azure-AsyncOperation) to the endpoint as it ends. */
  putPrivateEndpoint(resourceGroup: string, name: string, endpoint: PrivateEndpoint, signal?: AbortSignal): Promise<PrivateEndpoint> {
    return this.longRunning<PrivateEndpoint>('PUT', this.path(resourceGroup, 'privateEndpoints', name), 'azure-async-operation', endpoint, signal)
  }

  /** Deletes the endpoint (and the network interface Azure made for it), following the operation (Location). */
  async deletePrivateEndpoint(resourceGroup: string, name: string, signal?: AbortSignal): Promise<void> {
    await this.longRunning('DELETE', this.path(resourceGroup, 'privateEndpoints', name), 'location', undefined, signal)
  }

  /** The subscription's Network Watchers, one per region where it is enabled. */
  networkWatchers(): Promise<NetworkWatcher[]> {
    return this.list(`/subscriptions/${this.subscriptionId}/providers/Microsoft.Network/networkWatchers`)
  }

  verifyIpFlow(resourceGroup: string, watcher: string, parameters: VerificationIPFlowParameters, signal?: AbortSignal): Promise<VerificationIPFlowResult> {
    return this.longRunning('POST', `${this.path(resourceGroup, 'networkWatchers', watcher)}/ipFlowVerify`, 'location', parameters, signal)
  }

  checkConnectivity(resourceGroup: string, watcher: string, parameters: ConnectivityParameters, signal?: AbortSignal): Promise<ConnectivityInformation> {
    return this.longRunning('POST', `${this.path(resourceGroup, 'networkWatchers', watcher)}/connectivityCheck`, 'location', parameters, signal)
  }

  /**
   * One long-running operation: the request, then @azure/core-lro polls what ARM points to. Poll URLs get
   * the api-version when they lack one, as the SDK's requests did; a failed operation throws core-lro's
   * "The long-running operation has failed. <code>. <message>" (arm-writes.ts reads the code from it).
   */
  private async longRunning<T>(method: ArmMethod, path: string, resourceLocationConfig: LroResourceLocationConfig, body: unknown, signal?: AbortSignal): Promise<T> {
    const url = armUrl(this.arm, path, NETWORK_API_VERSION)
    const send = async (verb: ArmMethod, to: string, payload?: unknown, abortSignal?: AbortSignal): Promise<LroResponse<T>> => {
      const answer = await armSend<T>(this.arm, verb, to, this.principal, { acceptJson: true, ...(payload === undefined ? {} : { body: payload }), ...(abortSignal ? { abortSignal } : {}) })
      return { flatResponse: answer.body as T, rawResponse: { statusCode: answer.status, headers: answer.headers, body: answer.body } }
    }
    const poller = await createHttpPoller<T, OperationState<T>>(
      {
        requestMethod: method,
        requestPath: url,
        sendInitialRequest: () => send(method, url, body, signal),
        sendPollRequest: (to, options) => send('GET', withApiVersion(to), undefined, (options?.abortSignal as AbortSignal | undefined) ?? signal)
      },
      { resourceLocationConfig, ...(this.pollIntervalMs === undefined ? {} : { intervalInMs: this.pollIntervalMs }) }
    )
    return poller.pollUntilDone(signal ? { abortSignal: signal } : {})
  }
}

function withApiVersion(url: string): string {
  const parsed = new URL(url)
  if (!parsed.searchParams.has('api-version')) parsed.searchParams.set('api-version', NETWORK_API_VERSION)
  return parsed.href
}
