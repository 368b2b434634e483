// The Google Cloud implementation of CloudProvider: an internal address, the PSC forwarding rule to
// Zilliz's service attachment, an ingress firewall rule, and per cluster a Cloud DNS private zone with an
// A record, observed then planned; the engine registers the endpoint with Zilliz and runs the DAG.
import type { Config, GcpSettings } from '../../config/types.js'
import type { Check } from '../../base/checks.js'
import { allInOrder } from '../../base/settle.js'
import { Observations } from '../../base/observations.js'
import type { Logger } from '../../base/log.js'
import type { PlannedStep } from '../../engine/plan.js'
import { mayAnalyseDns, readAhead, type DataPlaneProof, type ReadAhead } from '../../engine/proof.js'
import type { CloudProvider, Identity, Inventory, InventoryHint, ProviderPlan, ProviderReport } from '../../engine/provider.js'
import { ephemeralTags, type EphemeralKind, type EphemeralScope } from '../../engine/ephemeral.js'
import type { ClusterLink, Target } from '../../engine/target.js'
import type { IdTokenSource } from '../../oidc/id-token.js'
import { ADDRESS_IP_STEP, ADDRESS_STEP, addressInUse, observeAddress, planAddress, type ObservedAddress } from './address.js'
import { gcpSession, type GcpSession } from './auth.js'
import { gcpClients, type GcpClients } from './clients.js'
import { observeStaleZone, observeZone, planRecord, planZone, RECORD_TTL_SECONDS, zoneStepId } from './dns.js'
import { observeNamedZones, planExistingZoneRecord, readHostRecords, type GcpNamedZone } from './dns-existing.js'
import { placeLinks, recordOwnerTags, recordsWhereTheyLive, widerZones, type DnsRecordSpec } from '../../engine/dns-placement.js'
import { gcpEndpoints } from './endpoints.js'
import type { ExchangeAhead } from '../../oidc/exchange-ahead.js'
import type { GoogleAccessToken } from './token-exchange.js'
import { planFirewall, planLegacyIngress, readEgressView, type EgressView } from './firewall.js'
import { chooseRule, ENDPOINT_STEP, listRules, planConnection, planRule, type ObservedRule } from './forwarding-rule.js'
import { gcpInventory } from './inventory.js'
import { toLabels } from './labels.js'
import { addressPath, gcpNames, networkPath, resourcePath, subnetworkPath, type GcpNames } from './names.js'
import { liveProbeChecks, type InNetworkProbe } from '../../verify/live-probe.js'
import { cloudRunProbe, cloudRunProbeKind, PROBE_JOB_KIND } from './cloud-run-probe.js'
import { checkAttachment, observeNetwork, type GcpNetwork } from './network.js'
import { analyseLinks, inNamedZones, type NetworkDnsView } from '../../verify/dns-analysis.js'
import { readGcpDnsView } from './dns-analysis.js'
import { verifyGcp } from './verify.js'
import { gcpPathAnalyzer, gcpPathKinds } from './path-analysis.js'
import type { PathAnalyzer } from '../../engine/path-model.js'

/** What the plan reads before it decides anything (GcpProvider.observe). */
interface PlanObservation {
  network: GcpNetwork
  rules: ObservedRule[]
  address: ObservedAddress | undefined
  egress: EgressView
  /** dns: existing-zone: the named zones, checked */
  namedZones: GcpNamedZone[]
}

/** What apply learns as it goes; steps later in the DAG read what earlier ones wrote. */
interface GcpLive {
  network?: GcpNetwork
  ip?: string
  rule?: ObservedRule
  zones: Map<string, string>
  cidrs: string[]
  /** dns: existing-zone: each cluster's named zone */
  placed: Map<string, GcpNamedZone>
  /** The clusters of the last plan, for the records report */
  links: ClusterLink[]
}

export class GcpProvider implements CloudProvider {
  readonly name = 'gcp' as const
  readonly observations = new Observations()
  private readonly settings: GcpSettings
  private readonly session: GcpSession
  private readonly clients: GcpClients
  private readonly names: GcpNames
  private readonly live: GcpLive = { zones: new Map(), cidrs: [], placed: new Map(), links: [] }
  private dnsView?: ReadAhead<NetworkDnsView>
  /** Whom Google evaluates the calls for: the impersonated service account, else what connect() found */
  private principal?: string

