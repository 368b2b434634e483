// One request to GitHub's OIDC token endpoint, as GitHub documents it ("About security hardening with OpenID
// Connect") and the toolkit's OidcClient sends it: GET ACTIONS_ID_TOKEN_REQUEST_URL with `&audience=` appended,
// the job's ACTIONS_ID_TOKEN_REQUEST_TOKEN as bearer; the answer is {"value": "<jwt>"}. Spoken over node:http
// instead of @actions/core's getIDToken, whose HTTP client brings the npm undici into every run's start-up.
import type { Agent } from 'node:http'
import { excerpt, exchange, isHttpExchangeError, jsonObject } from '../base/http-exchange.js'

/** GitHub answers in well under a second; a request still open after this is tried again. */
export const ID_TOKEN_TIMEOUT_MS = 30_000

export interface IdTokenRequest {
  /** ACTIONS_ID_TOKEN_REQUEST_URL */
  url: string
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN */
  requestToken: string
  /** GitHub's default (the repository owner's URL) when undefined */
  audience?: string
  agentFor?: (url: URL) => Agent | undefined
  timeoutMs?: number
}

/**
 * No token. `no-answer`: the connection failed or timed out; `status`: GitHub refused or failed with the
 * HTTP `status`; `no-token`: a 2xx answer without a token. `said` is GitHub's message, shortened, with the
 * request token cut out.
 */
export class IdTokenRequestError extends Error {
  readonly status?: number
  readonly said?: string

  constructor(
    readonly kind: 'no-answer' | 'status' | 'no-token',
    message: string,
    details: { status?: number; said?: string; cause?: unknown } = {}
  ) {
    super(message, { cause: details.cause })
    this.name = 'IdTokenRequestError'
    this.status = details.status
    this.said = details.said
  }
}

export function isIdTokenRequestError(error: unknown): error is IdTokenRequestError {
  return (error as Error | undefined)?.name === 'IdTokenRequestError'
}

/** The URL the toolkit asks: the runner's URL (which already has a query) with the audience appended. */
export function idTokenUrl(url: string, audience?: string): string {
  return audience ? `${url}&audience=${encodeURIComponent(audience)}` : url
}

export async function requestIdToken(request: IdTokenRequest): Promise<string> {
  const scrub = (text: string) => (request.requestToken ? text.split(request.requestToken).join('***') : text)
  let answer
  try {
    answer = await exchange({
      method: 'GET',
      url: idTokenUrl(request.url, request.audience),
      headers: { Authorization: `Bearer ${request.requestToken}`, Accept: 'application/json', 'User-Agent': 'actions/oidc-client' },
      timeoutMs: request.timeoutMs ?? ID_TOKEN_TIMEOUT_MS,
      agentFor: request.agentFor
    })
  } catch (error) {
    const reason = isHttpExchangeError(error) ? error.message : String(error)
    throw new IdTokenRequestError('no-answer', `no HTTP answer: ${scrub(reason)}`, { cause: error })
  }
  const body = jsonObject(answer.body)
  if (answer.status < 200 || answer.status > 299) {
    const message = typeof body?.['message'] === 'string' && body['message'] ? body['message'] : answer.body || answer.statusText
    throw new IdTokenRequestError('status', `HTTP ${answer.status}`, { status: answer.status, said: shorten(scrub(message)) })
  }
  const value = body?.['value']
  if (typeof value === 'string' && value) return value
  const what = body ? 'JSON without a `value`' : 'not JSON'
  throw new IdTokenRequestError('no-token', `HTTP ${answer.status}, but the answer is ${what}`, { said: shorten(scrub(answer.body)) })
}

/** GitHub's words as an error quotes them: one line, at most 500 characters; undefined when it said nothing. */
const shorten = (text: string): string | undefined => excerpt(text, 500) || undefined
