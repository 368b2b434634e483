// One HTTPS request to https://host:port/, pinned to an address the DNS check saw, as a client would send
// it. Any HTTP status proves the path: Zilliz answers a request without credentials with 400.
import { request } from 'node:https'
import { isIPv6, type LookupFunction } from 'node:net'
import { settleWithin, stopwatch } from './probe.js'

export interface HttpsTarget {
  host: string
  port: number
  /** The address to connect to, whatever the runner's resolver says */
  ip: string
  timeoutMs: number
  /** Trust anchors; absent: Node's default store, which includes NODE_EXTRA_CA_CERTS */
  ca?: string[]
}

export type HttpsOutcome =
  | { kind: 'answered'; status: number; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'failed'; reason: string; ms: number }

/** A lookup that answers every name with one address, in both of the shapes net.connect asks for. */
export function pinnedLookup(ip: string): LookupFunction {
  const family = isIPv6(ip) ? 6 : 4
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address: ip, family }])
    else callback(null, ip, family)
  }) as LookupFunction
}

export function probeHttps(target: HttpsTarget): Promise<HttpsOutcome> {
  const elapsed = stopwatch()
  return settleWithin<HttpsOutcome>(
    target.timeoutMs,
    (settle) => {
      const req = request({
        host: target.host,
        port: target.port,
        path: '/',
        method: 'GET',
        lookup: pinnedLookup(target.ip),
        ca: target.ca,
        agent: false,
        headers: { 'user-agent': 'zilliz-private-link verification' }
      })
      req.once('response', (res) => {
        res.resume()
        settle({ kind: 'answered', status: res.statusCode ?? 0, ms: elapsed() })
      })
      req.once('error', (error: NodeJS.ErrnoException) => settle({ kind: 'failed', reason: error.code ?? error.message, ms: elapsed() }))
      req.end()
      return () => req.destroy()
    },
    () => ({ kind: 'timeout', ms: elapsed() })
  )
}
