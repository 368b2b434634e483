// The private endpoint with a manual connection to the region's Zilliz alias: found by name (or adopted from
// the resource group when one already connects the network to the alias), created by PUT with the
// long-running operation followed to completion, and waited on until Zilliz approves the connection.
import { pickAdoptable } from '../../engine/adopt.js'
import { InputError } from '../../engine/input-error.js'
import { PROJECT_TAG } from '../../engine/ownership.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import { REGISTRATION_STEP } from '../../engine/provider.js'
import { waitFor } from '../../engine/wait.js'
import { isTransitional, putUntilSucceeded, settled } from './arm-writes.js'
import { getOrUndefined, parseResourceId } from './clients.js'
import { writableEndpoint, type NetworkApi, type PrivateEndpoint, type PrivateLinkServiceConnection } from './network-api.js'

export const ENDPOINT_STEP = 'private-endpoint'
export const ENDPOINT_APPROVED_STEP = 'private-endpoint-approved'

export interface ObservedEndpoint {
  id: string
  name: string
  resourceGroup: string
  /** Part of the id Zilliz registers: <name>.<resourceGuid> */
  resourceGuid: string
  provisioningState: string
  subnetId: string
  /** privateLinkServiceId of the endpoint's connection: the alias, or a resource id */
  target: string
  /** Pending, Approved, Rejected or Disconnected */
  connectionStatus: string
  nicId?: string
  owned: boolean
  tags: Record<string, string>
}

// Connections in these states never carry traffic again; only a new endpoint helps.
const DEAD_CONNECTIONS = new Set(['rejected', 'disconnected'])

export const registrationId = (e: Pick<ObservedEndpoint, 'name' | 'resourceGuid'>) => `${e.name}.${e.resourceGuid}`
export const isDeadConnection = (status: string) => DEAD_CONNECTIONS.has(status.toLowerCase())

function connectionOf(e: PrivateEndpoint): PrivateLinkServiceConnection | undefined {
  return e.properties?.manualPrivateLinkServiceConnections?.[0] ?? e.properties?.privateLinkServiceConnections?.[0]
}

function toObserved(e: PrivateEndpoint, projectId: string): ObservedEndpoint {
  const connection = connectionOf(e)
  return {
    id: e.id ?? '',
    name: e.name ?? '',
    resourceGroup: parseResourceId(e.id ?? '').resourceGroup,
    resourceGuid: e.properties?.resourceGuid ?? '',
    provisioningState: e.properties?.provisioningState ?? 'Unknown',
    subnetId: e.properties?.subnet?.id ?? '',
    target: connection?.properties?.privateLinkServiceId ?? '',
    connectionStatus: connection?.properties?.privateLinkServiceConnectionState?.status ?? 'Unknown',
    nicId: e.properties?.networkInterfaces?.[0]?.id,
    owned: e.tags?.[PROJECT_TAG] === projectId,
    tags: { ...e.tags }
  }
}

export async function getEndpoint(network: NetworkApi, resourceGroup: string, name: string, projectId: string): Promise<ObservedEndpoint | undefined> {
  const found = await getOrUndefined(() => network.privateEndpoint(resourceGroup, name))
  return found && toObserved(found, projectId)
}

/** Every private endpoint of the resource group. */
export async function getEndpointsInGroup(network: NetworkApi, resourceGroup: string, projectId: string): Promise<ObservedEndpoint[]> {
  return (await network.privateEndpoints(resourceGroup)).map((e) => toObserved(e, projectId))
}

const inNetwork = (e: ObservedEndpoint, vnetId: string) => e.subnetId.toLowerCase().startsWith(`${vnetId.toLowerCase()}/subnets/`)
const sameTarget = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

export interface FindEndpointInput {
  name: string
  alias: string
  vnetId: string
  /** Ids Zilliz already knows (<name>.<resourceGuid>) */
  registered: Set<string>
}

/**
 * From the resource group's endpoints (one listing, which the inventory shares): the endpoint of that name,
 * else one in the network already connected to the alias: never a second one.
 */
