// Network interfaces callers create, and VPC Reachability Analyzer (EC2 Query API): insights paths,
// analyses that run for a while and then report whether the path is found, with explanations computed
// from the emulator's own security groups and ACLs (ec2-reachability.ts). Shapes follow the EC2 API
// reference (CreateNetworkInterface, CreateNetworkInsightsPath, StartNetworkInsightsAnalysis,
// DescribeNetworkInsightsAnalyses/Paths, the Delete* calls). A path with analyses is refused deletion
// (DependencyViolation), the conservative reading of the reference, so callers delete analyses first.
import type { Ec2Context, Ec2Handler, InsightsAnalysis, InsightsPath, UserInterface } from './ec2-model.js'
import { applyFilters, paginate, selectByIds, tagSet, tagSpecifications } from './ec2-query.js'
import { analysePath } from './ec2-reachability.js'
import { AwsError, itemSet, type XmlFields } from './xml.js'

/** How long an analysis reports `running`: real analyses take tens of seconds to minutes. */
export interface InsightsTiming {
  analysisDelayMs: number
}

const arn = (ctx: Ec2Context, type: string, id: string) => `arn:aws:ec2:${ctx.region}:${ctx.accountId}:${type}/${id}`

function userInterfaceXml(eni: UserInterface, ctx: Ec2Context): XmlFields {
  return {
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    availabilityZone: eni.availabilityZone,
    description: eni.description,
    ownerId: ctx.accountId,
    requesterManaged: false,
    status: 'available',
    privateIpAddress: eni.privateIp,
    sourceDestCheck: true,
    groupSet: itemSet(eni.groupIds.map((groupId) => ({ groupId, groupName: ctx.resources.groups.get(groupId)?.groupName }))),
    interfaceType: 'interface',
    privateIpAddressesSet: itemSet([{ privateIpAddress: eni.privateIp, primary: true }]),
    ipv6AddressesSet: itemSet([]),
    tagSet: tagSet(eni.tags)
  }
}

export function userInterfacesXml(ctx: Ec2Context): { item: UserInterface; xml: () => XmlFields }[] {
  return [...ctx.resources.interfaces.values()].map((item) => ({ item, xml: () => userInterfaceXml(item, ctx) }))
}

const createNetworkInterface: Ec2Handler = (params, ctx) => {
  const subnet = ctx.resources.subnet(params.require('SubnetId'))
  const requested = params.list('SecurityGroupId').map((id) => ctx.resources.group(id))
  const groups = requested.length ? requested : [...ctx.resources.groups.values()].filter((g) => g.vpcId === subnet.vpcId && g.groupName === 'default')
  const foreign = groups.find((g) => g.vpcId !== subnet.vpcId)
  if (foreign) throw new AwsError(400, 'InvalidParameter', `Security group ${foreign.groupId} and subnet ${subnet.subnetId} belong to different networks.`)
  const eni: UserInterface = {
    networkInterfaceId: ctx.ids.hex('eni-'),
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    privateIp: ctx.resources.allocateIp(subnet),
    groupIds: groups.map((g) => g.groupId),
    description: params.get('Description') ?? '',
    tags: tagSpecifications(params, 'network-interface')
  }
  ctx.resources.interfaces.set(eni.networkInterfaceId, eni)
  return { networkInterface: userInterfaceXml(eni, ctx), clientToken: params.get('ClientToken') }
}

