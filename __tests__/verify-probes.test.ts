// The data-plane probes against real servers on loopback: the emulated DNS server (real wire format),
// the TLS private-link server with the test CA, and ports that refuse, never answer or never speak TLS.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  recordsFrom,
  refusingPort,
  startDnsServer,
  startPrivateLinkServer,
  startSilentServer,
  startUnansweredPort,
  testCa,
  type DeadEnd,
  type EmulatedDnsServer,
  type PrivateLinkServer
} from '../emulators/dataplane/index.js'
import { isNonPublicAddress } from '../src/verify/addresses.js'
import { resolveA, serverLabel } from '../src/verify/dns.js'
import { probeHttps } from '../src/verify/http.js'
import { probeTcp } from '../src/verify/tcp.js'
import { probeTls, trustAnchors } from '../src/verify/tls.js'

// Generous enough that loopback answers never time out on a loaded machine; timeout cases wait for it.
const TIMEOUT_MS = 1500
const HOST = 'in01-0000000000000a1-privatelink.aws-us-west-2.vectordb.zillizcloud.com'
const APEX_ONLY = 'in01-0000000000000b2-privatelink.aws-us-west-2.vectordb.zillizcloud.com'
const PUBLIC_HOST = 'in01-0000000000000c3.aws-us-west-2.vectordb.zillizcloud.com'
const LINK_IPS = ['127.77.1.4', '127.77.2.4']
const ca = trustAnchors([testCa()])

let dns: EmulatedDnsServer
let link: PrivateLinkServer

beforeAll(async () => {
  dns = await startDnsServer({ answer: recordsFrom({ [HOST]: LINK_IPS, [APEX_ONLY]: [], [PUBLIC_HOST]: ['52.34.1.10', '10.0.1.4'] }) })
  link = await startPrivateLinkServer({ ips: LINK_IPS })
})
afterAll(async () => {
  await Promise.all([dns.close(), link.close()])
})

const server = () => ({ host: dns.host, port: dns.port })

describe('addresses', () => {
  it.each(['10.0.1.4', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.255', '127.0.0.1', '169.254.169.253', 'fd00::2', 'fe80::1', '::1'])(
    '%s is not public',
    (ip) => expect(isNonPublicAddress(ip)).toBe(true)
  )
  it.each(['52.34.1.10', '172.32.0.1', '100.128.0.1', '192.169.0.1', '8.8.8.8', '2600:1f14::1'])('%s is public', (ip) => expect(isNonPublicAddress(ip)).toBe(false))
})

describe('DNS', () => {
  it('returns the A records the server answers', async () => {
    const outcome = await resolveA(HOST, { server: server(), timeoutMs: TIMEOUT_MS })
    expect(outcome).toMatchObject({ kind: 'answers', addresses: LINK_IPS })
    expect(dns.queries).toContain(HOST)
  })

  it('tells NXDOMAIN from a name without A records (NODATA)', async () => {
    expect((await resolveA('nowhere.example', { server: server(), timeoutMs: TIMEOUT_MS })).kind).toBe('nxdomain')
    expect((await resolveA(APEX_ONLY, { server: server(), timeoutMs: TIMEOUT_MS })).kind).toBe('no-records')
  })

  it('returns public answers as they are (judging them is the check\'s job)', async () => {
    expect(await resolveA(PUBLIC_HOST, { server: server(), timeoutMs: TIMEOUT_MS })).toMatchObject({ addresses: ['52.34.1.10', '10.0.1.4'] })
  })

  it('times out when the server never answers', async () => {
    dns.silent = true
    try {
      expect((await resolveA(HOST, { server: server(), timeoutMs: TIMEOUT_MS })).kind).toBe('timeout')
    } finally {
      dns.silent = false
    }
  })

  it('reports a server that is not there', async () => {
    const port = await refusingPort()
    expect(await resolveA(HOST, { server: { host: '127.0.0.1', port }, timeoutMs: TIMEOUT_MS })).toMatchObject({ kind: 'failed', reason: 'connection refused' })
  })

  it('names the server the way the dns-server input takes it', () => {
    expect(serverLabel({ host: '10.0.0.2', port: 53 })).toBe('10.0.0.2:53')
    expect(serverLabel({ host: 'fd00::2', port: 53 })).toBe('[fd00::2]:53')
    expect(serverLabel(undefined)).toBe('the system resolver')
  })
})

describe('TCP', () => {
  let unanswered: DeadEnd
  beforeAll(async () => {
    unanswered = await startUnansweredPort(['127.77.3.4'])
  })
  afterAll(async () => {
    await unanswered.close()
  })

  it('connects to a listening port', async () => {
    expect((await probeTcp(LINK_IPS[0]!, link.port, TIMEOUT_MS)).kind).toBe('connected')
  })

  it('is refused where nothing listens', async () => {
    expect((await probeTcp('127.77.4.4', await refusingPort('127.77.4.4'), TIMEOUT_MS)).kind).toBe('refused')
  })

  it('times out where the handshake never completes', async () => {
    expect((await probeTcp('127.77.3.4', unanswered.port, TIMEOUT_MS)).kind).toBe('timeout')
  })
})

describe('TLS', () => {
  const handshake = (overrides: { ip?: string; port?: number; trust?: string[] } = {}) =>
    probeTls({ ip: overrides.ip ?? LINK_IPS[0]!, port: overrides.port ?? link.port, host: HOST, timeoutMs: TIMEOUT_MS, ca: overrides.trust ?? ca })

  it('accepts a certificate for the host from a trusted CA', async () => {
    expect(await handshake()).toMatchObject({ kind: 'trusted', issuer: 'zilliz-private-link test CA', names: expect.arrayContaining(['*.aws-us-west-2.vectordb.zillizcloud.com']) })
  })

  it('does not trust the test CA unless told to', async () => {
    expect(await probeTls({ ip: LINK_IPS[0]!, port: link.port, host: HOST, timeoutMs: TIMEOUT_MS })).toMatchObject({ kind: 'untrusted' })
  })

  it('reports a certificate for another name as a name mismatch', async () => {
    link.useCertificate('wrong-name')
    try {
      expect(await handshake()).toMatchObject({ kind: 'name-mismatch', names: ['api.other-service.example'] })
    } finally {
      link.useCertificate('link')
    }
  })

  it('reports a self-signed certificate for the right name as untrusted', async () => {
    link.useCertificate('self-signed')
    try {
      expect(await handshake()).toMatchObject({ kind: 'untrusted', reason: 'self-signed certificate' })
    } finally {
      link.useCertificate('link')
    }
  })

  it('times out against a server that accepts TCP and never speaks', async () => {
    const silent = await startSilentServer(['127.77.5.4'])
    try {
      expect((await handshake({ ip: '127.77.5.4', port: silent.port })).kind).toBe('timeout')
    } finally {
      await silent.close()
    }
  })
})

describe('HTTPS', () => {
  const request = (ip = LINK_IPS[1]!) => probeHttps({ host: HOST, port: link.port, ip, timeoutMs: TIMEOUT_MS, ca })

  it('gets the 400 a cluster answers without credentials, from the pinned address', async () => {
    const before = link.requests
    expect(await request()).toMatchObject({ kind: 'answered', status: 400 })
    expect(link.requests).toBe(before + 1)
  })

  it('times out when the cluster is slower than the timeout', async () => {
    link.slowMs = TIMEOUT_MS * 4
    try {
      expect((await request()).kind).toBe('timeout')
    } finally {
      link.slowMs = 0
    }
  })

  it('fails where the pinned address does not serve the link', async () => {
    expect((await request('127.77.6.4')).kind).toBe('failed')
  })
})
