// The Cloud DNS v1 REST calls the action makes, with typed shapes. Zone creation is synchronous; record
// changes are applied by a Change that is polled until its status is 'done'.
import type { Observations } from '../../base/observations.js'
import type { StepContext } from '../../engine/plan.js'
import { waitFor } from '../../engine/wait.js'
import { isNotFound, type GoogleHttp } from './google-http.js'

export interface ManagedZone {
  name: string
  /** Fully qualified, with the trailing dot */
  dnsName: string
  description?: string
  id?: string
  visibility?: 'public' | 'private'
  privateVisibilityConfig?: { networks?: { networkUrl: string }[] }
  labels?: Record<string, string>
  /** A forwarding zone: Cloud DNS sends queries under dnsName to these servers */
  forwardingConfig?: { targetNameServers?: NameServerTarget[] }
  /** A peering zone: queries under dnsName are resolved in the target network */
  peeringConfig?: { targetNetwork?: { networkUrl?: string } }
}

export interface NameServerTarget {
  ipv4Address?: string
  ipv6Address?: string
  domainName?: string
  forwardingPath?: 'default' | 'private'
}

/** A DNS server policy; alternative name servers take every query of its networks. */
export interface DnsPolicy {
  name: string
  networks?: { networkUrl: string }[]
  alternativeNameServerConfig?: { targetNameServers?: NameServerTarget[] }
  enableInboundForwarding?: boolean
}

interface PolicyPage {
  policies?: DnsPolicy[]
  nextPageToken?: string
}

export interface ResourceRecordSet {
  name: string
  type: string
  ttl?: number
  rrdatas?: string[]
}

export interface DnsChange {
  id?: string
  status?: 'pending' | 'done'
  additions?: ResourceRecordSet[]
  deletions?: ResourceRecordSet[]
}

interface ZonePage {
  managedZones?: ManagedZone[]
  nextPageToken?: string
}

interface RecordPage {
  rrsets?: ResourceRecordSet[]
  nextPageToken?: string
}

export const fqdn = (host: string) => (host.endsWith('.') ? host : `${host}.`).toLowerCase()

export class DnsApi {
  private readonly root: string

  constructor(
    private readonly http: GoogleHttp,
    baseUrl: string,
    readonly project: string,
    private readonly observations?: Observations
  ) {
    this.root = `${baseUrl}/dns/v1/projects/${project}`
  }

  /** Zone and record reads are shared by plan, inventory and verify while the run writes nothing. */
  private observe<T>(key: string, read: () => Promise<T>): Promise<T> {
    // Keyed by project: the zones of a Shared VPC's DNS project are not those of the network's.
    return this.observations ? this.observations.read(`dns:${this.root} ${key}`, read) : read()
  }

  /** Every managed zone of the project. */
  listZones(): Promise<ManagedZone[]> {
    return this.observe('zones', () => this.readZones())
  }

  private async readZones(): Promise<ManagedZone[]> {
    const zones: ManagedZone[] = []
    let pageToken: string | undefined
    do {
      const page = await this.http.request<ZonePage>({ method: 'GET', url: `${this.root}/managedZones`, query: { pageToken }, what: 'managedZones.list' })
      zones.push(...(page.managedZones ?? []))
      pageToken = page.nextPageToken
    } while (pageToken)
    return zones
  }

  /** Every DNS server policy of the project. */
  async listPolicies(): Promise<DnsPolicy[]> {
    const policies: DnsPolicy[] = []
    let pageToken: string | undefined
    do {
      const page = await this.http.request<PolicyPage>({ method: 'GET', url: `${this.root}/policies`, query: { pageToken }, what: 'policies.list' })
      policies.push(...(page.policies ?? []))
      pageToken = page.nextPageToken
    } while (pageToken)
    return policies
  }

  /** Deletes an empty zone; Cloud DNS does it at once. */
  async deleteZone(name: string): Promise<void> {
    await this.http.request<unknown>({ method: 'DELETE', url: `${this.root}/managedZones/${name}`, what: `managedZones.delete ${name}` })
  }

