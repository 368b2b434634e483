// The Azure in-network probe: a container group of the action's own in a subnet delegated to Azure
// Container Instances (azure-probe-subnet-id), running dist/probe.mjs with `node` from a public Node image.
// Unlike the Lambda function and the Cloud Run job it is made once and kept: each apply puts it again with
// that run's request (ACI redeploys it, so its container runs again; a group the update left stopped is
// started), waits until the container ran to its end, reads the result from the container's log, and
// stops the group when the run is over (at once on cancel), so nothing is left running or billed between
// runs. It carries the ownership and purpose tags and no expiry: the sweep keeps it, destroy deletes it.
// It holds the run's request only (hosts, ports, the endpoint's IPs): never a credential, and no network
// security group of its own: the subnet's rules apply to it as to any client there.
import type { Observations } from '../../base/observations.js'
import type { Config } from '../../config/types.js'
import { InputError } from '../../engine/input-error.js'
import { PURPOSE_TAG, type EphemeralKind, type EphemeralResource, type EphemeralScope } from '../../engine/ephemeral.js'
import { baseName, digest, ownershipOf, ownershipTags, resourceTags } from '../../engine/ownership.js'
import { waitFor } from '../../engine/wait.js'
import { PROBE_NODE_IMAGE } from '../../probe/image.js'
import { parseProbeResult, REQUEST_VARIABLE, type ProbeRequest, type ProbeResult } from '../../probe/protocol.js'
import { probeScript } from '../../probe/script.js'
import { probeRunToken, type InNetworkProbe } from '../../verify/live-probe.js'
import { armError, parseResourceId } from './clients.js'
import type { NetworkApi } from './network-api.js'
import type { ContainerGroup, ContainerGroupsApi, ContainerState } from './container-groups.js'

/** The kind of proof resource the standing group is, in logs, the summary and destroy */
export const PROBE_GROUP_KIND = 'azure.container-group'
/** One run of the group's container, stopped when the run ends */
export const PROBE_RUN_KIND = 'azure.container-group-run'
export const PROBE_CONTAINER = 'probe'
export const CONTAINER_GROUPS_DELEGATION = 'Microsoft.ContainerInstance/containerGroups'
/** ACI's smallest Linux sizes that run Node comfortably; billed per second while the container runs */
export const PROBE_CPU = 1
export const PROBE_MEMORY_GB = 0.5
/** Names the run in the group's definition, so each apply's put is an update ACI redeploys */
export const RUN_VARIABLE = 'ZILLIZ_PRIVATE_LINK_PROBE_RUN'
const LOG_WAIT_MS = 60_000

export interface ContainerProbeSettings {
  groups: ContainerGroupsApi
  config: Config
  /** azure-probe-subnet-id */
  subnetId: string
  location: string
  scope: EphemeralScope
  /** The run's deadline (epoch ms) for the deployment, the run and the log read */
  deadline: number
  /** The run's shared reads: the probe writes, so its reads go to the cloud while it runs */
  observations?: Observations
}

/** Container group names: 1-63 lowercase letters, digits and single hyphens, not at either end. */
function groupNameFor(config: Config, subnetId: string): string {
  const name = `${baseName(config)}-probe-${digest(subnetId.toLowerCase()).slice(0, 8)}`.toLowerCase()
  return name.replace(/[^a-z0-9-]/g, '-').replace(/-{2,}/g, '-').slice(0, 63).replace(/^-+|-+$/g, '')
}

/** The group of this project and region for that subnet (a new subnet gets its own; destroy removes all). */
export const probeGroupName = groupNameFor

/** Ownership tags and purpose, no expiry: the group stands until destroy. */
export function probeGroupTags(config: Config): Record<string, string> {
  return { ...resourceTags(config), [PURPOSE_TAG]: 'probe' }
}

