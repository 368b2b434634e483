// Where the action's Azure requests go. ZILLIZ_PL_AZURE_ENDPOINTS maps real hosts to other base URLs, e.g.
// {"management.azure.com":"http://127.0.0.1:8443","login.microsoftonline.com":"http://127.0.0.1:8444"}.
// Requests keep their real https URLs up to the transport, so the bearer-token policy, the LRO pollers
// and MSAL see real hosts; only the socket goes elsewhere. One client serves ARM and Entra alike.
import { createDefaultHttpClient, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline'
import { outboundAgents } from '../../net/outbound.js'
import { isLoopback, parseEndpointOverrides, redirect, AZURE_ENDPOINTS_ENV } from './endpoint-overrides.js'
import { TOKEN_EXCHANGE_TIMEOUT_MS } from '../../base/retry.js'

export { AZURE_ENDPOINTS_ENV, AzureEndpointsError, parseEndpointOverrides, redirect } from './endpoint-overrides.js'

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

export function tokenTimeoutHttpClient(inner: HttpClient, timeoutMs = TOKEN_EXCHANGE_TIMEOUT_MS): HttpClient {
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
