// The run's outbound transports: nothing when no proxy variable is set (every client keeps its own default),
// else one pair of proxy-aware agents shared by every client, and an undici dispatcher per fetch base URL.
import { proxyAgents, type ProxyAgents } from './agents.js'
import { configuredProxies, proxyConfigured, proxyFor, type Env } from './proxy.js'

let shared: { key: string; agents: ProxyAgents } | undefined

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY']

/** The run's proxy-aware agents, or undefined when no proxy is configured. */
export function outboundAgents(env: Env = process.env): ProxyAgents | undefined {
  if (!proxyConfigured(env)) return undefined
  // Tests run the action several times in one process with different variables.
  const key = PROXY_VARIABLES.map((name) => env[name] ?? '').join('\n')
  if (shared?.key !== key) shared = { key, agents: proxyAgents({ ...env }) }
  return shared.agents
}

/** The undici dispatcher for fetch calls to `baseUrl`: a CONNECT-tunnelling ProxyAgent, or undefined. */
export async function fetchDispatcher(baseUrl: string, env: Env = process.env): Promise<object | undefined> {
  const proxy = proxyFor(baseUrl, env)
  if (!proxy) return undefined
  // undici is already loaded with @actions/http-client; nothing extra to pay for a run without a proxy.
  const { ProxyAgent } = await import('undici')
  const token = proxy.username ? `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` : undefined
  return new ProxyAgent({ uri: `${proxy.protocol}//${proxy.host}`, ...(token ? { token } : {}) })
}

export { configuredProxies }
