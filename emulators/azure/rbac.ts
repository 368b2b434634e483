// Azure RBAC as far as the emulator needs it: the actions a principal may perform (from a role definition's
// Actions, with * wildcards), checked per request and on linked resources (subnet and network joins).
import { ArmFailure } from './arm-http.js'

export interface Principal {
  clientId: string
  objectId: string
}

/** Turns a role action pattern such as Microsoft.Network/privateDnsZones/* into a case-insensitive matcher. */
function matcher(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${escaped}$`, 'i')
}

export class RoleAssignments {
  /** clientId (lower case) → allowed action patterns; principals without an entry may do everything */
  private readonly actions = new Map<string, RegExp[]>()
  /** Every action a request needed so far (granted or not), to compare role definitions against */
  readonly checked = new Set<string>()

  /** Gives the principal exactly these actions, e.g. a custom role definition's Actions. */
  assign(clientId: string, actions: string[]): void {
    this.actions.set(clientId.toLowerCase(), actions.map(matcher))
  }

  reset(): void {
    this.actions.clear()
  }

  allows(clientId: string, action: string): boolean {
    this.checked.add(action)
    const patterns = this.actions.get(clientId.toLowerCase())
    return !patterns || patterns.some((p) => p.test(action))
  }

  /** 403 AuthorizationFailed unless the principal may perform the action on the scope. */
  require(principal: Principal, action: string, scope: string): void {
    if (this.allows(principal.clientId, action)) return
    throw new ArmFailure(
      403,
      'AuthorizationFailed',
      `The client '${principal.clientId}' with object id '${principal.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`
    )
  }

  /** 403 LinkedAuthorizationFailed: a write that also acts on another resource (joining a subnet or network). */
  requireLinked(principal: Principal, done: string, scope: string, action: string, linkedScope: string): void {
    if (this.allows(principal.clientId, action)) return
    throw new ArmFailure(
      403,
      'LinkedAuthorizationFailed',
      `The client '${principal.clientId}' with object id '${principal.objectId}' has permission to perform action '${done}' on scope '${scope}'; however, it does not have permission to perform action(s) '${action}' on the linked scope(s) '${linkedScope}' (respectively) or the linked scope(s) are invalid.`
    )
  }
}
