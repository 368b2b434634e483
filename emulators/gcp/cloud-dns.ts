// Cloud DNS v1 REST for one project: managed zones (private ones bound to Compute networks, forwarding and
// peering zones among them), record sets, changes that apply atomically and report `pending` until a
// delay has passed, then `done`, and DNS server policies (alternative name servers) bound to networks.
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { AccessTokens } from './access-tokens.js'
import { IdSequence } from './compute-model.js'
import { GoogleError, answer, findRoute, googleErrorResponse, invalid, json, jsonBody, notFound, page, type Route } from './google-wire.js'

export interface RecordSet {
  name: string
  type: string
  ttl: number
  rrdatas: string[]
}

export interface ZoneRecord {
  name: string
  id: string
  dnsName: string
  description: string
  visibility: 'public' | 'private'
  networks: string[]
  labels: Record<string, string>
  creationTime: string
  records: RecordSet[]
  changes: ChangeRecord[]
  /** A forwarding zone: queries under dnsName go to these servers instead of being answered here */
  forwardingTargets?: NameServerTarget[]
  /** A peering zone: queries under dnsName are answered in this network's context (a network URL) */
  peeringNetwork?: string
}

export interface NameServerTarget {
  ipv4Address: string
  forwardingPath?: 'default' | 'private'
}

/** A DNS server policy: alternative name servers take every query of the networks it is bound to. */
export interface PolicyRecord {
  name: string
  id: string
  description: string
  networks: string[]
  enableInboundForwarding: boolean
  enableLogging: boolean
  alternativeNameServers: NameServerTarget[]
}

interface ChangeRecord {
  id: string
  startTime: string
  doneAt: number
  additions: RecordSet[]
  deletions: RecordSet[]
}

export interface CloudDnsEmulatorOptions {
  project: string
  /** Whether a Compute network URL exists (private zones bind to networks) */
  networkExists(networkUrl: string): boolean
  changeDelayMs?: number
  now?: () => number
}

type Handler = (params: string[], req: EmulatorRequest) => EmulatorResponse

const ZONE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/
const PRIVATE_NAME_SERVER = 'ns-gcp-private.googledomains.com.'
const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase()
const Z = '^/dns/v1/projects/([^/]+)/managedZones'

function recordSets(value: unknown, field: string): RecordSet[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw invalid(`Invalid value for 'entity.change.${field}'`)
  return value.map((entry: unknown, i) => {
    const r = entry as Partial<RecordSet>
    const where = `entity.change.${field}[${i}]`
    if (typeof r.name !== 'string' || !r.name.endsWith('.')) throw invalid(`Invalid value for '${where}.name': '${String(r.name ?? '')}'`)
    if (typeof r.type !== 'string' || !r.type) throw invalid(`Invalid value for '${where}.type'`)
    const rrdatas = Array.isArray(r.rrdatas) ? r.rrdatas.map(String) : []
    if (!rrdatas.length) throw invalid(`Invalid value for '${where}.rrdata'`)
    if (r.type === 'A' && rrdatas.some((d) => !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(d))) throw invalid(`Invalid value for '${where}.rrdata': '${rrdatas.join(' ')}'`)
    return { name: r.name.toLowerCase(), type: r.type, ttl: typeof r.ttl === 'number' ? r.ttl : 300, rrdatas }
  })
}

const sameSet = (a: RecordSet, b: RecordSet) => a.name === b.name && a.type === b.type && a.ttl === b.ttl && a.rrdatas.length === b.rrdatas.length && a.rrdatas.every((d, i) => d === b.rrdatas[i])
const setView = (r: RecordSet) => ({ kind: 'dns#resourceRecordSet', ...r })

export class CloudDnsEmulator implements Service {
  readonly name = 'gcp-dns'
  readonly zones = new Map<string, ZoneRecord>()
  readonly policies = new Map<string, PolicyRecord>()
  readonly settings: { changeDelayMs: number }
  private readonly ids = new IdSequence()
  private readonly project: string
  private readonly now: () => number

