// One HTTP exchange over node:http against a loopback server: what is sent, what comes back, and how a
// failure keeps its cause.
import { afterEach, describe, expect, it } from '@jest/globals'
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exchange, HttpExchangeError } from '../src/base/http-exchange.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => handler(req, body, res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('exchange', () => {
  it('sends method, headers and a body of known length, and returns status, headers and text', async () => {
    const seen: Array<{ method?: string; url?: string; length?: string; encoding?: string; custom?: string; body: string }> = []
    const url = await serve((req, body, res) => {
      seen.push({ method: req.method, url: req.url, length: req.headers['content-length'], encoding: req.headers['transfer-encoding'], custom: req.headers['x-custom'] as string, body })
      res.writeHead(201, 'Made', [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['RequestId', 'r-1'], ['Content-Type', 'application/json']])
      res.end('{"ok":"ünï"}')
    })
    const answer = await exchange({ method: 'POST', url: `${url}/v2/x?y=1`, headers: { 'X-Custom': 'c' }, body: '{"name":"é"}', timeoutMs: 5000 })
    expect(seen).toEqual([{ method: 'POST', url: '/v2/x?y=1', length: String(Buffer.byteLength('{"name":"é"}')), encoding: undefined, custom: 'c', body: '{"name":"é"}' }])
    expect(answer).toMatchObject({ status: 201, statusText: 'Made', body: '{"ok":"ünï"}' })
    expect(answer.headers).toMatchObject({ requestid: 'r-1', 'set-cookie': 'a=1, b=2' })
  })

  it('uses the agent the chooser gives for the URL', async () => {
    const url = await serve((_req, _body, res) => res.end('fine'))
    const agent = new Agent({ keepAlive: false })
    const asked: string[] = []
    let connections = 0
    const created = agent.createConnection.bind(agent)
    agent.createConnection = (...args: Parameters<Agent['createConnection']>) => {
      connections += 1
      return created(...args)
    }
    await exchange({ method: 'GET', url, timeoutMs: 5000, agentFor: (u) => (asked.push(u.href), agent) })
    expect(asked).toEqual([`${url}/`])
    expect(connections).toBe(1)
    agent.destroy()
  })

  it('fails with the timeout when the answer does not come in time', async () => {
    const url = await serve(() => undefined)
    const error = (await exchange({ method: 'GET', url, timeoutMs: 50 }).catch((e: unknown) => e)) as HttpExchangeError
    expect(error).toBeInstanceOf(HttpExchangeError)
    expect(error.timedOut).toBe(true)
    expect(error.message).toBe('no response within 0.05 s')
  })

  it("keeps Node's error as the cause of a connection that fails or breaks", async () => {
    const refused = (await exchange({ method: 'GET', url: 'http://127.0.0.1:9/', timeoutMs: 5000 }).catch((e: unknown) => e)) as HttpExchangeError
    expect(refused).toMatchObject({ name: 'HttpExchangeError', timedOut: false, message: 'connect ECONNREFUSED 127.0.0.1:9' })
    expect((refused.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
    const url = await serve((req) => req.socket.destroy())
    const dropped = (await exchange({ method: 'GET', url, timeoutMs: 5000 }).catch((e: unknown) => e)) as HttpExchangeError
    expect(dropped).toMatchObject({ name: 'HttpExchangeError', timedOut: false, message: 'socket hang up' })
    expect((dropped.cause as NodeJS.ErrnoException).code).toBe('ECONNRESET')
  })

  it('fails when the answer breaks off in the middle of its body', async () => {
    const url = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-length': '100' })
      res.write('partial')
      setTimeout(() => res.socket?.destroy(), 20)
    })
    const error = (await exchange({ method: 'GET', url, timeoutMs: 5000 }).catch((e: unknown) => e)) as HttpExchangeError
    expect(error).toMatchObject({ name: 'HttpExchangeError', timedOut: false, message: 'aborted' })
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNRESET')
  })
})
