// The path on AWS: VPC Reachability Analyzer from a short-lived network interface in the client subnet, with
// the client's security groups, to the interface VPC endpoint, one insights path and analysis per port.
// The interface, paths and analyses carry the proof tags from their create calls and are deleted by the
// scope; the sweep finds leftovers by the same tags. Explanations of a blocked path name the group, ACL
// rule or component and the change that lets the traffic through.
import {
  CreateNetworkInsightsPathCommand,
  CreateNetworkInterfaceCommand,
  DeleteNetworkInsightsAnalysisCommand,
  DeleteNetworkInsightsPathCommand,
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInsightsAnalysesCommand,
  DescribeNetworkInsightsPathsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  StartNetworkInsightsAnalysisCommand,
  type EC2Client,
  type Explanation,
  type NetworkInsightsAnalysis
} from '@aws-sdk/client-ec2'
import type { Config } from '../../config/types.js'
import { ephemeralTags, EXPIRES_TAG, expiryOf, PURPOSE_TAG, type EphemeralKind, type EphemeralResource } from '../../engine/ephemeral.js'
import { idempotencyToken, ownershipOf, ownershipTags } from '../../engine/ownership.js'
import type { Blocker, PathAnalysisRun, PathAnalyzer, PortVerdict } from '../../engine/path-model.js'
import { pathAnalyzer } from '../../engine/path-analysis.js'
import { waitFor } from '../../engine/wait.js'
import { realClock, type Clock } from '../../base/timing.js'
import { toTags } from './clients.js'

const PURPOSE = 'path-analysis'
const errorName = (error: unknown) => (error as { name?: string }).name ?? ''
const tagRecord = (tags: { Key?: string; Value?: string }[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))

/** Deletes, treating "already gone" as done: a leftover may have been removed by a concurrent run or by hand. */
async function gone(work: () => Promise<unknown>, notFound: string): Promise<void> {
  try {
    await work()
  } catch (error) {
    if (errorName(error) !== notFound) throw error
  }
}

async function deletePath(ec2: EC2Client, pathId: string): Promise<void> {
  // A path with analyses cannot go; its analyses go first.
  const analyses = await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsPathId: pathId })).catch((error: unknown) => {
    if (errorName(error) === 'InvalidNetworkInsightsPathId.NotFound') return { NetworkInsightsAnalyses: [] }
    throw error
  })
  for (const a of analyses.NetworkInsightsAnalyses ?? []) {
    await gone(() => ec2.send(new DeleteNetworkInsightsAnalysisCommand({ NetworkInsightsAnalysisId: a.NetworkInsightsAnalysisId })), 'InvalidNetworkInsightsAnalysisId.NotFound')
  }
  await gone(() => ec2.send(new DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: pathId })), 'InvalidNetworkInsightsPathId.NotFound')
}

const deleteInterface = (ec2: EC2Client, id: string) => gone(() => ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id })), 'InvalidNetworkInterfaceID.NotFound')

/** Ours: this project's, region's and repository's ownership tags, and the proof purpose. */
function ours(config: Config, tags: Record<string, string>): boolean {
  return ownershipOf(tags, ownershipTags(config)).owned && tags[PURPOSE_TAG] === PURPOSE
}

/** The proof resources a sweep or destroy finds: insights paths (with their analyses) first, then the interfaces they start from. */
export function awsPathKinds(ec2: EC2Client, config: Config): EphemeralKind[] {
  const project = ownershipTags(config)
  const paths: EphemeralKind = {
    kind: 'aws.network-insights-path',
    list: async () => {
      // Insights paths take no tag filters: list them and keep ours.
      const found: EphemeralResource[] = []
      let token: string | undefined
      do {
        const page = await ec2.send(new DescribeNetworkInsightsPathsCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }))
        for (const p of page.NetworkInsightsPaths ?? []) {
          const tags = tagRecord(p.Tags)
          if (!p.NetworkInsightsPathId || !ours(config, tags)) continue
          const id = p.NetworkInsightsPathId
          found.push({ kind: 'aws.network-insights-path', name: id, expiresAt: expiryOf(tags[EXPIRES_TAG]), remove: () => deletePath(ec2, id) })
        }
        token = page.NextToken
      } while (token)
      return found
    }
  }
  const interfaces: EphemeralKind = {
    kind: 'aws.network-interface',
    list: async () => {
      const filters = [...Object.entries(project), [PURPOSE_TAG, PURPOSE]].map(([key, value]) => ({ Name: `tag:${key}`, Values: [value as string] }))
      const found: EphemeralResource[] = []
      let token: string | undefined
      do {
        const page = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: filters, MaxResults: 100, ...(token ? { NextToken: token } : {}) }))
        for (const eni of page.NetworkInterfaces ?? []) {
          const id = eni.NetworkInterfaceId
          if (!id) continue
          found.push({ kind: 'aws.network-interface', name: id, expiresAt: expiryOf(tagRecord(eni.TagSet)[EXPIRES_TAG]), remove: () => deleteInterface(ec2, id) })
        }
        token = page.NextToken
      } while (token)
      return found
    }
  }
  return [paths, interfaces]
}

