// Shared plumbing for every loopback emulator: an HTTP server on 127.0.0.1, a call log,
// latency and fault switches. Each cloud service only supplies classify/handle/errorResponse.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Chaos } from './chaos.js'
import { RateLimits, type RateLimit, type Throttle } from './rate-limits.js'

export interface EmulatorRequest {
  method: string
  url: URL
  headers: IncomingHttpHeaders
  body: string
}

export interface EmulatorResponse {
  status: number
  headers?: Record<string, string>
  body?: string
  /** The call failed though the status is 2xx (Zilliz answers domain errors as HTTP 200) */
  failed?: boolean
  /** Refused by a rate limit the service keeps itself (Zilliz's per-route window) */
  throttled?: boolean
}

export interface Classified {
  /** API operation name, e.g. 'CreateVpcEndpoint' or 'POST privateEndpoints' */
  operation: string
  /** True when the call changes state (used for zero-write assertions) */
  write: boolean
}

export interface Service {
  /** Short name used in the call log and switches, e.g. 'ec2', 'route53', 'zilliz' */
  name: string
  classify(req: EmulatorRequest): Classified
  handle(req: EmulatorRequest): Promise<EmulatorResponse> | EmulatorResponse
  /** The service's own error envelope, used for injected faults */
  errorResponse(status: number, code: string, message: string): EmulatorResponse
  /** The documented rate limits a call counts against (see rate-limits.ts) */
  rateLimits?(call: Classified, req: EmulatorRequest): RateLimit[]
  /** The service's own throttling answer when one of those limits is used up */
  throttled?(throttle: Throttle, req: EmulatorRequest): EmulatorResponse
}

export interface CallRecord {
  service: string
  operation: string
  write: boolean
  method: string
  path: string
  status: number
  at: number
  /** Port of the client's end of the connection: which socket (direct, or a proxy's tunnel) carried the call */
  peerPort?: number
  /** Refused by a rate limit */
  throttled: boolean
  /** Order of the request's arrival and of its answer on one counter: what was in flight together, without a clock */
  arrived?: number
  answered?: number
}

export class CallLog {
  readonly records: CallRecord[] = []
  private events = 0
  /** The next number of the arrival/answer counter */
  tick(): number {
    return ++this.events
  }
  add(record: CallRecord): void {
    this.records.push(record)
  }
  clear(): void {
    this.records.length = 0
  }
  calls(service?: string): CallRecord[] {
    return this.records.filter((r) => service === undefined || r.service === service)
  }
  writes(service?: string): CallRecord[] {
    return this.calls(service).filter((r) => r.write)
  }
  throttled(service?: string): CallRecord[] {
    return this.calls(service).filter((r) => r.throttled)
  }
  count(operation: string, service?: string): number {
    return this.calls(service).filter((r) => r.operation === operation).length
  }
}

export interface Fault {
  service: string
  /** Operation name as classify() reports it; '*' matches any */
  operation: string
  status: number
  code: string
  message?: string
  /** How many matching calls fail before the fault is used up */
  times: number
  /**
   * The error echoes the request, as some services do: its headers and body in the error message (as sent,
   * and base64-encoded) and the authorization header in a response header. Tests use it to prove that no
   * secret the action sent reaches a sink.
   */
  echo?: boolean
  /** The call takes effect first and only its response is lost: a crash right after the write */
  afterEffect?: boolean
}

