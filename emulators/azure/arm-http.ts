// ARM's wire conventions shared by the resource handlers: JSON responses with request ids, CloudError
// bodies, tag rules, and the If-Match / If-None-Match preconditions of PUT.
import { randomUUID } from 'node:crypto'
import type { EmulatorRequest, EmulatorResponse } from '../core/service.js'

/** An ARM error: the handler throws it, the service answers it as a CloudError. */
export class ArmFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

/** ARM's answer to a GET of a resource that does not exist, in its own words. */
export function resourceNotFound(type: string, name: string | undefined, resourceGroup: string | undefined): ArmFailure {
  return new ArmFailure(404, 'ResourceNotFound', `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`)
}

export function armJson(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-ms-request-id': randomUUID(),
      'x-ms-correlation-request-id': randomUUID(),
      ...headers
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  }
}

export function cloudError(status: number, code: string, message: string, headers: Record<string, string> = {}): EmulatorResponse {
  return armJson(status, { error: { code, message, details: [] } }, headers)
}

export function parseBody(req: EmulatorRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(req.body || 'null')
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch {
    // answered below
  }
  throw new ArmFailure(400, 'InvalidRequestFormat', 'Cannot parse the request: the body must be a JSON object.')
}

export function propertiesOf(body: Record<string, unknown>): Record<string, unknown> {
  const properties = body['properties']
  return properties && typeof properties === 'object' ? (properties as Record<string, unknown>) : {}
}

const RESERVED_TAG_CHARACTERS = /[<>%&\\?/]/

export function tagsOf(body: Record<string, unknown>): Record<string, string> {
  const tags = (body['tags'] ?? {}) as Record<string, unknown>
  const bad = Object.keys(tags).filter((k) => RESERVED_TAG_CHARACTERS.test(k))
  if (bad.length) throw new ArmFailure(400, 'InvalidTagNameCharacters', `The tag names '${bad.join(',')}' have reserved characters '<,>,%,&,\\,?,/' or control characters.`)
  if (Object.keys(tags).length > 50) throw new ArmFailure(400, 'InvalidTagCount', 'A resource can have at most 50 tags.')
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)]))
}

/** PUT preconditions: If-None-Match: * refuses to overwrite, If-Match requires the current etag. */
export function checkPreconditions(req: EmulatorRequest, currentEtag: string | undefined): void {
  const ifNoneMatch = req.headers['if-none-match']
  const ifMatch = req.headers['if-match']
  if (ifNoneMatch === '*' && currentEtag !== undefined)
    throw new ArmFailure(412, 'PreconditionFailed', `The condition '*' in the If-None-Match header was not satisfied. The current was '${currentEtag}'.`)
  if (typeof ifMatch === 'string' && (currentEtag === undefined || (ifMatch !== '*' && ifMatch !== currentEtag)))
    throw new ArmFailure(412, 'PreconditionFailed', `The condition '${ifMatch}' in the If-Match header was not satisfied. The current was '${currentEtag ?? 'n/a'}'.`)
}

/** Network resource providers use weak etags; private DNS uses bare GUIDs. */
export const networkEtag = () => `W/"${randomUUID()}"`
export const dnsEtag = () => randomUUID()

export function requireLocation(body: Record<string, unknown>): string {
  const location = body['location']
  if (typeof location !== 'string' || !location) throw new ArmFailure(400, 'LocationRequired', 'The location property is required for this definition.')
  return location.toLowerCase().replace(/\s+/g, '')
}