export function findEndpoint(inGroup: ObservedEndpoint[], input: FindEndpointInput): ObservedEndpoint | undefined {
  const byName = inGroup.find((e) => e.name.toLowerCase() === input.name.toLowerCase())
  if (byName) return byName
  const live = inGroup.filter((e) => sameTarget(e.target, input.alias) && inNetwork(e, input.vnetId) && !isDeadConnection(e.connectionStatus))
  return pickAdoptable(live, (e) => e.owned, (e) => input.registered.has(registrationId(e)))
}

/** An endpoint of the configured name that Azure cannot turn into the one wanted is the input's problem. */
export function checkEndpoint(e: ObservedEndpoint, alias: string, vnetId: string, regionId: string): void {
  const remedy = `Azure cannot move or retarget a private endpoint: delete ${e.name}, or set azure-endpoint-name to another name.`
  if (!inNetwork(e, vnetId)) throw new InputError('azure-endpoint-name', `private endpoint ${e.name} is in ${e.subnetId}, outside ${vnetId}. ${remedy}`)
  if (!sameTarget(e.target, alias))
    throw new InputError('azure-endpoint-name', `private endpoint ${e.name} connects to ${e.target || 'nothing'}, not to Zilliz's alias ${alias} for ${regionId}. ${remedy}`)
}

/** The private IP the endpoint got in the subnet, read from its network interface. */
export async function endpointIp(network: NetworkApi, endpoint: Pick<ObservedEndpoint, 'nicId'>): Promise<string | undefined> {
  if (!endpoint.nicId) return undefined
  const { resourceGroup, name } = parseResourceId(endpoint.nicId)
  const nic = await getOrUndefined(() => network.networkInterface(resourceGroup, name))
  return nic?.properties?.ipConfigurations?.find((c) => c.properties?.privateIPAddress)?.properties?.privateIPAddress
}

export interface EndpointPlanInput {
  network: NetworkApi
  resourceGroup: string
  name: string
  location: string
  subnetId: string
  alias: string
  projectId: string
  existing: ObservedEndpoint | undefined
  tags: Record<string, string>
  /** Steps the create must wait for: the Zilliz whitelist entry where the region requires one */
  after: string[]
  /** Receives the endpoint once it is Succeeded, and the read of its private IP, which is still under way */
  onReady(endpoint: ObservedEndpoint, ip: Promise<string | undefined>): void
}

const endpointWrite = (input: EndpointPlanInput, resourceGroup: string, name: string) => ({
  what: `private endpoint ${name}`,
  read: () => getEndpoint(input.network, resourceGroup, name, input.projectId)
})

/** Puts the endpoint (again, while its operation fails transiently) and reports it once Succeeded. */
async function putEndpoint(input: EndpointPlanInput, resourceGroup: string, name: string, body: () => Promise<PrivateEndpoint>, ctx: StepContext): Promise<void> {
  const endpoint = await putUntilSucceeded(
    {
      ...endpointWrite(input, resourceGroup, name),
      conditional: false,
      put: async () => toObserved(await input.network.putPrivateEndpoint(resourceGroup, name, await body(), ctx.signal), input.projectId)
    },
    ctx
  )
  ready(input, endpoint)
}

// Registration needs only the id, so the step ends here; the records wait for the network interface's read.
function ready(input: EndpointPlanInput, endpoint: ObservedEndpoint): void {
  if (!endpoint.resourceGuid) throw new Error(`Azure returned no resourceGuid for private endpoint ${endpoint.name}`)
  input.onReady(endpoint, endpointIp(input.network, endpoint))
}

function newEndpointBody(input: EndpointPlanInput): PrivateEndpoint {
  return {
    location: input.location,
    tags: input.tags,
    properties: {
      subnet: { id: input.subnetId },
      manualPrivateLinkServiceConnections: [{ name: input.name, properties: { privateLinkServiceId: input.alias, requestMessage: `Zilliz Cloud private link for project ${input.projectId}` } }]
    }
  }
}

// A PUT of the resource as it is keeps everything of the user's (tags, settings) and retries provisioning.
const asItIs = (input: EndpointPlanInput, e: Pick<ObservedEndpoint, 'resourceGroup' | 'name'>) => async () => writableEndpoint(await input.network.privateEndpoint(e.resourceGroup, e.name))

