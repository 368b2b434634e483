// Google Cloud end to end: the egress path to the PSC endpoint (VPC rules, firewall policies), the retired
// INGRESS rule, labels set after insert and restored after a crash, look-alikes, and the global access patch.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { adminClient, adminOperation } from '../emulators/gcp/fixtures.js'
import { GCP_NETWORK, GCP_PROJECT_ID, GCP_SUBNETWORK, gcpInputs } from '../emulators/gcp/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { errorLine, expectSuccess, planStep, sortedWrites, verificationChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

let runId = 0
const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, overrides), GITHUB_RUN_ID: String(++runId) })
const writes = () => sortedWrites(emulators.log)
const state = () => emulators.gcp.compute.state
const firewallCheck = (result: Awaited<ReturnType<typeof run>>, id = 'firewall-ports') => verificationChecks(result).find((c) => c.id === id)

async function denyEgress(name: string, priority: number, extra: Record<string, unknown> = {}): Promise<void> {
  await adminOperation(adminClient(emulators.gcp), 'POST', 'global/firewalls', {
    name,
    network: `global/networks/${GCP_NETWORK}`,
    direction: 'EGRESS',
    priority,
    denied: [{ IPProtocol: 'tcp', ports: ['19530'] }],
    ...extra
  })
  emulators.log.clear()
}

describe('egress to the endpoint', () => {
  it('fails the check and the run, naming the rule, when a deny no rule can outrank drops a link port', async () => {
    await denyEgress('block-milvus', 0)
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(result.outputs['verified']).toBe('false')
    expect(firewallCheck(result)).toMatchObject({ status: 'fail', evidence: expect.stringContaining('tcp 19530') })
    expect(firewallCheck(result)?.evidence).toContain('firewall rule block-milvus (priority 0)')
    expect(errorLine(result)).toContain('block-milvus')
    expect(planStep(result, 'firewall')).toMatchObject({ action: 'keep', reason: expect.stringContaining('priority 0') })
    expect(writes()).not.toContain('gcp-compute:firewalls.insert')
  })

  it('reads a deny that targets tagged instances as blocking, and outranks it', async () => {
    await denyEgress('locked-down', 500, { targetTags: ['locked'] })
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(planStep(result, 'firewall')?.reason).toContain('target tags locked')
    expect([...state().firewalls.values()].find((f) => f.name.endsWith('-egress'))?.priority).toBe(499)
    expect(result.outputs['verified']).toBe('true')
  })

  it('does not count an allow that targets only some instances against a deny below it', async () => {
    await adminOperation(adminClient(emulators.gcp), 'POST', 'global/firewalls', {
      name: 'allow-some',
      network: `global/networks/${GCP_NETWORK}`,
      direction: 'EGRESS',
      priority: 100,
      allowed: [{ IPProtocol: 'tcp' }],
      targetTags: ['web']
    })
    await denyEgress('deny-rest', 200)
    const plan = await run({ mode: 'plan' })
    expect(planStep(plan, 'firewall')).toMatchObject({ action: 'create', reason: expect.stringContaining('deny-rest') })
  })

  it('fails, naming the policy rule, when a hierarchical firewall policy denies the traffic', async () => {
    state().firewallPolicies.push({
      name: '123456789',
      shortName: 'org-egress',
      type: 'HIERARCHY',
      rules: [{ priority: 10, action: 'deny', direction: 'EGRESS', ruleName: 'no-internal-443', match: { destIpRanges: ['10.0.0.0/8'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['443'] }] } }]
    })
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(result.outputs['verified']).toBe('false')
    expect(firewallCheck(result)?.evidence).toContain('hierarchy policy org-egress rule no-internal-443')
    expect(firewallCheck(result)?.fix).toContain('does not change firewall policies')
    expect(planStep(result, 'firewall')?.reason).toContain('does not change firewall policies')
  })

  it('says firewall policies are unknown when they cannot be read, and still verifies the VPC rules', async () => {
    emulators.switches.inject({ service: 'gcp-compute', operation: 'networks.getEffectiveFirewalls', status: 403, code: 'forbidden', message: "Required 'compute.networks.getEffectiveFirewalls' permission", times: 10 })
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(firewallCheck(result)?.status).toBe('pass')
    expect(firewallCheck(result, 'firewall-policies')).toMatchObject({ status: 'skip', evidence: expect.stringContaining('compute.networks.getEffectiveFirewalls') })
  })

  it('deletes the INGRESS rule earlier versions created', async () => {
    const planned = await run({ mode: 'plan' })
    const legacy = (planStep(planned, 'psc-endpoint')?.name ?? '') + '-allow'
    await adminOperation(adminClient(emulators.gcp), 'POST', 'global/firewalls', {
      name: legacy,
      network: `global/networks/${GCP_NETWORK}`,
      direction: 'INGRESS',
      priority: 1000,
      allowed: [{ IPProtocol: 'tcp', ports: ['443', '19530'] }],
      sourceRanges: ['10.10.0.0/20'],
      description: 'Zilliz Cloud private link: link ports to the PSC endpoint (managed by zilliz-private-link)'
    })
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(planStep(result, 'firewall-legacy-ingress')).toMatchObject({ action: 'update', reason: expect.stringContaining('egress rules do') })
    expect(state().firewalls.has(legacy)).toBe(false)
    expect(writes()).toContain('gcp-compute:firewalls.delete')
  })
})

