// Addresses that fail the way broken networks do, all on loopback: a port that refuses (nothing
// listens: a reset), a port that never answers (SYNs dropped, as by a security group), and a port that
// accepts TCP but never speaks (something that is not the TLS endpoint).
import { createServer, connect, type Server, type Socket } from 'node:net'
import { Worker } from 'node:worker_threads'
import { startListeners } from './listeners.js'

export interface DeadEnd {
  port: number
  close(): Promise<void>
}

/** A port on `ip` where nothing listens, so a connect is refused at once. */
export async function refusingPort(ip = '127.0.0.1'): Promise<number> {
  const server = createServer()
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: ip, port: 0 }, () => resolve((server.address() as { port: number }).port))
  })
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Accepts TCP on every address and says nothing, so a TLS handshake never completes. */
export async function startSilentServer(ips: string[], port = 0): Promise<DeadEnd> {
  const listeners = await startListeners<Server>(ips, port, () => createServer(() => {}))
  return { port: listeners.port, close: () => listeners.close() }
}

// The listening sockets live in a worker whose event loop is blocked, so nothing ever accepts: once
// the kernel's accept queue is full, new SYNs are dropped and clients time out, as behind a firewall.
const BLOCKED_LISTENER = `
const { parentPort, workerData } = require('node:worker_threads')
const net = require('node:net')
const { ips, port, gate } = workerData
const servers = []
const listen = (ip, port) => new Promise((resolve, reject) => {
  const server = net.createServer()
  server.once('error', reject)
  server.listen({ host: ip, port, backlog: 1 }, () => { servers.push(server); resolve(server.address().port) })
})
;(async () => {
  let chosen = port
  for (const ip of ips) chosen = await listen(ip, chosen)
  parentPort.postMessage({ port: chosen })
  Atomics.wait(new Int32Array(gate), 0, 0)
  for (const server of servers) server.close()
  process.exit(0)
})().catch((error) => { parentPort.postMessage({ error: String(error) }); process.exit(1) })
`

/** Opens connections until one does not complete: from then on the queue is full. */
async function fillAcceptQueue(ip: string, port: number): Promise<Socket[]> {
  const held: Socket[] = []
  for (let i = 0; i < 16; i++) {
    const socket = connect({ host: ip, port })
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 150)
      socket.once('connect', () => {
        clearTimeout(timer)
        resolve(true)
      })
      socket.once('error', () => {
        clearTimeout(timer)
        resolve(false)
      })
    })
    if (!connected) {
      socket.destroy()
      return held
    }
    held.push(socket)
  }
  throw new Error(`The accept queue of ${ip}:${port} never filled`)
}

/** A port on every address whose TCP handshake never completes: connects time out. */
export async function startUnansweredPort(ips: string[], port = 0): Promise<DeadEnd> {
  const gate = new SharedArrayBuffer(4)
  const worker = new Worker(BLOCKED_LISTENER, { eval: true, workerData: { ips, port, gate } })
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  const ready = await new Promise<{ port?: number; error?: string }>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  if (ready.port === undefined) throw new Error(`Could not listen on ${ips.join(', ')}: ${ready.error}`)
  const chosen = ready.port
  const held = (await Promise.all(ips.map((ip) => fillAcceptQueue(ip, chosen)))).flat()
  return {
    port: chosen,
    close: async () => {
      for (const socket of held) socket.destroy()
      const flag = new Int32Array(gate)
      Atomics.store(flag, 0, 1)
      Atomics.notify(flag, 0)
      await exited
    }
  }
}
