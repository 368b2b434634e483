// Route 53 (REST-XML under /2013-04-01/): private hosted zones, VPC associations, record changes,
// change status and zone tags. Ids in `Id` fields carry `/hostedzone/` and `/change/` prefixes;
// HostedZoneSummary.HostedZoneId does not, as in the real API.
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { World } from '../core/world.js'
import type { RateLimit } from '../core/rate-limits.js'
import { route53Limits } from './rate-limits.js'
import { ROUTE53_AUTH_ERRORS, authenticate, principalOf } from './auth.js'
import { accountOf, IamPolicies, ROUTE53_DENIAL } from './iam.js'
import { IdFactory } from './names.js'
import {
  HostedZones,
  invalidVpc,
  compareText,
  dnsName,
  reversedLabels,
  type AwsNetwork,
  type ChangeAction,
  type ChangeInfo,
  type HostedZone,
  type RecordChange,
  type RecordSet,
  type VpcRef
} from './route53-zones.js'
import { AwsError, ROUTE53_NAMESPACE, XmlNode, answerOrError, awsErrorResponse, listOf, restXmlResponse, type XmlFields } from './xml.js'

export interface Route53Options {
  accountId?: string
  /** How long changes stay PENDING before GetChange reports INSYNC. */
  changeSyncDelayMs?: number
  /** EC2 emulators whose VPCs and endpoint DNS names Route 53 can see. */
  networks?: AwsNetwork[]
  /** Role permission policies; by default every role may do everything */
  iam?: IamPolicies
  now?: () => number
}

/** Who signed the request: the principal and the account it acts in. */
interface Caller {
  principal: string
  account: string
}

type RouteHandler = (req: EmulatorRequest, match: RegExpExecArray, caller: Caller) => EmulatorResponse

interface Route {
  method: string
  path: RegExp
  operation: string
  write: boolean
  handler: RouteHandler
}

const LIST_PATHS = ['Changes.Change', 'ResourceRecords.ResourceRecord', 'AddTags.Tag', 'RemoveTagKeys.Key', 'ResourceIds.ResourceId']
const RECORD_TYPES = new Set(['A', 'AAAA', 'CAA', 'CNAME', 'DS', 'HTTPS', 'MX', 'NAPTR', 'NS', 'PTR', 'SOA', 'SPF', 'SRV', 'SSHFP', 'SVCB', 'TLSA', 'TXT'])
const CHANGE_ACTIONS = new Set<string>(['CREATE', 'DELETE', 'UPSERT'])
/** Calls that name a VPC: Route 53 also checks ec2:DescribeVpcs for them (the API reference says so for CreateHostedZone). */
const NAMES_A_VPC = new Set(['CreateHostedZone', 'AssociateVPCWithHostedZone', 'DisassociateVPCFromHostedZone', 'ListHostedZonesByVPC'])

const respond = (root: string, fields: XmlFields, status = 200, headers: Record<string, string> = {}): EmulatorResponse =>
  restXmlResponse(root, ROUTE53_NAMESPACE, fields, status, headers)

export class Route53Emulator implements Service {
  readonly name = 'route53'
  readonly accountId: string
  readonly zones: HostedZones
  readonly iam: IamPolicies
  private readonly now: () => number
  private readonly routes: Route[]

