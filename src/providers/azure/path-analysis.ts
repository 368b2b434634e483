// The path on Azure, level 1 without compute: Azure has no agentless path analysis, so the outcome for TCP
// from the client subnet to the private endpoint's IP on each link port is computed from what decides it
// (effective-rules.ts): the client subnet's network security group (outbound) and route table, and the
// endpoint's subnet's group (inbound), which Azure applies to private endpoint traffic only when the
// subnet's privateEndpointNetworkPolicies enables network security groups. Reads only; nothing is created.
// When azure-network-watcher-vm-id names a VM, Network Watcher's own checks from it join the evidence
// (network-watcher.ts).
import { cidrSpan, cidrContains } from '../../base/ip.js'
import type { AzureSettings, Config } from '../../config/types.js'
import { pathAnalyzer } from '../../engine/path-analysis.js'
import type { Blocker, PathAnalysisRun, PathAnalyzer, PortVerdict } from '../../engine/path-model.js'
import { parseResourceId, sameId, subnetId, virtualNetworkId, type AzureClients } from './clients.js'
import { chooseRoute, DEFAULT_SECURITY_RULES, evaluateGroup, ruleWords, spanWords, type GroupOutcome, type RouteChoice, type RouteView, type SecurityRuleView, type Span } from './effective-rules.js'
import type { NetworkSecurityGroup, RouteTable, Subnet, VirtualNetwork } from './network-api.js'

/** A subnet as the analysis needs it, with its network. */
export interface SubnetFacts {
  id: string
  name: string
  vnet: VirtualNetwork
  addressPrefixes: string[]
  nsgId?: string
  routeTableId?: string
  /** Disabled (Azure's default), Enabled, NetworkSecurityGroupEnabled or RouteTableEnabled */
  endpointPolicies: string
}

export interface AzurePathInput {
  clients: AzureClients
  config: Config
  settings: AzureSettings
  /** The endpoint's subnet and private IP, once the endpoint exists */
  endpoint(): { subnetId: string; ip: string } | undefined
  /** Network Watcher's checks from a VM, when one is named; their verdicts join the computed ones */
  watch?(run: PathAnalysisRun, ip: string, computed: PortVerdict[]): Promise<PortVerdict[]>
}

interface Origin {
  subnet: SubnetFacts
  words: string
}

const lastSegment = (id: string) => id.split('/').filter(Boolean).pop() ?? id
const vnetIdOf = (subnetResourceId: string) => subnetResourceId.replace(/\/subnets\/[^/]+$/i, '')

/** Reads a subnet through its network (one GET gives the subnet, the address space and the peerings). */
async function readSubnet(clients: AzureClients, id: string, input: string): Promise<SubnetFacts> {
  const vnetId = vnetIdOf(id)
  const { subscriptionId, resourceGroup, name: vnetName } = parseResourceId(vnetId)
  const vnet = await clients.network(subscriptionId).virtualNetwork(resourceGroup, vnetName)
  const name = lastSegment(id)
  const subnets = vnet.properties?.subnets ?? []
  const subnet: Subnet | undefined = subnets.find((s) => s.name?.toLowerCase() === name.toLowerCase())
  if (!subnet) throw new Error(`${input}: ${vnetName} has no subnet ${name}; its subnets are ${subnets.map((s) => s.name).join(', ') || 'none'}`)
  const p = subnet.properties ?? {}
  return {
    id: subnet.id ?? id,
    name: subnet.name ?? name,
    vnet,
    addressPrefixes: p.addressPrefix ? [p.addressPrefix] : (p.addressPrefixes ?? []),
    ...(p.networkSecurityGroup?.id ? { nsgId: p.networkSecurityGroup.id } : {}),
    ...(p.routeTable?.id ? { routeTableId: p.routeTable.id } : {}),
    endpointPolicies: p.privateEndpointNetworkPolicies ?? 'Disabled'
  }
}

/** client-subnet: a name in azure-virtual-network or a full subnet id; default the endpoint's subnet. */
function clientSubnetId(config: Config, settings: AzureSettings): { id: string; given: boolean } {
  const given = config.client.subnet
  if (!given) return { id: subnetId(settings), given: false }
  return { id: given.startsWith('/') ? given : `${virtualNetworkId(settings)}/subnets/${given}`, given: true }
}

