// One error type for every failed Zilliz API call, with a kind the engine can act on and a message
// that tells the user what to change. Messages never contain the API key.

export type ZillizErrorKind = 'auth' | 'permission' | 'not-found' | 'throttled' | 'server' | 'network' | 'invalid'

/** Documented codes for a missing, illegal or expired API key (V2 21119, V1 80001/80002). */
export const AUTH_CODES: readonly number[] = [21119, 80001, 80002]
/** Documented "no permission for this project" codes: org mismatch, owner needed, key scope. */
export const PERMISSION_CODES: readonly number[] = [96012, 96013, 96027]
/** Documented codes for an unknown project or cluster. */
export const NOT_FOUND_CODES: readonly number[] = [96005, 96018]

export interface ZillizErrorDetails {
  /** What the action was doing, e.g. 'register private endpoint vpce-0a1b2c3d in aws-us-west-2' */
  operation: string
  /** 0 when no HTTP response arrived */
  httpStatus: number
  /** Zilliz `code` from the body; the HTTP status when the body had none */
  code: number
  /** The server's own message (already scrubbed of secrets by the caller) */
  apiMessage: string
  /** The `requestid` response header, for Zilliz support */
  requestId?: string
  /** Project the call was about, used in the permission advice */
  projectId?: string
  /** Server-suggested wait before retrying (Retry-After) */
  retryAfterMs?: number
  /** Forces a kind, e.g. 'network' for calls that got no response */
  kind?: ZillizErrorKind
  cause?: unknown
}

/** Maps an HTTP status and Zilliz code to what the failure means for the caller. */
export function classifyZillizFailure(httpStatus: number, code: number): ZillizErrorKind {
  // Codes first: a 403 carrying a permission code is a permission problem, not a bad key.
  if (PERMISSION_CODES.includes(code)) return 'permission'
  if (AUTH_CODES.includes(code) || httpStatus === 401 || httpStatus === 403) return 'auth'
  if (httpStatus === 429 || code === 429) return 'throttled'
  if (httpStatus >= 500) return 'server'
  if (httpStatus === 404 || NOT_FOUND_CODES.includes(code)) return 'not-found'
  return 'invalid'
}

const ADVICE: Record<ZillizErrorKind, (details: ZillizErrorDetails) => string> = {
  auth: () =>
    'The Zilliz API rejected the zilliz-api-key secret. Create an API key in the Zilliz Cloud console ' +
    '(your organization > API Keys), store it as a GitHub Actions secret (for example ZILLIZ_API_KEY) ' +
    'and pass it to the zilliz-api-key input.',
  permission: (d) =>
    `The zilliz-api-key secret has no access to project ${d.projectId ?? 'in zilliz-project-id'}. ` +
    'Use an API key that belongs to the same organization as the project and whose owner is ' +
    'Organization Owner or Project Admin of that project (a customized key must include the project).',
  'not-found': () =>
    'Check the zilliz-project-id and cluster ids inputs: they must exist in the organization the API key belongs to.',
  throttled: () => 'Zilliz is rate-limiting requests (20 per second per API route). Wait a little and re-run the job.',
  server: () => 'Zilliz reported a server-side problem that persisted across retries. Re-run later or check status.zilliz.com.',
  network: () => "No answer from the Zilliz API. Check the zilliz-api-url input and the runner's outbound network access.",
  invalid: () => ''
}

export class ZillizApiError extends Error {
  readonly kind: ZillizErrorKind
  readonly operation: string
  readonly httpStatus: number
  readonly code: number
  readonly apiMessage: string
  readonly requestId?: string
  readonly projectId?: string
  readonly retryAfterMs?: number

  constructor(details: ZillizErrorDetails) {
    const kind = details.kind ?? classifyZillizFailure(details.httpStatus, details.code)
    super(composeMessage(kind, details), details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'ZillizApiError'
    this.kind = kind
    this.operation = details.operation
    this.httpStatus = details.httpStatus
    this.code = details.code
    this.apiMessage = details.apiMessage
    this.requestId = details.requestId
    this.projectId = details.projectId
    this.retryAfterMs = details.retryAfterMs
  }

  /** Only throttling, server faults and lost connections can succeed on a later attempt. */
  get retryable(): boolean {
    return this.kind === 'throttled' || this.kind === 'server' || this.kind === 'network'
  }
}

export function isZillizApiError(error: unknown, ...kinds: ZillizErrorKind[]): error is ZillizApiError {
  return error instanceof ZillizApiError && (kinds.length === 0 || kinds.includes(error.kind))
}

function composeMessage(kind: ZillizErrorKind, d: ZillizErrorDetails): string {
  const status = d.httpStatus === 0 ? 'no response' : `HTTP ${d.httpStatus}, code ${d.code}`
  const sentences = [`Zilliz API call "${d.operation}" failed (${status}): ${d.apiMessage.replace(/\.\s*$/, '')}.`, ADVICE[kind](d)]
  if (d.requestId) sentences.push(`Zilliz request id: ${d.requestId}.`)
  return sentences.filter(Boolean).join(' ')
}
