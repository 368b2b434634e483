// The private link as a client sees it: TLS on the endpoint's addresses and the link port with a
// certificate for the private-link hosts, answering every request with HTTP 400 as a Zilliz cluster
// answers one without credentials. Switches: the certificate served, and a delay before answering.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer, type Server } from 'node:https'
import { testCertificate, type CertificateKind } from './certificates.js'
import { startListeners, type Listeners } from './listeners.js'

export interface PrivateLinkServerOptions {
  ips: string[]
  /** 0 (the default): a port free on every address */
  port?: number
  certificate?: CertificateKind
  slowMs?: number
}

const BAD_REQUEST = JSON.stringify({ code: 400, message: 'Bad Request: no valid request body or credentials' })

export class PrivateLinkServer {
  /** Delay before each answer; longer than a client's timeout, the cluster "does not answer" */
  slowMs: number
  /** Requests answered so far */
  requests = 0
  private certificate: { cert: string; key: string }
  private listeners?: Listeners<Server>
  private readonly timers = new Set<NodeJS.Timeout>()

  private constructor(options: PrivateLinkServerOptions) {
    this.slowMs = options.slowMs ?? 0
    this.certificate = testCertificate(options.certificate ?? 'link')
  }

  static async start(options: PrivateLinkServerOptions): Promise<PrivateLinkServer> {
    const link = new PrivateLinkServer(options)
    link.listeners = await startListeners(options.ips, options.port ?? 0, () => createServer(link.certificate, (req, res) => link.answer(req, res)))
    return link
  }

  get port(): number {
    return this.listeners?.port ?? 0
  }

  get ips(): string[] {
    return [...(this.listeners?.servers.keys() ?? [])]
  }

  /** Serve another certificate from the next handshake on */
  useCertificate(kind: CertificateKind): void {
    this.certificate = testCertificate(kind)
    for (const server of this.listeners?.servers.values() ?? []) server.setSecureContext(this.certificate)
  }

  /** Serve more addresses, e.g. those an endpoint got after the server started */
  async addAddresses(ips: string[]): Promise<void> {
    await this.listeners?.add(ips)
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer)
    await this.listeners?.close()
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    req.resume()
    const send = () => {
      this.requests++
      res.writeHead(400, { 'content-type': 'application/json' }).end(BAD_REQUEST)
    }
    if (!this.slowMs) return send()
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      send()
    }, this.slowMs)
    this.timers.add(timer)
  }
}

export const startPrivateLinkServer = (options: PrivateLinkServerOptions) => PrivateLinkServer.start(options)