async function resolveOrigin(input: AzurePathInput): Promise<Origin> {
  const { id, given } = clientSubnetId(input.config, input.settings)
  const subnet = await readSubnet(input.clients, id, given ? 'client-subnet' : 'azure-subnet')
  const which = given ? '' : " (the endpoint's, as client-subnet is not given)"
  return { subnet, words: `subnet ${subnet.name} (${subnet.addressPrefixes.join(', ')}) of ${subnet.vnet.name}${which}` }
}

export function azurePathAnalyzer(input: AzurePathInput): PathAnalyzer {
  return pathAnalyzer({
    readOrigin: () => resolveOrigin(input),
    aim: () => input.endpoint(),
    notYet: { proofSource: 'the effective network rules', detail: 'the private endpoint has no address to analyse yet' },
    analyse: async (run, from, endpoint) => {
      const computed = await computePath(input.clients, from.subnet, endpoint, run.ports)
      return input.watch ? input.watch(run, endpoint.ip, computed) : computed
    }
  })
}

const connectedPeerings = (vnet: VirtualNetwork) => (vnet.properties?.virtualNetworkPeerings ?? []).map((p) => p.properties ?? {}).filter((p) => (p.peeringState ?? 'Connected') === 'Connected')
const addressSpace = (vnet: VirtualNetwork) => vnet.properties?.addressSpace?.addressPrefixes ?? []
/** The route table's routes as the route choice reads them (ARM nests each route's fields under properties). */
const routesOf = (table: RouteTable | undefined): RouteView[] => (table?.properties?.routes ?? []).map((r) => ({ name: r.name, ...r.properties }))

/** VirtualNetwork service tag as far as it can be read: the address space, connected peerings' spaces, route prefixes. */
function virtualNetworkTag(vnet: VirtualNetwork, routes: RouteTable | undefined): string[] {
  const peered = connectedPeerings(vnet)
    .filter((p) => p.allowVirtualNetworkAccess !== false)
    .flatMap((p) => p.remoteAddressSpace?.addressPrefixes ?? [])
  const routePrefixes = routesOf(routes).map((r) => r.addressPrefix ?? '').filter((p) => /^\d/.test(p))
  return [...addressSpace(vnet), ...peered, ...routePrefixes]
}

async function readGroup(clients: AzureClients, id: string): Promise<NetworkSecurityGroup> {
  const { subscriptionId, resourceGroup, name } = parseResourceId(id)
  return clients.network(subscriptionId).networkSecurityGroup(resourceGroup, name)
}

async function readRouteTable(clients: AzureClients, id: string): Promise<RouteTable> {
  const { subscriptionId, resourceGroup, name } = parseResourceId(id)
  return clients.network(subscriptionId).routeTable(resourceGroup, name)
}

/** The group's own rules and its default rules (Azure returns them; the documented ones stand in if not). */
function rulesOf(group: NetworkSecurityGroup): SecurityRuleView[] {
  const flat = (rules: { name?: string; properties?: Omit<SecurityRuleView, 'name'> }[] | undefined): SecurityRuleView[] => (rules ?? []).map((r) => ({ name: r.name, ...r.properties }))
  const defaults = group.properties?.defaultSecurityRules?.length ? flat(group.properties.defaultSecurityRules) : DEFAULT_SECURITY_RULES
  return [...flat(group.properties?.securityRules), ...defaults]
}

const groupNsgPolicies = (policies: string) => policies === 'Enabled' || policies === 'NetworkSecurityGroupEnabled'
const groupRoutePolicies = (policies: string) => policies === 'Enabled' || policies === 'RouteTableEnabled'

