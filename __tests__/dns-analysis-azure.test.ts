// Level 1 DNS analysis on Azure, end to end (run() against the ARM emulator, the runner outside the
// network): a correct link passes with proof 'analysis' in the summary; a custom DNS server that is not
// Azure DNS and a forwarding rule for the host fail, named, with the fix; a private custom DNS server (its
// own forwarding unknowable) is a skip with the reason.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { CLIENT_ID, RESOURCE_GROUP, SUBSCRIPTION_ID, azureInputs, ids } from '../emulators/azure/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { expectSuccess, verificationChecks } from './support/expectations.js'
import { expectDnsReadsBesideVerification } from './support/dns-beside.js'
import { runAction } from './support/run-action.js'

const CLUSTER = ZILLIZ_SEED.clusters.azure
const HOST = `${CLUSTER}-privatelink.az-eastus.vectordb.zillizcloud.com`

let emulators: Emulators
const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, overrides) })
const dnsCheck = (result: Awaited<ReturnType<typeof run>>) => verificationChecks(result).find((c) => c.id === `dns:${CLUSTER}`)
const vnet = () => [...emulators.azure.arm.state.virtualNetworks.values()].find((v) => v.id.toLowerCase() === ids.vnet().toLowerCase())!

beforeAll(async () => {
  emulators = await startEmulators()
  expectSuccess(await run({ mode: 'apply' }))
})
afterAll(async () => {
  await emulators.close()
})

describe('level 1 DNS analysis on Azure', () => {
  it('passes a correct link with proof analysis, shown per host in the summary', async () => {
    const before = emulators.log.calls().length
    const result = await run({ mode: 'plan' })
    expectSuccess(result)
    expect(dnsCheck(result)).toMatchObject({ status: 'pass', proof: 'analysis', host: HOST, evidence: expect.stringContaining('Azure-provided DNS') })
    expect(result.summary).toContain(`| ${HOST} | ✅ analysis (analysis of `)
    const analysis = emulators.log.calls().slice(before).filter((c) => c.operation === 'DnsForwardingRulesets_ListByVirtualNetwork')
    expect(analysis).toHaveLength(1)
    expect(analysis[0]?.write).toBeFalsy()
  })

  it('fails on a custom DNS server that is not Azure DNS, naming the setting and the fix', async () => {
    vnet().dnsServers = ['8.8.8.8']
    try {
      const check = dnsCheck(await run({ mode: 'plan' }))
      expect(check).toMatchObject({ status: 'fail', proof: 'analysis', evidence: expect.stringContaining('custom DNS servers: dnsServers 8.8.8.8') })
      expect(check?.fix).toContain('forward the private-link host to Azure DNS (168.63.129.16)')
    } finally {
      vnet().dnsServers = []
    }
  })

  it('passes with Azure DNS itself listed as the custom server, and skips with the reason on a private one', async () => {
    vnet().dnsServers = ['168.63.129.16']
    try {
      expect(dnsCheck(await run({ mode: 'plan' }))).toMatchObject({ status: 'pass' })
      vnet().dnsServers = ['10.1.0.4']
      const check = dnsCheck(await run({ mode: 'plan' }))
      expect(check).toMatchObject({ status: 'skip', proof: 'analysis' })
      expect(check?.evidence).toContain('cannot be known from the configuration')
      expect(check?.evidence).toContain('10.1.0.4')
    } finally {
      vnet().dnsServers = []
    }
  })

  it('fails on a linked ruleset rule for the host, not on a disabled one or one for a parent domain', async () => {
    const resolver = emulators.azure.arm.resolver
    const ruleset = resolver.addRuleset(SUBSCRIPTION_ID, RESOURCE_GROUP, 'hybrid', [ids.vnet()], [
      { name: 'corp', domainName: 'zillizcloud.com.', targetDnsServers: [{ ipAddress: '10.50.0.4' }], forwardingRuleState: 'Enabled' },
      { name: 'off', domainName: `${HOST}.`, targetDnsServers: [{ ipAddress: '10.50.0.4' }], forwardingRuleState: 'Disabled' }
    ])
    try {
      expect(dnsCheck(await run({ mode: 'plan' }))).toMatchObject({ status: 'pass' })
      ruleset.rules.push({ name: 'zilliz', domainName: `${HOST}.`, targetDnsServers: [{ ipAddress: '10.50.0.4', port: 53 }], forwardingRuleState: 'Enabled' })
      const check = dnsCheck(await run({ mode: 'plan' }))
      expect(check).toMatchObject({ status: 'fail', evidence: expect.stringContaining(`DNS forwarding ruleset hybrid, rule zilliz: forwards ${HOST}. to 10.50.0.4:53`) })
      expect(check?.fix).toContain('Disable or delete rule zilliz of ruleset hybrid')
    } finally {
      emulators.azure.arm.state.forwardingRulesets.clear()
    }
  })

  it('leaves the link unproven, not the run failed, when the rulesets cannot be read, naming the action', async () => {
    const plan = JSON.parse(readFileSync('docs/policies/azure-plan.json', 'utf8')) as { Actions: string[] }
    emulators.azure.arm.rbac.assign(CLIENT_ID, plan.Actions.filter((a) => a !== 'Microsoft.Network/virtualNetworks/listDnsForwardingRulesets/action'))
    try {
      const result = await run({ mode: 'plan' })
      expectSuccess(result)
      const skipped = verificationChecks(result).find((c) => c.id === 'dns-analysis')
      expect(skipped).toMatchObject({ status: 'skip', proof: 'none' })
      expect(skipped?.evidence).toContain('lacks the Azure action Microsoft.Network/virtualNetworks/listDnsForwardingRulesets/action')
    } finally {
      emulators.azure.arm.rbac.reset()
    }
  })
  it('reads the network\'s DNS settings beside the verification\'s reads, not after them', () =>
    expectDnsReadsBesideVerification(emulators, run, ['arm:RecordSets_Get', 'arm:DnsForwardingRulesets_ListByVirtualNetwork'], CLUSTER))
})
