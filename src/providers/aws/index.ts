// The AWS implementation of CloudProvider: security group, interface VPC endpoint, Route 53 zones and
// alias records, observed then planned; the engine registers the endpoint with Zilliz and runs the DAG.
import type { AwsSettings, Config } from '../../config/types.js'
import type { Check } from '../../base/checks.js'
import { Observations } from '../../base/observations.js'
import { InputError } from '../../engine/input-error.js'
import type { Logger } from '../../base/log.js'
import { ephemeralTags, type EphemeralKind, type EphemeralScope } from '../../engine/ephemeral.js'
import { baseName, idempotencyToken } from '../../engine/ownership.js'
import type { PlannedStep } from '../../engine/plan.js'
import { mayAnalyseDns, readAhead, type DataPlaneProof, type ReadAhead } from '../../engine/proof.js'
import { desiredGrants } from '../../engine/ports.js'
import { checkRuleFits } from '../../engine/prewrite.js'
import type { CloudProvider, Identity, Inventory, InventoryHint, ProviderPlan, ProviderReport } from '../../engine/provider.js'
import type { ClusterLink, Target } from '../../engine/target.js'
import { replacedGuess } from '../../engine/target-builder.js'
import type { IdTokenSource } from '../../oidc/id-token.js'
import { awsDnsSession, awsSession, shareFirstIdToken, type AwsSession } from './auth.js'
import type { ExchangeAhead } from '../../oidc/exchange-ahead.js'
import type { RoleSession } from './web-identity.js'
import { awsClients, awsDnsClients, type AwsClients } from './clients.js'
import { fqdn, missingZoneTags, observeRecord, observeZones, planRecord, planReplacedZone, planZone, zonesOfVpcs, zoneStepId, zoneTags, type ObservedZone } from './dns.js'
import { observeNamedZones, planExistingZoneRecord, readHostRecords } from './dns-existing.js'
import { placeLinks, recordOwnerTags, recordsWhereTheyLive, widerZones, type DnsRecordSpec, type NamedZone } from '../../engine/dns-placement.js'
import { chooseEndpoint, ENDPOINT_STEP, listEndpoints, planEndpoint, planEndpointAvailable, type ObservedEndpoint } from './endpoint.js'
import { awsInventory } from './inventory.js'
import { observeNetwork, type AwsNetwork } from './network.js'
import { early } from '../../base/settle.js'
import { readAwsDnsView } from './dns-analysis.js'
import { analyseLinks, inNamedZones, type NetworkDnsView } from '../../verify/dns-analysis.js'
import { describeGroups, findGroupByName, planSecurityGroup, SECURITY_GROUP_STEP } from './security-group.js'
import { checkNamedZonesServe } from './named-zone-vpcs.js'
import { liveProbeChecks, type InNetworkProbe } from '../../verify/live-probe.js'
import { PROBE_FUNCTION_KIND, probeSecurityGroups } from './probe-network.js'
import { verifyAws, type AppliedIds } from './verify.js'
import { awsPathAnalyzer, awsPathKinds } from './path-analysis.js'
import type { PathAnalyzer } from '../../engine/path-model.js'
import { associationTargets, authorizedVpcs, planAssociations } from './zone-associations.js'
import { recordedVpcs, recordVpcsTags, resolveZoneTopology, type AwsSide, type ZoneTopology } from './zone-vpcs.js'

/** EC2's default quota of inbound rules per security group. */
const AWS_RULES_PER_GROUP = 60

/** What apply learns as it goes; steps later in the DAG read what earlier ones wrote. */
interface AwsLive {
  groupIds: string[]
  endpoint?: ObservedEndpoint
  zoneIds: Map<string, string>
  cidrs: string[]
  /** Read by verify(): the endpoint's private IPs */
  endpointIps: string[]
  /** dns: existing-zone: each cluster's named zone */
  placed: Map<string, NamedZone>
  /** The clusters of the last plan, for the records report */
  links: ClusterLink[]
  /** What plan observed of the VPC; the DNS analysis reads its ranges and DHCP option set */
  network?: AwsNetwork
}

