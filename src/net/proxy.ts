// Which outbound proxy, if any, a request goes through: the rule every client of the action shares (the AWS
// SDK, Google's auth library, the Azure pipeline and MSAL, the Zilliz client, the GitHub ID token), read from the variables
// other tools on a runner read, in either case (lower case wins, as in curl and @actions/http-client):
//   HTTPS_PROXY for https URLs, HTTP_PROXY for http URLs;
//   NO_PROXY: comma- or space-separated hosts that go direct. `*` is everything; `example.com` and
//   `.example.com` match that host and its subdomains; `host:port` only that port; an IP literal that
//   address; `10.0.0.0/8` that IPv4 range.
// Loopback is not bypassed implicitly (curl, Python and undici do not either): list it in NO_PROXY.
// @actions/github (the pull request comment) applies the toolkit's own reading of the same variables, which
// also never proxies loopback.

export type Env = Record<string, string | undefined>

const pick = (env: Env, name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined

/** True when any proxy variable is set: only then do the clients get proxy-aware transports. */
export function proxyConfigured(env: Env = process.env): boolean {
  return Boolean(pick(env, 'https_proxy') || pick(env, 'http_proxy'))
}

export class ProxyConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProxyConfigError'
  }
}

function parseProxy(variable: string, value: string): URL {
  // A bare host:port means http, as curl reads it.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ProxyConfigError(`${variable} is not a URL: give http://host:port (or https://…), or unset it.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProxyConfigError(`${variable} must be an http:// or https:// proxy, not ${url.protocol}`)
  return url
}

const defaultPort = (protocol: string) => (protocol === 'https:' ? 443 : 80)
const bare = (host: string) => host.toLowerCase().replace(/^\[|\]$/g, '')

function ipv4(host: string): number | undefined {
  const parts = host.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

function matchesEntry(entry: string, host: string, port: number): boolean {
  if (entry === '*') return true
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(entry)
  if (cidr) {
    const [base, address] = [ipv4(cidr[1] ?? ''), ipv4(host)]
    const bits = Number(cidr[2])
    if (base === undefined || address === undefined || bits > 32) return false
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
    return ((base & mask) >>> 0) === ((address & mask) >>> 0)
  }
  // host:port, [v6]:port, or a bare host (an IPv6 literal without brackets has several colons).
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry)
  const entryHost = bare(withPort ? (withPort[1] ?? '') : entry).replace(/^\*?\./, '')
  if (withPort && Number(withPort[2]) !== port) return false
  return host === entryHost || host.endsWith(`.${entryHost}`)
}

/** True when NO_PROXY sends this host and port direct. */
export function bypassesProxy(host: string, port: number, env: Env = process.env): boolean {
  const list = pick(env, 'no_proxy')
  if (!list) return false
  const target = bare(host)
  return list
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean)
    .some((entry) => matchesEntry(entry, target, port))
}

/** The proxy for a request to `url`, or undefined when it goes direct. Throws ProxyConfigError. */
export function proxyFor(url: URL | string, env: Env = process.env): URL | undefined {
  const target = typeof url === 'string' ? new URL(url) : url
  const variable = target.protocol === 'https:' ? 'https_proxy' : 'http_proxy'
  const value = pick(env, variable)
  if (!value) return undefined
  const port = target.port ? Number(target.port) : defaultPort(target.protocol)
  if (bypassesProxy(target.hostname, port, env)) return undefined
  return parseProxy(env[variable] ? variable : variable.toUpperCase(), value)
}

/** Every proxy URL the variables name, for validation before the first call and for the secret registry. */
export function configuredProxies(env: Env = process.env): URL[] {
  return (['https_proxy', 'http_proxy'] as const).flatMap((variable) => {
    const value = pick(env, variable)
    return value ? [parseProxy(env[variable] ? variable : variable.toUpperCase(), value)] : []
  })
}
