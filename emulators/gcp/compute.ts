// Compute Engine v1 REST for the projects of one organization: networks and subnetworks (seeded),
// addresses, PSC forwarding rules, firewall rules, and region and global operations. Callers need a bearer
// token the STS or IAM emulator issued and the IAM permission of each call on its project (iam.ts); a
// project outside the organization answers 403 as Google does for a project the caller cannot see.
// Shared VPC: a service project's address and endpoint may use its host project's subnetwork and network.
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { World } from '../core/world.js'
import type { RateLimit } from '../core/rate-limits.js'
import { computeLimits, computeThrottled } from './rate-limits.js'
import type { AccessTokens } from './access-tokens.js'
import { ok, requirePermission, type ComputeContext, type ComputeSettings } from './compute-context.js'
import { deleteFirewall, effectiveFirewalls, getFirewall, insertFirewall, listFirewalls, patchFirewall } from './compute-firewalls.js'
import type { ComputeState, ComputeTopology } from './compute-model.js'
import { GcpOrganization } from './organization.js'
import { ComputeOperations, type OperationSettings } from './compute-operations.js'
import { deleteAddress, deleteForwardingRule, getAddress, getForwardingRule, insertAddress, insertForwardingRule, listAddresses, listForwardingRules, patchForwardingRule, setLabels } from './compute-psc.js'
import { networkView, subnetworkView } from './compute-views.js'
import { GoogleError, answer, findRoute, googleErrorResponse, notFound, type Route } from './google-wire.js'

export interface ComputeEmulatorOptions {
  /** The default project */
  topology: ComputeTopology
  /** The organization's other projects (Shared VPC hosts, service projects), with their relations set on `org` */
  projects?: ComputeTopology[]
  operationDelayMs?: number
  waitTimeoutMs?: number
  acceptanceDelayMs?: number
  now?: () => number
}

