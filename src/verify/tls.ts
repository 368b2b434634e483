// A TLS handshake with one address, the private-link host as SNI, verified the way a client verifies
// it. The chain and the name are judged apart, so "not trusted" and "not for this host" read differently.
import { checkServerIdentity, connect, rootCertificates, type PeerCertificate } from 'node:tls'
import { settleWithin, stopwatch } from './probe.js'

export interface TlsTarget {
  ip: string
  port: number
  /** The private-link host: sent as SNI and matched against the certificate */
  host: string
  timeoutMs: number
  /** Trust anchors; absent: Node's default store, which includes NODE_EXTRA_CA_CERTS */
  ca?: string[]
}

export type TlsOutcome =
  | { kind: 'trusted'; protocol: string; names: string[]; issuer: string; validTo: string; ms: number }
  | { kind: 'name-mismatch'; names: string[]; ms: number }
  | { kind: 'untrusted'; reason: string; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'failed'; reason: string; ms: number }

/** The default store plus the given certificates; undefined (the default store as is) when none are given. */
export function trustAnchors(extraCaCerts: string[] | undefined): string[] | undefined {
  return extraCaCerts?.length ? [...rootCertificates, ...extraCaCerts] : undefined
}

const CHAIN_ERRORS: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issued by an unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issued by an unknown authority',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not valid yet'
}

/** The DNS names a certificate is for: its subject alternative names, else its common name. */
export function certificateNames(cert: PeerCertificate): string[] {
  const alt = (cert.subjectaltname ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4))
  const commonName = cert.subject?.CN
  return alt.length ? alt : commonName ? [String(commonName)] : []
}

export function probeTls(target: TlsTarget): Promise<TlsOutcome> {
  const elapsed = stopwatch()
  return settleWithin<TlsOutcome>(
    target.timeoutMs,
    (settle) => {
      // Verification is judged below rather than by the socket, to tell the two failures apart.
      const socket = connect({ host: target.ip, port: target.port, servername: target.host, ca: target.ca, rejectUnauthorized: false })
      socket.once('secureConnect', () => {
        const cert = socket.getPeerCertificate()
        const names = certificateNames(cert)
        if (checkServerIdentity(target.host, cert)) return settle({ kind: 'name-mismatch', names, ms: elapsed() })
        if (!socket.authorized) {
          const code = String(socket.authorizationError ?? 'unknown')
          return settle({ kind: 'untrusted', reason: CHAIN_ERRORS[code] ?? code, ms: elapsed() })
        }
        settle({
          kind: 'trusted',
          protocol: socket.getProtocol() ?? 'TLS',
          names,
          issuer: String(cert.issuer?.CN ?? cert.issuer?.O ?? 'unknown issuer'),
          validTo: new Date(cert.valid_to).toISOString().slice(0, 10),
          ms: elapsed()
        })
      })
      socket.once('error', (error: NodeJS.ErrnoException) => settle({ kind: 'failed', reason: error.code ?? error.message, ms: elapsed() }))
      // A peer that closes without a handshake emits no error in every Node version.
      socket.once('close', () => settle({ kind: 'failed', reason: 'the connection closed before the handshake', ms: elapsed() }))
      return () => socket.destroy()
    },
    () => ({ kind: 'timeout', ms: elapsed() })
  )
}