export interface AwsPathInput {
  ec2: EC2Client
  config: Config
  vpcId: string
  /** The endpoint's subnets: the first is the default client subnet */
  endpointSubnetIds: string[]
  endpointId(): string | undefined
  clock?: Clock
}

interface Origin {
  subnetId: string
  groupIds: string[]
  words: string
}

export function awsPathAnalyzer(input: AwsPathInput): PathAnalyzer {
  const { ec2, config } = input
  const clock = input.clock ?? realClock
  return pathAnalyzer({
    readOrigin: () => resolveOrigin(input),
    aim: () => input.endpointId(),
    notYet: { proofSource: 'Reachability Analyzer', detail: 'there is no VPC endpoint to analyse yet' },
    analyse: async (run: PathAnalysisRun, from: Origin, endpointId: string): Promise<PortVerdict[]> => {
      const tags = toTags(ephemeralTags(config, PURPOSE, clock.now()))
      const eni = await run.scope.create(async () => {
        const out = await ec2.send(
          new CreateNetworkInterfaceCommand({
            SubnetId: from.subnetId,
            Groups: from.groupIds,
            Description: 'zilliz-private-link path analysis; deleted when the run ends',
            TagSpecifications: [{ ResourceType: 'network-interface', Tags: tags }],
            ClientToken: idempotencyToken('path-eni', `${from.subnetId}/${endpointId}`)
          })
        )
        const id = out.NetworkInterface?.NetworkInterfaceId ?? ''
        return { kind: 'aws.network-interface', name: id, remove: () => deleteInterface(ec2, id) }
      })
      return Promise.all(run.ports.map((port) => analysePort(ec2, { run, tags, source: eni.name, endpointId, port, clock })))
    }
  })
}

/** The client subnet and groups, from the inputs or the defaults, in words for the checks. */
async function resolveOrigin(input: AwsPathInput): Promise<Origin> {
  const { ec2, config } = input
  const subnetId = config.client.subnet ?? input.endpointSubnetIds[0] ?? ''
  const subnetWords = config.client.subnet ? subnetId : `${subnetId} (the endpoint's first subnet, as client-subnet is not given)`
  const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets?.[0]
  if (subnet?.VpcId && subnet.VpcId !== input.vpcId) throw new Error(`client-subnet ${subnetId} is in ${subnet.VpcId}, not ${input.vpcId}; give a subnet of the link's VPC`)
  if (config.client.securityGroupIds.length) {
    return { subnetId, groupIds: config.client.securityGroupIds, words: `a network interface in ${subnetWords} with ${config.client.securityGroupIds.join(', ')}` }
  }
  const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [input.vpcId] }, { Name: 'group-name', Values: ['default'] }] }))
  const id = groups.SecurityGroups?.[0]?.GroupId ?? ''
  return { subnetId, groupIds: id ? [id] : [], words: `a network interface in ${subnetWords} with ${id} (the VPC's default security group, as client-security-group-ids is not given)` }
}

interface PortRun {
  run: PathAnalysisRun
  tags: { Key: string; Value: string }[]
  source: string
  endpointId: string
  port: number
  clock: Clock
}

