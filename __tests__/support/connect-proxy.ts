// A loopback forward proxy of the kind self-hosted runners sit behind: it opens HTTP CONNECT tunnels and
// counts them per destination host, and refuses plain forwarding (so a client that does not tunnel shows
// up as a failure). Names under `.zpl.test` resolve to 127.0.0.1 here only: a client that bypasses the
// proxy cannot reach them at all. The local ports of its upstream sockets tell which calls it carried.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

export const PROXIED_DOMAIN = 'zpl.test'

export interface ConnectProxy {
  url: string
  /** host:port → tunnels opened */
  tunnels: Map<string, number>
  /** Requests that asked for plain forwarding instead of a tunnel */
  forwarded: string[]
  /** Local ports of the proxy's sockets to the destinations */
  upstreamPorts: Set<number>
  /** Proxy-Authorization headers received */
  authorizations: string[]
  reset(): void
  close(): Promise<void>
}

function resolve(host: string): string {
  return host === PROXIED_DOMAIN || host.endsWith(`.${PROXIED_DOMAIN}`) ? '127.0.0.1' : host
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels = new Map<string, number>()
  const forwarded: string[] = []
  const upstreamPorts = new Set<number>()
  const authorizations: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    forwarded.push(`${req.method ?? ''} ${req.url ?? ''}`)
    res.writeHead(405, { 'content-type': 'text/plain' })
    res.end('This proxy only tunnels (CONNECT).')
  })
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    const authority = req.url ?? ''
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(authority)
    if (req.headers['proxy-authorization']) authorizations.push(req.headers['proxy-authorization'])
    // Network traffic only to this machine: anything but loopback and the test names is refused.
    const host = resolve((match?.[1] ?? '').replace(/^\[|\]$/g, ''))
    if (!match || !['127.0.0.1', '::1', 'localhost'].includes(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    tunnels.set(authority, (tunnels.get(authority) ?? 0) + 1)
    const upstream = connect(Number(match[2]), host, () => {
      if (upstream.localPort) upstreamPorts.add(upstream.localPort)
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    forwarded,
    upstreamPorts,
    authorizations,
    reset() {
      tunnels.clear()
      forwarded.length = 0
      upstreamPorts.clear()
      authorizations.length = 0
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((done) => server.close(() => done()))
    }
  }
}
