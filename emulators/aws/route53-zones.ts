// Route 53's state and rules: hosted zones with their VPC associations, record sets changed in atomic
// batches, and change ids that go PENDING → INSYNC.
import type { IdFactory } from './names.js'
import { AwsError } from './xml.js'

export interface VpcRef {
  region: string
  vpcId: string
}

export interface AliasTarget {
  hostedZoneId: string
  dnsName: string
  evaluateTargetHealth: boolean
}

export interface RecordSet {
  name: string
  type: string
  setIdentifier?: string
  ttl?: number
  values: string[]
  alias?: AliasTarget
}

export interface HostedZone {
  id: string
  /** The account that created the zone; only it may read and change the zone */
  owner: string
  /** VPCs of other accounts the owner authorized to associate themselves (CreateVPCAssociationAuthorization) */
  authorizations: VpcRef[]
  name: string
  callerReference: string
  comment?: string
  privateZone: boolean
  vpcs: VpcRef[]
  records: RecordSet[]
  tags: Map<string, string>
}

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT'

export interface RecordChange {
  action: ChangeAction
  record: RecordSet
}

export interface ChangeInfo {
  id: string
  submittedAt: Date
  comment?: string
}

/** What Route 53 needs to know about EC2: VPCs to associate and alias targets that must exist. */
export interface AwsNetwork {
  hasVpc(region: string, vpcId: string): boolean
  /** The account that owns the VPC (for a VPC shared through RAM, the owner, not the participant) */
  vpcOwner(region: string, vpcId: string): string | undefined
  /** Whether the account sees the VPC: it owns it, or subnets of it are shared with it */
  vpcVisibleTo(region: string, vpcId: string, account: string): boolean
  ownsHostedZone(hostedZoneId: string): boolean
  hasAliasTarget(hostedZoneId: string, dnsName: string): boolean
}

/** Lowercase, fully qualified (trailing dot), `\052` read as `*`. */
export function dnsName(name: string): string {
  const lower = name.trim().toLowerCase().replace(/\\052/g, '*')
  return lower.endsWith('.') ? lower : `${lower}.`
}

/** Route 53 sorts names with their labels reversed: `com.example.www`. */
export const reversedLabels = (name: string): string => name.replace(/\.$/, '').split('.').reverse().join('.')

const isWithin = (name: string, zone: string): boolean => name === zone || name.endsWith(`.${zone}`)

const NAME_SERVERS = ['ns-1536.awsdns-00.co.uk.', 'ns-0.awsdns-00.com.', 'ns-1024.awsdns-00.org.', 'ns-512.awsdns-00.net.']

export interface NewZone {
  owner: string
  name: string
  callerReference: string
  comment?: string
  privateZone: boolean
  vpc?: VpcRef
}

export class HostedZones {
  readonly zones = new Map<string, HostedZone>()
  readonly networks: AwsNetwork[] = []
  private readonly changes = new Map<string, ChangeInfo>()
  /** Caller references stay used after their zone is deleted, as in Route 53. */
  private readonly callerReferences = new Set<string>()

  constructor(
    private readonly ids: IdFactory,
    private readonly now: () => number,
    /** How long a change stays PENDING before GetChange reports INSYNC. */
    public changeSyncDelayMs = 0
  ) {}

