// Microsoft.Network private DNS (api-version 2020-06-01): zones and virtual network links as 202
// long-running operations (Azure-AsyncOperation and Location), A record sets synchronously (201/200), all
// with If-Match / If-None-Match. Zones and links live in location global only.
import { randomUUID } from 'node:crypto'
import type { EmulatorResponse } from '../core/service.js'
import { ArmFailure, armJson, checkPreconditions, cloudError, dnsEtag, parseBody, propertiesOf, requireLocation, tagsOf, resourceNotFound } from './arm-http.js'
import { key, resourceIds, type ArmState, type PrivateZoneState, type RecordSetState, type VirtualNetworkLinkState } from './arm-model.js'
import { armRoute, MANAGEMENT_HOST, type ArmCall, type ArmRoute } from './arm-route.js'
import type { ArmTiming } from './network.js'
import { AsyncOperations } from './operations.js'
import type { RoleAssignments } from './rbac.js'

export const DNS_API_VERSION = '2020-06-01'
const ZONE = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateDnsZones/{zone}'
const OPERATIONS = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network'
const DNS_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i

type JsonObject = Record<string, unknown>

function zoneView(z: PrivateZoneState): JsonObject {
  const links = [...z.links.values()]
  return {
    id: z.id,
    name: z.name,
    type: 'Microsoft.Network/privateDnsZones',
    etag: z.etag,
    location: 'global',
    tags: z.tags,
    properties: {
      maxNumberOfRecordSets: 25000,
      numberOfRecordSets: z.records.size,
      maxNumberOfVirtualNetworkLinks: 1000,
      numberOfVirtualNetworkLinks: links.length,
      maxNumberOfVirtualNetworkLinksWithRegistration: 100,
      numberOfVirtualNetworkLinksWithRegistration: links.filter((l) => l.registrationEnabled).length,
      provisioningState: z.provisioningState,
      internalId: z.internalId
    }
  }
}

function linkView(l: VirtualNetworkLinkState): JsonObject {
  return {
    id: l.id,
    name: l.name,
    type: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
    etag: l.etag,
    location: 'global',
    tags: l.tags,
    properties: { virtualNetwork: { id: l.vnetId }, registrationEnabled: l.registrationEnabled, virtualNetworkLinkState: l.linkState, provisioningState: l.provisioningState }
  }
}

function recordView(z: PrivateZoneState, r: RecordSetState): JsonObject {
  const fqdn = `${r.name === '@' ? '' : `${r.name}.`}${z.name}.`
  const records = r.type === 'SOA' ? { soaRecord: { host: 'azureprivatedns.net', email: 'azureprivatedns-host.microsoft.com', serialNumber: 1, refreshTime: 3600, retryTime: 300, expireTime: 2419200, minimumTtl: 10 } } : { aRecords: r.ips.map((ipv4Address) => ({ ipv4Address })) }
  return {
    id: `${z.id}/${r.type}/${r.name}`,
    name: r.name,
    type: `Microsoft.Network/privateDnsZones/${r.type}`,
    etag: r.etag,
    properties: { ...(r.metadata ? { metadata: r.metadata } : {}), ttl: r.ttl, fqdn, isAutoRegistered: false, ...records }
  }
}

function checkZoneName(name: string): void {
  const labels = name.replace(/\.$/, '').split('.')
  if (labels.length < 2 || labels.length > 34 || !labels.every((l) => DNS_LABEL.test(l)))
    throw new ArmFailure(400, 'BadRequest', `The domain name '${name}' is invalid. A private zone name needs at least two labels of letters, digits, hyphens and underscores.`)
}

function requireGlobal(body: JsonObject): void {
  const location = requireLocation(body)
  if (location !== 'global') throw new ArmFailure(400, 'BadRequest', `The location '${location}' is not valid for private DNS resources; use 'global'.`)
}

function ipv4(value: unknown): string {
  const text = String(value ?? '')
  const octets = text.split('.')
  if (octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) throw new ArmFailure(400, 'BadRequest', `The IPv4 address '${text}' is invalid.`)
  return text
}

export class PrivateDnsProvider {
  constructor(
    private readonly state: ArmState,
    private readonly operations: AsyncOperations,
    private readonly rbac: RoleAssignments,
    private readonly timing: ArmTiming
  ) {}