  constructor(
    private readonly config: Config,
    log: Logger,
    tokens: IdTokenSource,
    ahead?: ExchangeAhead<GoogleAccessToken>
  ) {
    if (!config.gcp) throw new Error('GCP settings missing from the config')
    this.settings = config.gcp
    const endpoints = gcpEndpoints()
    this.session = gcpSession(this.settings, tokens, log, endpoints, ahead)
    // Retries of reads and polls end with the run's wait-timeout, counted from here (the run's start).
    this.clients = gcpClients(this.settings, this.session, endpoints, log, () => this.settings.serviceAccount ?? this.principal, Date.now() + config.waitTimeoutSeconds * 1000, this.observations, config.dns)
    this.names = gcpNames(config, this.settings.endpointPrefix)
  }

  async connect(): Promise<Identity> {
    const identity = await this.session.identity()
    this.principal = identity.principal
    return identity
  }

  async plan(target: Target): Promise<ProviderPlan> {
    const s = this.settings
    const observed = await this.observe(target)
    const network = observed.network
    this.live.network = network
    this.live.cidrs = this.config.allowedCidrs.length ? this.config.allowedCidrs : network.ranges
    const labels = toLabels(target.tags)
    this.live.links = target.clusters
    const dns = this.config.dns.mode
    // In this order: the DNS steps read the endpoint's address the endpoint steps observed.
    const steps = [...this.endpointSteps(target, network, labels, observed), ...this.firewallSteps(target, network, observed.egress)]
    if (dns === 'managed') steps.push(...(await this.dnsSteps(target, network, labels)))
    if (dns === 'existing-zone') steps.push(...(await this.existingZoneSteps(target, network, observed.namedZones)))
    const wider = widerZones(target.clusters, this.live.placed)
    return {
      steps,
      // Zilliz accepts the connection by the project that owns the forwarding rule.
      registration: { endpointStep: ENDPOINT_STEP, endpointId: () => this.endpointName(), gcpProjectId: s.endpointProjectId, whitelistAccount: s.endpointProjectId },
      ...(wider.length ? { widerZones: wider } : {})
    }
  }

  /**
   * Every read the plan starts from, in one round: each needs only the inputs and the Zilliz side (the
   * network's path is the inputs'; its firewall policy order is added once the network is read). They are
   * judged in the order of the checks (allInOrder), so wrong inputs fail as they did read one by one, naming
   * the network before the subnetwork, both before the endpoint and the DNS zones. The service attachment
   * is checked before anything is sent. The identical reads of inventory and verify share these answers.
   */
  private async observe(target: Target): Promise<PlanObservation> {
    const s = this.settings
    const { compute, dns } = this.clients
    checkAttachment(target.service.endpointService, s)
    const mode = this.config.dns.mode
    const zones = mode === 'managed' ? dns.listZones() : Promise.resolve([])
    const named = mode === 'existing-zone' ? observeNamedZones(this.clients.dnsFor, this.config.dns.zoneIds, s.dnsProjectId, networkPath(s.networkProjectId, s.network)) : Promise.resolve([])
    const [network, rules, address, egress, , namedZones] = await allInOrder([
      observeNetwork(this.clients.network, s, target.service.endpointService),
      listRules(compute, s.region, this.config.zilliz.projectId),
      observeAddress(compute, s.region, this.names.address),
      readEgressView(this.clients.network, s.network, undefined),
      zones,
      named
    ])
    return { network, rules, address, egress: network.enforcementOrder ? { ...egress, enforcementOrder: network.enforcementOrder } : egress, namedZones }
  }

