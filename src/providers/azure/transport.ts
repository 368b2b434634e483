// Where the action's Azure requests go. ZILLIZ_PL_AZURE_ENDPOINTS maps real hosts to other base URLs, e.g.
// {"management.azure.com":"http://127.0.0.1:8443","login.microsoftonline.com":"http://127.0.0.1:8444"}.
// Requests keep their real https URLs up to the transport, so the bearer-token policy, the LRO pollers
// and MSAL see real hosts; only the socket goes elsewhere. One client serves ARM and Entra alike.
import { createDefaultHttpClient, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline'
import { outboundAgents } from '../../net/outbound.js'

export const AZURE_ENDPOINTS_ENV = 'ZILLIZ_PL_AZURE_ENDPOINTS'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

export class AzureEndpointsError extends Error {
  constructor(message: string) {
    super(`${AZURE_ENDPOINTS_ENV}: ${message}`)
    this.name = 'AzureEndpointsError'
  }
}

const isLoopback = (url: URL) => LOOPBACK_HOSTS.has(url.hostname)

function baseUrl(host: string, value: unknown): URL {
  if (typeof value !== 'string') throw new AzureEndpointsError(`the value for ${host} must be a URL string.`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new AzureEndpointsError(`${JSON.stringify(value)} (for ${host}) is not a URL.`)
  }
  // Plain http would send bearer tokens in the clear anywhere but this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url)))
    throw new AzureEndpointsError(`${value} (for ${host}) must use https, or http on a loopback address.`)
  if (url.search || url.hash) throw new AzureEndpointsError(`${value} (for ${host}) must not carry a query or fragment.`)
  return url
}

/** Real host (lower case, no port) → base URL; empty when the variable is unset. */
export function parseEndpointOverrides(text: string | undefined): Map<string, URL> {
  const overrides = new Map<string, URL>()
  if (!text?.trim()) return overrides
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new AzureEndpointsError(`not valid JSON (${(error as Error).message}); expected {"management.azure.com":"https://…"}.`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new AzureEndpointsError('expected a JSON object of host names to base URLs.')
  for (const [host, value] of Object.entries(parsed)) overrides.set(host.toLowerCase(), baseUrl(host, value))
  return overrides
}

/** The request URL with scheme, host and port of the base, and the base's path before the original path. */
export function redirect(url: string, overrides: Map<string, URL>): URL | undefined {
  const original = new URL(url)
  const base = overrides.get(original.hostname.toLowerCase())
  if (!base) return undefined
  const target = new URL(base.href)
  target.pathname = `${base.pathname.replace(/\/$/, '')}${original.pathname}`
  target.search = original.search
  return target
}

export function redirectingHttpClient(overrides: Map<string, URL>, inner: HttpClient = createDefaultHttpClient()): HttpClient {
  if (overrides.size === 0) return inner
  return {
    async sendRequest(request: PipelineRequest) {
      const target = redirect(request.url, overrides)
      if (!target) return inner.sendRequest(request)
      // The request goes out to the base URL but keeps its real URL: a retry sends it again through the
      // bearer-token policy, which refuses anything but https.
      const { url, allowInsecureConnection } = request
      request.url = target.href
      if (isLoopback(target)) request.allowInsecureConnection = true
      try {
        return await inner.sendRequest(request)
      } finally {
        request.url = url
        request.allowInsecureConnection = allowInsecureConnection
      }
    }
  }
}

/**
 * Sends every request, ARM's and Entra's alike, through the run's proxy-aware agents when a proxy is
 * configured. The pipeline's own proxy policy reads the same variables with its own NO_PROXY rules; the
 * agent set here, last, is the one used, so Azure follows the rule every other client follows.
 */
export function proxiedHttpClient(inner: HttpClient = createDefaultHttpClient(), env: NodeJS.ProcessEnv = process.env): HttpClient {
  const agents = outboundAgents(env)
  if (!agents) return inner
  return {
    sendRequest(request: PipelineRequest) {
      request.agent = agents.for(request.url)
      return inner.sendRequest(request)
    }
  }
}

/** Entra's token endpoint (public cloud and the national clouds' logins share the login. prefix). */
const isTokenRequest = (url: string) => /^login\./i.test(new URL(url).hostname)
/** A token request that hangs is abandoned after this long and retried (src/providers/azure/auth.ts). */
export const TOKEN_REQUEST_TIMEOUT_MS = 30_000

export function tokenTimeoutHttpClient(inner: HttpClient, timeoutMs = TOKEN_REQUEST_TIMEOUT_MS): HttpClient {
  return {
    sendRequest(request: PipelineRequest) {
      if (!request.timeout && isTokenRequest(request.url)) request.timeout = timeoutMs
      return inner.sendRequest(request)
    }
  }
}

/** The one HTTP client of a run, honouring ZILLIZ_PL_AZURE_ENDPOINTS and the proxy variables. Throws AzureEndpointsError. */
export function azureHttpClient(env: NodeJS.ProcessEnv = process.env): HttpClient {
  return tokenTimeoutHttpClient(redirectingHttpClient(parseEndpointOverrides(env[AZURE_ENDPOINTS_ENV]), proxiedHttpClient(createDefaultHttpClient(), env)))
}
