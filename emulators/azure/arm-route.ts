// How the ARM emulator's resource handlers describe their routes: an ARM path template, the API operation
// name (the REST spec's operationId, as the call log shows it) and the RBAC action the call needs.
import type { EmulatorRequest, EmulatorResponse } from '../core/service.js'
import type { Principal } from './rbac.js'

export interface ArmCall {
  req: EmulatorRequest
  /** Path parameters by template name, URL-decoded */
  params: Record<string, string>
  principal: Principal
  /** The resource id the request addresses: its path */
  scope: string
}

export interface ArmRoute {
  method: 'GET' | 'PUT' | 'DELETE' | 'POST'
  /** Whether a successful call changes state; default: any method but GET (a POST list action reads) */
  write?: boolean
  pattern: RegExp
  names: string[]
  operation: string
  /** RBAC action checked on the scope before the handler runs */
  action: string
  /** The scope the action is checked on, when not the request path */
  scope?: (params: Record<string, string>, path: string) => string
  handle(call: ArmCall): EmulatorResponse
}

/** Public host ARM puts in the URLs it returns; clients reach the emulator through their transport. */
export const MANAGEMENT_HOST = 'management.azure.com'

export function armRoute(method: ArmRoute['method'], template: string, operation: string, action: string, handle: ArmRoute['handle'], write?: boolean): ArmRoute {
  const names: string[] = []
  const source = template
    .split('/')
    .map((segment) => {
      const name = /^\{(\w+)\}$/.exec(segment)?.[1]
      if (!name) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      names.push(name)
      return '([^/]+)'
    })
    .join('/')
  // ARM paths are case-insensitive.
  return { method, pattern: new RegExp(`^${source}$`, 'i'), names, operation, action, handle, ...(write === undefined ? {} : { write }) }
}

export function matchRoute(routes: ArmRoute[], req: EmulatorRequest): { route: ArmRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== req.method) continue
    const found = route.pattern.exec(req.url.pathname)
    if (!found) continue
    const params = Object.fromEntries(route.names.map((name, i) => [name, safeDecode(found[i + 1] ?? '')]))
    return { route, params }
  }
  return undefined
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