async function analysePort(ec2: EC2Client, p: PortRun): Promise<PortVerdict> {
  const path = await p.run.scope.create(async () => {
    const out = await ec2.send(
      new CreateNetworkInsightsPathCommand({
        Source: p.source,
        Destination: p.endpointId,
        Protocol: 'tcp',
        DestinationPort: p.port,
        TagSpecifications: [{ ResourceType: 'network-insights-path', Tags: p.tags }],
        ClientToken: idempotencyToken('path', `${p.source}/${p.endpointId}/${p.port}`)
      })
    )
    const id = out.NetworkInsightsPath?.NetworkInsightsPathId ?? ''
    return { kind: 'aws.network-insights-path', name: id, remove: () => deletePath(ec2, id) }
  })
  const started = await p.run.scope.create(async () => {
    const out = await ec2.send(
      new StartNetworkInsightsAnalysisCommand({
        NetworkInsightsPathId: path.name,
        TagSpecifications: [{ ResourceType: 'network-insights-analysis', Tags: p.tags }],
        ClientToken: idempotencyToken('analysis', `${path.name}`)
      })
    )
    const id = out.NetworkInsightsAnalysis?.NetworkInsightsAnalysisId ?? ''
    return {
      kind: 'aws.network-insights-analysis',
      name: id,
      remove: () => gone(() => ec2.send(new DeleteNetworkInsightsAnalysisCommand({ NetworkInsightsAnalysisId: id })), 'InvalidNetworkInsightsAnalysisId.NotFound')
    }
  })
  const analysis = await waitFor<NetworkInsightsAnalysis>({
    what: `Reachability Analyzer analysis ${started.name} of tcp/${p.port}`,
    deadline: p.run.deadline,
    clock: p.clock,
    minDelayMs: 1000,
    maxDelayMs: 5000,
    ...(p.run.signal ? { signal: p.run.signal } : {}),
    poll: async () => {
      const out = await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [started.name] }))
      const a = out.NetworkInsightsAnalyses?.[0]
      return { done: a?.Status !== 'running', state: `status=${a?.Status ?? 'missing'}`, value: a }
    }
  })
  return verdictOf(analysis, p.port, started.name)
}

function verdictOf(analysis: NetworkInsightsAnalysis | undefined, port: number, id: string): PortVerdict {
  const proofSource = `Reachability Analyzer ${id}`
  if (analysis?.Status !== 'succeeded' || analysis.NetworkPathFound === undefined) {
    return { port, reachable: undefined, proofSource, blockers: [], detail: `the analysis ended ${analysis?.Status ?? 'missing'}${analysis?.StatusMessage ? `: ${analysis.StatusMessage}` : ''}` }
  }
  if (analysis.NetworkPathFound) return { port, reachable: true, proofSource, blockers: [] }
  return { port, reachable: false, proofSource, blockers: (analysis.Explanations ?? []).map((e) => blockerOf(e, port)) }
}

const named = (c: { Id?: string; Name?: string } | undefined) => (c ? `${c.Id ?? '?'}${c.Name ? ` (${c.Name})` : ''}` : '?')

/** Reachability Analyzer's explanation codes (docs: vpc/latest/reachability/explanation-codes.html) as a diagnosis. */
export function blockerOf(e: Explanation, port: number): Blocker {
  const groups = (e.SecurityGroups ?? []).map(named).join(', ')
  switch (e.ExplanationCode) {
    case 'ENI_SG_RULES_MISMATCH':
      return e.Direction === 'egress'
        ? {
            component: `security group ${groups}, outbound, on the client's interface`,
            why: `no outbound rule admits tcp/${port} to the endpoint`,
            fix: `Add an outbound rule for tcp/${port} to the endpoint's subnets or its security group in one of ${groups} (or pass the groups your clients use in client-security-group-ids).`
          }
        : {
            component: `security group ${groups}, inbound, on the endpoint's interface ${named(e.NetworkInterface)}`,
            why: `no inbound rule admits tcp/${port} from the client subnet`,
            fix: `Add an inbound rule for tcp/${port} from the client subnet's CIDR to ${groups} (with the action's own group: include that CIDR in allowed-cidrs).`
          }
    case 'SUBNET_ACL_RESTRICTION': {
      const rule = e.AclRule
      const ruleWords = rule ? `rule ${rule.RuleNumber === 32767 ? '* (the final deny)' : rule.RuleNumber} (${rule.RuleAction} ${rule.Protocol === '-1' ? 'all traffic' : `protocol ${rule.Protocol}`}${rule.PortRange ? ` ports ${rule.PortRange.From}-${rule.PortRange.To}` : ''} ${rule.Egress ? 'to' : 'from'} ${rule.Cidr})` : 'a rule'
      return {
        component: `network ACL ${named(e.Acl)} of ${named(e.Subnet)}, ${e.Direction ?? (rule?.Egress ? 'egress' : 'ingress')} ${ruleWords}`,
        why: `it denies tcp/${port} between the client subnet and the endpoint`,
        fix: `In ${named(e.Acl)}, add an allow entry for tcp/${port} with a number below ${rule?.RuleNumber ?? 'that rule'} (and for the return traffic on ports 1024-65535, as ACLs are stateless), or remove the deny.`
      }
    }
    default:
      return {
        component: `${e.ExplanationCode ?? 'an unnamed explanation'} at ${named(e.Component ?? e.NetworkInterface ?? e.Acl ?? e.Vpc)}`,
        why: 'Reachability Analyzer reports the path blocked there',
        fix: `Read explanation ${e.ExplanationCode ?? ''} in the Reachability Analyzer console and the explanation-codes page of its guide.`
      }
  }
}
