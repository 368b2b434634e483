// The Azure implementation of CloudProvider: a private endpoint to the Zilliz alias and, per cluster, a
// private DNS zone, its link to the virtual network and an apex A record, observed then planned; the engine
// whitelists the subscription, registers the endpoint with Zilliz and runs the DAG.
import type { HttpClient } from '@azure/core-rest-pipeline'
import { checkAzurePrivateDnsZoneName } from '../../config/rules.js'
import type { AzureSettings, Config } from '../../config/types.js'
import type { Check } from '../../base/checks.js'
import { Observations } from '../../base/observations.js'
import { allInOrder, early } from '../../base/settle.js'
import type { Logger } from '../../base/log.js'
import { azureEndpointName, digest } from '../../engine/ownership.js'
import type { PlannedStep } from '../../engine/plan.js'
import type { EphemeralKind } from '../../engine/ephemeral.js'
import { liveProbeChecks } from '../../verify/live-probe.js'
import type { PathAnalyzer } from '../../engine/path-model.js'
import { mayAnalyseDns, readAhead, type DataPlaneProof, type ReadAhead } from '../../engine/proof.js'
import type { CloudProvider, Identity, Inventory, InventoryHint, ProviderPlan, ProviderReport } from '../../engine/provider.js'
import type { ClusterLink, Target } from '../../engine/target.js'
import { replacedGuess } from '../../engine/target-builder.js'
import { WHITELIST_STEP } from '../../engine/zilliz-steps.js'
import type { IdTokenSource } from '../../oidc/id-token.js'
import { azureSession, type AzureSession } from './auth.js'
import { azureClients, parseResourceId, virtualNetworkId, withArmCode, type AzureClients } from './clients.js'
import { extraLinkStepId, isOwnZone, linkName, linkStepId, linkTo, observeLinks, observeRecord, observeZone, planLink, planRecord, planReplacedZone, planZone, RECORD_TTL_SECONDS, type ObservedLink, type ObservedRecord, type ObservedZone } from './dns.js'
import { observeNamedZones, planExistingZoneRecord, readRecord, type AzureNamedZone } from './dns-existing.js'
import { placeLinks, recordOwnerTags, recordsWhereTheyLive, widerZones, type DnsRecordSpec } from '../../engine/dns-placement.js'
import { analyseLinks, inNamedZones, type NetworkDnsView } from '../../verify/dns-analysis.js'
import { readAzureDnsView } from './dns-analysis.js'
import { ContainerGroupsApi } from './container-groups.js'
import { containerProbe, containerProbeKind, observeProbeSubnet } from './container-probe.js'
import { azureInventory } from './inventory.js'
import { observeLinkedNetworks, observeNetwork, scopeInputError, type AzureNetwork, type LinkedNetwork } from './network.js'
import {
  checkEndpoint,
  endpointIp,
  ENDPOINT_STEP,
  findEndpoint,
  getEndpointsInGroup,
  planEndpoint,
  planEndpointApproved,
  registrationId,
  type ObservedEndpoint
} from './private-endpoint.js'
import { networkWatcherChecks } from './network-watcher.js'
import { azurePathAnalyzer } from './path-analysis.js'
import { azureHttpClient } from './transport.js'
import type { ExchangeAhead } from '../../oidc/exchange-ahead.js'
import type { EntraToken } from './entra-token.js'
import { verifyAzure } from './verify.js'

/** What the plan read of one cluster's own zone, its links and apex record, and a zone for the host it replaced. */
interface ManagedDnsObservation {
  link: ClusterLink
  zone: ObservedZone | undefined
  links: ObservedLink[] | undefined
  record: ObservedRecord | undefined
  stale: ObservedZone | undefined
}

/** What apply learns as it goes; steps later in the DAG read what earlier ones wrote. */
interface AzureLive {
  network?: AzureNetwork
  /** The further networks every zone is linked to */
  linked?: LinkedNetwork[]
  endpoint?: ObservedEndpoint
  ip?: string
  /** The read of a new endpoint's IP, under way while the endpoint is registered */
  ipRead?: Promise<string | undefined>
  zoneIds: Map<string, string>
  /** dns: existing-zone: each cluster's named zone */
  placed: Map<string, AzureNamedZone>
  /** The clusters of the last plan, for the records report */
  links: ClusterLink[]
  /** The location of the probe subnet's network, once read (azure-probe-subnet-id) */
  probeLocation?: string
}

