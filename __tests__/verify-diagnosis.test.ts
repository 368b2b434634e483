// Every row of the diagnosis table, each produced by real network behaviour on loopback: a DNS server
// that answers, says NXDOMAIN or NODATA, stays silent or answers publicly; TLS servers with good, wrong
// and self-signed certificates, and a slow one; ports that refuse, never answer, or never speak TLS.
// Control-plane checks are given as a provider would report them, so the combined rows are reached too.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
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
import type { Check } from '../src/base/checks.js'
import { recordsLeftToDnsTeam } from '../src/engine/dns-placement.js'
import { DIAGNOSES, diagnose, type SymptomKind } from '../src/verify/diagnose.js'
import { ERROR_TEXT, headingAnchor } from '../src/verify/error-text.js'
import { verifyDataPlane, type DataPlaneInput } from '../src/verify/index.js'

// Generous enough that loopback answers never time out on a loaded machine; timeout cases wait for it.
const TIMEOUT_MS = 1500
const CLUSTER = 'in01-0000000000000d4'
const host = (label: string) => `${CLUSTER}-${label}-privatelink.aws-us-west-2.vectordb.zillizcloud.com`

const IP = {
  good: '127.78.1.4',
  wrongName: '127.78.2.4',
  selfSigned: '127.78.3.4',
  slow: '127.78.4.4',
  unanswered: '127.78.5.4',
  refusing: '127.78.6.4',
  silent: '127.78.7.4',
  elsewhere: '127.78.9.9'
}

const HOSTS = {
  good: host('good'),
  wrongName: host('wrong-name'),
  selfSigned: host('self-signed'),
  slow: host('slow'),
  unanswered: host('unanswered'),
  refusing: host('refusing'),
  silent: host('silent'),
  apexOnly: host('apex-only'),
  publicOnly: host('public'),
  missing: host('missing')
}

let dns: EmulatedDnsServer
let good: PrivateLinkServer
let wrongName: PrivateLinkServer
let selfSigned: PrivateLinkServer
let slow: PrivateLinkServer
let unanswered: DeadEnd
let silent: DeadEnd
let refusedPort: number
const ports: Record<string, number> = {}

beforeAll(async () => {
  dns = await startDnsServer({
    answer: recordsFrom({
      [HOSTS.good]: [IP.good],
      [HOSTS.wrongName]: [IP.wrongName],
      [HOSTS.selfSigned]: [IP.selfSigned],
      [HOSTS.slow]: [IP.slow],
      [HOSTS.unanswered]: [IP.unanswered],
      [HOSTS.refusing]: [IP.refusing],
      [HOSTS.silent]: [IP.silent],
      [HOSTS.apexOnly]: [],
      [HOSTS.publicOnly]: ['34.212.0.10']
    })
  })
  ;[good, wrongName, selfSigned, slow] = await Promise.all([
    startPrivateLinkServer({ ips: [IP.good] }),
    startPrivateLinkServer({ ips: [IP.wrongName], certificate: 'wrong-name' }),
    startPrivateLinkServer({ ips: [IP.selfSigned], certificate: 'self-signed' }),
    startPrivateLinkServer({ ips: [IP.slow], slowMs: TIMEOUT_MS * 5 })
  ])
  ;[unanswered, silent, refusedPort] = await Promise.all([startUnansweredPort([IP.unanswered]), startSilentServer([IP.silent]), refusingPort(IP.refusing)])
  Object.assign(ports, {
    good: good.port,
    wrongName: wrongName.port,
    selfSigned: selfSigned.port,
    slow: slow.port,
    unanswered: unanswered.port,
    silent: silent.port,
    refusing: refusedPort
  })
})

afterAll(async () => {
  await Promise.all([dns.close(), good.close(), wrongName.close(), selfSigned.close(), slow.close(), unanswered.close(), silent.close()])
})

const controlPlaneCheck = (id: string, status: Check['status'], evidence: string, cause?: string, fix?: string): Check => ({
  id,
  title: `control-plane check ${id}`,
  status,
  evidence,
  ...(cause ? { cause } : {}),
  ...(fix ? { fix } : {})
})