  constructor(
    private readonly world: World,
    options: Route53Options = {}
  ) {
    this.accountId = options.accountId ?? world.awsAccountId
    this.iam = options.iam ?? new IamPolicies()
    this.now = options.now ?? Date.now
    this.zones = new HostedZones(new IdFactory(`${this.accountId}:route53`), this.now, options.changeSyncDelayMs ?? 0)
    this.zones.networks.push(...(options.networks ?? []))
    const zone = '([A-Za-z0-9]+)'
    const route = (method: string, path: string, operation: string, write: boolean, handler: RouteHandler): Route => ({
      method,
      path: new RegExp(`^/2013-04-01/${path}$`),
      operation,
      write,
      handler
    })
    this.routes = [
      route('POST', 'hostedzone', 'CreateHostedZone', true, (req, _, c) => this.createHostedZone(req, c)),
      route('GET', `hostedzone/${zone}`, 'GetHostedZone', false, (_, m, c) => this.getHostedZone(m[1]!, c)),
      route('DELETE', `hostedzone/${zone}`, 'DeleteHostedZone', true, (_, m, c) => this.deleteHostedZone(m[1]!, c)),
      route('POST', `hostedzone/${zone}/rrset/?`, 'ChangeResourceRecordSets', true, (req, m, c) => this.changeRecords(req, m[1]!, c)),
      route('GET', `hostedzone/${zone}/rrset/?`, 'ListResourceRecordSets', false, (req, m, c) => this.listRecords(req, m[1]!, c)),
      route('POST', `hostedzone/${zone}/associatevpc`, 'AssociateVPCWithHostedZone', true, (req, m, c) => this.associate(req, m[1]!, c)),
      route('POST', `hostedzone/${zone}/disassociatevpc`, 'DisassociateVPCFromHostedZone', true, (req, m, c) => this.disassociate(req, m[1]!, c)),
      route('POST', `hostedzone/${zone}/authorizevpcassociation`, 'CreateVPCAssociationAuthorization', true, (req, m, c) => this.authorize(req, m[1]!, c)),
      route('POST', `hostedzone/${zone}/deauthorizevpcassociation`, 'DeleteVPCAssociationAuthorization', true, (req, m, c) => this.deauthorize(req, m[1]!, c)),
      route('GET', `hostedzone/${zone}/authorizevpcassociation`, 'ListVPCAssociationAuthorizations', false, (req, m, c) => this.listAuthorizations(req, m[1]!, c)),
      route('GET', 'hostedzonesbyname', 'ListHostedZonesByName', false, (req, _, c) => this.listByName(req, c)),
      route('GET', 'hostedzonesbyvpc', 'ListHostedZonesByVPC', false, (req, _, c) => this.listByVpc(req, c)),
      route('GET', 'change/([A-Za-z0-9]+)', 'GetChange', false, (_, m) => this.getChange(m[1]!)),
      route('POST', 'tags/([a-z]+)/([A-Za-z0-9]+)', 'ChangeTagsForResource', true, (req, m, c) => this.changeTags(req, m[1]!, m[2]!, c)),
      route('GET', 'tags/([a-z]+)/([A-Za-z0-9]+)', 'ListTagsForResource', false, (_, m, c) => this.listTags(m[1]!, m[2]!, c)),
      route('POST', 'tags/([a-z]+)', 'ListTagsForResources', false, (req, m, c) => this.listTagsOfMany(req, m[1]!, c))
    ]
  }

  /** Lets Route 53 see another region's (or account's) EC2 network. */
  attachNetwork(network: AwsNetwork): void {
    this.zones.networks.push(network)
  }

  classify(req: EmulatorRequest): Classified {
    const found = this.match(req)
    return found ? { operation: found.route.operation, write: found.route.write } : { operation: 'unknown', write: false }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answerOrError(() => {
      const { credentials } = authenticate(this.world, req.headers, ROUTE53_AUTH_ERRORS, this.now())
      const caller = { principal: credentials.principal, account: accountOf(credentials.principal, this.accountId) }
      const found = this.match(req)
      if (!found) throw new AwsError(404, 'UnknownOperationException', `No operation for ${req.method} ${req.url.pathname}`)
      const { operation } = found.route
      const zoneId = /hostedzone\/([A-Za-z0-9]+)/.exec(req.url.pathname)?.[1]
      const actions = [`route53:${operation}`, ...(NAMES_A_VPC.has(operation) ? ['ec2:DescribeVpcs'] : [])]
      this.iam.check(caller.principal, actions, zoneId ? `arn:aws:route53:::hostedzone/${zoneId}` : '*', ROUTE53_DENIAL)
      return found.route.handler(req, found.match, caller)
    }, (s, c, m) => this.errorResponse(s, c, m))
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return awsErrorResponse(ROUTE53_NAMESPACE, status, code, message)
  }