  /** The address, the PSC endpoint and the wait for its acceptance. */
  private endpointSteps(target: Target, network: GcpNetwork, labels: Record<string, string>, observed: PlanObservation): PlannedStep[] {
    const { compute } = this.clients
    const s = this.settings
    const zillizProjectId = this.config.zilliz.projectId
    const rule = chooseRule(observed.rules, {
      name: this.names.endpoint,
      region: s.region,
      project: s.endpointProjectId,
      attachment: network.serviceAttachment,
      networkPath: network.networkPath,
      registered: new Set(target.registrations.map((r) => r.endpointId))
    })
    const onIp = (ip: string) => (this.live.ip = ip)
    const adopted = rule !== undefined && rule.name !== this.names.endpoint
    // An existing endpoint already holds its address: only its IP is needed.
    const address = rule
      ? addressInUse({
          name: adopted ? rule.ip : this.names.address,
          ip: rule.ip,
          reason: adopted ? 'the adopted endpoint uses its own address' : `held by ${rule.name} at ${rule.ip}`,
          onReady: onIp,
          ...(adopted ? {} : { ours: { compute, region: s.region, labels, zillizProjectId, existing: observed.address } })
        })
      : planAddress({
          compute,
          region: s.region,
          name: this.names.address,
          subnetworkPath: network.subnetworkPath,
          endpointPath: `projects/${s.endpointProjectId}/regions/${s.region}/forwardingRules/${this.names.endpoint}`,
          existing: observed.address,
          labels,
          zillizProjectId,
          onReady: onIp
        })
    const endpoint = planRule({
      compute,
      region: s.region,
      name: this.names.endpoint,
      networkPath: network.networkPath,
      addressPath: addressPath(s.endpointProjectId, s.region, this.names.address),
      attachment: network.serviceAttachment,
      globalAccess: s.globalAccess,
      zillizProjectId,
      existing: rule,
      labels,
      // The address's path is known before anything runs: the insert needs the address to exist, not its IP.
      after: [ADDRESS_STEP],
      onReady: (r) => {
        this.live.rule = r
        if (r.ip) this.live.ip = r.ip
      }
    })
    // The resources first, then the address's read and their labels: among steps ready together, the insert goes out first.
    const resources = [...address, ...endpoint]
    const follows = resources.filter((step) => step.id === ADDRESS_IP_STEP || step.kind === 'gcp.labels')
    return [...resources.filter((step) => !follows.includes(step)), ...follows, planConnection(compute, s.region, rule, () => this.endpointName(), zillizProjectId)]
  }

  /** The managed EGRESS allow (only where a deny would win), and the retirement of the old INGRESS rule. */
  private firewallSteps(target: Target, network: GcpNetwork, view: EgressView): PlannedStep[] {
    // Firewall rules belong to the network's project (the host project of a Shared VPC).
    const compute = this.clients.network
    const byName = (name: string) => view.firewalls.find((f) => f.name === name)
    const egress = planFirewall(
      {
        compute,
        name: this.names.firewall,
        networkPath: network.networkPath,
        view,
        ports: target.ports,
        cidrs: this.live.cidrs,
        ip: () => this.requireIp(),
        plannedIp: this.live.ip,
        subnetRange: network.ranges[0] ?? '0.0.0.0/0',
        after: [ADDRESS_IP_STEP]
      },
      byName(this.names.firewall)
    )
    const legacy = planLegacyIngress(compute, this.names.legacyFirewall, network.networkPath, byName(this.names.legacyFirewall))
    return legacy ? [egress, legacy] : [egress]
  }

  /** dns: existing-zone: the named zones are checked, then each host's A record and marker go into its zone. */
  private async existingZoneSteps(target: Target, network: GcpNetwork, zones: GcpNamedZone[]): Promise<PlannedStep[]> {
    const placed = placeLinks(target.clusters, zones)
    this.live.placed = new Map([...placed].map(([clusterId, zone]) => [clusterId, zones.find((z) => z.id === zone.id) as GcpNamedZone]))
    const ownerTags = recordOwnerTags(this.config, network.networkPath)
    return Promise.all(
      target.clusters.map(async (link) => {
        const zone = this.live.placed.get(link.clusterId) as GcpNamedZone
        return planExistingZoneRecord({ link, zone, found: await readHostRecords(zone, link.host), ownerTags, plannedIp: this.live.ip, ip: () => this.requireIp(), after: [ADDRESS_IP_STEP] })
      })
    )
  }