  get(id: string): HostedZone {
    const zone = this.zones.get(id)
    if (!zone) throw new AwsError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`)
    return zone
  }

  create(input: NewZone): { zone: HostedZone; change: ChangeInfo } {
    const name = dnsName(input.name)
    if (!/^([a-z0-9_*-]{1,63}\.)+$/.test(name) || name.length > 255) {
      throw new AwsError(400, 'InvalidDomainName', `${input.name} is not a valid domain name`)
    }
    if (this.callerReferences.has(input.callerReference)) {
      throw new AwsError(409, 'HostedZoneAlreadyExists', 'A hosted zone has already been created with the specified caller reference.')
    }
    if (input.privateZone && !input.vpc) {
      throw new AwsError(400, 'InvalidInput', 'When you create a private hosted zone, you must also specify values for VPCId and VPCRegion.')
    }
    if (input.vpc) this.checkAssociable(name, input.vpc)
    this.callerReferences.add(input.callerReference)
    const zone: HostedZone = {
      id: this.ids.upper('Z', 21),
      owner: input.owner,
      authorizations: [],
      name,
      callerReference: input.callerReference,
      ...(input.comment !== undefined ? { comment: input.comment } : {}),
      privateZone: input.vpc !== undefined,
      vpcs: input.vpc ? [input.vpc] : [],
      records: [
        { name, type: 'NS', ttl: 172800, values: NAME_SERVERS },
        { name, type: 'SOA', ttl: 900, values: [`${NAME_SERVERS[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`] }
      ],
      tags: new Map()
    }
    this.zones.set(zone.id, zone)
    return { zone, change: this.submit() }
  }

  delete(zone: HostedZone): ChangeInfo {
    const extra = zone.records.filter((r) => !(r.name === zone.name && (r.type === 'NS' || r.type === 'SOA')))
    if (extra.length > 0) {
      throw new AwsError(400, 'HostedZoneNotEmpty', 'The specified hosted zone contains non-required resource record sets and so cannot be deleted.')
    }
    this.zones.delete(zone.id)
    return this.submit()
  }

  associate(zone: HostedZone, vpc: VpcRef, comment?: string): ChangeInfo {
    if (!zone.privateZone) {
      throw new AwsError(
        400,
        'PublicZoneVPCAssociation',
        "You're trying to associate a VPC with a public hosted zone. " +
          "Amazon Route 53 doesn't support associating a VPC with a public hosted zone."
      )
    }
    this.checkAssociable(zone.name, vpc)
    zone.vpcs.push(vpc)
    return this.submit(comment)
  }

  disassociate(zone: HostedZone, vpc: VpcRef, comment?: string): ChangeInfo {
    const index = zone.vpcs.findIndex((v) => v.vpcId === vpc.vpcId && v.region === vpc.region)
    if (index < 0) throw new AwsError(404, 'VPCAssociationNotFound', 'The specified VPC and hosted zone are not currently associated.')
    if (zone.vpcs.length === 1) {
      throw new AwsError(
        400,
        'LastVPCAssociation',
        "The VPC that you're trying to disassociate from the private hosted zone is the last VPC that is associated " +
          "with the hosted zone. Amazon Route 53 doesn't support disassociating the last VPC from a hosted zone."
      )
    }
    zone.vpcs.splice(index, 1)
    return this.submit(comment)
  }

  /** The VPC's owner, when a network knows the VPC; undefined when no network is attached (permissive). */
  vpcOwner(vpc: VpcRef): string | undefined {
    for (const network of this.networks) {
      const owner = network.vpcOwner(vpc.region, vpc.vpcId)
      if (owner) return owner
    }
    return undefined
  }

  /** Authorizes another account's VPC to associate itself; repeating an authorization changes nothing. */
  authorize(zone: HostedZone, vpc: VpcRef): void {
    if (!zone.privateZone) throw new AwsError(400, 'InvalidInput', 'The hosted zone is a public hosted zone; only private hosted zones can be associated with VPCs.')
    if (this.networks.length > 0 && !this.vpcOwner(vpc)) throw invalidVpc(vpc)
    if (!zone.authorizations.some((a) => sameVpc(a, vpc))) zone.authorizations.push(vpc)
  }

  deauthorize(zone: HostedZone, vpc: VpcRef): void {
    const index = zone.authorizations.findIndex((a) => sameVpc(a, vpc))
    if (index < 0) throw new AwsError(404, 'VPCAssociationAuthorizationNotFound', 'The VPC that you specified is not authorized to be associated with the hosted zone.')
    zone.authorizations.splice(index, 1)
  }

  isAuthorized(zone: HostedZone, vpc: VpcRef): boolean {
    return zone.authorizations.some((a) => sameVpc(a, vpc))
  }

  /** Zones associated with a VPC, oldest first. */
  byVpc(vpc: VpcRef): HostedZone[] {
    return [...this.zones.values()].filter((z) => z.vpcs.some((v) => v.vpcId === vpc.vpcId && v.region === vpc.region))
  }

  /** All zones in ListHostedZonesByName order. */
  byName(): HostedZone[] {
    return [...this.zones.values()].sort(
      (a, b) => compareText(reversedLabels(a.name), reversedLabels(b.name)) || compareText(a.id, b.id)
    )
  }

  /** Applies all changes or none; every rule a change breaks is reported in one InvalidChangeBatch. */
  applyChanges(zone: HostedZone, changes: RecordChange[], comment?: string): ChangeInfo {
    const records = [...zone.records]
    const problems: string[] = []
    const seen = new Set<string>()
    for (const { action, record } of changes) {
      const key = recordKey(record)
      if (seen.has(key)) {
        problems.push(`The request contains an invalid set of changes for a resource record set '${record.type} ${record.name}'`)
        continue
      }
      seen.add(key)
      const label = `[name='${record.name}', type='${record.type}'${record.setIdentifier ? `, set-identifier='${record.setIdentifier}'` : ''}]`
      const index = records.findIndex((r) => recordKey(r) === key)
      if (action === 'DELETE') {
        if (index < 0) problems.push(`Tried to delete resource record set ${label} but it was not found`)
        else if (!sameContent(records[index]!, record)) {
          problems.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`)
        } else records.splice(index, 1)
        continue
      }
      if (action === 'CREATE' && index >= 0) {
        problems.push(`Tried to create resource record set ${label} but it already exists`)
        continue
      }
      const problem = this.recordProblem(zone, record, records)
      if (problem) {
        problems.push(problem)
        continue
      }
      if (index >= 0) records[index] = record
      else records.push(record)
    }
    if (problems.length > 0) throw new AwsError(400, 'InvalidChangeBatch', `[${problems.join(', ')}]`)
    zone.records = records
    return this.submit(comment)
  }

  change(id: string): ChangeInfo {
    const change = this.changes.get(id)
    if (!change) throw new AwsError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`)
    return change
  }

  status(change: ChangeInfo): 'PENDING' | 'INSYNC' {
    return this.now() - change.submittedAt.getTime() >= this.changeSyncDelayMs ? 'INSYNC' : 'PENDING'
  }

  private submit(comment?: string): ChangeInfo {
    const change: ChangeInfo = { id: this.ids.upper('C', 21), submittedAt: new Date(this.now()), ...(comment ? { comment } : {}) }
    this.changes.set(change.id, change)
    return change
  }

  private checkAssociable(zoneName: string, vpc: VpcRef): void {
    if (this.networks.length > 0 && !this.networks.some((n) => n.hasVpc(vpc.region, vpc.vpcId))) throw invalidVpc(vpc)
    const clash = this.byVpc(vpc).find((z) => z.name === zoneName)
    if (clash) {
      throw new AwsError(
        400,
        'ConflictingDomainExists',
        `The VPC ${vpc.vpcId} in ${vpc.region} region has already been associated with the hosted zone ${clash.id} with the same domain name.`
      )
    }
  }

  /** Why a record may not be written into this zone (beside CREATE/DELETE existence checks). */
  private recordProblem(zone: HostedZone, record: RecordSet, records: RecordSet[]): string | undefined {
    if (!isWithin(record.name, zone.name)) return `RRSet with DNS name ${record.name} is not permitted in zone ${zone.name}`
    const others = records.filter((r) => r.name === record.name && recordKey(r) !== recordKey(record))
    if ((record.type === 'CNAME' && others.length > 0) || others.some((r) => r.type === 'CNAME')) {
      return (
        `RRSet of type ${record.type} with DNS name ${record.name} is not permitted as it conflicts ` +
        `with other records with the same DNS name in zone ${zone.name}`
      )
    }
    if (record.type === 'A' && !record.alias) {
      const bad = record.values.find((v) => !/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(v))
      if (bad !== undefined) {
        return `Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${bad}''`
      }
    }
    if (record.alias && !this.aliasTargetExists(zone, record.alias, records)) {
      return (
        `Tried to create an alias that targets ${record.alias.dnsName}, type ${record.type} in zone ` +
        `${record.alias.hostedZoneId}, but the alias target name does not lie within the target zone`
      )
    }
    return undefined
  }

  private aliasTargetExists(zone: HostedZone, alias: AliasTarget, records: RecordSet[]): boolean {
    if (alias.hostedZoneId === zone.id) return records.some((r) => r.name === alias.dnsName)
    const owners = this.networks.filter((n) => n.ownsHostedZone(alias.hostedZoneId))
    // Targets in zones no emulator models (load balancers, CloudFront) are taken on trust.
    return owners.length === 0 || owners.some((n) => n.hasAliasTarget(alias.hostedZoneId, alias.dnsName))
  }
}

export const sameVpc = (a: VpcRef, b: VpcRef): boolean => a.vpcId === b.vpcId && a.region === b.region

export const invalidVpc = (vpc: VpcRef): AwsError =>
  new AwsError(400, 'InvalidVPCId', `The VPC ID '${vpc.vpcId}' is not valid or does not exist in region '${vpc.region}'.`)

const recordKey = (r: RecordSet): string => `${r.name}|${r.type}|${r.setIdentifier ?? ''}`

export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function sameContent(a: RecordSet, b: RecordSet): boolean {
  if (a.alias || b.alias) {
    return a.alias?.dnsName === b.alias?.dnsName && a.alias?.hostedZoneId === b.alias?.hostedZoneId
  }
  return a.ttl === b.ttl && [...a.values].sort().join('\n') === [...b.values].sort().join('\n')
}
