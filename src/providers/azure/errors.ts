// ARM errors into the shared cloud error report: every failed request of the SDK clients names its
// operation (the REST spec's operationId), its code and, for a denial, the Azure action and the identity.
import type { PipelinePolicy } from '@azure/core-rest-pipeline'
import { annotateCloudError, type CloudCallFailure } from '../../engine/cloud-error.js'
import { armOperationOf, azurePlaces } from './permissions.js'

const DENIALS = new Set(['AuthorizationFailed', 'LinkedAuthorizationFailed', 'Forbidden'])

interface ArmRestError {
  code?: string
  statusCode?: number
  message?: string
}

export function armFailure(error: unknown, method: string, url: string, principal: string | undefined): CloudCallFailure {
  const e = error as ArmRestError
  const known = armOperationOf(method, url)
  let path = url
  try {
    path = new URL(url).pathname
  } catch {
    // keep the URL as it is
  }
  const message = e.message ?? ''
  const denied = DENIALS.has(e.code ?? '') || (e.statusCode === 403 && !e.code)
  // AuthorizationFailed: "… perform action 'X' over scope 'S' …"; LinkedAuthorizationFailed: "… however, it
  // does not have permission to perform action(s) 'X' on the linked scope(s) 'S' …".
  const refused = [/does not have permission to perform action\(s\) '([^']+)'/, /does not have authorization to perform action '([^']+)'/]
    .map((pattern) => pattern.exec(message)?.[1])
    .filter((action): action is string => Boolean(action))
    .slice(0, 1)
    .flatMap((actions) => actions.split(/,\s*/))
  // Where ARM evaluated the refused action; without it, the resource the request addressed.
  const scope = /on the linked scope\(s\) '([^']+)'/.exec(message)?.[1] ?? /over scope '([^']+)'/.exec(message)?.[1] ?? path
  return {
    cloud: 'azure',
    operation: known?.operation ?? `${method.toUpperCase()} ${path}`,
    code: e.code ?? '',
    status: e.statusCode,
    detail: message,
    denied,
    required: known && { permissions: known.permissions, write: known.write, ...(known.policy ? { policy: known.policy } : {}) },
    refused,
    principal,
    ...(denied && known ? azurePlaces(refused.length ? refused : known.permissions, known.write, describeScope(scope), known.policy) : {})
  }
}

/** 'scope /subscriptions/S/resourceGroups/G/… (resource group G of subscription S)': the id, and what it is. */
export function describeScope(id: string): string {
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(id)?.[1]
  const group = /\/resourceGroups\/([^/]+)/i.exec(id)?.[1]
  const what = group ? `resource group ${group} of subscription ${subscription ?? '?'}` : subscription ? `subscription ${subscription}` : ''
  return `scope ${id}${what ? ` (${what})` : ''}`
}

/** A pipeline policy that describes every failed ARM request, after the SDK's own retries. */
export function describeArmFailures(principal: () => string | undefined): PipelinePolicy {
  return {
    name: 'describeCloudFailures',
    async sendRequest(request, next) {
      try {
        return await next(request)
      } catch (error) {
        if (typeof (error as ArmRestError).statusCode === 'number') annotateCloudError(error, armFailure(error, request.method, request.url, principal()))
        throw error
      }
    }
  }
}
