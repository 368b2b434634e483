// One port on several loopback addresses: a server per address, all on the same port, as an endpoint
// has one interface per subnet. Port 0 picks a port free on every address.
import type { Server, Socket } from 'node:net'

export interface Listeners<S extends Server> {
  port: number
  readonly servers: Map<string, S>
  /** Listens on more addresses (those already served are left alone) */
  add(ips: string[]): Promise<void>
  /** Stops listening and drops open connections */
  close(): Promise<void>
}

function listen(server: Server, ip: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: ip, port }, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}

const PORT_ATTEMPTS = 5

export async function startListeners<S extends Server>(ips: string[], port: number, create: () => S): Promise<Listeners<S>> {
  const servers = new Map<string, S>()
  const sockets = new Set<Socket>()
  // Two callers adding the same address at once (a DNS answer for A and one for AAAA, say) share one listen.
  const starting = new Map<string, Promise<void>>()
  const start = async (ip: string) => {
    const server = create()
    server.on('connection', (socket: Socket) => {
      sockets.add(socket)
      socket.once('close', () => sockets.delete(socket))
    })
    listeners.port = await listen(server, ip, listeners.port)
    servers.set(ip, server)
  }
  const listeners: Listeners<S> = {
    port,
    servers,
    add: async (more) => {
      for (const ip of more.filter((ip) => !servers.has(ip))) {
        let started = starting.get(ip)
        if (!started) {
          started = start(ip).finally(() => starting.delete(ip))
          starting.set(ip, started)
        }
        await started
      }
    },
    close: async () => {
      const all = [...servers.values()]
      servers.clear()
      for (const socket of sockets) socket.destroy()
      await Promise.all(all.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
    }
  }
  // A port picked on the first address may be taken on another: start over with a new one.
  for (let attempt = 1; ; attempt++) {
    try {
      await listeners.add(ips)
      return listeners
    } catch (error) {
      await listeners.close()
      listeners.port = port
      if (port !== 0 || attempt >= PORT_ATTEMPTS) throw error
    }
  }
}