  // The buckets are the calling account's: a central DNS account's role does not spend the endpoint account's.
  rateLimits(call: Classified, req: EmulatorRequest): RateLimit[] {
    const principal = principalOf(this.world, req.headers)
    return route53Limits(call, principal ? accountOf(principal, this.accountId) : this.accountId)
  }

  throttled(): EmulatorResponse {
    return awsErrorResponse(ROUTE53_NAMESPACE, 400, 'Throttling', 'Rate exceeded')
  }

  private match(req: EmulatorRequest): { route: Route; match: RegExpExecArray } | undefined {
    for (const route of this.routes) {
      const match = route.method === req.method ? route.path.exec(req.url.pathname) : null
      if (match) return { route, match }
    }
    return undefined
  }

  // --- Hosted zones ------------------------------------------------------------------------------

  /** A zone the caller's account owns; another account's zone is refused as Route 53 refuses it. */
  private ownZone(id: string, caller: Caller): HostedZone {
    const zone = this.zones.get(id)
    if (zone.owner !== caller.account) throw new AwsError(403, 'AccessDenied', `User: ${caller.principal} is not authorized to access this resource`)
    return zone
  }

  /** The VPC must be the caller's own (owned, not merely shared with it) to be put on or listed for a zone. */
  private callersVpc(vpc: VpcRef, caller: Caller): VpcRef {
    const owner = this.zones.vpcOwner(vpc)
    if (owner !== undefined && owner !== caller.account) throw invalidVpc(vpc)
    return vpc
  }

  private createHostedZone(req: EmulatorRequest, caller: Caller): EmulatorResponse {
    const body = XmlNode.parse(req.body, LIST_PATHS).child('CreateHostedZoneRequest')
    const config = body?.child('HostedZoneConfig')
    const vpcNode = body?.child('VPC')
    if (vpcNode) this.callersVpc(vpcRef(vpcNode), caller)
    const { zone, change } = this.zones.create({
      owner: caller.account,
      name: requiredText(body, 'Name'),
      callerReference: requiredText(body, 'CallerReference'),
      ...(config?.text('Comment') !== undefined ? { comment: config.text('Comment')! } : {}),
      privateZone: config?.text('PrivateZone') === 'true',
      ...(vpcNode ? { vpc: vpcRef(vpcNode) } : {})
    })
    return respond(
      'CreateHostedZoneResponse',
      {
        HostedZone: this.zoneXml(zone),
        ChangeInfo: this.changeXml(change, true),
        DelegationSet: zone.privateZone ? undefined : this.delegationSetXml(zone),
        VPC: zone.vpcs[0] ? vpcXml(zone.vpcs[0]) : undefined
      },
      201,
      { location: `https://route53.amazonaws.com/2013-04-01/hostedzone/${zone.id}` }
    )
  }

  private getHostedZone(id: string, caller: Caller): EmulatorResponse {
    const zone = this.ownZone(id, caller)
    return respond('GetHostedZoneResponse', {
      HostedZone: this.zoneXml(zone),
      DelegationSet: zone.privateZone ? undefined : this.delegationSetXml(zone),
      VPCs: zone.privateZone ? listOf('VPC', zone.vpcs.map(vpcXml)) : undefined
    })
  }

  private deleteHostedZone(id: string, caller: Caller): EmulatorResponse {
    return respond('DeleteHostedZoneResponse', { ChangeInfo: this.changeXml(this.zones.delete(this.ownZone(id, caller)), true) })
  }

