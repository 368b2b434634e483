// What the action manages on Google Cloud, found by its labels (the firewall rule, which has none, by its
// deterministic name, its network and the action's description), with the delete of each: the A records,
// the private zones (or only this network's binding), the PSC endpoint, its address, the firewall rule.
import { allInOrder } from '../../base/settle.js'
import type { Config } from '../../config/types.js'
import { zoneRemoval } from '../../engine/dns-removal.js'
import { ownershipOf, ownershipTags, type Ownership } from '../../engine/ownership.js'
import type { StepContext } from '../../engine/plan.js'
import type { Inventory, KeptResource, ManagedResource } from '../../engine/provider.js'
import type { ComputeApi, Firewall, Operation } from './compute-api.js'
import { fqdn, type DnsApi } from './dns-api.js'
import { existingZoneInventory, zoneRef } from './dns-existing.js'
import { isNotFound } from './google-http.js'
import { toLabels } from './labels.js'
import { networkUrl, requestId, resourcePath, type GcpNames } from './names.js'

const ZILLIZ_DOMAIN = /\.vectordb\.zillizcloud\.com\.$/
const MANAGED_DESCRIPTION = '(managed by zilliz-private-link)'

export interface GcpInventoryInput {
  config: Config
  /** Compute in the endpoint's project */
  compute: ComputeApi
  /** Compute in the network's project, where the firewall rules are */
  network: ComputeApi
  dns: DnsApi
  region: string
  names: GcpNames
  networkPath: string
  attachment: string
  gcpProjectId: string
  dnsFor(project: string): DnsApi
  /** The ownership marker of records in named zones (dns: existing-zone) */
  ownerTags: Record<string, string>
  /** Hosts whose DNS the caller does not need (see InventoryHint): their zones are not read */
  skipHosts?: ReadonlySet<string>
}

const gone = (error: unknown) => isNotFound(error)

/** Runs a delete and waits for its operation; a resource already gone counts as deleted. */
async function deleted(start: () => Promise<Operation>, what: string, compute: ComputeApi, ctx: StepContext): Promise<void> {
  let op: Operation
  try {
    op = await start()
  } catch (error) {
    if (gone(error)) return
    throw error
  }
  await compute.complete(op, what, ctx).catch((error: unknown) => {
    if (!gone(error)) throw error
  })
}

async function dnsInventory(input: GcpInventoryInput, managed: ManagedResource[], kept: KeptResource[]): Promise<void> {
  const { dns } = input
  const expected = toLabels(ownershipTags(input.config))
  const ours = networkUrl(input.networkPath)
  const zones = (await dns.listZones()).filter(
    (z) => z.visibility === 'private' && ZILLIZ_DOMAIN.test(fqdn(z.dnsName)) && (z.privateVisibilityConfig?.networks ?? []).some((n) => resourcePath(n.networkUrl) === input.networkPath) &&
      !input.skipHosts?.has(fqdn(z.dnsName).slice(0, -1))
  )
  // Zones named in dns-zone-ids are the user's: only our records in them are looked at (existingZoneInventory).
  const named = new Set(input.config.dns.zoneIds.map((id) => zoneRef(id, dns.project)).filter((r) => r.project === dns.project).map((r) => r.zone))
  for (const zone of zones.filter((z) => !named.has(z.name))) {
    const apex = fqdn(zone.dnsName)
    const host = apex.slice(0, -1)
    const ownership: Ownership = ownershipOf(zone.labels, expected)
    const networks = (zone.privateVisibilityConfig?.networks ?? []).map((n) => n.networkUrl)
    const otherNetworks = networks.filter((u) => resourcePath(u) !== input.networkPath)
    const records = ownership.owned && !otherNetworks.length ? await dns.listRecords(zone.name) : []
    const apexA = records.find((r) => fqdn(r.name) === apex && r.type === 'A')
    const own = (r: { name: string; type: string }) => fqdn(r.name) === apex && (r.type === 'NS' || r.type === 'SOA')
    zoneRemoval(
      {
        host,
        zoneKind: 'gcp.dns-private-zone',
        recordKind: 'gcp.dns-a-record',
        linkKind: 'gcp.dns-network-binding',
        zoneName: zone.name,
        ownership,
        hasRecord: apexA !== undefined,
        foreignRecords: records.filter((r) => r !== apexA && !own(r)).map((r) => `${r.name} ${r.type}`),
        otherNetworks: otherNetworks.map((u) => resourcePath(u)),
        links: [],
        removeRecord: async (ctx) => {
          const current = await dns.getRecord(zone.name, host, 'A').catch((error: unknown) => (gone(error) ? undefined : Promise.reject(error)))
          if (!current) return
          await dns.change(zone.name, { deletions: [current] }, `the deletion of the record ${host} to be done`, ctx)
        },
        removeLink: async () => {
          const current = await dns.getZone(zone.name)
          if (!current) return
          const left = (current.privateVisibilityConfig?.networks ?? []).map((n) => n.networkUrl).filter((u) => resourcePath(u) !== resourcePath(ours))
          await dns.bindNetworks(zone.name, left)
        },
        removeZone: async () => {
          await dns.deleteZone(zone.name).catch((error: unknown) => {
            if (!gone(error)) throw error
          })
        }
      },
      managed,
      kept
    )
  }
}

