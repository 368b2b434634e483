// Which proof a run reaches (live from this runner, a probe, analysis, none) and how the report shows it
// per host and check, folded for many clusters.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Check } from '../src/base/checks.js'
import { silentLogger } from '../src/base/log.js'
import type { DataPlaneProof } from '../src/engine/proof.js'
import type { RunResult } from '../src/report/model.js'
import { buildOutputs } from '../src/report/outputs.js'
import { proofByHost } from '../src/report/proof.js'
import { renderSummary } from '../src/report/summary.js'
import { chooseRoute, proveInNetwork, type InNetworkProofInput } from '../src/verify/in-network-proof.js'
import { recordsFrom, startDnsServer, type EmulatedDnsServer } from '../emulators/dataplane/index.js'

const hostOf = (id: string) => `${id}-privatelink.aws-us-west-2.vectordb.zillizcloud.com`
const link = (id: string) => ({ clusterId: id, host: hostOf(id), port: 443 })

let dns: EmulatedDnsServer
beforeAll(async () => {
  // Outside the network: the hosts resolve to a public address.
  dns = await startDnsServer({ answer: recordsFrom({ [hostOf('in01-a')]: ['34.212.0.10'], [hostOf('in01-b')]: ['34.212.0.11'] }) })
})
afterAll(async () => {
  await dns.close()
})

const dnsAnalysis = (status: Check['status'] = 'pass') => async (context: { links: { clusterId: string; host: string }[] }): Promise<Check[]> =>
  context.links.map((l) => ({ id: `dns:${l.clusterId}`, title: `queries for ${l.host} reach its zone`, status, evidence: 'read', proof: 'analysis', proofSource: 'analysis of vpc-0abc', host: l.host }))

const input = (proof: DataPlaneProof | undefined, overrides: Partial<InNetworkProofInput> = {}): InNetworkProofInput => ({
  verify: 'auto',
  dnsServer: dns.address,
  mode: 'apply',
  links: [link('in01-a'), link('in01-b')],
  controlPlane: [],
  proof,
  log: silentLogger,
  timeoutMs: 1500,
  ...overrides
})

describe('the proof route', () => {
  it('is live from this runner when the runner is inside, whatever the provider offers', () => {
    expect(chooseRoute({ inside: true, why: 'verify: full' }, { analyzeDns: dnsAnalysis(), probe: async () => [] })).toEqual({ level: 'live', from: 'runner', why: 'verify: full' })
  })

  it('prefers a probe to analysis, analysis to nothing', () => {
    const outside = { inside: false as const, reason: 'outside' }
    expect(chooseRoute(outside, { analyzeDns: dnsAnalysis(), probe: async () => [] })).toMatchObject({ level: 'live', from: 'probe' })
    expect(chooseRoute(outside, { analyzeDns: dnsAnalysis() })).toEqual({ level: 'analysis', parts: ['dns'], outside: 'outside' })
    expect(chooseRoute(outside, { analyzeDns: dnsAnalysis(), analyzePath: async () => [] })).toMatchObject({ parts: ['dns', 'path'] })
    expect(chooseRoute(outside, {})).toEqual({ level: 'none', reason: 'outside' })
    expect(chooseRoute(outside, undefined)).toEqual({ level: 'none', reason: 'outside' })
  })
})

describe('proveInNetwork', () => {
  it('runs the analysis when the runner is outside, and says the runner proved nothing', async () => {
    const checks = await proveInNetwork(input({ analyzeDns: dnsAnalysis() }))
    expect(checks.map((c) => [c.id, c.status, c.proof])).toEqual([
      ['data-plane', 'skip', 'none'],
      ['dns:in01-a', 'pass', 'analysis'],
      ['dns:in01-b', 'pass', 'analysis']
    ])
    expect(checks[0]?.evidence).toContain('this runner is outside the network')
    expect(checks[0]?.evidence).toContain('Level 1 analysis (dns)')
  })

  it('turns an analysis that could not read the cloud into a skip with the reason, not a failed link', async () => {
    const denied = async () => {
      throw new Error('AWS route53resolver:ListResolverRules was denied')
    }
    const checks = await proveInNetwork(input({ analyzeDns: denied }))
    expect(checks[1]).toEqual({ id: 'dns-analysis', title: expect.any(String), status: 'skip', evidence: 'not proven: AWS route53resolver:ListResolverRules was denied', proof: 'none' })
  })

  it('runs nothing for control-plane and none, and one skip without links', async () => {
    const analyzeDns = dnsAnalysis()
    expect(await proveInNetwork(input({ analyzeDns }, { verify: 'control-plane' }))).toEqual([])
    expect(await proveInNetwork(input({ analyzeDns }, { verify: 'none' }))).toEqual([])
    expect(await proveInNetwork(input({ analyzeDns }, { links: [] }))).toMatchObject([{ id: 'data-plane', status: 'skip', proof: 'none' }])
  })
})