  private readonly routes: Route<Handler>[] = [
    this.route('GET', `${Z}$`, 'managedZones.list', false, (_p, req) => this.listZones(req)),
    this.route('POST', `${Z}$`, 'managedZones.create', true, (_p, req) => this.createZone(req)),
    this.route('GET', `${Z}/([^/]+)$`, 'managedZones.get', false, ([zone = '']) => json(200, this.zoneView(this.zone(zone)))),
    this.route('PATCH', `${Z}/([^/]+)$`, 'managedZones.patch', true, ([zone = ''], req) => this.patchZone(zone, req)),
    this.route('DELETE', `${Z}/([^/]+)$`, 'managedZones.delete', true, ([zone = '']) => this.deleteZone(zone)),
    this.route('GET', `${Z}/([^/]+)/rrsets$`, 'resourceRecordSets.list', false, ([zone = ''], req) => this.listRecords(zone, req)),
    this.route('POST', `${Z}/([^/]+)/changes$`, 'changes.create', true, ([zone = ''], req) => this.createChange(zone, req)),
    this.route('GET', `${Z}/([^/]+)/changes/([^/]+)$`, 'changes.get', false, ([zone = '', id = '']) => this.getChange(zone, id)),
    this.route('GET', '^/dns/v1/projects/([^/]+)/policies$', 'policies.list', false, (_p, req) => this.listPolicies(req))
  ]

  constructor(
    private readonly tokens: AccessTokens,
    private readonly options: CloudDnsEmulatorOptions
  ) {
    this.project = options.project
    this.now = options.now ?? Date.now
    this.settings = { changeDelayMs: options.changeDelayMs ?? 20 }
  }

  classify(req: EmulatorRequest): Classified {
    const found = findRoute(this.routes, req)
    return { operation: found?.route.operation ?? 'unknown', write: found?.route.write ?? req.method !== 'GET' }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answer(() => {
      const found = findRoute(this.routes, req)
      if (!found) throw new GoogleError(404, 'notFound', `No route for ${req.method} ${req.url.pathname}`)
      this.tokens.authenticate(req)
      const [project = '', ...params] = found.params
      if (project !== this.project) throw new GoogleError(403, 'forbidden', `Forbidden: the caller has no permission ${found.route.operation} in project ${project}`)
      return found.route.handler(params, req)
    })
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return googleErrorResponse(status, code, message)
  }

  private zone(name: string): ZoneRecord {
    const zone = this.zones.get(name)
    if (!zone) throw notFound(`entity.managedZone ${name}`)
    return zone
  }

  private zoneView(z: ZoneRecord) {
    return {
      kind: 'dns#managedZone',
      name: z.name,
      dnsName: z.dnsName,
      description: z.description,
      id: z.id,
      nameServers: [PRIVATE_NAME_SERVER],
      creationTime: z.creationTime,
      visibility: z.visibility,
      ...(z.visibility === 'private'
        ? {
            privateVisibilityConfig: {
              kind: 'dns#managedZonePrivateVisibilityConfig',
              networks: z.networks.map((networkUrl) => ({ kind: 'dns#managedZonePrivateVisibilityConfigNetwork', networkUrl }))
            }
          }
        : {}),
      ...(z.forwardingTargets
        ? { forwardingConfig: { kind: 'dns#managedZoneForwardingConfig', targetNameServers: z.forwardingTargets.map((t) => ({ kind: 'dns#managedZoneForwardingConfigNameServerTarget', ...t })) } }
        : {}),
      ...(z.peeringNetwork
        ? { peeringConfig: { kind: 'dns#managedZonePeeringConfig', targetNetwork: { kind: 'dns#managedZonePeeringConfigTargetNetwork', networkUrl: z.peeringNetwork } } }
        : {}),
      ...(Object.keys(z.labels).length ? { labels: z.labels } : {})
    }
  }

  /** Seeds a zone as the console or gcloud would have made it (forwarding and peering zones included). */
  addZone(zone: Pick<ZoneRecord, 'name' | 'dnsName'> & Partial<ZoneRecord>): ZoneRecord {
    const apex = fqdn(zone.dnsName)
    const record: ZoneRecord = {
      id: this.ids.take(),
      description: '',
      visibility: 'private',
      networks: [],
      labels: {},
      creationTime: new Date(this.now()).toISOString(),
      records: [
        { name: apex, type: 'NS', ttl: 21600, rrdatas: [PRIVATE_NAME_SERVER] },
        { name: apex, type: 'SOA', ttl: 21600, rrdatas: [`${PRIVATE_NAME_SERVER} cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300`] }
      ],
      changes: [],
      ...zone,
      dnsName: apex
    }
    this.zones.set(record.name, record)
    return record
  }