export function planEndpoint(input: EndpointPlanInput): PlannedStep {
  const { existing } = input
  const base = { id: ENDPOINT_STEP, kind: 'azure.private-endpoint', dependsOn: input.after, attributes: { alias: input.alias, subnet: input.subnetId, connection: 'manual' } }
  if (!existing) {
    return {
      ...base,
      name: input.name,
      action: 'create',
      reason: `no private endpoint ${input.name}, and none in the network connects to ${input.alias}`,
      run: (ctx) => putEndpoint(input, input.resourceGroup, input.name, async () => newEndpointBody(input), ctx)
    }
  }
  const adopted = existing.owned ? '' : ' (adopted: created outside this action)'
  if (isTransitional(existing.provisioningState)) {
    // Left mid-operation (another run, a cancelled one): wait for it to end, then adopt, repair or create.
    return {
      ...base,
      name: existing.name,
      action: 'wait',
      reason: `provisioning ${existing.provisioningState}: apply waits for the operation on it to end${adopted}`,
      run: async (ctx) => {
        const current = await settled(endpointWrite(input, existing.resourceGroup, existing.name), ctx)
        if (current?.provisioningState === 'Succeeded') return ready(input, current)
        if (!current) return putEndpoint(input, input.resourceGroup, input.name, async () => newEndpointBody(input), ctx)
        return putEndpoint(input, existing.resourceGroup, existing.name, asItIs(input, existing), ctx)
      }
    }
  }
  if (existing.provisioningState !== 'Failed')
    return { ...base, name: existing.name, action: 'keep', reason: `provisioning ${existing.provisioningState}, connection ${existing.connectionStatus}${adopted}` }
  return {
    ...base,
    name: existing.name,
    action: 'update',
    reason: `provisioning Failed: put the endpoint again, as ARM retries a failed resource${adopted}`,
    run: (ctx) => putEndpoint(input, existing.resourceGroup, existing.name, asItIs(input, existing), ctx)
  }
}

/**
 * The cloud side of the acceptance: the connection goes Pending → Approved once Zilliz accepts the endpoint.
 * The step also ends no sooner than the read of the endpoint's IP (`ipRead`), which every DNS mode reports.
 */
export function planEndpointApproved(
  network: NetworkApi,
  existing: ObservedEndpoint | undefined,
  current: () => ObservedEndpoint | undefined,
  projectId: string,
  ipRead: () => Promise<unknown>
): PlannedStep {
  const base = { id: ENDPOINT_APPROVED_STEP, kind: 'azure.private-endpoint-connection', name: existing?.name ?? 'the new endpoint', dependsOn: [REGISTRATION_STEP] }
  if (existing?.connectionStatus === 'Approved') return { ...base, action: 'keep', reason: 'the connection is Approved' }
  return {
    ...base,
    action: 'wait',
    reason: !existing
      ? 'a new connection is Pending until Zilliz approves it'
      : isDeadConnection(existing.connectionStatus)
        ? `the connection is ${existing.connectionStatus} and will not recover: delete private endpoint ${existing.name} and re-run`
        : `the connection is ${existing.connectionStatus}; Zilliz approves it after registration`,
    run: async (ctx) => {
      const endpoint = current()
      if (!endpoint) throw new Error('The private endpoint is unknown; the endpoint step did not record it')
      const approved = waitFor({
        what: `the connection of private endpoint ${endpoint.name} to be Approved`,
        deadline: ctx.deadline,
        signal: ctx.signal,
        poll: async () => {
          const fresh = await getEndpoint(network, endpoint.resourceGroup, endpoint.name, projectId)
          const status = fresh?.connectionStatus ?? 'missing'
          const dead = !fresh || isDeadConnection(status)
          return {
            done: status === 'Approved',
            state: `connection=${status}`,
            failed: dead ? `the connection is ${status}; delete private endpoint ${endpoint.name} and re-run to create a new one` : undefined
          }
        }
      })
      await Promise.all([approved, ipRead()])
    }
  }
}
