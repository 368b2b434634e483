// A records of a host, from the system resolver or from one given server, classified the way the
// diagnosis needs them: answers, no such name, a name without A records, no answer, or a failure.
import { Resolver } from 'node:dns'
import { settleWithin, stopwatch } from './probe.js'

export interface DnsServer {
  host: string
  port: number
}

export type DnsOutcome =
  | { kind: 'answers'; addresses: string[]; ms: number }
  | { kind: 'nxdomain'; ms: number }
  /** The name exists (a zone apex, say) but has no A record: NODATA */
  | { kind: 'no-records'; ms: number }
  | { kind: 'timeout'; ms: number }
  /** SERVFAIL, REFUSED, or the server could not be reached */
  | { kind: 'failed'; reason: string; ms: number }

const FAILURE_WORDS: Record<string, string> = {
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  ECONNREFUSED: 'connection refused',
  EFORMERR: 'FORMERR',
  EBADRESP: 'a malformed answer'
}

/** Why a lookup gave no address, in the words of dig: NXDOMAIN, no A record, no answer, SERVFAIL… */
export function unresolvedReason(outcome: Exclude<DnsOutcome, { kind: 'answers' }>): string {
  switch (outcome.kind) {
    case 'nxdomain':
      return 'NXDOMAIN'
    case 'no-records':
      return 'no A record'
    case 'timeout':
      return 'no answer'
    case 'failed':
      return outcome.reason
  }
}

/** How evidence names the server: 10.0.0.2:53, [fd00::2]:53, or the system resolver. */
export function serverLabel(server: DnsServer | undefined): string {
  if (!server) return 'the system resolver'
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`
}

export interface ResolveOptions {
  /** Absent: the servers of the runner's resolver configuration */
  server?: DnsServer
  timeoutMs: number
}

export function resolveA(host: string, options: ResolveOptions): Promise<DnsOutcome> {
  const elapsed = stopwatch()
  // One try: a resolver inside the network answers in milliseconds, and a retry would only double the wait.
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 1 })
  if (options.server) resolver.setServers([serverLabel(options.server)])
  return settleWithin<DnsOutcome>(
    options.timeoutMs,
    (settle) => {
      resolver.resolve4(host, (error, addresses) => {
        if (!error) return settle({ kind: 'answers', addresses, ms: elapsed() })
        const code = (error as NodeJS.ErrnoException).code ?? ''
        if (code === 'ENOTFOUND') return settle({ kind: 'nxdomain', ms: elapsed() })
        if (code === 'ENODATA') return settle({ kind: 'no-records', ms: elapsed() })
        if (code === 'ETIMEOUT') return settle({ kind: 'timeout', ms: elapsed() })
        settle({ kind: 'failed', reason: FAILURE_WORDS[code] ?? (code || error.message), ms: elapsed() })
      })
      return () => resolver.cancel()
    },
    () => ({ kind: 'timeout', ms: elapsed() })
  )
}