  // The account of the VPC associates it; with a zone of another account only once that account authorized
  // the VPC (Route 53 Developer Guide, "Associating an Amazon VPC and a private hosted zone that you created
  // with different AWS accounts"). The authorization stays until deleted.
  private associate(req: EmulatorRequest, id: string, caller: Caller): EmulatorResponse {
    const zone = this.zones.get(id)
    const body = XmlNode.parse(req.body).child('AssociateVPCWithHostedZoneRequest')
    const vpc = this.callersVpc(vpcRef(body?.child('VPC')), caller)
    if (zone.owner !== caller.account && !this.zones.isAuthorized(zone, vpc))
      throw new AwsError(401, 'NotAuthorizedException', 'Associating the specified VPC with the specified hosted zone has not been authorized.')
    const change = this.zones.associate(zone, vpc, body?.text('Comment'))
    return respond('AssociateVPCWithHostedZoneResponse', { ChangeInfo: this.changeXml(change, true) })
  }

  // Either the zone's account or the VPC's may disassociate (DisassociateVPCFromHostedZone, API reference).
  private disassociate(req: EmulatorRequest, id: string, caller: Caller): EmulatorResponse {
    const zone = this.zones.get(id)
    const body = XmlNode.parse(req.body).child('DisassociateVPCFromHostedZoneRequest')
    const vpc = vpcRef(body?.child('VPC'))
    if (zone.owner !== caller.account) this.callersVpc(vpc, caller)
    const change = this.zones.disassociate(zone, vpc, body?.text('Comment'))
    return respond('DisassociateVPCFromHostedZoneResponse', { ChangeInfo: this.changeXml(change, true) })
  }

  // Only the zone's account authorizes, lists and deletes authorizations.
  private authorize(req: EmulatorRequest, id: string, caller: Caller): EmulatorResponse {
    const zone = this.ownZone(id, caller)
    const vpc = vpcRef(XmlNode.parse(req.body).child('CreateVPCAssociationAuthorizationRequest')?.child('VPC'))
    this.zones.authorize(zone, vpc)
    return respond('CreateVPCAssociationAuthorizationResponse', { HostedZoneId: zone.id, VPC: vpcXml(vpc) })
  }

  private deauthorize(req: EmulatorRequest, id: string, caller: Caller): EmulatorResponse {
    const zone = this.ownZone(id, caller)
    this.zones.deauthorize(zone, vpcRef(XmlNode.parse(req.body).child('DeleteVPCAssociationAuthorizationRequest')?.child('VPC')))
    return respond('DeleteVPCAssociationAuthorizationResponse', {})
  }

  private listAuthorizations(req: EmulatorRequest, id: string, caller: Caller): EmulatorResponse {
    const zone = this.ownZone(id, caller)
    const query = req.url.searchParams
    const raw = query.get('maxresults')
    if (raw !== null && (!/^\d+$/.test(raw) || Number(raw) < 1)) throw new AwsError(400, 'InvalidInput', `Invalid value for maxresults: ${raw}`)
    const maxResults = raw === null ? 50 : Number(raw)
    const offset = decodeToken(query.get('nexttoken'))
    const page = zone.authorizations.slice(offset, offset + maxResults)
    return respond('ListVPCAssociationAuthorizationsResponse', {
      HostedZoneId: zone.id,
      NextToken: offset + maxResults < zone.authorizations.length ? encodeToken(offset + maxResults) : undefined,
      VPCs: listOf('VPC', page.map(vpcXml))
    })
  }

  private listByName(req: EmulatorRequest, caller: Caller): EmulatorResponse {
    const query = req.url.searchParams
    const start = query.get('dnsname')
    const startId = query.get('hostedzoneid')
    if (startId !== null && start === null) {
      throw new AwsError(400, 'InvalidInput', 'The hostedzoneid parameter requires the dnsname parameter')
    }
    const maxItems = maxItemsOf(query, 100)
    const startKey = start === null ? '' : reversedLabels(dnsName(start))
    const ordered = this.zones.byName().filter((z) => z.owner === caller.account)
    const from = ordered.findIndex((z) => {
      const key = reversedLabels(z.name)
      return key > startKey || (key === startKey && (startId === null || z.id >= startId))
    })
    const rest = from < 0 ? [] : ordered.slice(from)
    const page = rest.slice(0, maxItems)
    const next = rest[maxItems]
    return respond('ListHostedZonesByNameResponse', {
      HostedZones: listOf('HostedZone', page.map((z) => this.zoneXml(z))),
      DNSName: start ?? undefined,
      HostedZoneId: startId ?? undefined,
      IsTruncated: next !== undefined,
      NextDNSName: next?.name,
      NextHostedZoneId: next?.id,
      MaxItems: maxItems
    })
  }