type Handler = (ctx: ComputeContext, params: string[], req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>

const P = '^/compute/v1/projects/([^/]+)'
const R = `${P}/regions/([^/]+)`

function getNetwork(ctx: ComputeContext, [name = '']: string[]): EmulatorResponse {
  const found = ctx.state.networks.get(name)
  if (!found) throw notFound(`projects/${ctx.state.project}/global/networks/${name}`)
  return ok(networkView(ctx.state, found))
}

function getSubnetwork(ctx: ComputeContext, [region = '', name = '']: string[]): EmulatorResponse {
  const found = ctx.state.subnetworks.get(`${region}/${name}`)
  if (!found) throw notFound(`projects/${ctx.state.project}/regions/${region}/subnetworks/${name}`)
  return ok(subnetworkView(ctx.state, found))
}

function aggregatedSubnetworks(ctx: ComputeContext): EmulatorResponse {
  const items: Record<string, { subnetworks: unknown[] }> = {}
  for (const s of ctx.state.subnetworks.values()) (items[`regions/${s.region}`] ??= { subnetworks: [] }).subnetworks.push(subnetworkView(ctx.state, s))
  return ok({ kind: 'compute#subnetworkAggregatedList', id: `projects/${ctx.state.project}/aggregated/subnetworks`, items })
}

// The IAM permissions Google checks for each method on the project in its URL (cloud.google.com/compute/docs/
// reference/rest/v1, "Authorization requires the following IAM permission"); permissions on resources of
// other projects (a host's subnetwork or network) are checked where they are used (compute-psc.ts).
const METHOD_PERMISSIONS: Record<string, string[]> = {
  'networks.get': ['compute.networks.get'],
  'networks.getEffectiveFirewalls': ['compute.networks.getEffectiveFirewalls'],
  'subnetworks.get': ['compute.subnetworks.get'],
  'subnetworks.aggregatedList': ['compute.subnetworks.list'],
  'addresses.list': ['compute.addresses.list'],
  'addresses.get': ['compute.addresses.get'],
  'addresses.insert': ['compute.addresses.createInternal'],
  'addresses.delete': ['compute.addresses.deleteInternal'],
  'addresses.setLabels': ['compute.addresses.setLabels'],
  'forwardingRules.list': ['compute.forwardingRules.list'],
  'forwardingRules.get': ['compute.forwardingRules.get'],
  // A PSC endpoint is registered in Service Directory in its project as it is created.
  'forwardingRules.insert': ['compute.forwardingRules.create', 'compute.forwardingRules.pscCreate', 'servicedirectory.namespaces.create', 'servicedirectory.services.create', 'servicedirectory.endpoints.create'],
  'forwardingRules.patch': ['compute.forwardingRules.update', 'compute.forwardingRules.pscUpdate'],
  'forwardingRules.delete': ['compute.forwardingRules.delete', 'compute.forwardingRules.pscDelete'],
  'forwardingRules.setLabels': ['compute.forwardingRules.setLabels', 'compute.forwardingRules.pscSetLabels'],
  'firewalls.list': ['compute.firewalls.list'],
  'firewalls.get': ['compute.firewalls.get'],
  'firewalls.insert': ['compute.firewalls.create', 'compute.networks.updatePolicy'],
  'firewalls.patch': ['compute.firewalls.update', 'compute.networks.updatePolicy'],
  'firewalls.delete': ['compute.firewalls.delete', 'compute.networks.updatePolicy'],
  'regionOperations.get': ['compute.regionOperations.get'],
  'regionOperations.wait': ['compute.regionOperations.get'],
  'globalOperations.get': ['compute.globalOperations.get'],
  'globalOperations.wait': ['compute.globalOperations.get']
}

export class ComputeEmulator implements Service {
  readonly name = 'gcp-compute'
  readonly org: GcpOrganization
  /** The default project's state and operations */
  readonly state: ComputeState
  readonly operations: ComputeOperations
  private readonly operationsByProject = new Map<string, ComputeOperations>()
  readonly settings: ComputeSettings
  private readonly accepted = new Set<string>()
  private readonly pending = new Map<string, Set<string>>()
  private readonly now: () => number

  private readonly routes: Route<Handler>[] = [
    this.route('GET', `${P}/global/networks/([^/]+)$`, 'networks.get', false, getNetwork),
    this.route('GET', `${P}/global/networks/([^/]+)/getEffectiveFirewalls$`, 'networks.getEffectiveFirewalls', false, (c, [n = '']) => effectiveFirewalls(c, n)),
    this.route('GET', `${R}/subnetworks/([^/]+)$`, 'subnetworks.get', false, getSubnetwork),
    this.route('GET', `${P}/aggregated/subnetworks$`, 'subnetworks.aggregatedList', false, aggregatedSubnetworks),
    this.route('GET', `${R}/addresses$`, 'addresses.list', false, (c, [r = ''], q) => listAddresses(c, r, q)),
    this.route('GET', `${R}/addresses/([^/]+)$`, 'addresses.get', false, (c, [r = '', n = '']) => getAddress(c, r, n)),
    this.route('POST', `${R}/addresses$`, 'addresses.insert', true, (c, [r = ''], q) => insertAddress(c, r, q)),
    this.route('DELETE', `${R}/addresses/([^/]+)$`, 'addresses.delete', true, (c, [r = '', n = '']) => deleteAddress(c, r, n)),
    this.route('POST', `${R}/addresses/([^/]+)/setLabels$`, 'addresses.setLabels', true, (c, [r = '', n = ''], q) => setLabels(c, 'addresses', r, n, q)),
    this.route('GET', `${R}/forwardingRules$`, 'forwardingRules.list', false, (c, [r = ''], q) => listForwardingRules(c, r, q)),
    this.route('GET', `${R}/forwardingRules/([^/]+)$`, 'forwardingRules.get', false, (c, [r = '', n = '']) => getForwardingRule(c, r, n)),
    this.route('POST', `${R}/forwardingRules$`, 'forwardingRules.insert', true, (c, [r = ''], q) => insertForwardingRule(c, r, q)),
    this.route('PATCH', `${R}/forwardingRules/([^/]+)$`, 'forwardingRules.patch', true, (c, [r = '', n = ''], q) => patchForwardingRule(c, r, n, q)),
    this.route('DELETE', `${R}/forwardingRules/([^/]+)$`, 'forwardingRules.delete', true, (c, [r = '', n = '']) => deleteForwardingRule(c, r, n)),
    this.route('POST', `${R}/forwardingRules/([^/]+)/setLabels$`, 'forwardingRules.setLabels', true, (c, [r = '', n = ''], q) => setLabels(c, 'forwardingRules', r, n, q)),
    this.route('GET', `${P}/global/firewalls$`, 'firewalls.list', false, (c, _p, q) => listFirewalls(c, q)),
    this.route('GET', `${P}/global/firewalls/([^/]+)$`, 'firewalls.get', false, (c, [n = '']) => getFirewall(c, n)),
    this.route('POST', `${P}/global/firewalls$`, 'firewalls.insert', true, (c, _p, q) => insertFirewall(c, q)),
    this.route('PATCH', `${P}/global/firewalls/([^/]+)$`, 'firewalls.patch', true, (c, [n = ''], q) => patchFirewall(c, n, q)),
    this.route('DELETE', `${P}/global/firewalls/([^/]+)$`, 'firewalls.delete', true, (c, [n = '']) => deleteFirewall(c, n)),
    this.route('GET', `${R}/operations/([^/]+)$`, 'regionOperations.get', false, (c, [r = '', n = '']) => ok(c.operations.get(r, n))),
    this.route('POST', `${R}/operations/([^/]+)/wait$`, 'regionOperations.wait', false, async (c, [r = '', n = '']) => ok(await c.operations.wait(r, n))),
    this.route('GET', `${P}/global/operations/([^/]+)$`, 'globalOperations.get', false, (c, [n = '']) => ok(c.operations.get(undefined, n))),
    this.route('POST', `${P}/global/operations/([^/]+)/wait$`, 'globalOperations.wait', false, async (c, [n = '']) => ok(await c.operations.wait(undefined, n)))
  ]

  constructor(
    private readonly world: World,
    private readonly tokens: AccessTokens,
    options: ComputeEmulatorOptions
  ) {
    this.now = options.now ?? Date.now
    this.org = new GcpOrganization([options.topology, ...(options.projects ?? [])])
    const operationSettings: OperationSettings = { operationDelayMs: options.operationDelayMs ?? 20, waitTimeoutMs: options.waitTimeoutMs ?? 2000 }
    for (const state of this.org.projects) {
      const operations = new ComputeOperations(state, operationSettings, this.now)
      operations.release = (path) => this.pendingIn(state.project).delete(path)
      this.operationsByProject.set(state.project, operations)
    }
    this.state = this.org.compute(options.topology.project) as ComputeState
    this.operations = this.operationsByProject.get(this.state.project) as ComputeOperations
    // Every project's operations draw transient failures from the one hook tests and chaos set.
    for (const operations of this.operationsByProject.values()) if (operations !== this.operations) operations.transientFailure = () => this.operations.transientFailure?.() ?? false
    this.settings = { acceptanceDelayMs: options.acceptanceDelayMs ?? 0 }
    // Zilliz's acceptance of a registration is what the service attachment's accept list follows.
    world.onAcceptance((cloud, name, accepted) => {
      if (cloud !== 'gcp') return
      if (accepted) this.accepted.add(name)
      else this.accepted.delete(name)
      for (const rule of this.org.projects.flatMap((p) => [...p.forwardingRules.values()])) {
        if (rule.name !== name) continue
        if (accepted) rule.acceptedAt = this.now()
        else delete rule.acceptedAt
      }
    })
  }

  classify(req: EmulatorRequest): Classified {
    const found = findRoute(this.routes, req)
    if (!found) return { operation: 'unknown', write: req.method !== 'GET' }
    // A repeated requestId returns the first operation and changes nothing.
    const operations = this.operationsByProject.get(found.params[0] ?? '')
    const repeat = found.route.write && operations?.repeated(req.url.searchParams.get('requestId')) !== undefined
    return { operation: found.route.operation, write: found.route.write && !repeat }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answer(() => {
      const found = findRoute(this.routes, req)
      if (!found) throw new GoogleError(404, 'notFound', `No route for ${req.method} ${req.url.pathname}`)
      const caller = this.tokens.authenticate(req)
      const [project = '', ...params] = found.params
      const state = this.org.compute(project)
      const operations = this.operationsByProject.get(project)
      const resource = req.url.pathname.replace(/^\/compute\/v1\//, '')
      const permissions = METHOD_PERMISSIONS[found.route.operation] ?? []
      if (!state || !operations) throw new GoogleError(403, 'forbidden', `Required '${permissions[0] ?? 'compute.projects.get'}' permission for '${resource}'`)
      const requestId = req.url.searchParams.get('requestId')
      if (requestId !== null && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(requestId))
        throw new GoogleError(400, 'invalid', `Invalid value for field 'requestId': '${requestId}'. The request ID must be a valid UUID.`)
      const repeated = found.route.write ? operations.repeated(requestId) : undefined
      if (repeated) return ok(repeated)
      const ctx: ComputeContext = {
        state,
        org: this.org,
        operations,
        world: this.world,
        settings: this.settings,
        accepted: this.accepted,
        pending: this.pendingIn(project),
        user: caller.principal.id,
        requestId,
        now: this.now
      }
      for (const permission of permissions) requirePermission(ctx, permission, resource)
      return found.route.handler(ctx, params, req)
    })
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return googleErrorResponse(status, code, message)
  }

  rateLimits(call: Classified, req: EmulatorRequest): RateLimit[] {
    return computeLimits(call, /^\/compute\/v1\/projects\/([^/]+)/.exec(req.url.pathname)?.[1] ?? this.state.project)
  }

  /** Names whose insert is still running, per project */
  private pendingIn(project: string): Set<string> {
    const found = this.pending.get(project) ?? new Set<string>()
    this.pending.set(project, found)
    return found
  }

  /** A project of the organization, by id */
  project(id: string): ComputeState {
    const state = this.org.compute(id)
    if (!state) throw new Error(`no project ${id} in the emulated organization`)
    return state
  }

  throttled(): EmulatorResponse {
    return computeThrottled()
  }

  private route(method: string, pattern: string, operation: string, write: boolean, handler: Handler): Route<Handler> {
    return { method, pattern: new RegExp(pattern), operation, write, handler }
  }
}