export class AwsProvider implements CloudProvider {
  readonly name = 'aws' as const
  readonly observations = new Observations()
  private readonly settings: AwsSettings
  private readonly session: AwsSession
  private readonly clients: AwsClients
  /** The role of the account that holds the zones, when it is not the endpoint's (aws-dns-role-arn) */
  private readonly dns?: { session: AwsSession; clients: AwsClients }
  private account = ''
  private topology?: Promise<ZoneTopology>
  private dnsView?: ReadAhead<NetworkDnsView>
  private readonly live: AwsLive = { groupIds: [], zoneIds: new Map(), cidrs: [], endpointIps: [], placed: new Map(), links: [] }

  constructor(
    private readonly config: Config,
    log: Logger,
    tokens: IdTokenSource,
    ahead?: ExchangeAhead<RoleSession>
  ) {
    if (!config.aws) throw new Error('AWS settings missing from the config')
    this.settings = config.aws
    const dnsRoleArn = this.settings.dnsRoleArn
    // Both roles are assumed with one GitHub ID token (each retry still fetches a fresh one).
    const [endpointTokens, dnsTokens] = dnsRoleArn ? shareFirstIdToken(tokens) : [tokens, tokens]
    this.session = awsSession(this.settings, endpointTokens, log, ahead)
    this.clients = awsClients(this.settings, this.session, this.observations)
    if (dnsRoleArn) {
      const session = awsDnsSession(this.settings, dnsRoleArn, dnsTokens, log)
      this.dns = { session, clients: awsDnsClients(this.settings, session, this.observations, dnsRoleArn) }
    }
  }

  async connect(): Promise<Identity> {
    const [identity, dns] = await Promise.all([this.session.identity(), this.dns?.session.identity()])
    this.account = identity.account
    if (!dns) return identity
    return { ...identity, method: `${identity.method}; zones in ${dns.account} as ${dns.principal}` }
  }

  /** Which account owns each VPC the zones serve, checked once per run before anything is written. */
  private zoneTopology(): Promise<ZoneTopology> {
    if (this.topology) return this.topology
    const resolving = this.resolveTopology()
    this.topology = resolving
    resolving.catch(() => {
      if (this.topology === resolving) this.topology = undefined
    })
    return resolving
  }

  private async resolveTopology(): Promise<ZoneTopology> {
    const endpoint: AwsSide = { role: 'endpoint', account: this.account || (await this.session.identity()).account, ...this.clients }
    const dns: AwsSide | undefined = this.dns && { role: 'dns', account: (await this.dns.session.identity()).account, ...this.dns.clients }
    // Only managed zones are associated by the action; named zones are checked against aws-dns-vpc-ids as they are.
    const settings = this.config.dns.mode === 'managed' ? this.settings : { ...this.settings, dnsVpcIds: [] }
    return resolveZoneTopology({ settings, endpoint, ...(dns ? { dns } : {}) })
  }