  private listByVpc(req: EmulatorRequest, caller: Caller): EmulatorResponse {
    const query = req.url.searchParams
    const vpcId = query.get('vpcid')
    const region = query.get('vpcregion')
    if (!vpcId || !region) throw new AwsError(400, 'InvalidInput', 'The vpcid and vpcregion parameters are required')
    const maxItems = maxItemsOf(query, 100)
    const offset = decodeToken(query.get('nexttoken'))
    // Every zone the VPC is associated with, whichever account owns it (ListHostedZonesByVPC, API reference).
    const owner = this.zones.vpcOwner({ vpcId, region })
    if (owner !== undefined && owner !== caller.account) throw new AwsError(403, 'AccessDenied', `User: ${caller.principal} is not authorized to access this resource`)
    const zones = this.zones.byVpc({ vpcId, region })
    const page = zones.slice(offset, offset + maxItems)
    return respond('ListHostedZonesByVPCResponse', {
      HostedZoneSummaries: listOf(
        'HostedZoneSummary',
        page.map((z) => ({ HostedZoneId: z.id, Name: z.name, Owner: { OwningAccount: z.owner } }))
      ),
      MaxItems: maxItems,
      NextToken: offset + maxItems < zones.length ? encodeToken(offset + maxItems) : undefined
    })
  }

  // --- Records and changes -----------------------------------------------------------------------

  private changeRecords(req: EmulatorRequest, id: string, caller: Caller): EmulatorResponse {
    const zone = this.ownZone(id, caller)
    const batch = XmlNode.parse(req.body, LIST_PATHS).child('ChangeResourceRecordSetsRequest')?.child('ChangeBatch')
    const changes = batch?.child('Changes')?.children('Change') ?? []
    if (changes.length === 0) throw new AwsError(400, 'InvalidInput', 'Invalid request: the ChangeBatch must contain at least one Change')
    const change = this.zones.applyChanges(zone, changes.map(parseChange), batch?.text('Comment'))
    return respond('ChangeResourceRecordSetsResponse', { ChangeInfo: this.changeXml(change, true) })
  }

  private listRecords(req: EmulatorRequest, id: string, caller: Caller): EmulatorResponse {
    const zone = this.ownZone(id, caller)
    const query = req.url.searchParams
    const startName = query.get('name')
    const startType = query.get('type')
    if (startType !== null && startName === null) throw new AwsError(400, 'InvalidInput', 'The type parameter requires the name parameter')
    const maxItems = Math.min(maxItemsOf(query, 300), 300)
    const sortKey = (name: string, type: string) => `${reversedLabels(name)}\u0000${type}`
    const ordered = [...zone.records].sort((a, b) => compareText(sortKey(a.name, a.type), sortKey(b.name, b.type)))
    const startKey = startName === null ? '' : sortKey(dnsName(startName), startType ?? '')
    const rest = ordered.filter((r) => sortKey(r.name, r.type) >= startKey)
    const next = rest[maxItems]
    return respond('ListResourceRecordSetsResponse', {
      ResourceRecordSets: listOf('ResourceRecordSet', rest.slice(0, maxItems).map(recordXml)),
      IsTruncated: next !== undefined,
      NextRecordName: next?.name,
      NextRecordType: next?.type,
      MaxItems: maxItems
    })
  }

