// The path on Google Cloud: one Connectivity Test per link port from an address in the client subnetwork
// to the PSC endpoint's IP, deleted when the run ends (the scope) or, after a crash, by a later run that
// finds it by its labels. A dropped trace names the firewall rule or policy rule (or the PSC state) that
// drops the packet and the change that lets it through.
import type { Config } from '../../config/types.js'
import { ephemeralTags, EXPIRES_TAG, expiryOf, PURPOSE_TAG, type EphemeralKind, type EphemeralResource } from '../../engine/ephemeral.js'
import { ownershipTags } from '../../engine/ownership.js'
import type { Blocker, PathAnalysisRun, PathAnalyzer, PortVerdict } from '../../engine/path-model.js'
import { pathAnalyzer } from '../../engine/path-analysis.js'
import { waitFor } from '../../engine/wait.js'
import { realClock, type Clock } from '../../base/timing.js'
import { cidrSpan, numberToIp } from '../../base/ip.js'
import type { ComputeApi } from './compute-api.js'
import { isNotFound } from './google-http.js'
import { labelKey, toLabels } from './labels.js'
import { lastSegment, networkPath, resourcePath } from './names.js'
import type { ConnectivityTest, FirewallInfo, LongRunning, NetworkManagementApi, Step } from './network-management-api.js'

const PURPOSE = 'path-analysis'
const KIND = 'gcp.connectivity-test'

/** Deletes a test and waits for its operation; a test already gone counts as deleted. */
async function deleteTest(api: NetworkManagementApi, name: string, clock: Clock): Promise<void> {
  let op: LongRunning
  try {
    op = await api.deleteTest(name)
  } catch (error) {
    if (isNotFound(error)) return
    throw error
  }
  if (!op.done) await waitForOperation(api, op, { what: `the deletion of Connectivity Test ${lastSegment(name)}`, deadline: clock.now() + 120_000, clock })
}

async function waitForOperation(api: NetworkManagementApi, started: LongRunning, options: { what: string; deadline: number; clock: Clock; signal?: AbortSignal }): Promise<LongRunning> {
  if (started.done) return started
  return waitFor<LongRunning>({
    what: options.what,
    deadline: options.deadline,
    clock: options.clock,
    minDelayMs: 1000,
    maxDelayMs: 5000,
    ...(options.signal ? { signal: options.signal } : {}),
    poll: async () => {
      const op = await api.getOperation(started.name)
      return { done: op.done === true, state: op.done ? 'done' : 'running', value: op }
    }
  })
}

/** The labels that make a test ours: this project's, region's and repository's ownership, and the purpose. */
function ourLabels(config: Config): Record<string, string> {
  return toLabels({ ...ownershipTags(config), [PURPOSE_TAG]: PURPOSE })
}

export function gcpPathKinds(api: NetworkManagementApi, config: Config, clock: Clock = realClock): EphemeralKind[] {
  return [
    {
      kind: KIND,
      list: async () => {
        const wanted = ourLabels(config)
        const tests = await api.listTests(wanted)
        return tests
          .filter((t) => Object.entries(wanted).every(([k, v]) => t.labels?.[k] === v))
          .map((t): EphemeralResource => ({ kind: KIND, name: lastSegment(t.name), expiresAt: expiryOf(t.labels?.[labelKey(EXPIRES_TAG)]), remove: () => deleteTest(api, t.name, clock) }))
      }
    }
  ]
}

export interface GcpPathInput {
  /** Compute in the network's project (a Shared VPC's host), where the client subnetwork is read */
  compute: ComputeApi
  /** In the endpoint's project: the tests are made there */
  networkManagement: NetworkManagementApi
  config: Config
  /** The network's project: the source of every test is an address of its network */
  networkProjectId: string
  /** The project that owns the forwarding rule, the tests' destination */
  endpointProjectId: string
  region: string
  /** The endpoint's subnetwork name: the default client subnetwork */
  subnetwork: string
  /** Name prefix of the action's resources (test ids start with it) */
  prefix: string
  endpointIp(): string | undefined
  endpointName(): string | undefined
  clock?: Clock
}