export class AzureProvider implements CloudProvider {
  readonly name = 'azure' as const
  readonly observations = new Observations()
  private readonly settings: AzureSettings
  private readonly session?: AzureSession
  private readonly clients?: AzureClients
  /** A bad ZILLIZ_PL_AZURE_ENDPOINTS, reported by connect() so it lands in the run's report */
  private readonly setupError?: Error
  private readonly live: AzureLive = { zoneIds: new Map(), placed: new Map(), links: [] }
  private dnsView?: ReadAhead<NetworkDnsView>
  /** Whom ARM evaluates the requests for, from connect() */
  private principal?: string

  constructor(
    private readonly config: Config,
    log: Logger,
    tokens: IdTokenSource,
    ahead?: ExchangeAhead<EntraToken>
  ) {
    if (!config.azure) throw new Error('Azure settings missing from the config')
    this.settings = config.azure
    let httpClient: HttpClient
    try {
      httpClient = azureHttpClient()
    } catch (error) {
      this.setupError = error as Error
      return
    }
    this.session = azureSession(this.settings, tokens, log, httpClient, ahead)
    // Retries of reads and polls end with the run's wait-timeout, counted from here (the run's start).
    this.clients = azureClients(
      this.session.credential,
      httpClient,
      () => this.principal ?? (this.settings.clientId && `client ${this.settings.clientId}`),
      log,
      Date.now() + config.waitTimeoutSeconds * 1000,
      this.observations
    )
  }

  async connect(): Promise<Identity> {
    const { session, clients } = this.ready()
    const identifying = session.identity()
    // The clients the plan reads with (each subscription's ARM pipeline and DNS client) are built while Entra
    // answers, not after it: the first construction costs tens of milliseconds.
    const s = this.settings
    for (const subscriptionId of new Set([s.subscriptionId, s.networkSubscriptionId, s.dnsSubscriptionId])) clients.network(subscriptionId)
    const identity = await identifying
    this.principal = identity.principal
    return identity
  }

  async plan(target: Target): Promise<ProviderPlan> {
    try {
      const planned = await this.observeAndPlan(target)
      return { ...planned, steps: planned.steps.map(withCodedErrors) }
    } catch (error) {
      throw withArmCode(error)
    }
  }

  private async observeAndPlan(target: Target): Promise<ProviderPlan> {
    const { clients } = this.ready()
    const s = this.settings
    // Zone names come from Zilliz, not from inputs: check them against Azure's rules before any Azure call.
    for (const link of target.clusters) {
      const problem = checkAzurePrivateDnsZoneName(link.host)
      if (problem) throw new Error(`The private link host of cluster ${link.clusterId} cannot name an Azure private DNS zone: ${problem}`)
    }
    const projectId = this.config.zilliz.projectId
    const alias = target.service.endpointService
    const name = azureEndpointName(this.config)
    // The endpoint, the network and the zones may each sit in their own subscription and resource group.
    const network = clients.network(s.subscriptionId)
    // Every read the plan needs goes out at once; a read that needs another's answer starts when it has it.
    const observing = observeNetwork(clients.network(s.networkSubscriptionId), s)
    const finding = (async () => {
      const [inGroup, observed] = await Promise.all([getEndpointsInGroup(network, s.resourceGroup, projectId).catch((error: unknown) => Promise.reject(scopeInputError(error, s, 'endpoint'))), observing])
      const existing = findEndpoint(inGroup, { name, alias, vnetId: observed.vnetId, registered: new Set(target.registrations.map((r) => r.endpointId)) })
      if (!existing) return { existing }
      checkEndpoint(existing, alias, observed.vnetId, this.config.zilliz.regionId)
      return { existing, ip: await endpointIp(network, existing) }
    })()
    const dnsMode = this.config.dns.mode
    // Failures are reported in the order the reads were once made: the network's, the further networks', the
    // probe subnet's (read before any write, so a subnet ACI would refuse fails the plan), the endpoint's, DNS.
    const [observed, linked, probeLocation, found, managedDns, namedZones] = await allInOrder([
      observing,
      observeLinkedNetworks(clients, s),
      s.probeSubnetId ? observeProbeSubnet(clients.network(parseResourceId(s.probeSubnetId).subscriptionId), s.probeSubnetId).then((subnet) => subnet.location) : undefined,
      finding,
      dnsMode === 'managed' ? this.observeManagedDns(target) : undefined,
      dnsMode === 'existing-zone' ? this.observeExistingZones(target) : undefined
    ])
    this.live.network = observed
    this.live.linked = linked
    if (probeLocation) this.live.probeLocation = probeLocation
    const { existing } = found
    if (existing) {
      this.live.endpoint = existing
      this.live.ip = found.ip
    }
    const steps: PlannedStep[] = [
      planEndpoint({
        network,
        resourceGroup: s.resourceGroup,
        name: azureEndpointName(this.config),
        location: s.location,
        subnetId: observed.subnetId,
        alias,
        projectId,
        existing,
        tags: target.tags,
        // Zilliz's Azure guide whitelists the subscription first: until then the alias may not resolve for it.
        after: target.service.whitelistRequired ? [WHITELIST_STEP] : [],
        onReady: (endpoint, ip) => {
          this.live.endpoint = endpoint
          // Awaited by the steps that need the IP; a failure is theirs to report.
          this.live.ipRead = early(ip.then((read) => (this.live.ip = read)))
        }
      }),
      planEndpointApproved(network, existing, () => this.live.endpoint, projectId, () => this.endpointIp())
    ]

    this.live.links = target.clusters
    if (managedDns) steps.push(...this.managedDnsSteps(target, managedDns, observed, linked))
    if (namedZones) steps.push(...this.existingZoneSteps(target, namedZones, observed))
    const wider = widerZones(target.clusters, this.live.placed)
    return {
      steps,
      registration: { endpointStep: ENDPOINT_STEP, endpointId: () => this.endpointId(), whitelistAccount: s.subscriptionId },
      ...(wider.length ? { widerZones: wider } : {})
    }
  }

