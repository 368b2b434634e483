// EC2 (Query protocol, all `POST /` with `Action=`) for one account and region. Network resources
// come from a seed topology; security groups and interface endpoints are created through the API.
// Endpoints to a service that requires acceptance wait in `pendingAcceptance` until the World
// reports that the provider (the Zilliz emulator) accepted them.
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { World } from '../core/world.js'
import type { RateLimit } from '../core/rate-limits.js'
import { ec2Limits } from './rate-limits.js'
import { EC2_AUTH_ERRORS, authenticate, principalOf } from './auth.js'
import { accountOf, EC2_DENIAL, IamPolicies } from './iam.js'
import { endpointDnsEntries, endpointHandlers, releaseInterface, vpceHostedZoneId, type DnsEntry } from './ec2-endpoints.js'
import { interfaceHandlers } from './ec2-interfaces.js'
import { insightsHandlers } from './ec2-insights.js'
import {
  Ec2Resources,
  type AwsTopology,
  type Ec2Context,
  type Ec2Handler,
  type EndpointService,
  type EndpointState,
  type NetworkAcl,
  type Vpc,
  type VpcEndpoint
} from './ec2-model.js'
import { applyFilters, mergeTags, paginate, selectByIds, tagSet, tagsAt } from './ec2-query.js'
import { defaultSecurityGroup, securityGroupHandlers } from './ec2-security-groups.js'
import { IdFactory } from './names.js'
import { seedTopology } from './seed.js'
import { aclOf } from './ec2-reachability.js'
import { AwsError, QueryParams, answerOrError, ec2ErrorResponse, ec2Response, itemSet } from './xml.js'

export interface Ec2Options {
  topology?: AwsTopology
  /** Time between acceptance and `available`; the endpoint reports `pending` meanwhile. */
  acceptanceDelayMs?: number
  /** Time an endpoint spends `deleting` before its interfaces are released and it is `deleted`. */
  deletionDelayMs?: number
  /** Time a Reachability Analyzer analysis reports `running` before its result. */
  analysisDelayMs?: number
  /** Role permission policies; by default every role may do everything */
  iam?: IamPolicies
  now?: () => number
}

/** Actions that change state (CreateTags included); everything else only reads. */
const WRITE_ACTION = /^(Create|Delete|Modify|Authorize|Revoke|Associate|Disassociate|Accept|Reject|Replace)/

const describeVpcs: Ec2Handler = (params, ctx) => {
  const { resources } = ctx
  const selected = selectByIds(params, 'VpcId', (id) => resources.vpc(id), () => [...resources.vpcs.values()])
  const vpcs = applyFilters(selected, params, {
    'vpc-id': (v) => [v.vpcId],
    cidr: (v) => [v.cidrBlock],
    'cidr-block-association.cidr-block': (v) => [v.cidrBlock],
    'is-default': (v) => [String(v.isDefault)],
    state: () => ['available'],
    'owner-id': (v) => [v.ownerId ?? ctx.accountId]
  })
  const page = paginate(vpcs, params)
  return {
    vpcSet: itemSet(
      page.items.map((v) => ({
        vpcId: v.vpcId,
        ownerId: v.ownerId ?? ctx.accountId,
        state: 'available',
        cidrBlock: v.cidrBlock,
        cidrBlockAssociationSet: itemSet([{ cidrBlock: v.cidrBlock, cidrBlockState: { state: 'associated' } }]),
        instanceTenancy: 'default',
        isDefault: v.isDefault,
        dhcpOptionsId: resources.dhcpOptionsOf(v),
        tagSet: tagSet(v.tags)
      }))
    ),
    nextToken: page.nextToken
  }
}