  async plan(target: Target): Promise<ProviderPlan> {
    const { ec2 } = this.clients
    const s = this.settings
    const projectId = this.config.zilliz.projectId
    const name = baseName(this.config)
    const managed = s.securityGroupIds.length === 0
    const dns = this.config.dns.mode
    // Every read below needs only the inputs (the zones' reads the topology, which reads nothing without
    // aws-dns-vpc-ids), so they go out in one round; the gates pace them. Their answers are checked in the
    // order they were once read in: with several wrong inputs, the first named is still the VPC's.
    const networkRead = early(observeNetwork(ec2, s, target.service.endpointService, this.account || undefined))
    const topologyRead = early(this.zoneTopology())
    const groupRead = managed ? early(findGroupByName(ec2, s.vpcId, name)) : early(this.checkUserGroups().then(() => undefined))
    const endpointsRead = early(listEndpoints(ec2, s.vpcId, target.service.endpointService, projectId))
    const existingRead = early(endpointsRead.then((endpoints) => chooseEndpoint(endpoints.live, new Set(target.registrations.map((r) => r.endpointId)))))
    const dnsRead = early(
      dns === 'managed' ? this.managedDnsSteps(target, topologyRead, existingRead) : dns === 'existing-zone' ? this.existingZoneSteps(target, topologyRead, existingRead) : Promise.resolve([])
    )

    const network = await networkRead
    this.live.network = network
    await topologyRead
    this.live.cidrs = this.config.allowedCidrs.length ? this.config.allowedCidrs : network.vpcCidrs
    const steps: PlannedStep[] = []

    let groupPending = false
    if (managed) {
      // EC2 counts one inbound rule per port and CIDR; past the quota the create fails half way through.
      checkRuleFits({
        what: 'inbound rules (one per port and CIDR) in the managed security group',
        max: AWS_RULES_PER_GROUP,
        needed: target.ports.length * this.live.cidrs.length,
        fix: `Give fewer allowed-cidrs (${this.live.cidrs.length}) or ports (${target.ports.length}), or use your own groups in aws-security-group-ids. ${AWS_RULES_PER_GROUP} is EC2's default quota of inbound rules per security group.`
      })
      const existing = await groupRead
      groupPending = !existing
      steps.push(
        ...planSecurityGroup({
          ec2,
          vpcId: s.vpcId,
          name,
          existing,
          wanted: desiredGrants(target.ports, this.live.cidrs),
          tags: target.tags,
          onReady: (id) => (this.live.groupIds = [id])
        })
      )
    } else {
      await groupRead
    }

    const existing = await existingRead
    steps.push(
      planEndpoint({
        ec2,
        vpcId: s.vpcId,
        serviceName: network.serviceName,
        name,
        subnetIds: s.subnetIds,
        groupIds: () => this.live.groupIds,
        plannedGroupIds: this.live.groupIds,
        groupPending,
        projectId,
        after: managed ? [SECURITY_GROUP_STEP] : [],
        existing,
        tags: target.tags,
        clientToken: idempotencyToken('vpce', `${s.vpcId}/${network.serviceName}`),
        onReady: (e) => (this.live.endpoint = e)
      }),
      planEndpointAvailable(ec2, existing, () => this.endpointId(), projectId, (e) => (this.live.endpoint = e))
    )

    this.live.links = target.clusters
    steps.push(...(await dnsRead))
    const wider = widerZones(target.clusters, this.live.placed)
    return { steps, registration: { endpointStep: ENDPOINT_STEP, endpointId: () => this.endpointId() }, ...(wider.length ? { widerZones: wider } : {}) }
  }

  /** dns: existing-zone: the named zones are checked, then each host's alias record and marker go into its zone. */
  private async existingZoneSteps(target: Target, topologyRead: Promise<ZoneTopology>, existingRead: Promise<ObservedEndpoint | undefined>): Promise<PlannedStep[]> {
    // The named zones live in the zones' account: aws-dns-role-arn's when given.
    const topology = await topologyRead
    const route53 = topology.zones.route53
    const s = this.settings
    const where = this.dns ? `account ${topology.zones.account} (aws-dns-role-arn)` : `account ${topology.zones.account}`
    const zones = await observeNamedZones(route53, this.config.dns.zoneIds, s.vpcId, s.region, where)
    checkNamedZonesServe(zones, s.dnsVpcIds, s.region)
    this.live.placed = placeLinks(target.clusters, zones)
    const ownerTags = recordOwnerTags(this.config, s.vpcId)
    const found = await Promise.all(target.clusters.map((link) => readHostRecords(route53, (this.live.placed.get(link.clusterId) as NamedZone).id, link.host)))
    const existing = await existingRead
    return target.clusters.map((link, index) => {
      const zone = this.live.placed.get(link.clusterId) as NamedZone
      return planExistingZoneRecord({ route53, link, zone, found: found[index], ownerTags, plannedEndpoint: existing, endpoint: () => this.requireEndpoint() })
    })
  }