  /** dns: existing-zone: the named zones are checked, each host placed in its zone and its record read. */
  private async observeExistingZones(target: Target): Promise<Map<string, { zone: AzureNamedZone; found: Awaited<ReturnType<typeof readRecord>> }>> {
    // The network is known by its id, so the zones' links to it are checked beside the network's own read.
    const zones = await observeNamedZones(this.ready().clients.dns, this.config.dns.zoneIds, virtualNetworkId(this.settings))
    const placed = placeLinks(target.clusters, zones)
    this.live.placed = new Map([...placed].map(([clusterId, zone]) => [clusterId, zones.find((z) => z.id === zone.id) as AzureNamedZone]))
    const read = await Promise.all(
      target.clusters.map(async (link) => {
        const zone = this.live.placed.get(link.clusterId) as AzureNamedZone
        return [link.clusterId, { zone, found: await readRecord(zone, link.host) }] as const
      })
    )
    return new Map(read)
  }

  /** dns: existing-zone: each host's A record goes into its zone. */
  private existingZoneSteps(target: Target, observedZones: Awaited<ReturnType<AzureProvider['observeExistingZones']>>, observed: AzureNetwork): PlannedStep[] {
    const ownerTags = recordOwnerTags(this.config, observed.vnetId.toLowerCase())
    return target.clusters.map((link) => {
      const { zone, found } = observedZones.get(link.clusterId) as { zone: AzureNamedZone; found: Awaited<ReturnType<typeof readRecord>> }
      return planExistingZoneRecord({ link, zone, found, ownerTags, plannedIp: this.live.ip, ip: () => this.endpointIp() })
    })
  }

  /** dns: managed: per cluster its zone (one listing serves every cluster), then the zone's links and record. */
  private observeManagedDns(target: Target): Promise<ManagedDnsObservation[]> {
    const s = this.settings
    const dns = this.ready().clients.dns(s.dnsSubscriptionId)
    const dnsGroup = s.dnsResourceGroup
    return Promise.all(
      target.clusters.map(async (link) => {
        const guess = replacedGuess(link)
        const [zone, stale] = await Promise.all([observeZone(dns, dnsGroup, link.host), guess ? observeZone(dns, dnsGroup, guess) : undefined])
        const [links, record] = zone ? await Promise.all([observeLinks(dns, dnsGroup, link.host), observeRecord(dns, dnsGroup, link.host)]) : [undefined, undefined]
        return { link, zone, links, record, stale }
      })
    ).catch((error: unknown) => Promise.reject(scopeInputError(error, s, 'dns')))
  }

