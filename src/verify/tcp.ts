// A TCP connect to one address and port, classified: connected, refused (something answered with a
// reset), timeout (packets dropped: a security group or firewall), or unreachable (no route).
import { connect } from 'node:net'
import { settleWithin, stopwatch } from './probe.js'

export type TcpOutcome =
  | { kind: 'connected'; ms: number }
  | { kind: 'refused'; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'unreachable'; code: string; ms: number }
  | { kind: 'failed'; reason: string; ms: number }

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'])

export function probeTcp(ip: string, port: number, timeoutMs: number): Promise<TcpOutcome> {
  const elapsed = stopwatch()
  return settleWithin<TcpOutcome>(
    timeoutMs,
    (settle) => {
      const socket = connect({ host: ip, port })
      socket.once('connect', () => settle({ kind: 'connected', ms: elapsed() }))
      socket.once('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? ''
        if (code === 'ECONNREFUSED') settle({ kind: 'refused', ms: elapsed() })
        else if (code === 'ETIMEDOUT') settle({ kind: 'timeout', ms: elapsed() })
        else if (UNREACHABLE.has(code)) settle({ kind: 'unreachable', code, ms: elapsed() })
        else settle({ kind: 'failed', reason: code || error.message, ms: elapsed() })
      })
      return () => socket.destroy()
    },
    () => ({ kind: 'timeout', ms: elapsed() })
  )
}
