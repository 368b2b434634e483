// ZILLIZ_PL_AZURE_ENDPOINTS maps real Azure hosts to other base URLs, e.g.
// {"management.azure.com":"http://127.0.0.1:8443","login.microsoftonline.com":"http://127.0.0.1:8444"}, so an
// emulator or a private endpoint stands in. No SDK here: the head start's Entra request reads it too.

export const AZURE_ENDPOINTS_ENV = 'ZILLIZ_PL_AZURE_ENDPOINTS'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

export class AzureEndpointsError extends Error {
  constructor(message: string) {
    super(`${AZURE_ENDPOINTS_ENV}: ${message}`)
    this.name = 'AzureEndpointsError'
  }
}

export const isLoopback = (url: URL) => LOOPBACK_HOSTS.has(url.hostname)

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