/** One attribute per call, as EC2 answers it: <enableDnsSupport><value>true</value></enableDnsSupport>. */
const describeVpcAttribute: Ec2Handler = (params, ctx) => {
  const vpcId = params.get('VpcId')
  const attribute = params.get('Attribute')
  if (!vpcId) throw new AwsError(400, 'MissingParameter', 'The request must contain the parameter vpcId')
  if (!attribute) throw new AwsError(400, 'MissingParameter', 'The request must contain the parameter attribute')
  const vpc = ctx.resources.vpc(vpcId)
  const values: Record<string, boolean> = {
    enableDnsSupport: vpc.enableDnsSupport ?? true,
    enableDnsHostnames: vpc.enableDnsHostnames ?? true,
    enableNetworkAddressUsageMetrics: false
  }
  if (!(attribute in values)) throw new AwsError(400, 'InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`)
  return { vpcId, [attribute]: { value: values[attribute] } }
}

const describeDhcpOptions: Ec2Handler = (params, ctx) => {
  const { resources } = ctx
  const selected = selectByIds(params, 'DhcpOptionsId', (id) => resources.dhcpOptionSet(id), () => [...resources.dhcpOptions.values()])
  const page = paginate(selected, params)
  return {
    dhcpOptionsSet: itemSet(
      page.items.map((o) => ({
        dhcpOptionsId: o.dhcpOptionsId,
        ownerId: ctx.accountId,
        dhcpConfigurationSet: itemSet(o.configurations.map((c) => ({ key: c.key, valueSet: itemSet(c.values.map((value) => ({ value }))) }))),
        tagSet: tagSet(o.tags)
      }))
    ),
    nextToken: page.nextToken
  }
}

const describeSubnets: Ec2Handler = (params, ctx) => {
  const { resources } = ctx
  const selected = selectByIds(params, 'SubnetId', (id) => resources.subnet(id), () => [...resources.subnets.values()])
  const subnets = applyFilters(selected, params, {
    'vpc-id': (s) => [s.vpcId],
    'subnet-id': (s) => [s.subnetId],
    'availability-zone': (s) => [s.availabilityZone],
    'availability-zone-id': (s) => [s.availabilityZoneId],
    'cidr-block': (s) => [s.cidrBlock],
    state: () => ['available']
  })
  const page = paginate(subnets, params)
  return {
    subnetSet: itemSet(
      page.items.map((s) => ({
        subnetId: s.subnetId,
        subnetArn: `arn:aws:ec2:${ctx.region}:${resources.vpcs.get(s.vpcId)?.ownerId ?? ctx.accountId}:subnet/${s.subnetId}`,
        vpcId: s.vpcId,
        state: 'available',
        cidrBlock: s.cidrBlock,
        availabilityZone: s.availabilityZone,
        availabilityZoneId: s.availabilityZoneId,
        availableIpAddressCount: resources.availableIpCount(s),
        defaultForAz: false,
        mapPublicIpOnLaunch: false,
        ownerId: resources.vpcs.get(s.vpcId)?.ownerId ?? ctx.accountId,
        tagSet: tagSet(s.tags)
      }))
    ),
    nextToken: page.nextToken
  }
}

const describeVpcEndpointServices: Ec2Handler = (params, ctx) => {
  const { resources } = ctx
  const selected = selectByIds(params, 'ServiceName', (n) => resources.service(n), () => [...resources.services.values()])
  const services = applyFilters(
    selected.map((s) => ({ ...s, tags: [] })),
    params,
    { 'service-name': (s) => [s.serviceName], 'service-type': () => ['Interface'], owner: (s) => [s.owner] }
  )
  const page = paginate(services, params)
  return {
    serviceNameSet: itemSet(page.items.map((s) => s.serviceName)),
    serviceDetailSet: itemSet(
      page.items.map((s) => ({
        serviceName: s.serviceName,
        serviceId: s.serviceId,
        serviceType: itemSet([{ serviceType: 'Interface' }]),
        serviceRegion: ctx.region,
        availabilityZoneIdSet: itemSet(s.availabilityZoneIds),
        availabilityZoneSet: itemSet(s.availabilityZones),
        owner: s.owner,
        baseEndpointDnsNameSet: itemSet([`${s.serviceId}.${ctx.region}.vpce.amazonaws.com`]),
        privateDnsName: s.privateDnsName,
        vpcEndpointPolicySupported: false,
        acceptanceRequired: s.acceptanceRequired,
        managesVpcEndpoints: false,
        supportedIpAddressTypeSet: itemSet(['ipv4']),
        tagSet: itemSet([])
      }))
    ),
    nextToken: page.nextToken
  }
}

const createTags: Ec2Handler = (params, ctx) => {
  const ids = params.list('ResourceId')
  if (ids.length === 0) throw new AwsError(400, 'MissingParameter', 'The request must contain the parameter resourceIdSet')
  const tags = tagsAt(params)
  // Resolve every id first so an unknown one leaves nothing half-tagged.
  const resources = ids.map((id) => ctx.resources.taggable(id))
  for (const resource of resources) mergeTags(resource.tags, tags)
  return { return: true }
}

/** Every VPC comes with a default network ACL that allows all traffic in and out (rule 100), then denies (rule *). */
function defaultNetworkAcl(vpc: Vpc, ids: IdFactory): NetworkAcl {
  const all = { protocol: '-1', ruleAction: 'allow' as const, cidrBlock: '0.0.0.0/0', ruleNumber: 100 }
  return { networkAclId: ids.hex('acl-'), vpcId: vpc.vpcId, isDefault: true, subnetIds: [], entries: [{ ...all, egress: true }, { ...all, egress: false }], tags: [] }
}

export class Ec2Emulator implements Service {
  readonly name = 'ec2'
  readonly region: string
  readonly accountId: string
  readonly resources: Ec2Resources
  acceptanceDelayMs: number
  deletionDelayMs: number
  /** Changed by tests; read when each analysis starts */
  readonly insights = { analysisDelayMs: 0 }
  readonly iam: IamPolicies
  /** The EC2 of other accounts in the same region: requests signed by their principals go there */
  private readonly accounts = new Map<string, Ec2Emulator>()
  private readonly now: () => number
  private readonly context: Ec2Context
  private readonly handlers: Record<string, Ec2Handler> = {
    DescribeVpcs: describeVpcs,
    DescribeVpcAttribute: describeVpcAttribute,
    DescribeDhcpOptions: describeDhcpOptions,
    DescribeSubnets: describeSubnets,
    DescribeVpcEndpointServices: describeVpcEndpointServices,
    CreateTags: createTags,
    ...securityGroupHandlers,
    ...endpointHandlers,
    ...interfaceHandlers,
    ...insightsHandlers(this.insights)
  }

  constructor(
    private readonly world: World,
    options: Ec2Options = {}
  ) {
    const topology = options.topology ?? seedTopology()
    this.region = topology.region
    this.accountId = topology.accountId
    this.acceptanceDelayMs = options.acceptanceDelayMs ?? 0
    this.deletionDelayMs = options.deletionDelayMs ?? 100
    this.insights.analysisDelayMs = options.analysisDelayMs ?? 300
    this.iam = options.iam ?? new IamPolicies()
    this.now = options.now ?? Date.now
    this.resources = new Ec2Resources(topology)
    const ids = new IdFactory(`${topology.accountId}:${topology.region}`)
    for (const vpc of this.resources.vpcs.values()) {
      const group = defaultSecurityGroup(vpc, ids)
      this.resources.groups.set(group.groupId, group)
      const acl = defaultNetworkAcl(vpc, ids)
      this.resources.networkAcls.set(acl.networkAclId, acl)
    }
    this.context = {
      resources: this.resources,
      ids,
      region: this.region,
      accountId: this.accountId,
      now: this.now,
      endpointCreated: (endpoint, service) => this.endpointCreated(endpoint, service),
      endpointDeleting: (endpoint) => this.finishDeletion(endpoint)
    }
    world.onAcceptance((cloudId, endpointId, accepted) => {
      if (cloudId === 'aws') this.acceptanceChanged(endpointId, accepted)
    })
  }

  classify(req: EmulatorRequest): Classified {
    const action = QueryParams.parse(req.body).get('Action') ?? 'unknown'
    return { operation: action, write: WRITE_ACTION.test(action) }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answerOrError(() => this.dispatch(req), ec2ErrorResponse)
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return ec2ErrorResponse(status, code, message)
  }

  rateLimits(call: Classified, req: EmulatorRequest): RateLimit[] {
    const principal = principalOf(this.world, req.headers)
    return ec2Limits(call, principal ? accountOf(principal, this.accountId) : this.accountId, this.region)
  }

  throttled(): EmulatorResponse {
    return ec2ErrorResponse(503, 'RequestLimitExceeded', 'Request limit exceeded.')
  }

  /** Network ACL of a subnet (its association, else the VPC's default), for tests that add a rule. */
  networkAclOf(subnetId: string): NetworkAcl | undefined {
    return aclOf(this.resources, this.resources.subnet(subnetId))
  }

  // --- What tests and the demo read back --------------------------------------------------------

  endpoint(endpointId: string): VpcEndpoint | undefined {
    return this.resources.endpoints.get(endpointId)
  }

  /** The endpoint's private IPs, one per subnet, in subnet order. */
  privateIps(endpointId: string): string[] {
    return this.endpoint(endpointId)?.interfaces.map((eni) => eni.privateIp) ?? []
  }

  dnsEntries(endpointId: string): DnsEntry[] {
    const endpoint = this.endpoint(endpointId)
    return endpoint ? endpointDnsEntries(endpoint, this.region) : []
  }

  /** What an endpoint DNS name resolves to inside the VPC: all IPs for the regional name, one per AZ name. */
  resolve(dnsName: string): string[] {
    const wanted = dnsName.toLowerCase().replace(/\.$/, '')
    for (const endpoint of this.resources.endpoints.values()) {
      for (const entry of endpointDnsEntries(endpoint, this.region)) {
        if (entry.dnsName !== wanted) continue
        return endpoint.interfaces
          .filter((eni) => !entry.availabilityZone || eni.availabilityZone === entry.availabilityZone)
          .map((eni) => eni.privateIp)
      }
    }
    return []
  }

  /** Forces a lifecycle state, e.g. `failed`, for tests of the action's error paths. */
  setEndpointState(endpointId: string, state: EndpointState): void {
    const endpoint = this.endpoint(endpointId)
    if (!endpoint) throw new Error(`No VPC endpoint ${endpointId}`)
    endpoint.state = state
  }

  /** Serves another account's requests with that account's own resources (one endpoint URL, as in AWS). */
  addAccount(other: Ec2Emulator): void {
    this.accounts.set(other.accountId, other)
  }

  // --- What Route 53 asks about the network -----------------------------------------------------

  hasVpc(region: string, vpcId: string): boolean {
    return region === this.region && this.resources.vpcs.has(vpcId)
  }

  vpcOwner(region: string, vpcId: string): string | undefined {
    const vpc = region === this.region ? this.resources.vpcs.get(vpcId) : undefined
    return vpc ? (vpc.ownerId ?? this.accountId) : undefined
  }

  vpcVisibleTo(region: string, vpcId: string, account: string): boolean {
    return account === this.accountId && this.hasVpc(region, vpcId)
  }

  ownsHostedZone(hostedZoneId: string): boolean {
    return hostedZoneId === vpceHostedZoneId(this.region)
  }

  hasAliasTarget(hostedZoneId: string, dnsName: string): boolean {
    const wanted = dnsName.toLowerCase().replace(/\.$/, '')
    return [...this.resources.endpoints.values()].some((endpoint) =>
      endpointDnsEntries(endpoint, this.region).some((e) => e.hostedZoneId === hostedZoneId && e.dnsName === wanted)
    )
  }

  // ----------------------------------------------------------------------------------------------

  private dispatch(req: EmulatorRequest): EmulatorResponse {
    const params = QueryParams.parse(req.body)
    const { scope, credentials } = authenticate(this.world, req.headers, EC2_AUTH_ERRORS, this.now())
    // A request signed for another region would have gone to that region's endpoint in real AWS.
    if (scope.region !== this.region) {
      throw new AwsError(401, 'AuthFailure', `Credential should be scoped to a valid region, not '${scope.region}'.`)
    }
    const account = accountOf(credentials.principal, this.accountId)
    const owner = account === this.accountId ? this : this.accounts.get(account)
    if (!owner) return this.serve(params, credentials.principal)
    return owner.serve(params, credentials.principal)
  }

  private serve(params: QueryParams, principal: string): EmulatorResponse {
    const action = params.get('Action') ?? ''
    const handler = this.handlers[action]
    if (!handler) throw new AwsError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`)
    // Tags in a create call are authorized as ec2:CreateTags as well.
    const actions = [`ec2:${action}`, ...(params.members('TagSpecification').length && action !== 'CreateTags' ? ['ec2:CreateTags'] : [])]
    this.iam.check(principal, actions, `arn:aws:ec2:${this.region}:${this.accountId}:*`, EC2_DENIAL)
    if (params.bool('DryRun')) {
      throw new AwsError(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.')
    }
    return ec2Response(action, handler(params, this.context))
  }

  private endpointCreated(endpoint: VpcEndpoint, service: EndpointService): void {
    this.world.endpoints.add('aws', endpoint.vpcEndpointId)
    if (!service.acceptanceRequired) this.becomeAvailable(endpoint)
  }

  private finishDeletion(endpoint: VpcEndpoint): void {
    const timer = setTimeout(() => {
      for (const eni of endpoint.interfaces) releaseInterface(eni, this.context)
      endpoint.interfaces = []
      endpoint.state = 'deleted'
      this.world.endpoints.remove('aws', endpoint.vpcEndpointId)
    }, this.deletionDelayMs)
    timer.unref()
  }

  private acceptanceChanged(endpointId: string, accepted: boolean): void {
    const endpoint = this.resources.endpoints.get(endpointId)
    if (!endpoint) return
    if (endpoint.state === 'deleting' || endpoint.state === 'deleted') return
    if (!accepted) endpoint.state = 'rejected'
    else if (endpoint.state === 'pendingAcceptance' || endpoint.state === 'rejected') this.becomeAvailable(endpoint)
  }

  private becomeAvailable(endpoint: VpcEndpoint): void {
    if (this.acceptanceDelayMs <= 0) {
      endpoint.state = 'available'
      return
    }
    endpoint.state = 'pending'
    const timer = setTimeout(() => {
      if (endpoint.state === 'pending') endpoint.state = 'available'
    }, this.acceptanceDelayMs)
    // A pending transition must not keep a test process alive.
    timer.unref()
  }
}
