// Compute Engine v1 REST for one project: networks and subnetworks (seeded), addresses, PSC forwarding
// rules, firewall rules, and region and global operations. Callers need a bearer token the STS or IAM
// emulator issued; another project answers 403 as Google does for a project the caller cannot see.
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { World } from '../core/world.js'
import type { RateLimit } from '../core/rate-limits.js'
import { computeLimits, computeThrottled } from './rate-limits.js'
import type { AccessTokens } from './access-tokens.js'
import { ok, type ComputeContext, type ComputeSettings } from './compute-context.js'
import { deleteFirewall, effectiveFirewalls, getFirewall, insertFirewall, listFirewalls, patchFirewall } from './compute-firewalls.js'
import { ComputeState, type ComputeTopology } from './compute-model.js'
import { ComputeOperations, type OperationSettings } from './compute-operations.js'
import { deleteAddress, deleteForwardingRule, getAddress, getForwardingRule, insertAddress, insertForwardingRule, listAddresses, listForwardingRules, patchForwardingRule, setLabels } from './compute-psc.js'
import { networkView, subnetworkView } from './compute-views.js'
import { GoogleError, answer, findRoute, googleErrorResponse, notFound, type Route } from './google-wire.js'

export interface ComputeEmulatorOptions {
  topology: ComputeTopology
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

export class ComputeEmulator implements Service {
  readonly name = 'gcp-compute'
  readonly state: ComputeState
  readonly operations: ComputeOperations
  readonly settings: ComputeSettings
  private readonly accepted = new Set<string>()
  private readonly pending = new Set<string>()
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
    this.state = new ComputeState(options.topology)
    const operationSettings: OperationSettings = { operationDelayMs: options.operationDelayMs ?? 20, waitTimeoutMs: options.waitTimeoutMs ?? 2000 }
    this.operations = new ComputeOperations(this.state, operationSettings, this.now)
    this.operations.release = (path) => this.pending.delete(path)
    this.settings = { acceptanceDelayMs: options.acceptanceDelayMs ?? 0 }
    // Zilliz's acceptance of a registration is what the service attachment's accept list follows.
    world.onAcceptance((cloud, name, accepted) => {
      if (cloud !== 'gcp') return
      if (accepted) this.accepted.add(name)
      else this.accepted.delete(name)
      for (const rule of this.state.forwardingRules.values()) {
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
    const repeat = found.route.write && this.operations.repeated(req.url.searchParams.get('requestId')) !== undefined
    return { operation: found.route.operation, write: found.route.write && !repeat }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answer(() => {
      const found = findRoute(this.routes, req)
      if (!found) throw new GoogleError(404, 'notFound', `No route for ${req.method} ${req.url.pathname}`)
      const caller = this.tokens.authenticate(req)
      const [project = '', ...params] = found.params
      if (project !== this.state.project) {
        const permission = `compute.${found.route.operation.replace(/^(region|global)Operations\.wait$/, '$1Operations.get')}`
        throw new GoogleError(403, 'forbidden', `Required '${permission}' permission for '${req.url.pathname.replace(/^\/compute\/v1\//, '')}'`)
      }
      const requestId = req.url.searchParams.get('requestId')
      if (requestId !== null && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(requestId))
        throw new GoogleError(400, 'invalid', `Invalid value for field 'requestId': '${requestId}'. The request ID must be a valid UUID.`)
      const repeated = found.route.write ? this.operations.repeated(requestId) : undefined
      if (repeated) return ok(repeated)
      const ctx: ComputeContext = {
        state: this.state,
        operations: this.operations,
        world: this.world,
        settings: this.settings,
        accepted: this.accepted,
        pending: this.pending,
        user: caller.principal.id,
        requestId,
        now: this.now
      }
      return found.route.handler(ctx, params, req)
    })
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return googleErrorResponse(status, code, message)
  }

  rateLimits(call: Classified): RateLimit[] {
    return computeLimits(call, this.state.project)
  }

  throttled(): EmulatorResponse {
    return computeThrottled()
  }

  private route(method: string, pattern: string, operation: string, write: boolean, handler: Handler): Route<Handler> {
    return { method, pattern: new RegExp(pattern), operation, write, handler }
  }
}