  /** dns: managed: per cluster a private hosted zone of the action's own and its alias record. */
  private async managedDnsSteps(target: Target, topologyRead: Promise<ZoneTopology>, existingRead: Promise<ObservedEndpoint | undefined>): Promise<PlannedStep[]> {
    const topology = await topologyRead
    const s = this.settings
    const projectId = this.config.zilliz.projectId
    const steps: PlannedStep[] = []
    const guesses = new Map(target.clusters.flatMap((link) => (replacedGuess(link) ? [[link.clusterId, replacedGuess(link) as string]] : [])))
    const zoneClient = topology.zones.route53
    // Each further VPC's own zones are listed beside the endpoint VPC's: a further VPC that already resolves
    // a host through another zone would make Route 53 refuse the association (ConflictingDomainExists).
    const listingsRead = early(zonesOfVpcs(topology.extraVpcs))
    const zones = await observeZones({
      lister: topology.endpointVpc.side.route53,
      zones: zoneClient,
      zoneAccount: topology.zones.account,
      vpcId: s.vpcId,
      region: s.region,
      hosts: [...target.clusters.map((c) => c.host), ...guesses.values()],
      projectId,
      withVpcs: associationTargets(topology).length > 0
    })
    const owned = target.clusters.flatMap((link) => (zones.get(link.host)?.owned ? [zones.get(link.host)?.id ?? ''] : []))
    // Every cluster's record, the owned zones' tags and authorizations are read in one round; the gate paces them.
    const [tags, records, authorizations, listings, existing] = await Promise.all([
      zoneTags(zoneClient, owned),
      Promise.all(target.clusters.map((link) => (zones.get(link.host) ? observeRecord(zoneClient, zones.get(link.host)?.id ?? '', link.host) : undefined))),
      Promise.all(target.clusters.map((link) => (zones.get(link.host)?.owned && this.dns ? authorizedVpcs(zoneClient, zones.get(link.host)?.id ?? '') : []))),
      listingsRead,
      existingRead
    ])
    for (const [index, link] of target.clusters.entries()) {
      const guess = guesses.get(link.clusterId)
      const stale = guess ? zones.get(guess) : undefined
      // Only our zone in this VPC: one someone else made is theirs, one for another VPC serves that VPC.
      if (stale?.associated && stale.owned) steps.push(planReplacedZone({ route53: zoneClient, link, stale }))
      const zone = zones.get(link.host)
      for (const { vpc, zones: inVpc } of listings) {
        const other = inVpc.get(fqdn(link.host))
        if (other && other.id !== zone?.id)
          throw new InputError(
            'aws-dns-vpc-ids',
            `${vpc.vpcId} already resolves ${link.host} through zone ${other.id}${other.owner ? ` of account ${other.owner}` : ''}, and a VPC can be associated with only one zone of a name. Disassociate ${other.id} from ${vpc.vpcId}, or remove ${vpc.vpcId} from aws-dns-vpc-ids.`
          )
      }
      const record = records[index]
      const zoneTagSet = zone?.owned ? (tags.get(zone.id) ?? {}) : {}
      steps.push(
        planZone({
          route53: zoneClient,
          link,
          topology,
          vpcId: s.vpcId,
          region: s.region,
          existing: zone,
          missingTags: zone?.owned ? this.zoneTagsToAdd(zone, zoneTagSet, target.tags) : {},
          projectId,
          tags: target.tags,
          onReady: (id) => this.live.zoneIds.set(link.clusterId, id)
        })
      )
      const associations = planAssociations({
        topology,
        link,
        zoneStep: zoneStepId(link.clusterId),
        zoneId: () => this.live.zoneIds.get(link.clusterId) ?? '',
        zone,
        recorded: recordedVpcs(zoneTagSet),
        authorized: authorizations[index] ?? []
      })
      if (associations) steps.push(associations)
      steps.push(
        planRecord({
          route53: zoneClient,
          link,
          zoneId: () => this.live.zoneIds.get(link.clusterId) ?? '',
          endpoint: () => this.requireEndpoint(),
          plannedEndpoint: existing,
          existing: record
        })
      )
    }
    return steps
  }