  private getChange(id: string): EmulatorResponse {
    return respond('GetChangeResponse', { ChangeInfo: this.changeXml(this.zones.change(id), false) })
  }

  // --- Tags ---------------------------------------------------------------------------------------

  private taggedZone(resourceType: string, id: string, caller: Caller): HostedZone {
    if (resourceType === 'healthcheck') throw new AwsError(404, 'NoSuchHealthCheck', `No health check exists with the specified ID ${id}`)
    if (resourceType !== 'hostedzone') throw new AwsError(400, 'InvalidInput', `Invalid resource type: ${resourceType}`)
    return this.ownZone(id, caller)
  }

  private changeTags(req: EmulatorRequest, resourceType: string, id: string, caller: Caller): EmulatorResponse {
    const zone = this.taggedZone(resourceType, id, caller)
    const body = XmlNode.parse(req.body, LIST_PATHS).child('ChangeTagsForResourceRequest')
    for (const key of body?.child('RemoveTagKeys')?.children('Key') ?? []) zone.tags.delete(key.text() ?? '')
    for (const tag of body?.child('AddTags')?.children('Tag') ?? []) zone.tags.set(requiredText(tag, 'Key'), tag.text('Value') ?? '')
    if (zone.tags.size > 50) throw new AwsError(400, 'InvalidInput', 'A resource can have at most 50 tags')
    return respond('ChangeTagsForResourceResponse', {})
  }

  private listTags(resourceType: string, id: string, caller: Caller): EmulatorResponse {
    const zone = this.taggedZone(resourceType, id, caller)
    return respond('ListTagsForResourceResponse', {
      ResourceTagSet: {
        ResourceType: 'hostedzone',
        ResourceId: zone.id,
        Tags: listOf('Tag', [...zone.tags].map(([Key, Value]) => ({ Key, Value })))
      }
    })
  }

  // ListTagsForResources: up to 10 resources of one type per request.
  private listTagsOfMany(req: EmulatorRequest, resourceType: string, caller: Caller): EmulatorResponse {
    const ids = (XmlNode.parse(req.body, LIST_PATHS).child('ListTagsForResourcesRequest')?.child('ResourceIds')?.children('ResourceId') ?? []).map((n) => n.text() ?? '')
    if (ids.length < 1 || ids.length > 10) throw new AwsError(400, 'InvalidInput', 'ResourceIds must hold between 1 and 10 resource ids')
    return respond('ListTagsForResourcesResponse', {
      ResourceTagSets: listOf(
        'ResourceTagSet',
        ids.map((id) => {
          const zone = this.taggedZone(resourceType, id, caller)
          return { ResourceType: 'hostedzone', ResourceId: zone.id, Tags: listOf('Tag', [...zone.tags].map(([Key, Value]) => ({ Key, Value }))) }
        })
      )
    })
  }

  // --- Rendering -----------------------------------------------------------------------------------

  private zoneXml(zone: HostedZone): XmlFields {
    return {
      Id: `/hostedzone/${zone.id}`,
      Name: zone.name,
      CallerReference: zone.callerReference,
      Config: { Comment: zone.comment, PrivateZone: zone.privateZone },
      ResourceRecordSetCount: zone.records.length
    }
  }

  private delegationSetXml(zone: HostedZone): XmlFields {
    return { NameServers: listOf('NameServer', zone.records.find((r) => r.type === 'NS')?.values.map((v) => v.replace(/\.$/, '')) ?? []) }
  }

  /** A change just submitted always reads PENDING, as Route 53 answers before propagating. */
  private changeXml(change: ChangeInfo, justSubmitted: boolean): XmlFields {
    return {
      Id: `/change/${change.id}`,
      Status: justSubmitted ? 'PENDING' : this.zones.status(change),
      SubmittedAt: change.submittedAt,
      Comment: change.comment
    }
  }
}

