// One HTTP exchange over node:http / node:https, for the action's own clients (Zilliz, GitHub's OIDC token
// endpoint). Not the global fetch: its first call loads Node's internal undici, which costs the start of every
// run about 50 ms more than node:http does (docs/architecture.md). Bodies are text; nothing is followed or
// decompressed, because neither service redirects or is asked to compress.
import * as http from 'node:http'
import * as https from 'node:https'

export interface HttpRequest {
  method: string
  url: string | URL
  headers?: Record<string, string>
  body?: string
  /** Ceiling on the whole exchange, from sending to the last byte of the answer */
  timeoutMs: number
  /** The connection pool for a URL, e.g. the run's proxy-aware agents; Node's global agent when undefined */
  agentFor?: (url: URL) => http.Agent | undefined
}

export interface HttpAnswer {
  status: number
  statusText: string
  /** Lower-case names; repeated headers joined with ", " */
  headers: Record<string, string>
  body: string
}

/** No answer: the connection failed or broke (the cause is Node's error), or the timeout passed first. */
export class HttpExchangeError extends Error {
  readonly timedOut: boolean

  constructor(message: string, options: { timedOut?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'HttpExchangeError'
    this.timedOut = options.timedOut ?? false
  }
}

export function isHttpExchangeError(error: unknown): error is HttpExchangeError {
  return (error as Error | undefined)?.name === 'HttpExchangeError'
}

export function exchange(request: HttpRequest): Promise<HttpAnswer> {
  const url = new URL(request.url)
  const headers = { ...request.headers }
  // A known length instead of chunked encoding, as fetch sends a string body.
  if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body))
  return new Promise<HttpAnswer>((resolve, reject) => {
    let done = false
    const settle = (finish: () => void) => {
      if (done) return
      done = true
      clearTimeout(timer)
      finish()
    }
    const fail = (error: Error) => settle(() => reject(new HttpExchangeError(error.message, { cause: error })))
    const sent = (url.protocol === 'https:' ? https : http).request(url, { method: request.method, headers, agent: request.agentFor?.(url) }, (response) => {
      response.setEncoding('utf8')
      let body = ''
      response.on('data', (chunk: string) => (body += chunk))
      response.on('error', fail)
      response.on('end', () =>
        settle(() => resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: flatten(response.headers), body }))
      )
    })
    const timer = setTimeout(() => {
      settle(() => reject(new HttpExchangeError(`no response within ${request.timeoutMs / 1000} s`, { timedOut: true })))
      sent.destroy()
    }, request.timeoutMs)
    sent.on('error', fail)
    sent.end(request.body)
  })
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value
  return flat
}

/** The body as a JSON object, or undefined when it is not one (an HTML error page, an array, nothing). */
export function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body)
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** A body as an error message may quote it: on one line, cut after `max` characters. */
export function excerpt(body: string, max: number): string {
  const flat = body.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}