const PORT_RULES_FIX = 'Add inbound rules to sg-0123456789abcdef0: tcp/19530 from 10.0.0.0/16.'

interface Scenario {
  row: string
  /** Which link (HOSTS key) the run checks */
  link: keyof typeof HOSTS
  /** The failing check (dns, tcp, tls, https) and what it saw */
  check: 'dns' | 'tcp' | 'tls' | 'https'
  symptom: SymptomKind
  /** The error text the evidence starts with or contains */
  text: string
  ip?: string
  controlPlane?: Check[]
  endpointIps?: string[]
  silentDns?: boolean
}

const SCENARIOS: Scenario[] = [
  {
    row: 'host-reallocated',
    link: 'missing',
    check: 'dns',
    symptom: 'dns-no-record',
    text: ERROR_TEXT.doesNotResolve,
    controlPlane: [
      controlPlaneCheck(`private-link:${CLUSTER}`, 'fail', 'privateLinkAddress host other-host:19530', 'The DNS records were made for planned-host, but Zilliz allocated other-host.', 'Re-run in apply mode: the next plan uses the allocated host.')
    ]
  },
  {
    row: 'zone-or-record-missing',
    link: 'apexOnly',
    check: 'dns',
    symptom: 'dns-no-record',
    text: ERROR_TEXT.doesNotResolve,
    controlPlane: [controlPlaneCheck(`dns-zone:${CLUSTER}`, 'skip', 'not created yet; apply creates it')]
  },
  { row: 'no-private-record', link: 'missing', check: 'dns', symptom: 'dns-no-record', text: ERROR_TEXT.doesNotResolve },
  { row: 'dns-server-silent', link: 'good', check: 'dns', symptom: 'dns-no-answer', text: ERROR_TEXT.dnsNoAnswer, silentDns: true },
  { row: 'zone-does-not-apply', link: 'publicOnly', check: 'dns', symptom: 'dns-public', text: ERROR_TEXT.publicAddress },
  {
    row: 'record-by-dns-team-points-elsewhere',
    link: 'good',
    check: 'dns',
    symptom: 'dns-not-endpoint',
    text: ERROR_TEXT.notEndpoint,
    endpointIps: [IP.elsewhere],
    // dns: none, as every provider reports it
    controlPlane: recordsLeftToDnsTeam([{ clusterId: CLUSTER, host: HOSTS.good }])
  },
  { row: 'record-points-elsewhere', link: 'good', check: 'dns', symptom: 'dns-not-endpoint', text: ERROR_TEXT.notEndpoint, endpointIps: [IP.elsewhere] },
  {
    row: 'endpoint-not-serving',
    link: 'unanswered',
    check: 'tcp',
    symptom: 'tcp-blocked',
    text: ERROR_TEXT.tcpTimeout,
    ip: IP.unanswered,
    controlPlane: [
      controlPlaneCheck('endpoint-available', 'fail', 'state=pendingacceptance', 'Zilliz has not accepted the endpoint yet.', 'Check the registration on the Zilliz side and re-run; acceptance takes about 5 minutes.'),
      controlPlaneCheck('security-group-ports', 'fail', 'missing tcp/19530 from 10.0.0.0/16', 'Clients time out.', PORT_RULES_FIX)
    ]
  },
  {
    row: 'port-rule-missing',
    link: 'unanswered',
    check: 'tcp',
    symptom: 'tcp-blocked',
    text: ERROR_TEXT.tcpTimeout,
    ip: IP.unanswered,
    controlPlane: [controlPlaneCheck('security-group-ports', 'fail', 'missing tcp/19530 from 10.0.0.0/16', 'Clients time out.', PORT_RULES_FIX)]
  },
  { row: 'firewall-drops', link: 'unanswered', check: 'tcp', symptom: 'tcp-blocked', text: ERROR_TEXT.tcpTimeout, ip: IP.unanswered },
  { row: 'nothing-listens', link: 'refusing', check: 'tcp', symptom: 'tcp-refused', text: ERROR_TEXT.tcpRefused, ip: IP.refusing },
  { row: 'wrong-record', link: 'wrongName', check: 'tls', symptom: 'tls-name-mismatch', text: ERROR_TEXT.nameMismatch, ip: IP.wrongName },
  { row: 'tls-intercepted', link: 'selfSigned', check: 'tls', symptom: 'tls-untrusted', text: ERROR_TEXT.untrusted, ip: IP.selfSigned },
  { row: 'not-tls', link: 'silent', check: 'tls', symptom: 'tls-no-handshake', text: ERROR_TEXT.noHandshake, ip: IP.silent },
  { row: 'cluster-not-answering', link: 'slow', check: 'https', symptom: 'https-no-answer', text: ERROR_TEXT.noHttpAnswer, ip: IP.slow }
]

