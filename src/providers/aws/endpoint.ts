// The interface VPC endpoint to the region's Zilliz service: found again by VPC, service and tags,
// created with a ClientToken, corrected (subnets, groups, private DNS) in place, waited on until available.
import {
  CreateVpcEndpointCommand,
  DescribeNetworkInterfacesCommand,
  ModifyVpcEndpointCommand,
  paginateDescribeVpcEndpoints,
  type EC2Client,
  type VpcEndpoint
} from '@aws-sdk/client-ec2'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import { REGISTRATION_STEP } from '../../engine/provider.js'
import { PROJECT_TAG } from '../../engine/ownership.js'
import { waitFor } from '../../engine/wait.js'
import { tagValue, toTags } from './clients.js'

export const ENDPOINT_STEP = 'vpc-endpoint'
export const ENDPOINT_READY_STEP = 'vpc-endpoint-available'

export interface ObservedEndpoint {
  id: string
  state: string
  subnetIds: string[]
  groupIds: string[]
  privateDns: boolean
  /** Regional DNS name and its hosted zone: the alias target for the private-link records */
  dnsName: string
  dnsZoneId: string
  /** One per subnet; their private IPs are what the private-link hosts must resolve to */
  networkInterfaceIds: string[]
  owned: boolean
  tags: Record<string, string>
}

// Endpoints in these states will never carry traffic again; they are neither adopted nor counted.
const DEAD_STATES = new Set(['deleted', 'deleting', 'failed', 'rejected', 'expired'])

export function toObservedEndpoint(e: VpcEndpoint, projectId: string): ObservedEndpoint {
  const regional = e.DnsEntries?.[0]
  return {
    id: e.VpcEndpointId ?? '',
    // The SDK's enum is PascalCase, the wire is camelCase: compare lower-cased only.
    state: String(e.State ?? '').toLowerCase(),
    subnetIds: e.SubnetIds ?? [],
    groupIds: (e.Groups ?? []).map((g) => g.GroupId ?? ''),
    privateDns: Boolean(e.PrivateDnsEnabled),
    dnsName: regional?.DnsName ?? '',
    dnsZoneId: regional?.HostedZoneId ?? '',
    networkInterfaceIds: e.NetworkInterfaceIds ?? [],
    owned: tagValue(e.Tags, PROJECT_TAG) === projectId,
    tags: Object.fromEntries((e.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))
  }
}

export async function listEndpoints(ec2: EC2Client, vpcId: string, serviceName: string, projectId: string): Promise<{ live: ObservedEndpoint[]; dead: ObservedEndpoint[] }> {
  const found: ObservedEndpoint[] = []
  const pages = paginateDescribeVpcEndpoints(
    { client: ec2, pageSize: 100 },
    { Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'service-name', Values: [serviceName] }] }
  )
  for await (const page of pages) found.push(...(page.VpcEndpoints ?? []).map((e) => toObservedEndpoint(e, projectId)))
  return { live: found.filter((e) => !DEAD_STATES.has(e.state)), dead: found.filter((e) => DEAD_STATES.has(e.state)) }
}

/** Ours first, then one Zilliz already knows, then the oldest listed: never a second endpoint. */
export function chooseEndpoint(live: ObservedEndpoint[], registeredIds: Set<string>): ObservedEndpoint | undefined {
  return live.find((e) => e.owned) ?? live.find((e) => registeredIds.has(e.id)) ?? live[0]
}

export interface EndpointPlanInput {
  ec2: EC2Client
  vpcId: string
  serviceName: string
  name: string
  subnetIds: string[]
  /** Groups the endpoint must carry; resolved at run time because the managed group may not exist yet */
  groupIds: () => string[]
  /** Groups known at plan time (for the diff of an existing endpoint) */
  plannedGroupIds: string[]
  /** True when the managed group is still to be created, so an existing endpoint must get it */
  groupPending: boolean
  projectId: string
  /** Steps the endpoint waits for (the managed security group, when there is one) */
  after: string[]
  existing: ObservedEndpoint | undefined
  tags: Record<string, string>
  clientToken: string
  onReady(endpoint: ObservedEndpoint): void
}

const nonEmpty = (list: string[]) => (list.length ? list : undefined)

function diffEndpoint(e: ObservedEndpoint, input: EndpointPlanInput) {
  const addSubnets = input.subnetIds.filter((s) => !e.subnetIds.includes(s))
  // An adopted endpoint may serve other groups and subnets of the user's: only add to it.
  const removeSubnets = e.owned ? e.subnetIds.filter((s) => !input.subnetIds.includes(s)) : []
  const addGroups = input.plannedGroupIds.filter((g) => !e.groupIds.includes(g))
  const removeGroups = e.owned && !input.groupPending ? e.groupIds.filter((g) => !input.plannedGroupIds.includes(g)) : []
  const reasons = [
    addSubnets.length && `add subnets ${addSubnets.join(', ')}`,
    removeSubnets.length && `remove subnets ${removeSubnets.join(', ')}`,
    addGroups.length && `add security groups ${addGroups.join(', ')}`,
    input.groupPending && 'attach the new security group',
    removeGroups.length && `remove security groups ${removeGroups.join(', ')}`,
    e.privateDns && 'turn private DNS off (Zilliz publishes no private DNS name)'
  ].filter((r): r is string => Boolean(r))
  return { addSubnets, removeSubnets, addGroups, removeGroups, reasons }
}

