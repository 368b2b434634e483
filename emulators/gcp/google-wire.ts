// Wire conventions shared by the Google emulators: JSON replies, Google's error envelope, and a small
// router that matches a path (the URL parser already drops the trailing `?` the Google clients send).
import type { EmulatorRequest, EmulatorResponse } from '../core/service.js'

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE'
}

/** A failure answered with Google's envelope: HTTP status plus the `reason` clients branch on. */
export class GoogleError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string
  ) {
    super(message)
    this.name = 'GoogleError'
  }
}

export const notFound = (resource: string) => new GoogleError(404, 'notFound', `The resource '${resource}' was not found`)
export const alreadyExists = (resource: string) => new GoogleError(409, 'alreadyExists', `The resource '${resource}' already exists`)
export const invalid = (message: string) => new GoogleError(400, 'invalid', message)

export function json(status: number, body: unknown): EmulatorResponse {
  return { status, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(body) }
}

/** {"error":{"code","message","errors":[{"message","domain","reason"}],"status"}} */
export function googleErrorResponse(status: number, reason: string, message: string): EmulatorResponse {
  return json(status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: STATUS_TEXT[status] ?? 'UNKNOWN' } })
}

export async function answer(run: () => EmulatorResponse | Promise<EmulatorResponse>): Promise<EmulatorResponse> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof GoogleError) return googleErrorResponse(error.status, error.reason, error.message)
    throw error
  }
}

/** The request body as JSON; the Compute client sends the literal `""` to operations.wait. */
export function jsonBody(req: EmulatorRequest): Record<string, unknown> {
  const text = req.body.trim()
  if (text === '' || text === '""') return {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch {
    // reported below
  }
  throw invalid('Invalid JSON payload received.')
}

export interface Route<H> {
  method: string
  pattern: RegExp
  /** The API method as Google names it, e.g. addresses.insert; the call log's operation */
  operation: string
  write: boolean
  handler: H
}

export function findRoute<H>(routes: Route<H>[], req: EmulatorRequest): { route: Route<H>; params: string[] } | undefined {
  for (const route of routes) {
    const found = route.method === req.method ? route.pattern.exec(req.url.pathname) : null
    if (found) return { route, params: found.slice(1).map((p) => decodeURIComponent(p)) }
  }
  return undefined
}

/** One page of a list, with Google's maxResults / pageToken / nextPageToken. */
export function page<T>(items: T[], query: URLSearchParams, defaultSize = 500): { items: T[]; nextPageToken?: string } {
  const size = Math.min(Math.max(Number(query.get('maxResults') ?? defaultSize) || defaultSize, 1), 500)
  const start = Number(query.get('pageToken') ?? 0) || 0
  const slice = items.slice(start, start + size)
  return { items: slice, ...(start + size < items.length ? { nextPageToken: String(start + size) } : {}) }
}

export const bearer = (req: EmulatorRequest) => /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1]
