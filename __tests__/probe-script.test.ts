// The bundled in-network probe (dist/probe.mjs, built here from source the same way) against the loopback
// DNS server and TLS link: run from a shell with the request in its variable, and as Lambda runs it, the
// handler called in a process whose system resolver is the subnet's. The action judges what it reports.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  recordsFrom,
  runInSubnet,
  startDnsServer,
  startPrivateLinkServer,
  startUnansweredPort,
  TEST_CA_PATH,
  type DeadEnd,
  type EmulatedDnsServer,
  type PrivateLinkServer
} from '../emulators/dataplane/index.js'
import { PROBE_PROTOCOL, REQUEST_VARIABLE, parseProbeResult, type ProbeRequest, type ProbeResult } from '../src/probe/protocol.js'
import { judgeLink } from '../src/verify/checks.js'
import { builtProbe } from './support/probe-build.js'

const TIMEOUT_MS = 1500
const HOST = 'in01-0000000000000a1-privatelink.aws-us-west-2.vectordb.zillizcloud.com'
const BLOCKED = 'in01-0000000000000b2-privatelink.aws-us-west-2.vectordb.zillizcloud.com'
const MISSING = 'in01-0000000000000c3-privatelink.aws-us-west-2.vectordb.zillizcloud.com'
const LINK_IPS = ['127.78.1.4', '127.78.2.4']
const BLOCKED_IPS = ['127.78.3.4']

let script: string
let dns: EmulatedDnsServer
let link: PrivateLinkServer
let blocked: DeadEnd

beforeAll(async () => {
  script = await builtProbe()
  dns = await startDnsServer({ answer: recordsFrom({ [HOST]: LINK_IPS, [BLOCKED]: BLOCKED_IPS }) })
  link = await startPrivateLinkServer({ ips: LINK_IPS })
  blocked = await startUnansweredPort(BLOCKED_IPS, link.port)
})
afterAll(async () => {
  await Promise.all([dns.close(), link.close(), blocked.close()])
})

const request = (hosts: string[], extra: Partial<ProbeRequest> = {}): ProbeRequest => ({
  protocol: PROBE_PROTOCOL,
  links: hosts.map((host, i) => ({ clusterId: `in01-${i}`, host, port: link.port })),
  timeoutMs: TIMEOUT_MS,
  ...extra
})

/** `node probe.mjs` with the request in its variable, as a container command runs it. */
function runFromShell(req: ProbeRequest): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: TEST_CA_PATH, [REQUEST_VARIABLE]: JSON.stringify(req) }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const judged = (req: ProbeRequest, result: ProbeResult) =>
  req.links.flatMap((l) => judgeLink(l, result.links.find((r) => r.clusterId === l.clusterId)!.observation, { via: 'the subnet resolver', controlPlane: [] }))

describe('the probe bundle', () => {
  it('is one self-contained module that imports only Node built-ins', () => {
    const source = readFileSync(script, 'utf8')
    const statement = /import\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s*[\w$]+)?\s*from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g
    const imports = [...source.matchAll(statement)].map((m) => m[1] ?? m[2]!)
    expect(imports.length).toBeGreaterThan(0)
    expect(imports.filter((name) => !name.startsWith('node:') && !['dns', 'net', 'tls', 'https'].includes(name))).toEqual([])
    expect(source.length).toBeLessThan(64 * 1024)
  })
})

describe('the probe from a shell', () => {
  it('prints one marked JSON line; the action judges all four checks of a working link as passing', async () => {
    const req = request([HOST], { dnsServer: { host: dns.host, port: dns.port }, endpointIps: LINK_IPS })
    const run = await runFromShell(req)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const result = parseProbeResult(run.stdout)
    expect(result?.links[0]?.observation).toMatchObject({
      dns: { kind: 'answers', addresses: expect.arrayContaining(LINK_IPS) },
      tls: { outcome: { kind: 'trusted', names: expect.arrayContaining(['*.aws-us-west-2.vectordb.zillizcloud.com']) } },
      https: { outcome: { kind: 'answered', status: 400 } }
    })
    expect(judged(req, result!).map((c) => [c.id, c.status])).toEqual([
      ['dns:in01-0', 'pass'],
      ['tcp:in01-0', 'pass'],
      ['tls:in01-0', 'pass'],
      ['https:in01-0', 'pass']
    ])
  })

  it('reports a dropped port and a missing name as it met them', async () => {
    const req = request([BLOCKED, MISSING], { dnsServer: { host: dns.host, port: dns.port } })
    const result = parseProbeResult((await runFromShell(req)).stdout)!
    const checks = judged(req, result)
    expect(checks.find((c) => c.id === 'tcp:in01-0')).toMatchObject({ status: 'fail', evidence: expect.stringContaining(`timed out connecting to ${BLOCKED_IPS[0]}:${link.port}`) })
    expect(checks.find((c) => c.id === 'tls:in01-0')?.status).toBe('skip')
    expect(checks.find((c) => c.id === 'dns:in01-1')).toMatchObject({ status: 'fail', evidence: expect.stringContaining('NXDOMAIN') })
  })

  it('fails with the reason on a request it cannot read, and prints no result', async () => {
    const run = await runFromShell({ ...request([HOST]), protocol: 2 as never })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('probe request of protocol 2, this probe speaks 1')
    expect(parseProbeResult(run.stdout)).toBeUndefined()
  })
})

describe('the probe as a Lambda handler in the subnet', () => {
  it('asks the subnet resolver when the request names no DNS server', async () => {
    const req = request([HOST])
    const bootstrap = `const m = await import(${JSON.stringify(pathToFileURL(script).href)}); process.stdout.write(JSON.stringify(await m.handler(${JSON.stringify(req)})))`
    const before = dns.queries.length
    const run = await runInSubnet({ host: dns.host, port: dns.port }, { args: ['--input-type=module', '-e', bootstrap], cwd: dirname(script), timeoutMs: 20000 })
    expect(run.stderr).toBe('')
    const result = parseProbeResult(run.stdout)!
    expect(dns.queries.slice(before)).toEqual([HOST])
    expect(judged(req, result).every((c) => c.status === 'pass')).toBe(true)
  })
})