const deleteNetworkInterface: Ec2Handler = (params, ctx) => {
  const id = params.require('NetworkInterfaceId')
  const eni = ctx.resources.interfaces.get(id)
  if (!eni) throw new AwsError(400, 'InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`)
  ctx.resources.interfaces.delete(id)
  ctx.resources.releaseIp(ctx.resources.subnet(eni.subnetId), eni.privateIp)
  return { return: true }
}

function pathXml(path: InsightsPath, ctx: Ec2Context): XmlFields {
  return {
    networkInsightsPathId: path.networkInsightsPathId,
    networkInsightsPathArn: arn(ctx, 'network-insights-path', path.networkInsightsPathId),
    createdDate: path.createdDate,
    source: path.source,
    destination: path.destination,
    sourceArn: arn(ctx, 'network-interface', path.source),
    destinationArn: arn(ctx, 'vpc-endpoint', path.destination),
    destinationIp: path.destinationIp,
    protocol: path.protocol,
    destinationPort: path.destinationPort,
    tagSet: tagSet(path.tags)
  }
}

const createNetworkInsightsPath: Ec2Handler = (params, ctx) => {
  const source = params.require('Source')
  const protocol = params.require('Protocol')
  if (protocol !== 'tcp' && protocol !== 'udp') throw new AwsError(400, 'InvalidParameterValue', `Value (${protocol}) for parameter protocol is invalid.`)
  const destination = params.get('Destination')
  if (!destination && !params.get('DestinationIp')) throw new AwsError(400, 'MissingParameter', 'Either destination or destinationIp must be specified.')
  // Source and destination must be resources the analyzer supports, in this account and Region.
  if (!ctx.resources.interfaces.has(source) && !source.startsWith('i-')) throw new AwsError(400, 'InvalidParameterValue', `The resource ${source} does not exist or is not supported as a source.`)
  if (destination) ctx.resources.endpoint(destination)
  const port = params.int('DestinationPort')
  if (port !== undefined && (port < 0 || port > 65535)) throw new AwsError(400, 'InvalidParameterValue', `Value (${port}) for parameter destinationPort is invalid.`)
  const path: InsightsPath = {
    networkInsightsPathId: ctx.ids.hex('nip-'),
    source,
    destination: destination ?? '',
    ...(params.get('DestinationIp') ? { destinationIp: params.get('DestinationIp') } : {}),
    protocol,
    ...(port !== undefined ? { destinationPort: port } : {}),
    createdDate: new Date(ctx.now()),
    tags: tagSpecifications(params, 'network-insights-path')
  }
  ctx.resources.insightsPaths.set(path.networkInsightsPathId, path)
  return { networkInsightsPath: pathXml(path, ctx), clientToken: params.get('ClientToken') }
}

const describeNetworkInsightsPaths: Ec2Handler = (params, ctx) => {
  const paths = ctx.resources.insightsPaths
  const selected = selectByIds(
    params,
    'NetworkInsightsPathId',
    (id) => paths.get(id) ?? notFound('InvalidNetworkInsightsPathId.NotFound', `The NetworkInsightsPath Id '${id}' does not exist`),
    () => [...paths.values()]
  )
  const filtered = applyFilters(selected, params, {
    destination: (p) => [p.destination],
    'destination-port': (p) => [p.destinationPort?.toString()],
    protocol: (p) => [p.protocol],
    source: (p) => [p.source]
  })
  const page = paginate(filtered, params, { min: 1, capAt1000: false })
  return { networkInsightsPathSet: itemSet(page.items.map((p) => pathXml(p, ctx))), nextToken: page.nextToken }
}

const deleteNetworkInsightsPath: Ec2Handler = (params, ctx) => {
  const id = params.require('NetworkInsightsPathId')
  if (!ctx.resources.insightsPaths.has(id)) notFound('InvalidNetworkInsightsPathId.NotFound', `The NetworkInsightsPath Id '${id}' does not exist`)
  if ([...ctx.resources.insightsAnalyses.values()].some((a) => a.networkInsightsPathId === id)) {
    throw new AwsError(400, 'DependencyViolation', `The network insights path '${id}' has dependent analyses; delete them first.`)
  }
  ctx.resources.insightsPaths.delete(id)
  return { networkInsightsPathId: id }
}

function analysisXml(a: InsightsAnalysis, ctx: Ec2Context): XmlFields {
  return {
    networkInsightsAnalysisId: a.networkInsightsAnalysisId,
    networkInsightsAnalysisArn: arn(ctx, 'network-insights-analysis', a.networkInsightsAnalysisId),
    networkInsightsPathId: a.networkInsightsPathId,
    startDate: a.startDate,
    status: a.status,
    statusMessage: a.statusMessage,
    networkPathFound: a.networkPathFound,
    explanationSet: a.status === 'succeeded' ? itemSet(a.explanations) : undefined,
    forwardPathComponentSet: a.status === 'succeeded' ? itemSet(a.forwardPathComponents) : undefined,
    tagSet: tagSet(a.tags)
  }
}

function startAnalysis(timing: InsightsTiming): Ec2Handler {
  return (params, ctx) => {
    const pathId = params.require('NetworkInsightsPathId')
    const path = ctx.resources.insightsPaths.get(pathId) ?? notFound('InvalidNetworkInsightsPathId.NotFound', `The NetworkInsightsPath Id '${pathId}' does not exist`)
    const analysis: InsightsAnalysis = {
      networkInsightsAnalysisId: ctx.ids.hex('nia-'),
      networkInsightsPathId: pathId,
      startDate: new Date(ctx.now()),
      status: 'running',
      explanations: [],
      forwardPathComponents: [],
      tags: tagSpecifications(params, 'network-insights-analysis')
    }
    ctx.resources.insightsAnalyses.set(analysis.networkInsightsAnalysisId, analysis)
    // The analysis reads the configuration as it is when it runs, not when it was started.
    const timer = setTimeout(() => finish(analysis, path, ctx), timing.analysisDelayMs)
    timer.unref()
    return { networkInsightsAnalysis: analysisXml(analysis, ctx) }
  }
}

function finish(analysis: InsightsAnalysis, path: InsightsPath, ctx: Ec2Context): void {
  if (!ctx.resources.insightsAnalyses.has(analysis.networkInsightsAnalysisId)) return
  const source = ctx.resources.interfaces.get(path.source)
  const endpoint = ctx.resources.endpoints.get(path.destination)
  if (!source || !endpoint || path.destinationPort === undefined) {
    analysis.status = 'failed'
    analysis.statusMessage = `The request failed due to missing component ${!source ? path.source : path.destination}`
    return
  }
  const verdict = analysePath(ctx.resources, source, endpoint, path.destinationPort, ctx)
  analysis.status = 'succeeded'
  analysis.networkPathFound = verdict.found
  analysis.explanations = verdict.explanations
  analysis.forwardPathComponents = verdict.forwardPath
}

const describeNetworkInsightsAnalyses: Ec2Handler = (params, ctx) => {
  const analyses = ctx.resources.insightsAnalyses
  const selected = selectByIds(
    params,
    'NetworkInsightsAnalysisId',
    (id) => analyses.get(id) ?? notFound('InvalidNetworkInsightsAnalysisId.NotFound', `The NetworkInsightsAnalysis Id '${id}' does not exist`),
    () => [...analyses.values()]
  )
  const pathId = params.get('NetworkInsightsPathId')
  const byPath = pathId ? selected.filter((a) => a.networkInsightsPathId === pathId) : selected
  const filtered = applyFilters(byPath, params, { 'path-found': (a) => [a.networkPathFound?.toString()], status: (a) => [a.status] })
  const page = paginate(filtered, params, { min: 1, capAt1000: false })
  return { networkInsightsAnalysisSet: itemSet(page.items.map((a) => analysisXml(a, ctx))), nextToken: page.nextToken }
}

const deleteNetworkInsightsAnalysis: Ec2Handler = (params, ctx) => {
  const id = params.require('NetworkInsightsAnalysisId')
  if (!ctx.resources.insightsAnalyses.delete(id)) notFound('InvalidNetworkInsightsAnalysisId.NotFound', `The NetworkInsightsAnalysis Id '${id}' does not exist`)
  return { networkInsightsAnalysisId: id }
}

function notFound(code: string, message: string): never {
  throw new AwsError(400, code, message)
}

export function insightsHandlers(timing: InsightsTiming): Record<string, Ec2Handler> {
  return {
    CreateNetworkInterface: createNetworkInterface,
    DeleteNetworkInterface: deleteNetworkInterface,
    CreateNetworkInsightsPath: createNetworkInsightsPath,
    DescribeNetworkInsightsPaths: describeNetworkInsightsPaths,
    DeleteNetworkInsightsPath: deleteNetworkInsightsPath,
    StartNetworkInsightsAnalysis: startAnalysis(timing),
    DescribeNetworkInsightsAnalyses: describeNetworkInsightsAnalyses,
    DeleteNetworkInsightsAnalysis: deleteNetworkInsightsAnalysis
  }
}