interface Origin {
  ip: string
  network: string
  words: string
}

/** The client subnetwork from client-subnet (name, path or URL) or the endpoint's, and the address tests start from. */
async function resolveOrigin(input: GcpPathInput): Promise<Origin> {
  const given = input.config.client.subnet
  const ref = given ?? input.subnetwork
  const region = /regions\/([^/]+)\/subnetworks\//.exec(resourcePath(ref))?.[1] ?? input.region
  const name = lastSegment(ref)
  const subnet = await input.compute.getSubnetwork(region, name)
  if (!subnet) throw new Error(`client-subnet ${given ?? name}: no subnetwork ${name} in ${region} of ${input.networkProjectId}; give a subnetwork of the link's network`)
  // The first address Google lets a VM have (the network address and the gateway come before it).
  const ip = numberToIp(cidrSpan(subnet.ipCidrRange)[0] + 2)
  const which = given ? `subnetwork ${name}` : `subnetwork ${name} (the endpoint's, as client-subnet is not given)`
  return {
    ip,
    network: resourcePath(subnet.network) || networkPath(input.networkProjectId, lastSegment(subnet.network)),
    words: `${ip} in ${which}, ${subnet.ipCidrRange} (an address, not a VM: firewall rules aimed at network tags or service accounts do not apply to it)`
  }
}

export function gcpPathAnalyzer(input: GcpPathInput): PathAnalyzer {
  const clock = input.clock ?? realClock
  return pathAnalyzer({
    readOrigin: () => resolveOrigin(input),
    aim: () => input.endpointIp(),
    notYet: { proofSource: 'Connectivity Tests', detail: 'the endpoint has no address to analyse yet' },
    analyse: async (run: PathAnalysisRun, from: Origin, ip: string): Promise<PortVerdict[]> => {
      const labels = toLabels(ephemeralTags(input.config, PURPOSE, clock.now()))
      const stamp = clock.now().toString(36)
      return Promise.all(run.ports.map((port) => analysePort(input, { run, labels, from, ip, port, testId: testIdOf(input.prefix, port, stamp), clock })))
    }
  })
}

/** Unique per run and port; the API allows 40 characters: lowercase letters, digits and hyphens. */
function testIdOf(prefix: string, port: number, stamp: string): string {
  const tail = `-path-${port}-${stamp}`
  const head = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^[^a-z]+/, '').slice(0, 40 - tail.length).replace(/-+$/, '')
  return `${head || 'zpl'}${tail}`
}

interface PortRun {
  run: PathAnalysisRun
  labels: Record<string, string>
  from: Origin
  ip: string
  port: number
  testId: string
  clock: Clock
}

async function analysePort(input: GcpPathInput, p: PortRun): Promise<PortVerdict> {
  const api = input.networkManagement
  const endpoint = input.endpointName()
  let started: LongRunning | undefined
  const test = await p.run.scope.create(async () => {
    started = await api.createTest(p.testId, {
      description: 'zilliz-private-link path analysis; deleted when the run ends',
      // With a Shared VPC the source network is the host's, the forwarding rule the endpoint project's.
      source: { ipAddress: p.from.ip, network: p.from.network, projectId: input.networkProjectId, networkType: 'GCP_NETWORK' },
      destination: { ipAddress: p.ip, port: p.port, ...(endpoint ? { forwardingRule: `projects/${input.endpointProjectId}/regions/${input.region}/forwardingRules/${endpoint}` } : {}) },
      protocol: 'TCP',
      labels: p.labels
    })
    const name = `projects/${api.projectId}/locations/global/connectivityTests/${p.testId}`
    return { kind: KIND, name: p.testId, remove: () => deleteTest(api, name, p.clock) }
  })
  const done = await waitForOperation(api, started as LongRunning, {
    what: `Connectivity Test ${test.name} of tcp/${p.port}`,
    deadline: p.run.deadline,
    clock: p.clock,
    ...(p.run.signal ? { signal: p.run.signal } : {})
  })
  const result: ConnectivityTest | undefined = done.response?.reachabilityDetails ? done.response : done.error ? undefined : await api.getTest(test.name)
  return verdictOf(result, done, p.port, test.name, p.ip)
}

