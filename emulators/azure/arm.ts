// Azure Resource Manager at management.azure.com: checks what every ARM request needs (api-version, a
// bearer token the Entra emulator issued, a known subscription of the token's tenant, the RBAC action, an
// existing resource group), then hands it to the Microsoft.Network, private DNS or Container Instances handlers. Every request is
// also held to Microsoft's published description (spec.ts); departures are collected in `violations`.
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import { ViolationLog, type SpecCatalog } from '../core/spec-check.js'
import type { World } from '../core/world.js'
import type { RateLimit, Throttle } from '../core/rate-limits.js'
import { armLimits, armThrottled } from './rate-limits.js'
import { ARM_RESOURCE, type AccessTokens } from './access-tokens.js'
import { ArmFailure, cloudError } from './arm-http.js'
import { ArmState } from './arm-model.js'
import { matchRoute, type ArmRoute } from './arm-route.js'
import { ContainerInstanceProvider } from './container-instances.js'
import { NetworkProvider, type ArmTiming } from './network.js'
import { NetworkRulesProvider } from './network-rules.js'
import { NetworkWatcherProvider } from './network-watcher.js'
import { AsyncOperations } from './operations.js'
import { DnsResolverProvider } from './dns-resolver.js'
import { PrivateDnsProvider } from './private-dns.js'
import { RoleAssignments, type Principal } from './rbac.js'
import { azureSpecCatalog } from './spec.js'

export class ArmEmulator implements Service {
  readonly name = 'arm'
  readonly state = new ArmState()
  readonly operations = new AsyncOperations()
  readonly rbac = new RoleAssignments()
  readonly timing: ArmTiming = { retryAfterSeconds: 0 }
  readonly network: NetworkProvider
  readonly dns: PrivateDnsProvider
  readonly resolver: DnsResolverProvider
  readonly containers: ContainerInstanceProvider
  /** Network security groups and route tables */
  readonly rules: NetworkRulesProvider
  /** Network Watcher and the VMs it tests from */
  readonly watcher: NetworkWatcherProvider
  /** Departures from the REST API description; the emulators' close() fails the test that made any */
  readonly violations = new ViolationLog()
  readonly spec: SpecCatalog = azureSpecCatalog()
  private readonly routes: ArmRoute[]

  constructor(
    world: World,
    private readonly tokens: AccessTokens
  ) {
    this.network = new NetworkProvider(this.state, this.operations, this.rbac, world, this.timing)
    this.dns = new PrivateDnsProvider(this.state, this.operations, this.rbac, this.timing)
    this.resolver = new DnsResolverProvider(this.state)
    this.containers = new ContainerInstanceProvider(this.state, this.rbac)
    this.rules = new NetworkRulesProvider(this.state)
    this.watcher = new NetworkWatcherProvider(this.state, this.operations, this.timing)
    this.routes = [...this.network.routes(), ...this.dns.routes(), ...this.resolver.routes(), ...this.containers.routes(), ...this.rules.routes(), ...this.watcher.routes()]
  }

  // classify() sees every request once, injected faults included, so the description is checked here.
  classify(req: EmulatorRequest): Classified {
    this.violations.add(this.spec.check(req).violations)
    const route = matchRoute(this.routes, req)?.route
    return route ? { operation: route.operation, write: route.write ?? route.method !== 'GET' } : { operation: 'Unknown', write: req.method !== 'GET' }
  }

  handle(req: EmulatorRequest): EmulatorResponse {
    try {
      const matched = matchRoute(this.routes, req)
      if (!matched) throw new ArmFailure(404, 'InvalidResourceType', `The resource type could not be found for ${req.method} ${req.url.pathname}.`)
      if (!req.url.searchParams.get('api-version'))
        throw new ArmFailure(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.")
      const principal = this.authenticate(req, matched.params['subscriptionId'] ?? '')
      const scope = req.url.pathname
      this.rbac.require(principal, matched.route.action, matched.route.scope?.(matched.params, scope) ?? scope)
      const group = matched.params['resourceGroupName']
      if (group !== undefined && !this.state.hasResourceGroup(matched.params['subscriptionId'] ?? '', group))
        throw new ArmFailure(404, 'ResourceGroupNotFound', `Resource group '${group}' could not be found.`)
      return matched.route.handle({ req, params: matched.params, principal, scope })
    } catch (error) {
      if (error instanceof ArmFailure) return cloudError(error.status, error.code, error.message)
      throw error
    }
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return cloudError(status, code, message, status === 429 ? { 'retry-after': String(this.timing.retryAfterSeconds) } : {})
  }

  rateLimits(_call: Classified, req: EmulatorRequest): RateLimit[] {
    return armLimits(req)
  }

  throttled(throttle: Throttle, req: EmulatorRequest): EmulatorResponse {
    return armThrottled(throttle, req)
  }

  private authenticate(req: EmulatorRequest, subscriptionId: string): Principal {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    if (!match) throw new ArmFailure(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.")
    const checked = this.tokens.check(match[1] as string)
    if ('problem' in checked) {
      if (checked.problem === 'expired') throw new ArmFailure(401, 'ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.')
      throw new ArmFailure(401, 'InvalidAuthenticationToken', 'The access token is invalid.')
    }
    const { grant } = checked
    if (grant.resource !== ARM_RESOURCE) throw new ArmFailure(401, 'InvalidAuthenticationToken', `The access token has an invalid audience '${grant.resource}'.`)
    const subscription = this.state.subscriptions.get(subscriptionId.toLowerCase())
    if (!subscription) throw new ArmFailure(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`)
    if (subscription.tenantId !== grant.tenantId)
      throw new ArmFailure(401, 'InvalidAuthenticationTokenTenant', `The access token is from the wrong issuer 'https://sts.windows.net/${grant.tenantId}/'. It must match the tenant 'https://sts.windows.net/${subscription.tenantId}/' associated with this subscription.`)
    return { clientId: grant.clientId, objectId: grant.objectId }
  }
}