describe('labels and ownership', () => {
  it('restores the labels of an address and an endpoint left unlabelled by a crash after insert, without duplicates', async () => {
    // setLabels refused once each: the run stops right after the inserts, as a killed run would.
    emulators.switches.inject({ service: 'gcp-compute', operation: 'addresses.setLabels', status: 403, code: 'forbidden', times: 1 })
    const crashed = await run({ mode: 'apply' })
    expect(crashed.exitCode).toBe(1)
    expect([...state().addresses.values()][0]?.labels).toEqual({})
    emulators.switches.inject({ service: 'gcp-compute', operation: 'forwardingRules.setLabels', status: 403, code: 'forbidden', times: 1 })
    const second = await run({ mode: 'apply' })
    expect(second.exitCode).toBe(1)
    expect(planStep(second, 'psc-address')).toMatchObject({ action: 'update', reason: expect.stringContaining('name and description match') })
    expect([...state().forwardingRules.values()][0]?.labels).toEqual({})

    emulators.log.clear()
    const third = await run({ mode: 'apply' })
    expectSuccess(third)
    expect(planStep(third, 'psc-endpoint')).toMatchObject({ action: 'update', reason: expect.stringContaining('restore labels') })
    expect(state().addresses.size).toBe(1)
    expect(state().forwardingRules.size).toBe(1)
    const rule = [...state().forwardingRules.values()][0]!
    expect(rule.labels).toMatchObject({ 'zilliz-private-link_managed-by': 'zilliz-private-link' })
    expect(writes()).toEqual(expect.arrayContaining(['gcp-compute:forwardingRules.setLabels']))
    expect(writes()).not.toContain('gcp-compute:forwardingRules.insert')
    expect(third.outputs['verified']).toBe('true')
  })

  it('does not take over an address with its name that nothing proves is its own', async () => {
    const planned = await run({ mode: 'plan' })
    const name = planStep(planned, 'psc-address')?.name ?? ''
    await adminOperation(adminClient(emulators.gcp), 'POST', 'regions/us-west1/addresses', {
      name,
      addressType: 'INTERNAL',
      subnetwork: `projects/${GCP_PROJECT_ID}/regions/us-west1/subnetworks/${GCP_SUBNETWORK}`,
      description: 'reserved by the network team'
    })
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toContain('gcp-endpoint-prefix')
    expect(errorLine(result)).toContain('nothing proves this action created it')
    expect(writes()).toEqual([])
    expect([...state().addresses.values()][0]?.labels).toEqual({})
  })
})