  routes(): ArmRoute[] {
    return [
      armRoute('GET', ZONE, 'PrivateZones_Get', 'Microsoft.Network/privateDnsZones/read', (c) => armJson(200, zoneView(this.zoneOrFail(c)))),
      armRoute('PUT', ZONE, 'PrivateZones_CreateOrUpdate', 'Microsoft.Network/privateDnsZones/write', (c) => this.putZone(c)),
      armRoute('GET', `${OPERATIONS}/privateDnsZones`, 'PrivateZones_ListByResourceGroup', 'Microsoft.Network/privateDnsZones/read', (c) => this.listZones(c)),
      armRoute('GET', `${ZONE}/ALL`, 'RecordSets_List', 'Microsoft.Network/privateDnsZones/ALL/read', (c) =>
        armJson(200, { value: [...this.parentOrFail(c).records.values()].map((r) => recordView(this.parentOrFail(c), r)) })
      ),
      armRoute('DELETE', ZONE, 'PrivateZones_Delete', 'Microsoft.Network/privateDnsZones/delete', (c) => this.deleteZone(c)),
      armRoute('DELETE', `${ZONE}/virtualNetworkLinks/{link}`, 'VirtualNetworkLinks_Delete', 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/delete', (c) => this.deleteLink(c)),
      armRoute('DELETE', `${ZONE}/A/{record}`, 'RecordSets_Delete', 'Microsoft.Network/privateDnsZones/A/delete', (c) => this.deleteRecord(c)),
      armRoute('GET', `${ZONE}/virtualNetworkLinks`, 'VirtualNetworkLinks_List', 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read', (c) =>
        armJson(200, { value: [...this.zoneOrFail(c).links.values()].map(linkView) })
      ),
      armRoute('GET', `${ZONE}/virtualNetworkLinks/{link}`, 'VirtualNetworkLinks_Get', 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read', (c) => armJson(200, linkView(this.linkOrFail(c)))),
      armRoute('PUT', `${ZONE}/virtualNetworkLinks/{link}`, 'VirtualNetworkLinks_CreateOrUpdate', 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/write', (c) => this.putLink(c)),
      armRoute('GET', `${ZONE}/A/{record}`, 'RecordSets_Get', 'Microsoft.Network/privateDnsZones/A/read', (c) => this.getRecord(c)),
      armRoute('PUT', `${ZONE}/A/{record}`, 'RecordSets_CreateOrUpdate', 'Microsoft.Network/privateDnsZones/A/write', (c) => this.putRecord(c)),
      armRoute('GET', `${OPERATIONS}/privateDnsOperationStatuses/{operationId}`, 'PrivateDnsOperationStatus_Get', 'Microsoft.Network/privateDnsOperationStatuses/read', (c) => this.operationStatus(c)),
      armRoute('GET', `${OPERATIONS}/privateDnsOperationResults/{operationId}`, 'PrivateDnsOperationResult_Get', 'Microsoft.Network/privateDnsOperationResults/read', (c) => this.operationResult(c))
    ]
  }

  /** A zone by name, for tests. */
  zone(name: string): PrivateZoneState | undefined {
    return [...this.state.privateZones.values()].find((z) => z.name.toLowerCase() === name.toLowerCase())
  }

  private zoneId(c: ArmCall): string {
    return resourceIds.network(c.params['subscriptionId'] ?? '', c.params['resourceGroupName'] ?? '', 'privateDnsZones', c.params['zone'] ?? '')
  }

  private zoneOrFail(c: ArmCall): PrivateZoneState {
    const zone = this.state.privateZones.get(key(this.zoneId(c)))
    if (!zone) throw resourceNotFound('Microsoft.Network/privateDnsZones', c.params['zone'], c.params['resourceGroupName'])
    return zone
  }

  /** Nested resources answer for a missing zone the way ARM does. */
  private parentOrFail(c: ArmCall): PrivateZoneState {
    const zone = this.state.privateZones.get(key(this.zoneId(c)))
    if (!zone) throw new ArmFailure(404, 'ParentResourceNotFound', `Can not perform requested operation on nested resource. Parent resource '${c.params['zone']}' not found.`)
    return zone
  }

  private linkOrFail(c: ArmCall): VirtualNetworkLinkState {
    const link = this.parentOrFail(c).links.get(key(c.params['link'] ?? ''))
    if (!link) throw new ArmFailure(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/privateDnsZones/${c.params['zone']}/virtualNetworkLinks/${c.params['link']}' under resource group '${c.params['resourceGroupName']}' was not found.`)
    return link
  }

  /** 202 with both polling headers, as the private DNS provider answers PUTs. */
  private accepted(c: ArmCall, operation: string, finish: (failed: boolean) => void): EmulatorResponse {
    const op = this.operations.start(operation, finish, c.req.url.pathname)
    const base = `https://${MANAGEMENT_HOST}:443${resourceIds.resourceGroup(c.params['subscriptionId'] ?? '', c.params['resourceGroupName'] ?? '')}/providers/Microsoft.Network`
    return armJson(202, undefined, {
      'azure-asyncoperation': `${base}/privateDnsOperationStatuses/${op.id}?api-version=${DNS_API_VERSION}`,
      location: `${base}/privateDnsOperationResults/${op.id}?api-version=${DNS_API_VERSION}`,
      'retry-after': String(this.timing.retryAfterSeconds)
    })
  }

  private putZone(c: ArmCall): EmulatorResponse {
    const id = this.zoneId(c)
    const name = c.params['zone'] ?? ''
    const existing = this.state.privateZones.get(key(id))
    checkPreconditions(c.req, existing?.etag)
    const body = parseBody(c.req)
    requireGlobal(body)
    checkZoneName(name)
    const zone: PrivateZoneState = existing ?? {
      id,
      name: name.toLowerCase(),
      tags: {},
      etag: dnsEtag(),
      provisioningState: 'Creating',
      internalId: Buffer.from(randomUUID()).toString('base64'),
      links: new Map(),
      records: new Map([['SOA/@', { name: '@', type: 'SOA', ttl: 3600, ips: [], etag: dnsEtag() }]])
    }
    zone.tags = tagsOf(body)
    zone.etag = dnsEtag()
    if (existing) zone.provisioningState = 'Updating'
    this.state.privateZones.set(key(id), zone)
    return this.accepted(c, 'PrivateZones_CreateOrUpdate', (failed) => (zone.provisioningState = failed ? 'Failed' : 'Succeeded'))
  }

  private putLink(c: ArmCall): EmulatorResponse {
    const zone = this.parentOrFail(c)
    const name = c.params['link'] ?? ''
    const existing = zone.links.get(key(name))
    checkPreconditions(c.req, existing?.etag)
    const body = parseBody(c.req)
    requireGlobal(body)
    const properties = propertiesOf(body)
    const vnetId = String((properties['virtualNetwork'] as JsonObject | undefined)?.['id'] ?? '')
    const vnet = this.state.virtualNetworks.get(key(vnetId))
    if (!vnet) throw new ArmFailure(400, 'BadRequest', `The virtual network '${vnetId}' could not be found.`)
    const id = `${zone.id}/virtualNetworkLinks/${name}`
    this.rbac.requireLinked(c.principal, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/write', id, 'Microsoft.Network/virtualNetworks/join/action', vnet.id)
    const other = [...zone.links.values()].find((l) => key(l.vnetId) === key(vnet.id) && key(l.name) !== key(name))
    if (other) throw new ArmFailure(409, 'Conflict', `A virtual network cannot be linked to the same zone more than once. ${vnet.id} is already linked to ${zone.name} by ${other.name}.`)
    if (existing && key(existing.vnetId) !== key(vnet.id)) throw new ArmFailure(400, 'BadRequest', `The virtual network of link ${name} cannot be changed.`)
    const link: VirtualNetworkLinkState = existing ?? {
      id,
      name,
      vnetId: vnet.id,
      registrationEnabled: false,
      tags: {},
      etag: dnsEtag(),
      provisioningState: 'Creating',
      linkState: 'InProgress'
    }
    link.registrationEnabled = properties['registrationEnabled'] === true
    link.tags = tagsOf(body)
    link.etag = dnsEtag()
    if (existing) link.provisioningState = 'Updating'
    zone.links.set(key(name), link)
    return this.accepted(c, 'VirtualNetworkLinks_CreateOrUpdate', (failed) => {
      link.provisioningState = failed ? 'Failed' : 'Succeeded'
      link.linkState = 'Completed'
    })
  }

  private listZones(c: ArmCall): EmulatorResponse {
    const prefix = key(`${resourceIds.resourceGroup(c.params['subscriptionId'] ?? '', c.params['resourceGroupName'] ?? '')}/`)
    return armJson(200, { value: [...this.state.privateZones.values()].filter((z) => key(z.id).startsWith(prefix)).map(zoneView) })
  }

  /** 204 when there is nothing to delete (the spec's "was not found"), else a 202 long-running delete. */
  private deleteZone(c: ArmCall): EmulatorResponse {
    const id = this.zoneId(c)
    const zone = this.state.privateZones.get(key(id))
    if (!zone) return armJson(204, undefined)
    checkPreconditions(c.req, zone.etag)
    // The spec: "Private DNS zone cannot be deleted unless all virtual network links to it are removed." The code is the emulator's choice.
    if (zone.links.size) throw new ArmFailure(400, 'CannotDeleteResource', `Private DNS zone ${zone.name} cannot be deleted while it has virtual network links: ${[...zone.links.values()].map((l) => l.name).join(', ')}.`)
    zone.provisioningState = 'Deleting'
    return this.accepted(c, 'PrivateZones_Delete', (failed) => {
      if (failed) zone.provisioningState = 'Failed'
      else this.state.privateZones.delete(key(id))
    })
  }

  private deleteLink(c: ArmCall): EmulatorResponse {
    const zone = this.parentOrFail(c)
    const name = key(c.params['link'] ?? '')
    const link = zone.links.get(name)
    if (!link) return armJson(204, undefined)
    checkPreconditions(c.req, link.etag)
    link.provisioningState = 'Deleting'
    return this.accepted(c, 'VirtualNetworkLinks_Delete', (failed) => {
      if (failed) link.provisioningState = 'Failed'
      else zone.links.delete(name)
    })
  }

  /** Record sets are deleted synchronously: 200, or 204 when there was none. */
  private deleteRecord(c: ArmCall): EmulatorResponse {
    const zone = this.parentOrFail(c)
    const name = (c.params['record'] ?? '').toLowerCase()
    const record = zone.records.get(`A/${name}`)
    if (!record) return armJson(204, undefined)
    checkPreconditions(c.req, record.etag)
    zone.records.delete(`A/${name}`)
    return armJson(200, undefined)
  }

  private getRecord(c: ArmCall): EmulatorResponse {
    const zone = this.parentOrFail(c)
    const record = zone.records.get(`A/${key(c.params['record'] ?? '')}`)
    if (!record) throw new ArmFailure(404, 'NotFound', `The resource record '${c.params['record']}' does not exist in resource group '${c.params['resourceGroupName']}' of subscription '${c.params['subscriptionId']}'.`)
    return armJson(200, recordView(zone, record))
  }

  /** Record sets are synchronous: 201 when created, 200 when replaced. */
  private putRecord(c: ArmCall): EmulatorResponse {
    const zone = this.parentOrFail(c)
    const name = (c.params['record'] ?? '').toLowerCase()
    const existing = zone.records.get(`A/${name}`)
    checkPreconditions(c.req, existing?.etag)
    const body = parseBody(c.req)
    const properties = propertiesOf(body)
    const ttl = Number(properties['ttl'] ?? 3600)
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 2147483647) throw new ArmFailure(400, 'BadRequest', `The TTL '${String(properties['ttl'])}' is invalid.`)
    const ips = ((properties['aRecords'] ?? []) as JsonObject[]).map((r) => ipv4(r['ipv4Address']))
    const metadata = properties['metadata'] as Record<string, string> | undefined
    const record: RecordSetState = { name, type: 'A', ttl, ips, ...(metadata ? { metadata } : {}), etag: dnsEtag() }
    zone.records.set(`A/${name}`, record)
    return armJson(existing ? 200 : 201, recordView(zone, record))
  }

  private operationStatus(c: ArmCall): EmulatorResponse {
    const op = this.operations.poll(c.params['operationId'] ?? '')
    if (!op) return cloudError(404, 'OperationNotFound', `Operation ${c.params['operationId']} was not found.`)
    return armJson(200, { status: op.status, ...(op.error ? { error: op.error } : {}) }, op.status === 'InProgress' ? { 'retry-after': String(this.timing.retryAfterSeconds) } : {})
  }

  private operationResult(c: ArmCall): EmulatorResponse {
    const op = this.operations.poll(c.params['operationId'] ?? '')
    if (!op) return cloudError(404, 'OperationNotFound', `Operation ${c.params['operationId']} was not found.`)
    if (op.status === 'InProgress') return armJson(202, undefined, { location: `https://${MANAGEMENT_HOST}:443${c.req.url.pathname}${c.req.url.search}`, 'retry-after': String(this.timing.retryAfterSeconds) })
    if (op.status === 'Failed') return cloudError(400, op.error?.code ?? 'Failed', op.error?.message ?? 'The operation failed.')
    if (op.status === 'Canceled') return cloudError(409, 'Canceled', 'The operation was superseded by a later request on the resource.')
    return armJson(204, undefined)
  }
}