function input(link: keyof typeof HOSTS, overrides: Partial<DataPlaneInput> = {}): DataPlaneInput {
  return {
    verify: 'full',
    dnsServer: dns.address,
    links: [{ clusterId: CLUSTER, host: HOSTS[link], port: ports[link] ?? 19530 }],
    controlPlane: [],
    timeoutMs: TIMEOUT_MS,
    extraCaCerts: [testCa()],
    ...overrides
  }
}

describe('every diagnosis row, from real network behaviour', () => {
  it.each(SCENARIOS.map((s) => [s.row, s] as const))('%s', async (_, scenario) => {
    const controlPlane = scenario.controlPlane ?? []
    dns.silent = Boolean(scenario.silentDns)
    const checks = await verifyDataPlane(input(scenario.link, { controlPlane, endpointIps: scenario.endpointIps })).finally(() => (dns.silent = false))

    const failed = checks.filter((c) => c.status === 'fail')
    expect(failed.map((c) => c.id)).toEqual([`${scenario.check}:${CLUSTER}`])
    const [check] = failed as [Check]
    expect(check.evidence).toContain(scenario.text)
    const link = input(scenario.link).links[0]!
    const expected = diagnose(scenario.symptom, { ...link, ip: scenario.ip, dnsServer: dns.address, controlPlane })
    expect(expected.row).toBe(scenario.row)
    expect({ cause: check.cause, fix: check.fix }).toEqual({ cause: expected.cause, fix: expected.fix })
  })

  it('covers every row of the table', () => {
    expect(SCENARIOS.map((s) => s.row).sort()).toEqual(DIAGNOSES.map((row) => row.id).sort())
  })

  it('sends a host without a record to the DNS team with dns: none, not to apply mode', async () => {
    const controlPlane = recordsLeftToDnsTeam([{ clusterId: CLUSTER, host: HOSTS.missing }])
    const checks = await verifyDataPlane(input('missing', { controlPlane }))
    const [failed] = checks.filter((c) => c.status === 'fail')
    expect(failed?.id).toBe(`dns:${CLUSTER}`)
    expect(failed?.fix).toContain(`Have your DNS team create the A record of ${HOSTS.missing} as the dns-records output gives it`)
    expect(failed?.fix).not.toMatch(/apply mode/)
  })

  it('names the exact rule to add when the port rules are missing too', async () => {
    const checks = await verifyDataPlane(input('unanswered', { controlPlane: [controlPlaneCheck('security-group-ports', 'fail', 'missing tcp/19530 from 10.0.0.0/16', undefined, PORT_RULES_FIX)] }))
    const tcp = checks.find((c) => c.id === `tcp:${CLUSTER}`)
    expect(tcp?.fix).toBe(`${PORT_RULES_FIX} See docs/TROUBLESHOOTING.md#timed-out-connecting-to-or-no-route-to.`)
    expect(tcp?.cause).toContain('missing tcp/19530 from 10.0.0.0/16')
  })

  it('skips the checks after the first failure, saying why', async () => {
    const checks = await verifyDataPlane(input('missing'))
    expect(checks.map((c) => [c.id.split(':')[0], c.status])).toEqual([
      ['dns', 'fail'],
      ['tcp', 'skip'],
      ['tls', 'skip'],
      ['https', 'skip']
    ])
    expect(checks[1]?.evidence).toBe(`not tried: ${HOSTS.missing} did not resolve to a private address`)
  })

  it('passes all four checks on a healthy link, with timing', async () => {
    const checks = await verifyDataPlane(input('good', { endpointIps: [IP.good] }))
    expect(checks.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass'])
    for (const check of checks) expect(check.evidence).toMatch(/\d+ ms/)
    expect(checks[3]?.evidence).toMatch(/^HTTP 400 /)
  })
})

describe('verify levels', () => {
  it('auto skips with the reason when the host resolves to a public address', async () => {
    const checks = await verifyDataPlane(input('publicOnly', { verify: 'auto' }))
    expect(checks).toEqual([
      {
        id: 'data-plane',
        title: 'DNS, TCP, TLS and HTTPS from this runner',
        status: 'skip',
        evidence: expect.stringContaining(`${ERROR_TEXT.outside}: ${HOSTS.publicOnly} resolves to 34.212.0.10, a public address`),
        proof: 'none',
        proofSource: 'this runner'
      }
    ])
  })

  it('auto skips with the reason when the host does not resolve', async () => {
    const [check] = await verifyDataPlane(input('missing', { verify: 'auto' }))
    expect(check).toMatchObject({ status: 'skip', evidence: expect.stringContaining(`${HOSTS.missing} does not resolve (NXDOMAIN via ${dns.address})`) })
  })

  it('auto says there is nothing to connect to yet when the private zone is still to be created', async () => {
    const controlPlane = [controlPlaneCheck(`dns-zone:${CLUSTER}`, 'skip', 'not created yet; apply creates it')]
    const [check] = await verifyDataPlane(input('missing', { verify: 'auto', controlPlane }))
    expect(check).toMatchObject({ status: 'skip', evidence: expect.stringMatching(/^nothing to connect to yet: .* does not resolve \(NXDOMAIN/) })
  })

  it('auto runs the checks when the host resolves to a private address, each proven live by this runner', async () => {
    const checks = await verifyDataPlane(input('good', { verify: 'auto' }))
    expect(checks.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass'])
    expect(checks.map((c) => [c.proof, c.proofSource, c.host])).toEqual(Array(4).fill(['live', 'this runner', HOSTS.good]))
  })

  it('checks not tried after a failure prove nothing', async () => {
    const checks = await verifyDataPlane(input('missing'))
    expect(checks.map((c) => [c.id.split(':')[0], c.status, c.proof])).toEqual([
      ['dns', 'fail', 'live'],
      ['tcp', 'skip', 'none'],
      ['tls', 'skip', 'none'],
      ['https', 'skip', 'none']
    ])
  })

  it('control-plane and none run nothing', async () => {
    expect(await verifyDataPlane(input('good', { verify: 'control-plane' }))).toEqual([])
    expect(await verifyDataPlane(input('good', { verify: 'none' }))).toEqual([])
  })
})

describe('the troubleshooting guide', () => {
  const guide = readFileSync('docs/TROUBLESHOOTING.md', 'utf8')
  const headings = [...guide.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!.trim())

  it('has the section every diagnosis links, headed by the error text', () => {
    for (const row of DIAGNOSES) expect(headings).toContain(row.heading)
  })

  it('has a section for every error text the checks report', () => {
    for (const text of Object.values(ERROR_TEXT)) expect(headings.some((heading) => heading.includes(`\`${text}\``))).toBe(true)
  })

  it('links sections by the anchors GitHub gives them', () => {
    expect(headingAnchor("`not to the endpoint's IPs`")).toBe('not-to-the-endpoints-ips')
    expect(headingAnchor('`timed out connecting to` or `no route to`')).toBe('timed-out-connecting-to-or-no-route-to')
    for (const row of DIAGNOSES) expect(guide).toContain(`(#${headingAnchor(row.heading)})`)
  })
})