  /** Seeds a DNS server policy. */
  addPolicy(policy: Pick<PolicyRecord, 'name' | 'networks'> & Partial<PolicyRecord>): PolicyRecord {
    const record: PolicyRecord = { id: this.ids.take(), description: '', enableInboundForwarding: false, enableLogging: false, alternativeNameServers: [], ...policy }
    this.policies.set(record.name, record)
    return record
  }

  private policyView(p: PolicyRecord) {
    return {
      kind: 'dns#policy',
      id: p.id,
      name: p.name,
      description: p.description,
      enableInboundForwarding: p.enableInboundForwarding,
      enableLogging: p.enableLogging,
      networks: p.networks.map((networkUrl) => ({ kind: 'dns#policyNetwork', networkUrl })),
      ...(p.alternativeNameServers.length
        ? {
            alternativeNameServerConfig: {
              kind: 'dns#policyAlternativeNameServerConfig',
              targetNameServers: p.alternativeNameServers.map((t) => ({ kind: 'dns#policyAlternativeNameServerConfigTargetNameServer', ...t }))
            }
          }
        : {})
    }
  }

  private listPolicies(req: EmulatorRequest): EmulatorResponse {
    const { items, nextPageToken } = page([...this.policies.values()].map((p) => this.policyView(p)), req.url.searchParams, 1000)
    return json(200, { kind: 'dns#policiesListResponse', policies: items, ...(nextPageToken ? { nextPageToken } : {}) })
  }

  private listZones(req: EmulatorRequest): EmulatorResponse {
    const dnsName = req.url.searchParams.get('dnsName')
    const zones = [...this.zones.values()].filter((z) => !dnsName || z.dnsName === fqdn(dnsName)).map((z) => this.zoneView(z))
    const { items, nextPageToken } = page(zones, req.url.searchParams, 1000)
    return json(200, { kind: 'dns#managedZonesListResponse', managedZones: items, ...(nextPageToken ? { nextPageToken } : {}) })
  }

  private networks(value: unknown, where: string): string[] {
    const networks = ((value as { networks?: { networkUrl?: unknown }[] } | undefined)?.networks ?? []).map((n) => String(n.networkUrl ?? ''))
    networks.forEach((url, i) => {
      if (!this.options.networkExists(url)) throw invalid(`Invalid value for '${where}.networks[${i}].networkUrl': '${url}'`)
    })
    return networks
  }

  private createZone(req: EmulatorRequest): EmulatorResponse {
    const body = jsonBody(req)
    const name = String(body['name'] ?? '')
    if (!ZONE_NAME.test(name)) throw invalid(`Invalid value for 'entity.managedZone.name': '${name}'`)
    const dnsName = String(body['dnsName'] ?? '')
    if (!dnsName.endsWith('.') || dnsName.length < 2) throw invalid(`Invalid value for 'entity.managedZone.dnsName': '${dnsName}'`)
    const visibility = body['visibility'] === 'private' ? 'private' : 'public'
    const networks = visibility === 'private' ? this.networks(body['privateVisibilityConfig'], 'entity.managedZone.privateVisibilityConfig') : []
    if (this.zones.has(name)) throw new GoogleError(409, 'alreadyExists', `The resource 'entity.managedZone' named '${name}' already exists`)
    const apex = fqdn(dnsName)
    const zone: ZoneRecord = {
      name,
      id: this.ids.take(),
      dnsName: apex,
      description: typeof body['description'] === 'string' ? body['description'] : '',
      visibility,
      networks,
      labels: (body['labels'] as Record<string, string> | undefined) ?? {},
      creationTime: new Date(this.now()).toISOString(),
      records: [
        { name: apex, type: 'NS', ttl: 21600, rrdatas: [PRIVATE_NAME_SERVER] },
        { name: apex, type: 'SOA', ttl: 21600, rrdatas: [`${PRIVATE_NAME_SERVER} cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300`] }
      ],
      changes: []
    }
    this.zones.set(name, zone)
    return json(200, this.zoneView(zone))
  }

  private patchZone(name: string, req: EmulatorRequest): EmulatorResponse {
    const zone = this.zone(name)
    const body = jsonBody(req)
    const before = this.zoneView(zone)
    if (body['dnsName'] !== undefined && fqdn(String(body['dnsName'])) !== zone.dnsName) throw invalid("Invalid value for 'entity.managedZone.dnsName': the DNS name of a zone cannot be changed")
    if (body['privateVisibilityConfig'] !== undefined) {
      if (zone.visibility !== 'private') throw invalid("Invalid value for 'entity.managedZone.privateVisibilityConfig': the zone is public")
      zone.networks = this.networks(body['privateVisibilityConfig'], 'entity.managedZone.privateVisibilityConfig')
    }
    if (typeof body['description'] === 'string') zone.description = body['description']
    if (body['labels'] !== undefined) zone.labels = body['labels'] as Record<string, string>
    const now = new Date(this.now()).toISOString()
    return json(200, { kind: 'dns#operation', id: this.ids.take(), startTime: now, status: 'done', type: 'UPDATE', zoneContext: { oldValue: before, newValue: this.zoneView(zone) } })
  }