  /** Per cluster: the private zone and its A record. */
  private async dnsSteps(target: Target, network: GcpNetwork, labels: Record<string, string>): Promise<PlannedStep[]> {
    const { dns } = this.clients
    const zillizProjectId = this.config.zilliz.projectId
    const crossProject = this.settings.endpointProjectId !== this.settings.networkProjectId
    // Every cluster is observed in the same round; the zone listing is read once and shared.
    const perCluster = await Promise.all(
      target.clusters.map(async (link): Promise<PlannedStep[]> => {
        const zoneName = this.names.zone(link.clusterId)
        const zone = await observeZone(dns, link.host, network.networkPath, zoneName, zillizProjectId)
        const stale = zone ? undefined : await observeStaleZone(dns, link.host, zoneName, zillizProjectId)
        return [
          planZone({
            dns,
            link,
            zoneName,
            networkPath: network.networkPath,
            zillizProjectId,
            existing: zone,
            ...(stale ? { stale } : {}),
            labels,
            // With a Shared VPC, reserving the address from the host's subnetwork is what proves the service
            // project is attached and may use it: no zone is written before that first write succeeded.
            after: crossProject ? [ADDRESS_STEP] : [],
            onReady: (name) => this.live.zones.set(link.clusterId, name)
          }),
          planRecord({
            dns,
            link,
            zoneName: () => this.live.zones.get(link.clusterId) ?? zoneName,
            ip: () => this.requireIp(),
            plannedIp: this.live.ip,
            existing: zone ? await dns.getRecord(zone.name, link.host, 'A') : undefined,
            after: [zoneStepId(link.clusterId), ADDRESS_IP_STEP]
          })
        ]
      })
    )
    const steps = perCluster.flat()
    return steps
  }

  async inventory(target: Target, hint?: InventoryHint): Promise<Inventory> {
    const network = await observeNetwork(this.clients.network, this.settings, target.service.endpointService)
    return gcpInventory({
      config: this.config,
      ...this.clients,
      region: this.settings.region,
      names: this.names,
      networkPath: network.networkPath,
      attachment: network.serviceAttachment,
      gcpProjectId: this.settings.endpointProjectId,
      dnsFor: this.clients.dnsFor,
      ownerTags: recordOwnerTags(this.config, network.networkPath),
      ...(hint ? { skipHosts: hint.inScope } : {})
    })
  }

  verify(target: Target): Promise<Check[]> {
    const network = this.live.network
    if (!network) return Promise.resolve([])
    if (mayAnalyseDns(this.config, Boolean(this.settings.probeServiceAccount))) this.dnsSettings()?.start(hostsKey(target.clusters))
    return verifyGcp(target, {
      ...this.clients,
      firewalls: this.clients.network,
      region: this.settings.region,
      networkPath: network.networkPath,
      network: this.settings.network,
      enforcementOrder: network.enforcementOrder,
      attachment: network.serviceAttachment,
      endpointName: this.endpointName(),
      cidrs: this.live.cidrs,
      zoneName: (clusterId) => this.live.zones.get(clusterId) ?? this.names.zone(clusterId),
      knownZone: (clusterId) => this.live.zones.get(clusterId),
      dnsMode: this.config.dns.mode,
      placed: this.live.placed
    })
  }

  /**
   * Level 2, opt-in (gcp-probe-service-account): the data-plane checks run by a Cloud Run job in the client
   * subnetwork. Level 1 DNS: where the network sends a client's query for each host, from its DNS
   * configuration (not with dns: none, which leaves DNS to the user's team: there is no zone of ours to reach).
   */
  dataPlaneProof(): DataPlaneProof {
    const proof: DataPlaneProof = {}
    const serviceAccount = this.settings.probeServiceAccount
    if (serviceAccount) proof.probe = (context) => liveProbeChecks(context, (scope) => Promise.resolve(this.cloudRunProbe(scope, serviceAccount)))
    const settings = this.dnsSettings()
    if (settings) {
      proof.analyzeDns = async (context) => {
        const view = await settings.take(hostsKey(context.links))
        return analyseLinks(inNamedZones(view, context.links, (id) => this.live.placed.get(id)), context.links, context.controlPlane)
      }
    }
    return proof
  }