export async function computePath(clients: AzureClients, client: SubnetFacts, endpoint: { subnetId: string; ip: string }, ports: number[]): Promise<PortVerdict[]> {
  const target = sameId(endpoint.subnetId, client.id) ? client : await readSubnet(clients, endpoint.subnetId, "the private endpoint's subnet")
  const nsgApplies = groupNsgPolicies(target.endpointPolicies)
  const ids = [client.nsgId, nsgApplies ? target.nsgId : undefined].filter((id): id is string => Boolean(id))
  const unique = [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()]
  const [routeTable, ...read] = await Promise.all([client.routeTableId ? readRouteTable(clients, client.routeTableId) : undefined, ...unique.map((id) => readGroup(clients, id))])
  const groups = new Map(unique.map((id, i) => [id.toLowerCase(), read[i] as NetworkSecurityGroup]))
  const sources: Span[] = client.addressPrefixes.map(cidrSpan)
  const route = routeOf(client, target, endpoint.ip, routeTable)
  const sourceWords = [
    `subnet ${client.name}: ${client.nsgId ? `network security group ${lastSegment(client.nsgId)}` : 'no network security group'}, ${client.routeTableId ? `route table ${lastSegment(client.routeTableId)}` : 'no route table'}`,
    ...(target === client ? [] : [`the endpoint's subnet ${target.name}`]),
    `privateEndpointNetworkPolicies ${target.endpointPolicies}${target.nsgId ? `, network security group ${lastSegment(target.nsgId)}` : ''}`
  ]
  const proofSource = `the effective rules (${sourceWords.join('; ')})`
  return ports.map((port) => {
    const blockers: Blocker[] = [...route.blockers]
    const unknowns: string[] = [...route.unknowns]
    const notes: string[] = [route.words]
    const outbound = client.nsgId ? groups.get(client.nsgId.toLowerCase()) : undefined
    if (outbound) {
      const tags = { virtualNetwork: virtualNetworkTag(client.vnet, routeTable) }
      const outcome = evaluateGroup(rulesOf(outbound), { direction: 'Outbound', sources, destination: endpoint.ip, port }, tags)
      judge(outcome, { group: outbound, where: `outbound on the client subnet ${client.name}`, port, ip: endpoint.ip, clientPrefixes: client.addressPrefixes }, blockers, unknowns, notes)
    } else notes.push(`no network security group on the client subnet ${client.name}`)
    if (!target.nsgId) notes.push(`no network security group on the endpoint's subnet ${target.name}`)
    else if (!nsgApplies) notes.push(`network security group ${lastSegment(target.nsgId)} on the endpoint's subnet does not apply to the private endpoint: its subnet's privateEndpointNetworkPolicies is ${target.endpointPolicies}`)
    else {
      const inbound = groups.get(target.nsgId.toLowerCase()) as NetworkSecurityGroup
      const tags = { virtualNetwork: virtualNetworkTag(target.vnet, undefined) }
      const outcome = evaluateGroup(rulesOf(inbound), { direction: 'Inbound', sources, destination: endpoint.ip, port }, tags)
      judge(outcome, { group: inbound, where: `inbound on the endpoint's subnet ${target.name} (privateEndpointNetworkPolicies ${target.endpointPolicies})`, port, ip: endpoint.ip, clientPrefixes: client.addressPrefixes }, blockers, unknowns, notes)
    }
    const reachable = blockers.length ? false : unknowns.length ? undefined : true
    const unseen = 'not visible to this analysis: security groups on the clients\' own network interfaces and Azure Virtual Network Manager admin rules'
    return { port, reachable, proofSource, blockers, detail: [...(reachable === undefined ? unknowns : []), ...notes, unseen].join('; ') }
  })
}

interface GroupContext {
  group: NetworkSecurityGroup
  where: string
  port: number
  ip: string
  clientPrefixes: string[]
}

/** A group's outcome as blockers (a Deny that drops part of the client range), unknowns and notes. */
function judge(outcome: GroupOutcome, c: GroupContext, blockers: Blocker[], unknowns: string[], notes: string[]): void {
  const name = c.group.name ?? lastSegment(c.group.id ?? '')
  const inbound = c.where.startsWith('inbound')
  for (const denied of outcome.denied) {
    const rule = denied.rule
    const isDefault = (rule.priority ?? 0) >= 65000
    const from = c.clientPrefixes.join(', ')
    blockers.push({
      component: `network security group ${name}, ${c.where}: rule ${ruleWords(rule)}`,
      why: `it denies tcp/${c.port} from ${spanWords(denied.spans)} to ${c.ip}`,
      fix: isDefault
        ? `Add an ${inbound ? 'inbound' : 'outbound'} rule to ${name} that allows TCP ${c.port} from ${from} to ${c.ip} with a priority number below ${rule.priority} (lower numbers are evaluated first).`
        : `In ${name}, add an ${inbound ? 'inbound' : 'outbound'} rule that allows TCP ${c.port} from ${from} to ${c.ip} with a priority number below ${rule.priority} (lower numbers are evaluated first), or remove or narrow rule ${rule.name}.`
    })
  }
  for (const u of outcome.undecided) unknowns.push(`network security group ${name}, ${c.where}: rule ${ruleWords(u.rule)} may decide it (${u.why})`)
  if (!outcome.denied.length) notes.push(`network security group ${name}, ${c.where}, allows it by ${[...new Set(outcome.allowed.map((a) => a.rule.name))].join(', ')}`)
}

