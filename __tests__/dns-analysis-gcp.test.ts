// Level 1 DNS analysis on Google Cloud, end to end (run() against the emulators, the runner outside the
// network): a correct link passes with proof 'analysis' in the summary; an alternative name server, a
// forwarding zone for the host or a peering zone to a network without the zone fail, named, with the fix;
// a private alternative name server (its own forwarding unknowable) is a skip with the reason.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { GCP_NETWORK, GCP_PROJECT_ID, gcpInputs } from '../emulators/gcp/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { expectSuccess, verificationChecks } from './support/expectations.js'
import { expectDnsReadsBesideVerification } from './support/dns-beside.js'
import { runAction } from './support/run-action.js'

const CLUSTER = ZILLIZ_SEED.clusters.gcp
const HOST = `${CLUSTER}-privatelink.gcp-us-west1.vectordb.zillizcloud.com`
const NETWORK_URL = `https://www.googleapis.com/compute/v1/projects/${GCP_PROJECT_ID}/global/networks/${GCP_NETWORK}`

let emulators: Emulators
let runId = 0
const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, overrides), GITHUB_RUN_ID: String(++runId) })
const dnsCheck = (result: Awaited<ReturnType<typeof run>>) => verificationChecks(result).find((c) => c.id === `dns:${CLUSTER}`)
const dns = () => emulators.gcp.dns

beforeAll(async () => {
  emulators = await startEmulators()
  expectSuccess(await run({ mode: 'apply' }))
})
afterAll(async () => {
  await emulators.close()
})

describe('level 1 DNS analysis on Google Cloud', () => {
  it('passes a correct link with proof analysis, shown per host in the summary, in two list calls', async () => {
    const before = emulators.log.calls('gcp-dns').length
    const result = await run({ mode: 'plan' })
    expectSuccess(result)
    expect(dnsCheck(result)).toMatchObject({ status: 'pass', proof: 'analysis', host: HOST, evidence: expect.stringContaining('no alternative name servers') })
    expect(result.summary).toContain(`| ${HOST} | ✅ analysis (analysis of ${GCP_NETWORK}: Cloud DNS server policies, forwarding and peering zones) | none | none | none |`)
    expect(JSON.parse(result.outputs['proof-levels'] ?? '{}')).toEqual({ [HOST]: { dns: 'analysis', tcp: 'none', tls: 'none', https: 'none' } })
    const analysisCalls = emulators.log.calls('gcp-dns').slice(before).filter((c) => c.operation === 'policies.list')
    expect(analysisCalls).toHaveLength(1)
  })

  it('fails on an alternative name server at a public address, naming the policy and the fix', async () => {
    dns().addPolicy({ name: 'corp-dns', networks: [NETWORK_URL], alternativeNameServers: [{ ipv4Address: '8.8.8.8' }] })
    try {
      const check = dnsCheck(await run({ mode: 'plan' }))
      expect(check).toMatchObject({ status: 'fail', proof: 'analysis' })
      expect(check?.evidence).toContain('DNS server policy corp-dns (alternative name servers): alternative name servers 8.8.8.8')
      expect(check?.fix).toContain('gcloud dns policies update corp-dns --alternative-name-servers=""')
    } finally {
      dns().policies.delete('corp-dns')
    }
  })

  it('skips with the reason when the alternative name server is private: its own forwarding cannot be read', async () => {
    dns().addPolicy({ name: 'corp-dns', networks: [NETWORK_URL], alternativeNameServers: [{ ipv4Address: '10.128.0.53', forwardingPath: 'private' }] })
    try {
      const check = dnsCheck(await run({ mode: 'plan' }))
      expect(check).toMatchObject({ status: 'skip', proof: 'analysis' })
      expect(check?.evidence).toMatch(/^cannot be known from the configuration: DNS server policy corp-dns .*10\.128\.0\.53/)
      expect(check?.evidence).toContain(`Whether that server forwards ${HOST} back to the cloud's resolver cannot be read`)
    } finally {
      dns().policies.delete('corp-dns')
    }
  })

  it('fails on a forwarding zone for the host itself, and not on one for a parent domain (the most specific zone wins)', async () => {
    dns().addZone({ name: 'fwd-parent', dnsName: 'zillizcloud.com.', networks: [NETWORK_URL], forwardingTargets: [{ ipv4Address: '192.168.10.2' }] })
    try {
      expect(dnsCheck(await run({ mode: 'plan' }))).toMatchObject({ status: 'pass' })
      dns().addZone({ name: 'fwd-host', dnsName: `${HOST}.`, networks: [NETWORK_URL], forwardingTargets: [{ ipv4Address: '192.168.10.2' }] })
      const check = dnsCheck(await run({ mode: 'plan' }))
      expect(check).toMatchObject({ status: 'fail', evidence: expect.stringContaining(`forwarding zone fwd-host (${HOST}.): forwards ${HOST}. to 192.168.10.2`) })
      expect(check?.fix).toContain('Delete forwarding zone fwd-host')
    } finally {
      dns().zones.delete('fwd-parent')
      dns().zones.delete('fwd-host')
    }
  })

  it('fails on a peering zone to a network the private zone is not bound to', async () => {
    dns().addZone({ name: 'peer-hub', dnsName: 'vectordb.zillizcloud.com.', networks: [NETWORK_URL], peeringNetwork: `https://www.googleapis.com/compute/v1/projects/hub-project/global/networks/hub` })
    try {
      const check = dnsCheck(await run({ mode: 'plan' }))
      // The peering zone is less specific than the private zone for the host: the private zone still wins.
      expect(check).toMatchObject({ status: 'pass' })
      dns().zones.get('peer-hub')!.dnsName = `${HOST}.`
      const peered = dnsCheck(await run({ mode: 'plan' }))
      expect(peered).toMatchObject({ status: 'fail', evidence: expect.stringContaining('resolves') })
      expect(peered?.fix).toContain('Bind the private zone to network hub too')
    } finally {
      dns().zones.delete('peer-hub')
    }
  })

  it('leaves the link unproven, not the run failed, when the policies cannot be read, naming the permission', async () => {
    emulators.switches.inject({ service: 'gcp-dns', operation: 'policies.list', status: 403, code: 'forbidden', message: 'Forbidden', times: 1 })
    const result = await run({ mode: 'plan' })
    expectSuccess(result)
    const skipped = verificationChecks(result).find((c) => c.id === 'dns-analysis')
    expect(skipped).toMatchObject({ status: 'skip', proof: 'none' })
    expect(skipped?.evidence).toContain('dns.policies.list')
    expect(skipped?.evidence).toContain('docs/policies/gcp-plan.json')
  })
  it('reads the network\'s DNS settings beside the verification\'s reads, not after them', () =>
    expectDnsReadsBesideVerification(emulators, run, ['gcp-dns:resourceRecordSets.list', 'gcp-dns:policies.list'], CLUSTER))
})