function verdictOf(test: ConnectivityTest | undefined, op: LongRunning, port: number, testId: string, ip: string): PortVerdict {
  const proofSource = `Connectivity Test ${testId}`
  const details = test?.reachabilityDetails
  const steps = details?.traces?.flatMap((t) => t.steps ?? []) ?? []
  switch (details?.result) {
    case 'REACHABLE':
      return { port, reachable: true, proofSource, blockers: [] }
    case 'UNREACHABLE':
      return { port, reachable: false, proofSource, blockers: blockersOf(steps, port, ip) }
    default: {
      const abort = steps.find((s) => s.abort)?.abort
      const why = op.error?.message ?? details?.error?.message ?? (abort ? `aborted: ${abort.cause ?? 'no cause given'}${abort.resourceUri ? ` at ${abort.resourceUri}` : ''}` : `the result is ${details?.result ?? 'missing'}`)
      return { port, reachable: undefined, proofSource, blockers: [], detail: `the analysis could not decide (${why})` }
    }
  }
}

function firewallWords(f: FirewallInfo | undefined): string {
  if (!f) return 'a firewall rule'
  const kind = f.firewallRuleType === 'IMPLIED_VPC_FIREWALL_RULE' ? 'implied VPC firewall rule' : f.policy ? `rule of firewall policy ${f.policy}` : 'VPC firewall rule'
  return `${kind} ${f.displayName ?? lastSegment(f.uri ?? '') ?? '?'} (${f.action ?? '?'} ${f.direction ?? ''}, priority ${f.priority ?? '?'})`
}

/** Connectivity Tests' drop causes (DropInfo.cause in the discovery document) as a diagnosis. */
export function blockersOf(steps: Step[], port: number, ip: string): Blocker[] {
  const drop = steps.find((s) => s.drop)?.drop
  const firewall = [...steps].reverse().find((s) => s.firewall && s.causesDrop)?.firewall ?? [...steps].reverse().find((s) => s.firewall)?.firewall
  switch (drop?.cause) {
    case 'FIREWALL_RULE':
      return [
        {
          component: firewallWords(firewall),
          why: `it denies tcp/${port} from the client subnetwork to the endpoint ${ip}`,
          fix: firewall?.policy
            ? `In firewall policy ${firewall.policy}, add an allow (or goto_next) rule for tcp/${port} to ${ip}/32 with a priority number below ${firewall.priority ?? 'that rule'}, or remove the deny.`
            : `Add an EGRESS allow rule for tcp/${port} to ${ip}/32 with a priority number below ${firewall?.priority ?? 'that rule'} (a lower number wins), or remove the deny ${firewall?.displayName ?? ''}.`.replace(/ \.$/, '.')
        }
      ]
    case 'PSC_CONNECTION_NOT_ACCEPTED':
      return [
        {
          component: `the PSC endpoint ${lastSegment(drop.resourceUri ?? '')}`,
          why: 'Zilliz has not accepted its connection',
          fix: 'Wait for the registration to be accepted and run again; if it stays pending, check that this project is the one registered with Zilliz for the private link.'
        }
      ]
    default:
      return [
        {
          component: `${drop?.cause ?? 'an unnamed drop'}${drop?.resourceUri ? ` at ${drop.resourceUri}` : ''}`,
          why: steps.find((s) => s.causesDrop)?.description ?? 'Connectivity Tests reports the packet dropped there',
          fix: `Read the test's trace in the Network Intelligence Center console and the drop cause ${drop?.cause ?? ''} in the Connectivity Tests documentation.`
        }
      ]
  }
}