  /** The network's DNS policies and the zones that may answer for the hosts, read beside the verification; none with dns: none. */
  private dnsSettings(): ReadAhead<NetworkDnsView> | undefined {
    const network = this.live.network
    if (!network || this.config.dns.mode === 'none') return undefined
    return (this.dnsView ??= readAhead((hosts) => readGcpDnsView(this.clients.dns, network.networkPath, hosts.split(' '), this.clients.dnsFor(this.settings.networkProjectId))))
  }

  private cloudRunProbe(scope: EphemeralScope, serviceAccount: string): InNetworkProbe {
    const s = this.settings
    // Where the clients are: client-subnet, else the endpoint's subnetwork; a name alone is the network's
    // project's (a Shared VPC's host). The job runs in the endpoint's project (clients.run), which is the
    // host or a service project attached to it.
    const client = this.config.client.subnet
    const subnetwork = client
      ? client.includes('/')
        ? resourcePath(client)
        : subnetworkPath(s.networkProjectId, s.region, client)
      : (this.live.network?.subnetworkPath ?? subnetworkPath(s.networkProjectId, s.region, s.subnetwork))
    return cloudRunProbe({
      ...this.clients,
      config: this.config,
      serviceAccount,
      networkPath: this.live.network?.networkPath ?? networkPath(s.networkProjectId, s.network),
      subnetworkPath: subnetwork,
      scope,
      tags: ephemeralTags(this.config, 'probe', Date.now()),
      deadline: Date.now() + this.config.waitTimeoutSeconds * 1000
    })
  }

  /** The Connectivity Tests of the path analysis; the probe jobs when a probe is configured. */
  ephemeralKinds(): EphemeralKind[] {
    const tests = gcpPathKinds(this.clients.networkManagement, this.config)
    if (!this.settings.probeServiceAccount) return tests
    return [...tests, { kind: PROBE_JOB_KIND, list: () => cloudRunProbeKind(this.clients.run, this.config).list() }]
  }

  /** Level 1 path proof: Connectivity Tests from an address in the client subnetwork to the endpoint. */
  pathAnalyzer(): PathAnalyzer {
    const s = this.settings
    return gcpPathAnalyzer({
      compute: this.clients.network,
      networkManagement: this.clients.networkManagement,
      config: this.config,
      networkProjectId: s.networkProjectId,
      endpointProjectId: s.endpointProjectId,
      region: s.region,
      subnetwork: s.subnetwork,
      prefix: s.endpointPrefix,
      endpointIp: () => this.live.ip,
      endpointName: () => this.endpointName()
    })
  }

  report(): ProviderReport {
    const s = this.settings
    const projects = [...new Set([s.networkProjectId, s.endpointProjectId, s.dnsProjectId])]
    const where = projects.length === 1 ? s.networkProjectId : `network in ${s.networkProjectId}, endpoint in ${s.endpointProjectId}, DNS in ${s.dnsProjectId}`
    return {
      network: `${s.network} (${where}, ${s.region})`,
      endpointId: this.endpointName(),
      endpointAddress: this.live.ip,
      ...(this.live.ip ? { endpointIps: [this.live.ip] } : {}),
      securityRule: this.live.network ? this.names.firewall : undefined,
      dnsZones: [...this.live.zones.entries()].map(([clusterId, id]) => ({ name: clusterId, id })),
      dnsRecords: this.dnsRecords()
    }
  }

  /** The A record of each host, where it lives; for dns: none, what the DNS team creates. */
  private dnsRecords(): DnsRecordSpec[] {
    return recordsWhereTheyLive(this.live.links, () => ({ ttl: RECORD_TTL_SECONDS, values: this.live.ip ? [this.live.ip] : [] }), this.live.placed, this.live.zones)
  }

  private endpointName(): string | undefined {
    return this.live.rule?.name || undefined
  }

  private requireIp(): string {
    if (!this.live.ip) throw new Error('The endpoint address is not known yet')
    return this.live.ip
  }
}

/** What the DNS reads depend on: the hosts, in order. */
const hostsKey = (links: { host: string }[]) => links.map((l) => l.host).join(' ')

export function createProvider(config: Config, log: Logger, tokens: IdTokenSource, ahead?: ExchangeAhead<GoogleAccessToken>): CloudProvider {
  return new GcpProvider(config, log, tokens, ahead)
}