  /**
   * dns: managed: per cluster a private DNS zone of the action's own (where the DNS subscription and
   * resource group say), its links to the network and the further networks, and the apex record.
   */
  private managedDnsSteps(target: Target, observedDns: ManagedDnsObservation[], observed: AzureNetwork, linked: LinkedNetwork[]): PlannedStep[] {
    const s = this.settings
    const dns = this.ready().clients.dns(s.dnsSubscriptionId)
    const dnsGroup = s.dnsResourceGroup
    const projectId = this.config.zilliz.projectId
    const networks = [{ id: observed.vnetId, name: s.virtualNetwork }, ...linked]
    return observedDns.flatMap(({ link, zone, links, record, stale }) => [
      planZone({ dns, resourceGroup: dnsGroup, link, existing: zone, tags: target.tags, onReady: (id) => this.live.zoneIds.set(link.clusterId, id) }),
      ...networks.map((vnet, i) => {
        const name = linkName(vnet.name, digest(vnet.id.toLowerCase()))
        const id = i === 0 ? linkStepId(link.clusterId) : extraLinkStepId(link.clusterId, name)
        return planLink({ dns, resourceGroup: dnsGroup, link, id, vnetId: vnet.id, name, existing: linkTo(links, vnet.id), tags: target.tags })
      }),
      planRecord({ dns, resourceGroup: dnsGroup, link, existing: record, plannedIp: this.live.ip, ip: () => this.endpointIp() }),
      // A zone someone else made for that name is theirs to keep.
      ...(stale && isOwnZone(stale, projectId) ? [planReplacedZone({ dns, resourceGroup: dnsGroup, link, stale })] : [])
    ])
  }

  /** The endpoint's private IP: read at plan time for an existing endpoint, else once apply has made it. */
  private endpointIp(): Promise<string | undefined> {
    return this.live.ipRead ?? Promise.resolve(this.live.ip)
  }

  async inventory(target: Target, hint?: InventoryHint): Promise<Inventory> {
    const { clients } = this.ready()
    const s = this.settings
    try {
      const observed = await observeNetwork(clients.network(s.networkSubscriptionId), s)
      const found = await azureInventory({
        config: this.config,
        network: clients.network(s.subscriptionId),
        dns: clients.dns(s.dnsSubscriptionId),
        dnsFor: clients.dns,
        ownerTags: recordOwnerTags(this.config, observed.vnetId.toLowerCase()),
        resourceGroup: s.resourceGroup,
        dnsResourceGroup: s.dnsResourceGroup,
        vnetId: observed.vnetId,
        // Links to networks no longer listed stay: they may serve another run's network.
        linkVnetIds: s.dnsLinkVnetIds,
        alias: target.service.endpointService,
        subscriptionId: s.subscriptionId,
        ...(hint ? { skipHosts: hint.inScope } : {})
      })
      // Delete failures name the ARM error code first, like every other step's.
      return { ...found, managed: found.managed.map((r) => ({ ...r, remove: (ctx) => r.remove(ctx).catch((error: unknown) => Promise.reject(withArmCode(error))) })) }
    } catch (error) {
      throw withArmCode(error)
    }
  }

  verify(target: Target): Promise<Check[]> {
    const { clients } = this.ready()
    const s = this.settings
    if (mayAnalyseDns(this.config, Boolean(s.probeSubnetId))) this.dnsSettings()?.start()
    return verifyAzure(target, {
      network: clients.network(s.subscriptionId),
      dns: clients.dns(s.dnsSubscriptionId),
      resourceGroup: s.dnsResourceGroup,
      vnetId: this.live.network?.vnetId ?? '',
      linked: (this.live.linked ?? []).map((vnet) => ({ ...vnet, linkName: linkName(vnet.name, digest(vnet.id.toLowerCase())) })),
      endpoint: this.live.endpoint,
      dnsMode: this.config.dns.mode,
      placed: this.live.placed
    }).catch((error: unknown) => {
      throw withArmCode(error)
    })
  }

  /** The standing probe container groups, when a probe is configured: no expiry, destroy removes them. */
  ephemeralKinds(): EphemeralKind[] {
    const groups = this.probeGroups()
    return groups ? [containerProbeKind(groups, this.config, () => this.deadline())] : []
  }

  /** The container groups of the probe subnet's subscription and resource group (azure-probe-subnet-id). */
  private probeGroups(): ContainerGroupsApi | undefined {
    const subnetId = this.settings.probeSubnetId
    if (!subnetId || !this.clients) return undefined
    const { subscriptionId, resourceGroup } = parseResourceId(subnetId)
    return new ContainerGroupsApi(this.clients.arm(subscriptionId), subscriptionId, resourceGroup, () => this.principal ?? (this.settings.clientId && `client ${this.settings.clientId}`))
  }

  private deadline(): number {
    return Date.now() + this.config.waitTimeoutSeconds * 1000
  }

