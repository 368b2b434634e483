// One authorized JSON transport for every Google API the action calls: requests go through the auth
// client's request() (so tokens are attached and refreshed), throttling and server errors are retried
// with backoff, and Google's error body becomes a GoogleApiError carrying the status and reason.
import type { AuthClient } from 'google-auth-library'
import type { Logger } from '../../base/log.js'
import type { ServiceGate } from '../../base/rate-limit.js'
import { parseRetryAfter, retry, type RetryBudget } from '../../base/retry.js'
import { annotateCloudError, type CloudCallFailure, type PermissionPlace } from '../../engine/cloud-error.js'
import { USER_AGENT } from '../../version.js'
import { GCP_PERMISSIONS } from './permissions.js'

/** Google's error envelope: {"error":{"code","message","status","errors":[{"reason","message"}]}} */
interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; errors?: { reason?: string; message?: string }[] }
}

export class GoogleApiError extends Error {
  constructor(
    readonly status: number,
    /** e.g. notFound, alreadyExists, rateLimitExceeded, or the status text when no reason is given */
    readonly reason: string,
    message: string,
    readonly retryAfterMs?: number
  ) {
    super(message)
    this.name = 'GoogleApiError'
  }
}

// Reasons Google gives a 403 for a missing permission (others, such as rateLimitExceeded, are throttling).
const DENIAL_REASONS = new Set(['forbidden', 'insufficientPermissions', 'PERMISSION_DENIED', 'IAM_PERMISSION_DENIED'])

export const isNotFound = (error: unknown) => error instanceof GoogleApiError && error.status === 404
export const isAlreadyExists = (error: unknown) => error instanceof GoogleApiError && (error.status === 409 || error.reason === 'alreadyExists')

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504])
// Google reports some throttling as 403 with one of these reasons.
const RETRYABLE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'backendError', 'internalError'])
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET'])

function isRateLimited(error: unknown): boolean {
  return error instanceof GoogleApiError && (error.status === 429 || error.reason === 'rateLimitExceeded' || error.reason === 'userRateLimitExceeded')
}

export function isRetryableGoogleError(error: unknown): boolean {
  if (error instanceof GoogleApiError) return RETRYABLE_STATUS.has(error.status) || RETRYABLE_REASONS.has(error.reason)
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && RETRYABLE_NETWORK.has(code)
}

interface GaxiosLikeError {
  message: string
  status?: number
  code?: unknown
  response?: { status?: number; data?: unknown; headers?: { get?(name: string): string | null } }
}

/** A Retry-After longer than this is a hint, not an order to stall the job. */
const MAX_RETRY_AFTER_MS = 60_000

function retryAfterMs(error: GaxiosLikeError): number | undefined {
  return parseRetryAfter(error.response?.headers?.get?.('retry-after'), MAX_RETRY_AFTER_MS)
}

/** Which API a transport serves and whom Google evaluates its calls for, for error reports. */
export interface GoogleApiScope {
  /** The API's name in Google's method ids: compute, dns */
  api: string
  /** The service account (or federated principal) the calls run as, once known */
  principal(): string | undefined
  /** The project Google checks a permission on, when the run knows it */
  projectOf?(permission: string): string | undefined
  /** The policy file that grants a permission, when not the one apply or plan file */
  policyOf?(permission: string, write: boolean): string | undefined
}