describe('global access', () => {
  it('sends the name and current fingerprint, and a refused patch leaves the endpoint as it was with a clear error', async () => {
    expectSuccess(await run({ mode: 'apply' }))
    emulators.switches.inject({ service: 'gcp-compute', operation: 'forwardingRules.patch', status: 400, code: 'invalid', message: 'Invalid value for field resource.allowPscGlobalAccess', times: 1 })
    const refused = await run({ mode: 'apply', 'gcp-global-access': 'true' })
    expect(refused.exitCode).toBe(1)
    expect(errorLine(refused)).toContain('was refused, and the endpoint was left as it was (global access off)')
    expect(errorLine(refused)).toContain('gcp-global-access')
    expect([...state().forwardingRules.values()][0]?.allowPscGlobalAccess).toBe(false)
    const rule = [...state().forwardingRules.values()][0]!
    emulators.log.clear()
    const on = await run({ mode: 'apply', 'gcp-global-access': 'true' })
    expectSuccess(on)
    expect(rule.allowPscGlobalAccess).toBe(true)
    expect(writes()).toEqual(['gcp-compute:forwardingRules.patch'])
  })
})

describe('prerequisites', () => {
  it('names the API to enable when Google answers that the Service Directory API is disabled', async () => {
    emulators.switches.inject({
      service: 'gcp-compute',
      operation: 'forwardingRules.insert',
      status: 403,
      code: 'SERVICE_DISABLED',
      message: 'Service Directory API has not been used in project 481516234200 before or it is disabled. Enable it by visiting the console then retry.',
      times: 1
    })
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toContain('forwardingRules.insert')
    expect(errorLine(result)).toContain('gcloud services enable servicedirectory.googleapis.com')
  })

  it('names the permission to grant, and where it is listed, when a call is denied', async () => {
    emulators.switches.inject({ service: 'gcp-dns', operation: 'managedZones.create', status: 403, code: 'forbidden', message: "Forbidden: Permission 'dns.networks.bindPrivateDNSZone' denied on network", times: 1 })
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toContain('managedZones.create')
    expect(errorLine(result)).toContain('lacks the IAM permission dns.networks.bindPrivateDNSZone')
    expect(errorLine(result)).toContain('docs/policies/gcp-apply.json')
  })
})

describe('a private-link host other than the documented one', () => {
  it('replaces its zone built for the guessed host with one for the allocated host, and says why', async () => {
    const clusterId = ZILLIZ_SEED.clusters.gcp
    const guessed = `${clusterId}-privatelink.${ZILLIZ_SEED.regions.gcp}.vectordb.zillizcloud.com.`
    // The first apply builds DNS from the documented pattern; Zilliz then allocates another host.
    const cluster = emulators.zilliz.state.clusters.find((c) => c.clusterId === clusterId)!
    cluster.privateLinkHost = `${clusterId}.pl-7.gcp-us-west1.vectordb.zillizcloud.com`
    const first = await run({ mode: 'apply' })
    expect(first.outputs['verified']).toBe('false')
    const zone = [...emulators.gcp.dns.zones.values()][0]!
    expect(zone.dnsName).toBe(guessed)

    emulators.log.clear()
    const second = await run({ mode: 'apply' })
    expectSuccess(second)
    expect(planStep(second, `dns-zone:${clusterId}`)).toMatchObject({ action: 'update', reason: expect.stringContaining(`serves ${guessed}, while Zilliz allocated ${cluster.privateLinkHost}.`) })
    const zones = [...emulators.gcp.dns.zones.values()]
    expect(zones.map((z) => [z.name, z.dnsName])).toEqual([[zone.name, `${cluster.privateLinkHost}.`]])
    expect(zones[0]?.records.find((r) => r.type === 'A')?.rrdatas).toEqual([[...state().addresses.values()][0]?.address])
    expect(writes()).toEqual(expect.arrayContaining(['gcp-dns:managedZones.delete', 'gcp-dns:managedZones.create']))
    expect(second.outputs['verified']).toBe('true')

    emulators.log.clear()
    const third = await run({ mode: 'apply' })
    expectSuccess(third)
    expect(writes()).toEqual([])
  })
})
