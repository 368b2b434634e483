// Node agents that send each connection through the proxy src/net/proxy.ts picks for its destination, as an
// HTTP CONNECT tunnel (TLS to the destination runs inside the tunnel, so the proxy sees only host and port),
// or straight to the destination when NO_PROXY says so. Keep-alive pools work as usual: a tunnel is a socket.
// Used by the AWS SDK, Google's auth library, the Azure pipeline, the Zilliz client and the GitHub ID token.
import * as http from 'node:http'
import * as https from 'node:https'
import type { Socket } from 'node:net'
import * as tls from 'node:tls'
import type { Duplex } from 'node:stream'
import { proxyFor, type Env } from './proxy.js'

export class ProxyTunnelError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProxyTunnelError'
  }
}

type Callback = (error: Error | null, socket: Duplex) => void
/** Node's agent callback on failure: there is no socket to hand over. */
const failed = (callback: Callback | undefined, error: Error) => callback?.(error, undefined as unknown as Duplex)
interface ConnectOptions extends tls.ConnectionOptions {
  host?: string
  port?: number
  servername?: string
}

/** The proxy's address as logs may show it: never its credentials. */
const shown = (proxy: URL) => `${proxy.protocol}//${proxy.host}`

/** Opens a CONNECT tunnel to host:port through the proxy. */
export function openTunnel(proxy: URL, host: string, port: number, callback: Callback): void {
  const authority = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`
  const credentials = proxy.username ? Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64') : undefined
  const request = (proxy.protocol === 'https:' ? https : http).request({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
    method: 'CONNECT',
    path: authority,
    headers: { host: authority, ...(credentials ? { 'proxy-authorization': `Basic ${credentials}` } : {}) },
    agent: false
  })
  request.once('connect', (response: http.IncomingMessage, socket: Socket) => {
    if (response.statusCode === 200) return callback(null, socket)
    socket.destroy()
    failed(callback, new ProxyTunnelError(`The proxy ${shown(proxy)} refused to open a tunnel to ${authority}: HTTP ${response.statusCode ?? '?'} ${response.statusMessage ?? ''}`.trim()))
  })
  request.once('error', (error) => failed(callback, new ProxyTunnelError(`Could not reach the proxy ${shown(proxy)} for ${authority}: ${error.message}`)))
  request.end()
}

function destination(options: ConnectOptions, secure: boolean): { host: string; port: number; url: URL } {
  const host = options.host ?? 'localhost'
  const port = Number(options.port ?? (secure ? 443 : 80))
  const literal = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return { host, port, url: new URL(`${secure ? 'https' : 'http'}://${literal}:${port}`) }
}

/**
 * The connection both agents make: straight to the destination when NO_PROXY says so, otherwise through a
 * tunnel, with TLS to the destination inside it for https.
 */
function connectVia(env: Env, options: ConnectOptions, secure: boolean, direct: () => Duplex, callback?: Callback): Duplex | undefined {
  const { host, port, url } = destination(options, secure)
  const proxy = proxyFor(url, env)
  // Node's Agent accepts either a socket returned now or one handed to the callback later.
  if (!proxy) return direct()
  openTunnel(proxy, host, port, (error, socket) => {
    if (error) return failed(callback, error)
    const servername = options.servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host)
    callback?.(null, secure ? tls.connect({ ...options, socket, servername }) : socket)
  })
  return undefined
}

class ProxyHttpAgent extends http.Agent {
  constructor(private readonly env: Env) {
    super({ keepAlive: true, maxSockets: 50 })
  }

  override createConnection(options: ConnectOptions, callback?: Callback): Duplex | undefined {
    return connectVia(this.env, options, false, () => super.createConnection(options as http.ClientRequestArgs) as Duplex, callback)
  }
}

class ProxyHttpsAgent extends https.Agent {
  constructor(private readonly env: Env) {
    super({ keepAlive: true, maxSockets: 50 })
  }

  override createConnection(options: ConnectOptions, callback?: Callback): Duplex | undefined {
    return connectVia(this.env, options, true, () => (super.createConnection as (o: ConnectOptions) => Duplex).call(this, options), callback)
  }
}

export interface ProxyAgents {
  http: http.Agent
  https: https.Agent
  /** The agent for a URL's protocol */
  for(url: URL | string): http.Agent
}

/** One pair per run, so connections (and tunnels) are pooled across clients. */
export function proxyAgents(env: Env = process.env): ProxyAgents {
  const agents = { http: new ProxyHttpAgent(env), https: new ProxyHttpsAgent(env) }
  return { ...agents, for: (url) => (new URL(String(url)).protocol === 'https:' ? agents.https : agents.http) }
}