function resultWith(clusters: string[], checks: Check[]): RunResult {
  return {
    schemaVersion: 1,
    mode: 'apply',
    modeReason: 'mode input is apply',
    provider: 'aws',
    target: { projectId: 'proj-1', regionId: 'aws-us-west-2', network: 'vpc-0abc (us-west-2)' },
    steps: [],
    checks,
    links: clusters.map((id) => ({ ...link(id), url: `https://${hostOf(id)}:443`, confirmed: true })),
    durationMs: 1000
  }
}

describe('the proof report', () => {
  it('shows per host and check the level reached and who reached it; a check that did not run is none', async () => {
    const checks = await proveInNetwork(input({ analyzeDns: dnsAnalysis() }))
    const result = resultWith(['in01-a', 'in01-b'], checks)
    expect(proofByHost(result)?.[0]).toEqual({
      clusterId: 'in01-a',
      host: hostOf('in01-a'),
      checks: [
        { kind: 'dns', level: 'analysis', source: 'analysis of vpc-0abc', status: 'pass' },
        { kind: 'tcp', level: 'none' },
        { kind: 'tls', level: 'none' },
        { kind: 'https', level: 'none' }
      ]
    })
    const summary = renderSummary(result)
    expect(summary).toContain('### Proof from inside the network')
    expect(summary).toContain(`| ${hostOf('in01-a')} | ✅ analysis (analysis of vpc-0abc) | none | none | none |`)
    const outputs = buildOutputs(result)
    expect(JSON.parse(outputs['proof-levels'])).toEqual({
      [hostOf('in01-a')]: { dns: 'analysis', tcp: 'none', tls: 'none', https: 'none' },
      [hostOf('in01-b')]: { dns: 'analysis', tcp: 'none', tls: 'none', https: 'none' }
    })
    const verification = JSON.parse(outputs.verification)
    expect(verification.checks[1]).toMatchObject({ id: 'dns:in01-a', proof: 'analysis', proofSource: 'analysis of vpc-0abc', host: hostOf('in01-a') })
    expect(verification.proof).toHaveLength(2)
  })

  it('adds a column for another data-plane kind and keeps the weakest level of several checks', () => {
    const host = hostOf('in01-a')
    const result = resultWith(['in01-a'], [
      { id: 'path:in01-a', title: 'path 443', status: 'pass', evidence: '', proof: 'analysis', proofSource: 'Reachability Analyzer', host },
      { id: 'path:in01-a', title: 'path 19530', status: 'fail', evidence: '', proof: 'none', host }
    ])
    expect(proofByHost(result)?.[0]?.checks.at(-1)).toEqual({ kind: 'path', level: 'none', status: 'fail', source: 'Reachability Analyzer' })
  })

  it('folds hosts with nothing failed into one line per distinct row with many clusters, failed hosts stay in view', () => {
    const clusters = Array.from({ length: 6 }, (_, i) => `in01-${i}`)
    const checks: Check[] = clusters.map((id, i) => ({ id: `dns:${id}`, title: 't', status: i === 5 ? 'fail' : 'pass', evidence: 'e', proof: 'analysis', proofSource: 'src', host: hostOf(id) }))
    const summary = renderSummary(resultWith(clusters, checks))
    const section = summary.slice(summary.indexOf('### Proof from inside the network'))
    expect(section).toContain('- 5 hosts: DNS ✅ analysis (src) · TCP none · TLS none · HTTPS none')
    expect(section).toContain(`| ${hostOf('in01-5')} | ❌ analysis (src) |`)
    expect(section).toContain('Proof per host (6 hosts)')
  })

  it('is absent when no data-plane check ran', () => {
    const result = resultWith(['in01-a'], [{ id: 'endpoint', title: 'e', status: 'pass', evidence: '' }])
    expect(renderSummary(result)).not.toContain('### Proof from inside the network')
    expect(buildOutputs(result)['proof-levels']).toBe('{}')
  })
})