  /** The forwarding rulesets linked to the network, read beside the verification; none with dns: none. */
  private dnsSettings(): ReadAhead<NetworkDnsView> | undefined {
    const observed = this.live.network
    if (!observed || !this.clients || this.config.dns.mode === 'none') return undefined
    // Rulesets are listed on the network, in the network's subscription.
    const arm = this.clients.arm(this.settings.networkSubscriptionId)
    const principal = () => this.principal ?? (this.settings.clientId && `client ${this.settings.clientId}`)
    return (this.dnsView ??= readAhead(() => readAzureDnsView({ arm, vnetId: observed.vnetId, dnsServers: observed.dnsServers, principal })))
  }

  dataPlaneProof(): DataPlaneProof {
    const observed = this.live.network
    if (!observed || !this.clients) return {}
    const probe = this.probeProof()
    // dns: none leaves DNS to the user's team, wherever it answers: there is no zone of ours to analyse, but
    // a probe still meets whatever answers.
    const settings = this.dnsSettings()
    if (!settings) return probe
    return {
      ...probe,
      analyzeDns: async (context) => {
        const view = await settings.take()
        return analyseLinks(inNamedZones(view, context.links, (id) => this.live.placed.get(id)), context.links, context.controlPlane)
      }
    }
  }

  /** Level 1 path proof: the effective security and route rules from the client subnet to the endpoint. */
  pathAnalyzer(): PathAnalyzer {
    const { clients } = this.ready()
    const vmId = this.settings.networkWatcherVmId
    const principal = () => this.principal ?? (this.settings.clientId && `client ${this.settings.clientId}`)
    return azurePathAnalyzer({
      clients,
      config: this.config,
      settings: this.settings,
      endpoint: () => (this.live.ip ? { subnetId: this.live.endpoint?.subnetId || this.live.network?.subnetId || '', ip: this.live.ip } : undefined),
      ...(vmId ? { watch: networkWatcherChecks({ clients, vmId, principal }) } : {})
    })
  }

  /** Level 2, opt-in (azure-probe-subnet-id): the data-plane checks run by the standing container group. */
  private probeProof(): Pick<DataPlaneProof, 'probe'> {
    const groups = this.probeGroups()
    const subnetId = this.settings.probeSubnetId
    const location = this.live.probeLocation
    if (!groups || !subnetId || !location) return {}
    const settings = { groups, config: this.config, subnetId, location, observations: this.observations }
    return { probe: (context) => liveProbeChecks(context, (scope) => Promise.resolve(containerProbe({ ...settings, scope, deadline: this.deadline() }))) }
  }

  report(): ProviderReport {
    const s = this.settings
    const elsewhere = s.networkSubscriptionId === s.subscriptionId ? '' : ` of subscription ${s.networkSubscriptionId}`
    return {
      network: `${s.virtualNetwork} (${s.networkResourceGroup}${elsewhere}, ${s.location})`,
      endpointId: this.endpointId(),
      endpointAddress: this.live.ip,
      ...(this.live.ip ? { endpointIps: [this.live.ip] } : {}),
      dnsZones: [...this.live.zoneIds.entries()].map(([clusterId, id]) => ({ name: clusterId, id })),
      dnsRecords: this.dnsRecords()
    }
  }

  /** The A record of each host, where it lives; for dns: none, what the DNS team creates. */
  private dnsRecords(): DnsRecordSpec[] {
    return recordsWhereTheyLive(this.live.links, () => ({ ttl: RECORD_TTL_SECONDS, values: this.live.ip ? [this.live.ip] : [] }), this.live.placed, this.live.zoneIds)
  }

  /** The id Zilliz registers: <endpoint name>.<resourceGuid> */
  private endpointId(): string | undefined {
    return this.live.endpoint?.resourceGuid ? registrationId(this.live.endpoint) : undefined
  }

  private ready(): { session: AzureSession; clients: AzureClients } {
    if (this.setupError || !this.session || !this.clients) throw this.setupError ?? new Error('Azure clients were not set up')
    return { session: this.session, clients: this.clients }
  }
}

/** Step failures name the ARM error code (AuthorizationFailed, InvalidResourceReference, …) first. */
function withCodedErrors(step: PlannedStep): PlannedStep {
  const run = step.run
  if (!run) return step
  return {
    ...step,
    run: (ctx) =>
      run(ctx).catch((error: unknown) => {
        throw withArmCode(error)
      })
  }
}

export function createProvider(config: Config, log: Logger, tokens: IdTokenSource, ahead?: ExchangeAhead<EntraToken>): CloudProvider {
  return new AzureProvider(config, log, tokens, ahead)
}
