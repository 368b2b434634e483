// The words each failing data-plane check starts its evidence with. Users search for them, so
// docs/TROUBLESHOOTING.md has a section headed by each, and the diagnoses link those sections.
export const ERROR_TEXT = {
  doesNotResolve: 'does not resolve',
  dnsNoAnswer: 'no answer from the DNS server',
  publicAddress: 'resolves to a public address',
  notEndpoint: "not to the endpoint's IPs",
  tcpTimeout: 'timed out connecting to',
  tcpUnreachable: 'no route to',
  tcpRefused: 'connection refused by',
  nameMismatch: 'the certificate is not valid for',
  untrusted: 'the certificate is not trusted',
  noHandshake: 'no TLS handshake with',
  noHttpAnswer: 'no HTTP answer from',
  notServing: 'the endpoint does not carry traffic yet',
  outside: 'this runner is outside the network'
} as const

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-')
}

export const TROUBLESHOOTING_DOC = 'docs/TROUBLESHOOTING.md'

/** Where a heading of the troubleshooting guide is, as printed in a fix. */
export function troubleshootingLink(heading: string): string {
  return `${TROUBLESHOOTING_DOC}#${headingAnchor(heading)}`
}