export function planEndpoint(input: EndpointPlanInput): PlannedStep {
  const { ec2, existing } = input
  const base = {
    id: ENDPOINT_STEP,
    kind: 'aws.vpc-endpoint',
    dependsOn: input.after,
    attributes: { service: input.serviceName, subnets: input.subnetIds.join(', '), privateDns: 'false' }
  }
  if (!existing) {
    return {
      ...base,
      name: input.name,
      action: 'create',
      reason: `no live endpoint to ${input.serviceName} in ${input.vpcId}`,
      run: async () => {
        const out = await ec2.send(
          new CreateVpcEndpointCommand({
            VpcEndpointType: 'Interface',
            VpcId: input.vpcId,
            ServiceName: input.serviceName,
            SubnetIds: input.subnetIds,
            SecurityGroupIds: input.groupIds(),
            PrivateDnsEnabled: false,
            ClientToken: input.clientToken,
            TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: toTags({ ...input.tags, Name: input.name }) }]
          })
        )
        input.onReady(toObservedEndpoint(out.VpcEndpoint ?? {}, input.projectId))
      }
    }
  }
  input.onReady(existing)
  const diff = diffEndpoint(existing, input)
  const adopted = existing.owned ? '' : ' (adopted: created outside this action)'
  if (!diff.reasons.length) return { ...base, name: existing.id, action: 'keep', reason: `endpoint ${existing.state}, configured as wanted${adopted}` }
  return {
    ...base,
    name: existing.id,
    action: 'update',
    reason: diff.reasons.join('; ') + adopted,
    run: async () => {
      await ec2.send(
        new ModifyVpcEndpointCommand({
          VpcEndpointId: existing.id,
          AddSubnetIds: nonEmpty(diff.addSubnets),
          RemoveSubnetIds: nonEmpty(diff.removeSubnets),
          AddSecurityGroupIds: nonEmpty(input.groupIds().filter((g) => !existing.groupIds.includes(g))),
          RemoveSecurityGroupIds: nonEmpty(diff.removeGroups),
          PrivateDnsEnabled: existing.privateDns ? false : undefined
        })
      )
    }
  }
}

export async function describeEndpoint(ec2: EC2Client, id: string, projectId: string): Promise<ObservedEndpoint | undefined> {
  const pages = paginateDescribeVpcEndpoints({ client: ec2 }, { VpcEndpointIds: [id] })
  for await (const page of pages) {
    const found = page.VpcEndpoints?.[0]
    if (found) return toObservedEndpoint(found, projectId)
  }
  return undefined
}

/** The private IPs of the endpoint's network interfaces, for the data-plane checks. */
export async function describeEndpointIps(ec2: EC2Client, networkInterfaceIds: string[]): Promise<string[]> {
  if (!networkInterfaceIds.length) return []
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: networkInterfaceIds }))
  return (out.NetworkInterfaces ?? []).map((eni) => eni.PrivateIpAddress ?? '').filter((ip) => ip !== '')
}

/**
 * Waits for the cloud side of the acceptance: pendingAcceptance → available once Zilliz accepted.
 * `onAvailable` receives the poll that saw it available: its interfaces and groups are the ones verify reads.
 */
export function planEndpointAvailable(
  ec2: EC2Client,
  existing: ObservedEndpoint | undefined,
  endpointId: () => string | undefined,
  projectId: string,
  onAvailable: (endpoint: ObservedEndpoint) => void = () => undefined
): PlannedStep {
  const base = { id: ENDPOINT_READY_STEP, kind: 'aws.vpc-endpoint-state', name: existing?.id ?? 'new endpoint', dependsOn: [REGISTRATION_STEP] }
  if (existing?.state === 'available') return { ...base, action: 'keep', reason: 'endpoint is available' }
  return {
    ...base,
    action: 'wait',
    reason: existing ? `endpoint is ${existing.state}; Zilliz accepts it after registration` : 'a new endpoint is pendingAcceptance until Zilliz accepts it',
    run: async (ctx: StepContext) => {
      const id = endpointId()
      if (!id) throw new Error('The VPC endpoint id is unknown; the endpoint step did not record it')
      await waitFor({
        what: `VPC endpoint ${id} to become available`,
        deadline: ctx.deadline,
        signal: ctx.signal,
        poll: async () => {
          const e = await describeEndpoint(ec2, id, projectId)
          const state = e?.state ?? 'missing'
          if (e && state === 'available') onAvailable(e)
          return { done: state === 'available', state: `state=${state}`, failed: DEAD_STATES.has(state) || !e ? `the endpoint is ${state}` : undefined }
        }
      })
    }
  }
}