  /**
   * The tags an own zone lacks. One never tagged (a run stopped between CreateHostedZone and the tagging) also
   * gets the record of the VPC it was created with, when that is not the endpoint's: no association can have
   * come from the action before the tags did. (Its VPCs are read whenever the zone can have been created with
   * another VPC: see ObserveZonesInput.withVpcs.)
   */
  private zoneTagsToAdd(zone: ObservedZone, tags: Record<string, string>, wanted: Record<string, string>): Record<string, string> {
    const missing = missingZoneTags(tags, wanted)
    const neverTagged = Object.keys(missing).length === Object.keys(wanted).length && !recordedVpcs(tags).length
    const home = (zone.vpcs ?? []).filter((v) => v !== this.settings.vpcId)
    return neverTagged && home.length ? { ...missing, ...recordVpcsTags(home) } : missing
  }

  async inventory(target: Target, hint?: InventoryHint): Promise<Inventory> {
    const s = this.settings
    const network = await observeNetwork(this.clients.ec2, s, target.service.endpointService, this.account || undefined)
    return awsInventory({
      config: this.config,
      ...this.clients,
      topology: await this.zoneTopology(),
      vpcId: s.vpcId,
      region: s.region,
      serviceName: network.serviceName,
      ...(s.securityGroupIds.length ? {} : { groupName: baseName(this.config) }),
      userGroupIds: s.securityGroupIds,
      ownerTags: recordOwnerTags(this.config, s.vpcId),
      ...(hint ? { skipHosts: hint.inScope } : {})
    })
  }

  async verify(target: Target): Promise<Check[]> {
    if (mayAnalyseDns(this.config, Boolean(this.settings.probeRoleArn))) this.dnsSettings()?.start()
    return verifyAws(target, {
      ...this.clients,
      topology: await this.zoneTopology(),
      region: this.settings.region,
      vpcId: this.settings.vpcId,
      endpointId: this.endpointId(),
      cidrs: this.live.cidrs,
      dns: this.config.dns.mode,
      placed: this.live.placed,
      namedZoneVpcIds: this.config.dns.mode === 'existing-zone' ? this.settings.dnsVpcIds : [],
      onEndpointIps: (ips) => (this.live.endpointIps = ips),
      ...(target.mode === 'apply' ? { applied: this.appliedIds() } : {})
    })
  }

  /** What apply left, by id, for verify to read beside the endpoint. */
  private appliedIds(): AppliedIds {
    const zoneIds = new Map(this.live.zoneIds)
    for (const [clusterId, zone] of this.live.placed) zoneIds.set(clusterId, zone.id)
    return { groupIds: this.live.groupIds, networkInterfaceIds: this.live.endpoint?.networkInterfaceIds ?? [], zoneIds }
  }

  /**
   * Level 2, opt-in (aws-probe-role-arn): the data-plane checks run by a Lambda function in the client subnet.
   * Level 1 DNS: where the VPC sends a client's query for each host, from its DNS configuration (not with
   * dns: none, which leaves DNS to the user's team, wherever it answers: there is no zone of ours to reach).
   */
  dataPlaneProof(): DataPlaneProof {
    const proof: DataPlaneProof = {}
    const roleArn = this.settings.probeRoleArn
    if (roleArn) proof.probe = (context) => liveProbeChecks(context, (scope) => this.lambdaProbe(scope, roleArn))
    const settings = this.dnsSettings()
    if (settings) {
      proof.analyzeDns = async (context) => {
        const view = await settings.take()
        return analyseLinks(inNamedZones(view, context.links, (id) => this.live.placed.get(id)), context.links, context.controlPlane)
      }
    }
    return proof
  }

  /** The VPC's DNS settings for the level 1 analysis, read beside the verification; none with dns: none. */
  private dnsSettings(): ReadAhead<NetworkDnsView> | undefined {
    const network = this.live.network
    if (!network || this.config.dns.mode === 'none') return undefined
    const { ec2, resolver } = this.clients
    return (this.dnsView ??= readAhead(() => readAwsDnsView({ ec2, resolver, vpcId: network.vpcId, vpcCidrs: network.vpcCidrs, dhcpOptionsId: network.dhcpOptionsId })))
  }