  /** Every record set of a zone. */
  listRecords(zone: string): Promise<ResourceRecordSet[]> {
    return this.observe(`records ${zone}`, () => this.readRecords(zone))
  }

  private async readRecords(zone: string): Promise<ResourceRecordSet[]> {
    const records: ResourceRecordSet[] = []
    let pageToken: string | undefined
    do {
      const page = await this.http.request<RecordPage>({ method: 'GET', url: `${this.root}/managedZones/${zone}/rrsets`, query: { pageToken }, what: `resourceRecordSets.list in ${zone}` })
      records.push(...(page.rrsets ?? []))
      pageToken = page.nextPageToken
    } while (pageToken)
    return records
  }

  getZone(name: string): Promise<ManagedZone | undefined> {
    return this.observe(`zone ${name}`, () => this.readZone(name))
  }

  private readZone(name: string): Promise<ManagedZone | undefined> {
    return this.http.request<ManagedZone>({ method: 'GET', url: `${this.root}/managedZones/${name}`, what: `managedZones.get ${name}` }).catch((error: unknown) => {
      if (isNotFound(error)) return undefined
      throw error
    })
  }

  createZone(zone: ManagedZone): Promise<ManagedZone> {
    return this.http.request<ManagedZone>({ method: 'POST', url: `${this.root}/managedZones`, body: zone, what: `managedZones.create ${zone.name}` })
  }

  /** Replaces the zone's network bindings (the patch returns an operation that is already done for this field). */
  async bindNetworks(name: string, networkUrls: string[]): Promise<void> {
    await this.http.request<unknown>({
      method: 'PATCH',
      url: `${this.root}/managedZones/${name}`,
      body: { privateVisibilityConfig: { networks: networkUrls.map((networkUrl) => ({ networkUrl })) } },
      what: `managedZones.patch ${name}`,
      // The patch replaces the bindings: repeating it changes nothing more.
      idempotent: true
    })
  }

  getRecord(zone: string, host: string, type: string): Promise<ResourceRecordSet | undefined> {
    return this.observe(`record ${zone} ${fqdn(host)} ${type}`, () => this.readRecord(zone, host, type))
  }

  private async readRecord(zone: string, host: string, type: string): Promise<ResourceRecordSet | undefined> {
    const page = await this.http.request<RecordPage>({
      method: 'GET',
      url: `${this.root}/managedZones/${zone}/rrsets`,
      query: { name: fqdn(host), type },
      what: `resourceRecordSets.list ${fqdn(host)} ${type}`
    })
    return (page.rrsets ?? []).find((r) => fqdn(r.name) === fqdn(host) && r.type === type)
  }

  /** Applies the change and waits until Cloud DNS reports it done. */
  async change(zone: string, requested: Pick<DnsChange, 'additions' | 'deletions'>, what: string, ctx: StepContext): Promise<void> {
    // Record sets go out as the request schema has them: a set read back carries `kind`, which is output only.
    const asSent = (r: ResourceRecordSet): ResourceRecordSet => ({ name: r.name, type: r.type, ...(r.ttl === undefined ? {} : { ttl: r.ttl }), rrdatas: r.rrdatas ?? [] })
    const change = { ...(requested.additions ? { additions: requested.additions.map(asSent) } : {}), ...(requested.deletions ? { deletions: requested.deletions.map(asSent) } : {}) }
    const created = await this.http.request<DnsChange>({ method: 'POST', url: `${this.root}/managedZones/${zone}/changes`, body: change, what: `changes.create in ${zone}` })
    if (created.status === 'done') return
    await waitFor({
      what,
      deadline: ctx.deadline,
      signal: ctx.signal,
      minDelayMs: 250,
      maxDelayMs: 5000,
      poll: async () => {
        const current = await this.http.request<DnsChange>({ method: 'GET', url: `${this.root}/managedZones/${zone}/changes/${created.id}`, what: `changes.get ${created.id}` })
        return { done: current.status === 'done', state: `change ${created.id} ${current.status ?? 'unknown'}` }
      }
    })
  }
}
