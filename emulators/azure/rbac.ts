// Azure RBAC as far as the emulator needs it: role assignments of a principal at scopes (a subscription, a
// resource group, a resource), each with the actions of its role definition (with * wildcards), checked per
// request on the request's scope and, for subnet and network joins, on the linked resource's scope. An
// assignment covers its scope and everything below it, as Azure's do.
import { ArmFailure } from './arm-http.js'

export interface Principal {
  clientId: string
  objectId: string
}

interface Assignment {
  /** Lower case, no trailing slash; '' is every scope */
  scope: string
  actions: RegExp[]
}

/** One check made: the action and the scope it was evaluated on, granted or not. */
export interface RbacCheck {
  action: string
  scope: string
}

/** Turns a role action pattern such as Microsoft.Network/privateDnsZones/* into a case-insensitive matcher. */
function matcher(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${escaped}$`, 'i')
}

const normalize = (scope: string) => scope.toLowerCase().replace(/\/+$/, '')
/** `scope` is `assigned` or below it, segment by segment. */
const within = (scope: string, assigned: string) => assigned === '' || scope === assigned || scope.startsWith(`${assigned}/`)

export class RoleAssignments {
  /** clientId (lower case) → assignments; principals without an entry may do everything */
  private readonly assignments = new Map<string, Assignment[]>()
  /** Every action a request needed so far (granted or not), to compare role definitions against */
  readonly checked = new Set<string>()
  /** The same, with the scope each was checked on */
  readonly checks: RbacCheck[] = []

  /** Gives the principal exactly these actions everywhere (replacing its assignments), e.g. a custom role's Actions. */
  assign(clientId: string, actions: string[]): void {
    this.assignments.set(clientId.toLowerCase(), [{ scope: '', actions: actions.map(matcher) }])
  }

  /** Adds an assignment of these actions at a scope (a subscription, resource group or resource id). */
  assignAt(clientId: string, scope: string, actions: string[]): void {
    const list = this.assignments.get(clientId.toLowerCase()) ?? []
    list.push({ scope: normalize(scope), actions: actions.map(matcher) })
    this.assignments.set(clientId.toLowerCase(), list)
  }

  reset(): void {
    this.assignments.clear()
  }

  allows(clientId: string, action: string, scope = ''): boolean {
    this.checked.add(action)
    this.checks.push({ action, scope })
    const assignments = this.assignments.get(clientId.toLowerCase())
    if (!assignments) return true
    const at = normalize(scope)
    return assignments.some((a) => within(at, a.scope) && a.actions.some((p) => p.test(action)))
  }

  /** 403 AuthorizationFailed unless the principal may perform the action on the scope. */
  require(principal: Principal, action: string, scope: string): void {
    if (this.allows(principal.clientId, action, scope)) return
    throw new ArmFailure(
      403,
      'AuthorizationFailed',
      `The client '${principal.clientId}' with object id '${principal.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`
    )
  }

  /** 403 LinkedAuthorizationFailed: a write that also acts on another resource (joining a subnet or network), checked on that resource. */
  requireLinked(principal: Principal, done: string, scope: string, action: string, linkedScope: string): void {
    if (this.allows(principal.clientId, action, linkedScope)) return
    throw new ArmFailure(
      403,
      'LinkedAuthorizationFailed',
      `The client '${principal.clientId}' with object id '${principal.objectId}' has permission to perform action '${done}' on scope '${scope}'; however, it does not have permission to perform action(s) '${action}' on the linked scope(s) '${linkedScope}' (respectively) or the linked scope(s) are invalid.`
    )
  }
}