  /** Cloud DNS deletes a zone at once (204, no body), and refuses while it holds more than its NS and SOA. */
  private deleteZone(name: string): EmulatorResponse {
    const zone = this.zone(name)
    if (zone.records.some((r) => !(r.name === zone.dnsName && (r.type === 'NS' || r.type === 'SOA'))))
      throw new GoogleError(400, 'containerNotEmpty', `The resource named '${name}' cannot be deleted because it is not empty`)
    this.zones.delete(name)
    return { status: 204, headers: {}, body: '' }
  }

  private listRecords(zoneName: string, req: EmulatorRequest): EmulatorResponse {
    const zone = this.zone(zoneName)
    const name = req.url.searchParams.get('name')
    const type = req.url.searchParams.get('type')
    if (type && !name) throw invalid("Invalid value for 'type': a type filter needs a name filter")
    const sets = zone.records.filter((r) => (!name || r.name === fqdn(name)) && (!type || r.type === type)).map(setView)
    const { items, nextPageToken } = page(sets, req.url.searchParams, 1000)
    return json(200, { kind: 'dns#resourceRecordSetsListResponse', rrsets: items, ...(nextPageToken ? { nextPageToken } : {}) })
  }

  private createChange(zoneName: string, req: EmulatorRequest): EmulatorResponse {
    const zone = this.zone(zoneName)
    const body = jsonBody(req)
    const additions = recordSets(body['additions'], 'additions')
    const deletions = recordSets(body['deletions'], 'deletions')
    if (!additions.length && !deletions.length) throw invalid("Invalid value for 'entity.change': The change has no additions or deletions")
    for (const r of [...additions, ...deletions]) {
      if (r.name !== zone.dnsName && !r.name.endsWith(`.${zone.dnsName}`)) throw invalid(`Invalid value for 'entity.change': ${r.name} is not within ${zone.dnsName}`)
    }
    deletions.forEach((d, i) => {
      const current = zone.records.find((r) => r.name === d.name && r.type === d.type)
      if (!current) throw new GoogleError(404, 'notFound', `The 'entity.change.deletions[${i}]' resource named '${d.name} (${d.type})' does not exist.`)
      if (!sameSet(current, d)) throw new GoogleError(412, 'conditionNotMet', `Precondition not met for 'entity.change.deletions[${i}]'`)
    })
    const remaining = zone.records.filter((r) => !deletions.some((d) => d.name === r.name && d.type === r.type))
    additions.forEach((a, i) => {
      if (remaining.some((r) => r.name === a.name && r.type === a.type))
        throw new GoogleError(409, 'alreadyExists', `The resource 'entity.change.additions[${i}]' named '${a.name} (${a.type})' already exists`)
    })
    zone.records = [...remaining, ...additions]
    const now = this.now()
    const change: ChangeRecord = { id: String(zone.changes.length + 1), startTime: new Date(now).toISOString(), doneAt: now + this.settings.changeDelayMs, additions, deletions }
    zone.changes.push(change)
    // A new change is always pending when answered; it reads as done once the delay has passed.
    return json(200, this.changeView(change, 'pending'))
  }

  private getChange(zoneName: string, id: string): EmulatorResponse {
    const change = this.zone(zoneName).changes.find((c) => c.id === id)
    if (!change) throw notFound(`entity.change ${id}`)
    return json(200, this.changeView(change, this.now() >= change.doneAt ? 'done' : 'pending'))
  }

  private changeView(c: ChangeRecord, status: 'pending' | 'done') {
    return {
      kind: 'dns#change',
      id: c.id,
      startTime: c.startTime,
      status,
      ...(c.additions.length ? { additions: c.additions.map(setView) } : {}),
      ...(c.deletions.length ? { deletions: c.deletions.map(setView) } : {})
    }
  }

  private route(method: string, pattern: string, operation: string, write: boolean, handler: Handler): Route<Handler> {
    return { method, pattern: new RegExp(pattern), operation, write, handler }
  }
}