function groupSpec(s: ContainerProbeSettings, source: string, request: ProbeRequest): ContainerGroup {
  return {
    location: s.location,
    tags: probeGroupTags(s.config),
    properties: {
      containers: [
        {
          name: PROBE_CONTAINER,
          properties: {
            image: PROBE_NODE_IMAGE,
            // The bundled probe itself is the program: nothing is built or pushed for it.
            command: ['node', '--input-type=module', '--eval', source],
            environmentVariables: [
              { name: REQUEST_VARIABLE, value: JSON.stringify(request) },
              { name: RUN_VARIABLE, value: probeRunToken() }
            ],
            resources: { requests: { cpu: PROBE_CPU, memoryInGB: PROBE_MEMORY_GB } }
          }
        }
      ],
      osType: 'Linux',
      // One run per deployment or start; the group stops when the probe ends.
      restartPolicy: 'Never',
      subnetIds: [{ id: s.subnetId }]
    }
  }
}

const containerState = (group: ContainerGroup | undefined): ContainerState | undefined => group?.properties.containers[0]?.properties.instanceView?.currentState

/** Puts the group; one of that name not made by this action is refused, never overwritten. */
async function deploy(s: ContainerProbeSettings, name: string, request: ProbeRequest): Promise<string | undefined> {
  const existing = await s.groups.get(name)
  if (existing) {
    const owned = ownershipOf(existing.tags, ownershipTags(s.config))
    if (!owned.owned) throw new Error(`A container group named ${name} exists in ${s.groups.scope} and is not this action's probe (${owned.reason}); delete or rename it.`)
  }
  const script = await probeScript()
  await s.groups.put(name, groupSpec(s, script.source, request))
  // The run this put starts is the first whose start differs from the one seen before it.
  return containerState(existing)?.startTime
}

/** Follows the deployment until the container ran to its end; starts a group the update left stopped. */
async function runToEnd(s: ContainerProbeSettings, name: string, before: string | undefined, signal?: AbortSignal): Promise<ContainerState> {
  let started = false
  return waitFor({
    what: `container group ${name} to run the probe`,
    deadline: s.deadline,
    signal,
    minDelayMs: 1000,
    poll: async () => {
      const group = await s.groups.get(name)
      if (!group) return { done: false, state: 'gone', failed: 'the container group was deleted while it ran' }
      const provisioning = group.properties.provisioningState ?? 'Unknown'
      if (provisioning === 'Failed') return { done: false, state: provisioning, failed: `the deployment failed (provisioningState Failed, ${group.properties.instanceView?.state ?? 'no state'})` }
      const current = containerState(group)
      const fresh = current?.startTime !== undefined && current.startTime !== before
      if (fresh && current.state === 'Terminated') return { done: true, state: 'Terminated', value: current }
      const settled = ['Succeeded', 'Failed', 'Stopped'].includes(group.properties.instanceView?.state ?? '')
      if (!fresh && provisioning === 'Succeeded' && settled && !started) {
        started = true
        await s.groups.start(name)
      }
      return { done: false, state: `provisioningState=${provisioning}, container ${current?.state ?? 'not started'}` }
    }
  })
}

async function readResult(s: ContainerProbeSettings, name: string, ended: ContainerState, signal?: AbortSignal): Promise<ProbeResult> {
  return waitFor({
    what: `the probe's result in the log of container group ${name}`,
    deadline: Math.min(s.deadline, Date.now() + LOG_WAIT_MS),
    signal,
    minDelayMs: 1000,
    poll: async () => {
      const log = await s.groups.logs(name, PROBE_CONTAINER)
      const result = parseProbeResult(log)
      if (result) return { done: true, state: 'found', value: result }
      // A container that failed has written all it will: its last lines say why.
      if (ended.exitCode !== 0) return { done: false, state: 'no result', failed: `the container exited with code ${ended.exitCode ?? '?'} (${ended.detailStatus ?? 'no detail'}): ${log.trim().split('\n').slice(-3).join(' / ').slice(0, 300) || 'no output'}` }
      return { done: false, state: 'not logged yet' }
    }
  })
}