/** Latency (ms) per service or per 'service:operation', injected faults, and the rate limits' buckets. */
export class Switches {
  latency: Record<string, number> = {}
  readonly faults: Fault[] = []
  /** Seeded random transient faults on top of the injected ones */
  chaos?: Chaos
  readonly rateLimits = new RateLimits()
  inject(fault: Fault): void {
    this.faults.push({ ...fault })
  }
  delayFor(service: string, operation: string): number {
    return this.latency[`${service}:${operation}`] ?? this.latency[service] ?? this.latency['*'] ?? 0
  }
  /** Consumes one use of the first matching fault, if any. */
  takeFault(service: string, operation: string): Fault | undefined {
    const fault = this.faults.find(
      (f) => f.times > 0 && f.service === service && (f.operation === '*' || f.operation === operation)
    )
    if (fault) fault.times -= 1
    return fault
  }
  private gathering?: Gathering
  /**
   * Holds the answers to the named calls ('service:operation', each counted once) until all of them have
   * arrived, then answers them. A client that sends them together gets its answers at once; one that waits
   * for an answer before sending the next never gets there, and after `patienceMs` the held calls are let go
   * and the result names the calls that never arrived. Proves calls were sent together without timing them.
   */
  gather(calls: string[], patienceMs: number): Promise<{ arrived: string[]; missing: string[] }> {
    let release = () => {}
    const released = new Promise<void>((resolve) => (release = resolve))
    const gathering: Gathering = { waiting: new Set(calls), arrived: [], release, released }
    this.gathering = gathering
    const timer = setTimeout(release, patienceMs)
    return released.then(() => {
      clearTimeout(timer)
      if (this.gathering === gathering) this.gathering = undefined
      return { arrived: gathering.arrived, missing: [...gathering.waiting] }
    })
  }
  /** Waits, for a call that is being gathered, until the gathering is complete. */
  async held(service: string, operation: string): Promise<void> {
    const gathering = this.gathering
    const call = `${service}:${operation}`
    if (!gathering?.waiting.has(call)) return
    gathering.waiting.delete(call)
    gathering.arrived.push(call)
    if (!gathering.waiting.size) gathering.release()
    await gathering.released
  }
  reset(): void {
    this.latency = {}
    this.faults.length = 0
    this.chaos = undefined
    this.rateLimits.reset()
    this.gathering?.release()
  }
}

interface Gathering {
  waiting: Set<string>
  arrived: string[]
  release(): void
  released: Promise<void>
}

function faultResponse(service: Service, fault: Fault, request: EmulatorRequest): EmulatorResponse {
  const message = fault.message ?? `Injected ${fault.code}`
  if (!fault.echo) return service.errorResponse(fault.status, fault.code, message)
  const sent = `${request.method} ${request.url.pathname}${request.url.search} ${JSON.stringify(request.headers)} ${request.body}`
  const echoed = service.errorResponse(fault.status, fault.code, `${message}; you sent: ${sent}; base64: ${Buffer.from(sent).toString('base64')}`)
  const authorization = [request.headers['authorization'], request.headers['x-amz-security-token']].filter(Boolean).join(' ')
  return { ...echoed, headers: { ...echoed.headers, 'x-echoed-authorization': authorization } }
}

export interface Running {
  url: string
  port: number
  close(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function startService(service: Service, log: CallLog, switches: Switches, port = 0): Promise<Running> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const arrived = log.tick()
        const request: EmulatorRequest = {
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', 'http://127.0.0.1'),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8')
        }
        let response: EmulatorResponse
        let classified: Classified = { operation: 'unknown', write: false }
        let lost = false
        let lostAfterEffect = false
        let throttle: Throttle | undefined
        try {
          classified = service.classify(request)
          await switches.held(service.name, classified.operation)
          const delay = switches.delayFor(service.name, classified.operation)
          if (delay > 0) await sleep(delay)
          throttle = service.throttled ? switches.rateLimits.take(service.rateLimits?.(classified, request) ?? []) : undefined
          const fault = throttle ? undefined : switches.takeFault(service.name, classified.operation)
          if (fault?.afterEffect) lostAfterEffect = (await service.handle(request)).status < 400
          const chaos = fault || throttle ? undefined : switches.chaos?.callFault(service.name)
          lost = chaos?.kind === 'lost'
          response = throttle
            ? (service.throttled as NonNullable<Service['throttled']>)(throttle, request)
            : fault
              ? faultResponse(service, fault, request)
              : chaos?.kind === 'error'
                ? service.errorResponse(chaos.status, chaos.code, `Transient ${chaos.code} (injected)`)
                : await service.handle(request)
        } catch (error) {
          response = service.errorResponse(500, 'InternalError', (error as Error).message)
        }
        // A call that failed changed nothing, so only successful writes count as writes.
        const write = classified.write && ((response.status < 400 && !response.failed) || Boolean(lostAfterEffect))
        log.add({
          service: service.name,
          operation: classified.operation,
          write,
          method: request.method,
          path: request.url.pathname,
          status: lost ? 0 : response.status,
          at: Date.now(),
          peerPort: req.socket.remotePort,
          throttled: throttle !== undefined || response.throttled === true,
          arrived,
          answered: log.tick()
        })
        // A lost answer: the call was handled, but the connection drops before the client hears back.
        if (lost) return void res.socket?.destroy()
        res.writeHead(response.status, response.headers ?? {})
        res.end(response.body ?? '')
      })()
    })
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const actual = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