async function endpointInventory(input: GcpInventoryInput, managed: ManagedResource[], kept: KeptResource[]): Promise<boolean> {
  const { compute, region, names } = input
  const expected = toLabels(ownershipTags(input.config))
  const [listed, address] = await allInOrder([compute.listForwardingRules(region), compute.getAddress(region, names.address)])
  const rules = listed.filter((r) => r.name === names.endpoint || (resourcePath(r.target) === input.attachment && resourcePath(r.network) === input.networkPath))
  let ours = false
  for (const rule of rules) {
    const ownership = ownershipOf(rule.labels, expected)
    if (!ownership.owned) {
      kept.push({ kind: 'gcp.psc-forwarding-rule', name: rule.name, reason: `kept: ${ownership.reason}` })
      continue
    }
    ours ||= rule.name === names.endpoint
    managed.push({
      id: `psc-endpoint:${rule.name}`,
      kind: 'gcp.psc-forwarding-rule',
      name: rule.name,
      layer: 'endpoint',
      evidence: 'labelled by this action for this project, region and repository',
      remove: (ctx) =>
        deleted(() => compute.deleteForwardingRule(region, rule.name, requestId('forwarding-rule-delete', `${compute.project}/${region}/${rule.name}`)), `forwarding rule ${rule.name} to be deleted`, compute, ctx)
    })
  }
  if (address) {
    const ownership = ownershipOf(address.labels, expected)
    if (!ownership.owned) kept.push({ kind: 'gcp.address', name: address.name, reason: `kept: ${ownership.reason}` })
    else
      managed.push({
        id: `psc-address:${address.name}`,
        kind: 'gcp.address',
        name: `${address.name} (${address.address ?? 'no IP'})`,
        layer: 'endpoint-address',
        evidence: 'labelled by this action for this project, region and repository',
        remove: (ctx) =>
          deleted(() => compute.deleteAddress(region, address.name, requestId('address-delete', `${compute.project}/${region}/${address.name}`)), `address ${address.name} to be released`, compute, ctx)
      })
  }
  return ours
}

// The managed EGRESS rule, and the INGRESS rule earlier versions created (apply retires it; destroy too),
// found in the project's listing: the one the plan read, so apply sends no read of its own.
async function firewallInventory(input: GcpInventoryInput, managed: ManagedResource[], kept: KeptResource[]): Promise<void> {
  const { names } = input
  const firewalls = await input.network.listFirewalls()
  for (const name of [names.firewall, names.legacyFirewall]) {
    const firewall = firewalls.find((f) => f.name === name)
    if (firewall) oneFirewall(input, firewall, managed, kept)
  }
}

function oneFirewall(input: GcpInventoryInput, firewall: Firewall, managed: ManagedResource[], kept: KeptResource[]): void {
  const compute = input.network
  // Firewall rules carry no labels: the deterministic name, the network and the action's description prove it.
  const ours = resourcePath(firewall.network) === input.networkPath && (firewall.description ?? '').includes(MANAGED_DESCRIPTION)
  if (!ours) {
    kept.push({ kind: 'gcp.firewall-rule', name: firewall.name, reason: 'kept: has the action\'s name but not its network and description, so someone else made it' })
    return
  }
  managed.push({
    id: `firewall:${firewall.name}`,
    kind: 'gcp.firewall-rule',
    name: firewall.name,
    layer: 'security-rule',
    evidence: 'the action\'s name, network and description',
    remove: (ctx) => deleted(() => compute.deleteFirewall(firewall.name, requestId('firewall-delete', `${compute.project}/${firewall.name}`)), `firewall rule ${firewall.name} to be deleted`, compute, ctx)
  })
}

export async function gcpInventory(input: GcpInventoryInput): Promise<Inventory> {
  const managed: ManagedResource[] = []
  const kept: KeptResource[] = []
  // dns: none reads no DNS at all (the service account may lack Cloud DNS roles); managed zones of an earlier
  // managed run are still found in existing-zone mode, since they would shadow the named zone's records.
  const { mode, zoneIds } = input.config.dns
  const dns = mode === 'none' ? [] : [dnsInventory(input, managed, kept), existingZoneInventory(input.dnsFor, zoneIds, input.dns.project, input.ownerTags, managed, kept)]
  const [endpointOurs] = await Promise.all([endpointInventory(input, managed, kept), firewallInventory(input, managed, kept), ...dns])
  kept.sort((a, b) => `${a.kind} ${a.name}`.localeCompare(`${b.kind} ${b.name}`))
  // The endpoint's name is deterministic: its registration is deregistered even if the rule is already gone,
  // unless a rule of that name belongs to someone else.
  const foreignNamed = kept.some((k) => k.kind === 'gcp.psc-forwarding-rule' && k.name === input.names.endpoint)
  return {
    managed,
    kept,
    ...(endpointOurs || !foreignNamed ? { endpointId: input.names.endpoint } : {}),
    gcpProjectId: input.gcpProjectId,
    whitelistAccount: input.gcpProjectId
  }
}