function parseChange(node: XmlNode): RecordChange {
  const action = node.text('Action') ?? ''
  const set = node.child('ResourceRecordSet')
  const name = dnsName(requiredText(set, 'Name'))
  const type = requiredText(set, 'Type')
  const where = `Change with [Action=${action}, Name=${name}, Type=${type}, SetIdentifier=${set?.text('SetIdentifier') ?? 'null'}]`
  if (!CHANGE_ACTIONS.has(action)) {
    throw new AwsError(400, 'InvalidInput', `Invalid XML ; Value '${action}' is not facet-valid with respect to enumeration '[CREATE, DELETE, UPSERT]'`)
  }
  if (!RECORD_TYPES.has(type)) throw new AwsError(400, 'InvalidInput', `Invalid XML ; Value '${type}' is not a valid record type`)
  const alias = set?.child('AliasTarget')
  const ttl = set?.text('TTL')
  const values = (set?.child('ResourceRecords')?.children('ResourceRecord') ?? []).map((r) => requiredText(r, 'Value'))
  const plain = ttl !== undefined || values.length > 0
  if ((alias && plain) || (!alias && (ttl === undefined || values.length === 0))) {
    const found = alias && plain ? 'more than one' : 'none'
    throw new AwsError(
      400,
      'InvalidInput',
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${found} in ${where}`
    )
  }
  const record: RecordSet = { name, type, values }
  const setIdentifier = set?.text('SetIdentifier')
  if (setIdentifier !== undefined) record.setIdentifier = setIdentifier
  if (ttl !== undefined) record.ttl = Number(ttl)
  if (alias) {
    const evaluate = alias.text('EvaluateTargetHealth')
    if (evaluate === undefined) {
      throw new AwsError(
        400,
        'InvalidInput',
        `Invalid XML ; cvc-complex-type.2.4.b: The content of element 'AliasTarget' is not complete. One of '{"${ROUTE53_NAMESPACE}":EvaluateTargetHealth}' is expected.`
      )
    }
    record.alias = {
      hostedZoneId: requiredText(alias, 'HostedZoneId'),
      dnsName: dnsName(requiredText(alias, 'DNSName')),
      evaluateTargetHealth: evaluate === 'true'
    }
  }
  return { action: action as ChangeAction, record }
}

function recordXml(record: RecordSet): XmlFields {
  return {
    // Route 53 lists a leading wildcard in its octal escape.
    Name: record.name.replace(/^\*/, '\\052'),
    Type: record.type,
    SetIdentifier: record.setIdentifier,
    TTL: record.ttl,
    ResourceRecords: record.alias ? undefined : listOf('ResourceRecord', record.values.map((Value) => ({ Value }))),
    AliasTarget: record.alias
      ? { HostedZoneId: record.alias.hostedZoneId, DNSName: record.alias.dnsName, EvaluateTargetHealth: record.alias.evaluateTargetHealth }
      : undefined
  }
}

const vpcXml = (vpc: VpcRef): XmlFields => ({ VPCRegion: vpc.region, VPCId: vpc.vpcId })

function vpcRef(node: XmlNode | undefined): VpcRef {
  return { region: requiredText(node, 'VPCRegion'), vpcId: requiredText(node, 'VPCId') }
}

function requiredText(node: XmlNode | undefined, name: string): string {
  const value = node?.text(name)
  if (value === undefined || value === '') throw new AwsError(400, 'InvalidInput', `Invalid request: missing required element ${name}`)
  return value
}

function maxItemsOf(query: URLSearchParams, fallback: number): number {
  const raw = query.get('maxitems')
  if (raw === null) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new AwsError(400, 'InvalidInput', `Invalid value for maxitems: ${raw}`)
  return Number(raw)
}

const encodeToken = (offset: number): string => Buffer.from(`offset:${offset}`).toString('base64url')

function decodeToken(token: string | null): number {
  if (token === null) return 0
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'))
  if (!match) throw new AwsError(400, 'InvalidPaginationToken', 'The value that you specified for nexttoken is not valid')
  return Number(match[1])
}