/** The project a denial names ("… permission for 'projects/p/…'", "… denied on resource 'projects/p/…'"). */
function deniedProject(message: string): string | undefined {
  return /(?:permission for|on resource) '(?:[^']*?\/)?projects\/([^/']+)/.exec(message)?.[1]
}

/** Where each missing permission is checked and which file grants it there, for the error report. */
function placesOf(scope: GoogleApiScope, missing: string[], write: boolean, named: string | undefined): Pick<CloudCallFailure, 'places'> {
  const places: Record<string, PermissionPlace> = {}
  for (const permission of missing) {
    const project = (missing.length === 1 ? named : undefined) ?? scope.projectOf?.(permission)
    const policy = scope.policyOf?.(permission, write)
    if (project || policy) places[permission] = { ...(project ? { scope: `project ${project}` } : {}), ...(policy ? { policy } : {}) }
  }
  return Object.keys(places).length ? { places } : {}
}

// Google's words for an API not enabled in the project: reason SERVICE_DISABLED (or the older
// accessNotConfigured), and a message that names the service.
const DISABLED = /(?:([a-z]+\.googleapis\.com)|(Service Directory|Cloud DNS|Compute Engine) API)[^]*?(?:has not been used|is disabled)/i
const SERVICE_OF: Record<string, string> = { 'service directory': 'servicedirectory.googleapis.com', 'cloud dns': 'dns.googleapis.com', 'compute engine': 'compute.googleapis.com' }

/** The API to enable when Google says one is disabled, named from its message. */
export function disabledService(reason: string, message: string): string | undefined {
  if (reason !== 'SERVICE_DISABLED' && reason !== 'accessNotConfigured' && !/SERVICE_DISABLED/.test(message)) return undefined
  const found = DISABLED.exec(message)
  return found?.[1] ?? SERVICE_OF[(found?.[2] ?? '').toLowerCase()] ?? 'the API named above'
}

/** The API's own words, never the request (whose config holds the authorization header). */
function toGoogleError(error: unknown, what: string, scope: GoogleApiScope): unknown {
  const e = error as GaxiosLikeError
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : undefined)
  if (!status) return error
  const body = (typeof e.response?.data === 'object' ? e.response?.data : undefined) as GoogleErrorBody | undefined
  const first = body?.error?.errors?.[0]
  const reason = first?.reason ?? body?.error?.status ?? ''
  const message = body?.error?.message ?? first?.message ?? (typeof e.response?.data === 'string' ? e.response.data : e.message)
  const failure = new GoogleApiError(status, reason, message, retryAfterMs(e))
  // A disabled API is answered as PERMISSION_DENIED too, but no role fixes it: enabling the API does.
  const disabled = disabledService(reason, message)
  // `what` is '<resource>.<method> <target>': the method names the call in Google's own terms.
  const [method = '', ...target] = what.split(' ')
  const required = GCP_PERMISSIONS[method]
  const refused = [...message.matchAll(/Required '([\w.]+)' permission|Permission '([\w.]+)' denied/g)].map((m) => (m[1] ?? m[2]) as string)
  annotateCloudError(failure, {
    cloud: 'gcp',
    operation: `${scope.api}.${method}`,
    target: target.join(' ') || undefined,
    code: reason,
    status,
    detail: disabled ? `${message} Enable it: gcloud services enable ${disabled} --project PROJECT_ID (docs/gcp.md, "The APIs to enable").` : message,
    denied: !disabled && status === 403 && (DENIAL_REASONS.has(reason) || body?.error?.status === 'PERMISSION_DENIED'),
    required,
    // "Required 'compute.firewalls.create' permission for 'projects/…'" (Compute), "Permission 'x.y.z' denied" (IAM, DNS)
    refused,
    principal: scope.principal(),
    ...placesOf(scope, refused.length ? refused : (required?.permissions ?? []), required?.write ?? false, deniedProject(message))
  })
  return failure
}

export interface GoogleRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  url: string
  query?: Record<string, string | undefined>
  body?: unknown
  /** Short description for errors and retries, e.g. 'addresses.insert zilliz-pl-…-ip' */
  what: string
  timeoutMs?: number
  /** Safe to repeat however often (a read, an operation poll, a write keyed by requestId); GET always is */
  idempotent?: boolean
}

/**
 * Budgets: a request that is safe to repeat is retried for as long as the run's deadline allows (capped
 * so a dead API still ends the run with its error); any other write a few times, since each repeat of it
 * is a new attempt at the change.
 */
export const REPEATABLE_BUDGET: RetryBudget = { attempts: 30, baseMs: 250, maxMs: 10_000 }
export const WRITE_BUDGET: RetryBudget = { attempts: 8, baseMs: 250, maxMs: 8000 }

export interface GoogleHttp {
  request<T>(request: GoogleRequest): Promise<T>
}

/** deadline: epoch ms after which no retry starts (the run's wait-timeout). Every attempt waits for the API's gate. */
export function googleHttp(client: () => Promise<AuthClient>, log: Logger, scope: GoogleApiScope, deadline: number, gate?: ServiceGate): GoogleHttp {
  return {
    async request<T>(req: GoogleRequest): Promise<T> {
      const auth = await client()
      const params = Object.fromEntries(Object.entries(req.query ?? {}).filter(([, v]) => v !== undefined))
      return retry(
        async () => {
          const release = await gate?.enter()
          try {
            const res = await auth.request<T>({
              url: req.url,
              method: req.method,
              params,
              ...(req.body === undefined ? {} : { data: req.body }),
              headers: { 'user-agent': USER_AGENT },
              responseType: 'json',
              retry: false,
              timeout: req.timeoutMs ?? 60_000
            })
            return res.data
          } catch (error) {
            throw toGoogleError(error, req.what, scope)
          } finally {
            release?.()
          }
        },
        {
          ...(req.method === 'GET' || req.idempotent ? REPEATABLE_BUDGET : WRITE_BUDGET),
          deadline,
          isRetryable: isRetryableGoogleError,
          retryAfterMs: (error) => (error instanceof GoogleApiError ? error.retryAfterMs : undefined),
          onRetry: (error, attempt, delay) => {
            // A quota answer holds every call to the API, not only this one.
            if (isRateLimited(error)) gate?.pause(delay)
            log.warning(`${req.what}: attempt ${attempt} failed (${(error as Error).message}); retrying in ${delay} ms`)
          }
        }
      )
    }
  }
}