interface RouteOutcome {
  blockers: Blocker[]
  unknowns: string[]
  words: string
}

/** The client subnet's route to the endpoint's IP, and what it means for the traffic. */
function routeOf(client: SubnetFacts, target: SubnetFacts, ip: string, table: RouteTable | undefined): RouteOutcome {
  const sameNetwork = sameId(client.vnet.id, target.vnet.id)
  const peerings = connectedPeerings(client.vnet)
  const peered = peerings.some((p) => sameId(p.remoteVirtualNetwork?.id, target.vnet.id))
  const endpointSpace = addressSpace(target.vnet).find((p) => cidrContains(p, ip)) ?? `${ip}/32`
  const choice = chooseRoute({
    destination: ip,
    userRoutes: routesOf(table),
    localSpaces: addressSpace(client.vnet),
    peeredSpaces: peerings.flatMap((p) => p.remoteAddressSpace?.addressPrefixes ?? []),
    endpointRouteVisible: sameNetwork || peered,
    routePoliciesOnEndpointSubnet: groupRoutePolicies(target.endpointPolicies),
    endpointSpaceLength: Number(endpointSpace.split('/')[1] ?? 32)
  })
  return routeOutcome(choice, client, table, ip)
}

function routeWords(choice: RouteChoice, table: RouteTable | undefined): string {
  const which = choice.route ? `route ${choice.route.name} (${choice.prefix} → ${choice.nextHopType}${choice.route.nextHopIpAddress ? ` ${choice.route.nextHopIpAddress}` : ''}) of route table ${table?.name ?? '?'}` : `the system route ${choice.prefix} → ${choice.nextHopType}`
  return `${which}${choice.note ? `; ${choice.note}` : ''}`
}

function routeOutcome(choice: RouteChoice, client: SubnetFacts, table: RouteTable | undefined, ip: string): RouteOutcome {
  const words = `route: ${routeWords(choice, table)}`
  const none: RouteOutcome = { blockers: [], unknowns: [], words }
  const tableName = table?.name ?? '?'
  const routeName = choice.route?.name ?? '?'
  switch (choice.nextHopType) {
    case 'InterfaceEndpoint':
    case 'VNetPeering':
      return none
    case 'VnetLocal':
      if (choice.origin === 'system' || addressSpace(client.vnet).some((p) => cidrContains(p, ip))) return none
      return { ...none, unknowns: [`route ${routeName} of route table ${tableName} sends ${ip} to VnetLocal, but it is not in ${client.vnet.name}'s address space`] }
    case 'VirtualAppliance':
      return { ...none, unknowns: [`route ${routeName} of route table ${tableName} on subnet ${client.name} sends ${ip} through the appliance ${choice.route?.nextHopIpAddress ?? '?'}, whose own rules the configuration does not show`] }
    case 'VirtualNetworkGateway':
      return { ...none, unknowns: [`route ${routeName} of route table ${tableName} on subnet ${client.name} sends ${ip} to the virtual network gateway, beyond what the configuration shows`] }
    case 'None':
    case 'Internet':
      if (choice.origin === 'user')
        return {
          ...none,
          blockers: [
            {
              component: `route ${routeName} (${choice.prefix} → ${choice.nextHopType}) of route table ${tableName} on subnet ${client.name}`,
              why: choice.nextHopType === 'None' ? `it drops traffic to ${ip}` : `it sends traffic for the private address ${ip} to the internet, where it is not reachable`,
              fix: `Remove route ${routeName} from ${tableName} or narrow its prefix so it does not cover ${ip}, or add a route for ${ip}/32 with next hop VnetLocal (or through an appliance that forwards it).`
            }
          ]
        }
      return {
        ...none,
        unknowns: [
          `no route the configuration shows reaches ${ip}: ${client.vnet.name} is neither the endpoint's network nor peered with it, so only routes a gateway learns (BGP, not readable) could carry it; peer the networks or choose a client-subnet that can reach it`
        ]
      }
    default:
      return { ...none, unknowns: [`route ${routeName} of route table ${tableName} has next hop ${choice.nextHopType}, which this analysis does not model`] }
  }
}