export function containerProbe(s: ContainerProbeSettings): InNetworkProbe {
  const name = groupNameFor(s.config, s.subnetId)
  const subnet = parseResourceId(s.subnetId)
  const vnet = /\/virtualNetworks\/([^/]+)\//i.exec(s.subnetId)?.[1] ?? '?'
  return {
    source: `subnet ${subnet.name} of ${vnet} via container group ${name}`,
    run: async (request, signal) => {
      s.observations?.writing()
      try {
        // The run, not the group, is what this apply holds: released, it stops the containers.
        let before: string | undefined
        await s.scope.create(async () => {
          before = await deploy(s, name, request)
          return { kind: PROBE_RUN_KIND, name, remove: () => s.groups.stop(name) }
        })
        const ended = await runToEnd(s, name, before, signal)
        return await readResult(s, name, ended, signal)
      } finally {
        s.observations?.written()
      }
    }
  }
}

/** Deletes a group and waits until ARM no longer has it. */
async function deleteGroup(groups: ContainerGroupsApi, name: string, deadline: number): Promise<void> {
  await groups.remove(name)
  await waitFor({
    what: `container group ${name} to be deleted`,
    deadline,
    minDelayMs: 1000,
    poll: async () => ((await groups.get(name)) ? { done: false, state: 'Deleting' } : { done: true, state: 'gone', value: undefined })
  })
}

/** The standing probe groups of ours in the probe subnet's resource group, for destroy (no expiry: the sweep keeps them). */
export function containerProbeKind(groups: ContainerGroupsApi, config: Config, deadline: () => number): EphemeralKind {
  return {
    kind: PROBE_GROUP_KIND,
    standing: true,
    list: async () => {
      const prefix = `${baseName(config)}-probe-`.toLowerCase()
      const wanted = ownershipTags(config)
      return (await groups.list())
        .filter((g) => (g.name ?? '').startsWith(prefix) && ownershipOf(g.tags, wanted).owned && g.tags?.[PURPOSE_TAG] === 'probe')
        .map((g): EphemeralResource => ({ kind: PROBE_GROUP_KIND, name: g.name ?? '', remove: () => deleteGroup(groups, g.name ?? '', deadline()) }))
    }
  }
}

/**
 * azure-probe-subnet-id read before any write: the subnet must exist and be delegated to Container Instances
 * (Azure refuses a container group anywhere else, after the run's other writes). Returns the network's
 * location, where the group goes.
 */
export async function observeProbeSubnet(network: NetworkApi, subnetId: string): Promise<{ location: string }> {
  const { resourceGroup } = parseResourceId(subnetId)
  const [, vnetName = '', subnetName = ''] = /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(subnetId) ?? []
  const vnet = await network.virtualNetwork(resourceGroup, vnetName).catch((error: unknown) => {
    if (armError(error).status !== 404) throw error
    const { code } = armError(error)
    const what = code === 'SubscriptionNotFound' ? 'its subscription does not exist or these credentials cannot see it' : code === 'ResourceGroupNotFound' ? `resource group ${resourceGroup} does not exist` : `virtual network ${vnetName} does not exist in resource group ${resourceGroup}`
    throw new InputError('azure-probe-subnet-id', `${what} (${subnetId}). Check the id.`)
  })
  const subnet = (vnet.properties?.subnets ?? []).find((s) => s.name?.toLowerCase() === subnetName.toLowerCase())
  if (!subnet) {
    const names = (vnet.properties?.subnets ?? []).map((s) => s.name).filter(Boolean)
    throw new InputError('azure-probe-subnet-id', `${vnetName} has no subnet ${subnetName}; its subnets are ${names.length ? names.join(', ') : 'none'}.`)
  }
  const delegations = (subnet.properties?.delegations ?? []).map((d) => d.properties?.serviceName ?? '').filter(Boolean)
  if (!delegations.some((d) => d.toLowerCase() === CONTAINER_GROUPS_DELEGATION.toLowerCase()))
    throw new InputError(
      'azure-probe-subnet-id',
      `${subnetName} of ${vnetName} is ${delegations.length ? `delegated to ${delegations.join(', ')}` : 'not delegated'}, but Azure runs container groups only in a subnet delegated to ${CONTAINER_GROUPS_DELEGATION}. Delegate an empty subnet (az network vnet subnet update -g ${resourceGroup} --vnet-name ${vnetName} -n ${subnetName} --delegations ${CONTAINER_GROUPS_DELEGATION}; it then holds container groups only), or give another subnet.`
    )
  return { location: (vnet.location ?? '').toLowerCase() }
}