  private async lambdaProbe(scope: EphemeralScope, roleArn: string): Promise<InNetworkProbe> {
    // Where the clients are: client-subnet and client-security-group-ids, else the endpoint's first subnet and the VPC's default group.
    const subnetId = this.config.client.subnet ?? this.settings.subnetIds[0] ?? ''
    const chosen = this.config.client.securityGroupIds
    const securityGroupIds = await probeSecurityGroups(this.clients.ec2, { vpcId: this.settings.vpcId, managedGroupName: baseName(this.config), chosen })
    const tags = ephemeralTags(this.config, 'probe', Date.now())
    const deadline = Date.now() + this.config.waitTimeoutSeconds * 1000
    // Loaded only for a run with a probe: the Lambda client and the probe's code are their own chunk.
    const { lambdaProbe } = await import('./lambda-probe.js')
    const groupsSaid = chosen.length ? securityGroupIds.join(', ') : `${securityGroupIds.join(', ')} (the VPC's default group)`
    return lambdaProbe({ lambda: await this.clients.lambda(), config: this.config, roleArn, subnetId, securityGroupIds, groupsSaid, scope, tags, deadline })
  }

  /** Reachability Analyzer's paths (with their analyses), then the interfaces they start from; the probe functions when a probe is configured. */
  ephemeralKinds(): EphemeralKind[] {
    const paths = awsPathKinds(this.clients.ec2, this.config)
    if (!this.settings.probeRoleArn) return paths
    const list = async () => (await import('./lambda-probe.js')).lambdaProbeKind(await this.clients.lambda(), this.config).list()
    return [...paths, { kind: PROBE_FUNCTION_KIND, list }]
  }

  /** Level 1 path proof: Reachability Analyzer from a short-lived interface in the client subnet. */
  pathAnalyzer(): PathAnalyzer {
    return awsPathAnalyzer({ ec2: this.clients.ec2, config: this.config, vpcId: this.settings.vpcId, endpointSubnetIds: this.settings.subnetIds, endpointId: () => this.endpointId() })
  }

  report(): ProviderReport {
    return {
      network: `${this.settings.vpcId} (${this.settings.region})`,
      endpointId: this.live.endpoint?.id,
      endpointAddress: this.live.endpoint?.dnsName || undefined,
      endpointIps: this.live.endpointIps.length ? this.live.endpointIps : undefined,
      securityRule: this.live.groupIds.join(', ') || undefined,
      dnsZones: [...this.live.zoneIds.entries()].map(([clusterId, id]) => ({ name: clusterId, id })),
      dnsRecords: this.dnsRecords()
    }
  }

  /** The alias record of each host, where it lives; for dns: none, what the DNS team creates. */
  private dnsRecords(): DnsRecordSpec[] {
    const e = this.live.endpoint
    return recordsWhereTheyLive(
      this.live.links,
      () => ({ values: this.live.endpointIps, ...(e?.dnsName ? { alias: { dnsName: e.dnsName, hostedZoneId: e.dnsZoneId } } : {}) }),
      this.live.placed,
      this.live.zoneIds
    )
  }

  private endpointId(): string | undefined {
    return this.live.endpoint?.id || undefined
  }

  private requireEndpoint(): ObservedEndpoint {
    if (!this.live.endpoint?.dnsName) throw new Error('The VPC endpoint has no DNS name yet')
    return this.live.endpoint
  }

  private async checkUserGroups(): Promise<void> {
    const ids = this.settings.securityGroupIds
    const groups = await describeGroups(this.clients.ec2, ids).catch((error: unknown) => {
      if ((error as Error).name === 'InvalidGroup.NotFound') throw new InputError('aws-security-group-ids', `${(error as Error).message}. Use groups of ${this.settings.vpcId}.`)
      throw error
    })
    const foreign = groups.filter((g) => g.vpcId !== this.settings.vpcId)
    if (foreign.length) throw new InputError('aws-security-group-ids', `${foreign.map((g) => `${g.id} belongs to ${g.vpcId}`).join(', ')}, not ${this.settings.vpcId}.`)
    this.live.groupIds = ids
  }
}

export function createProvider(config: Config, log: Logger, tokens: IdTokenSource, ahead?: ExchangeAhead<RoleSession>): CloudProvider {
  return new AwsProvider(config, log, tokens, ahead)
}
