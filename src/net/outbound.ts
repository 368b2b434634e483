// The run's outbound transports: nothing when no proxy variable is set (every client keeps its own default),
// else one pair of proxy-aware agents shared by every client (the cloud SDKs, the Zilliz client, the OIDC token).
import { proxyAgents, type ProxyAgents } from './agents.js'
import { configuredProxies, proxyConfigured, type Env } from './proxy.js'

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

export { configuredProxies }
