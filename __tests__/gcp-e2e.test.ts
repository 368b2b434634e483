// The whole action on Google Cloud: run() exactly as the runner drives it, through google-auth-library and
// the action's REST clients, against the loopback emulators. Assertions read the call log and state.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CallRecord } from '../emulators/core/service.js'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { adminClient, adminOperation, writeExternalAccountCredentials } from '../emulators/gcp/fixtures.js'
import {
  GCP_EAST_SUBNETWORK,
  GCP_NETWORK,
  GCP_OTHER_SUBNETWORK,
  GCP_PROJECT_ID,
  GCP_SERVICE_ACCOUNT,
  GCP_SUBNETWORK,
  WORKLOAD_IDENTITY_PROVIDER,
  ZILLIZ_SERVICE_ATTACHMENT,
  gcpInputs
} from '../emulators/gcp/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { errorLine, expectApplyCorrects, expectFreshPlan, expectNamedError, expectNamedInputError, expectNoOidcToken, expectPlanAfterApplyConverged, expectReapplyKeepsEverything, expectRegistrationRefused, expectSecretsHidden, expectSuccess, expectVerifiedApply, expectWaitTimedOut, planStep, planSteps, sortedWrites, verificationChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

// Every workflow run has its own run id, which is part of each insert's requestId.
let runId = 0
const run = (overrides: Record<string, string> = {}, env: Record<string, string> = {}) =>
  runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, overrides), GITHUB_RUN_ID: String(++runId), ...env })

const writes = () => sortedWrites(emulators.log)
const calls = (service: string) => emulators.log.calls(service)

const CLUSTER = ZILLIZ_SEED.clusters.gcp
const HOST = `${CLUSTER}-privatelink.gcp-us-west1.vectordb.zillizcloud.com`

// No firewall write: nothing in the seeded network denies egress, so the implied allow-egress rule admits
// the link ports. Labels follow each insert through setLabels, in a step of their own.
const FRESH_APPLY_WRITES = [
  'gcp-compute:addresses.insert',
  'gcp-compute:addresses.setLabels',
  'gcp-compute:forwardingRules.insert',
  'gcp-compute:forwardingRules.setLabels',
  'gcp-dns:changes.create',
  'gcp-dns:managedZones.create',
  'zilliz:CreatePrivateEndpoint'
]

const state = () => emulators.gcp.compute.state

describe('apply', () => {
  it('creates exactly the expected resources on a fresh world and verifies the link', async () => {
    const result = await run({ mode: 'apply' })
    expectVerifiedApply(result, writes(), FRESH_APPLY_WRITES)
    // The address, its labels, the endpoint, its labels, the zone, the record, the registration; the read
    // of the new address's IP is a wait, not a change.
    expect(result.outputs['changes-count']).toBe('7')
    expect(planStep(result, 'psc-address-ip')).toMatchObject({ action: 'wait', dependsOn: ['psc-address'] })
    expect(planStep(result, 'psc-endpoint')).toMatchObject({ action: 'create', dependsOn: ['psc-address'] })
    expect(planStep(result, 'psc-address-labels')).toMatchObject({ action: 'create', dependsOn: ['psc-address'] })
    expect(planStep(result, 'psc-endpoint-labels')).toMatchObject({ action: 'create', dependsOn: ['psc-endpoint'] })
    expect(result.outputs['private-link']).toBe(HOST)

    const rules = [...state().forwardingRules.values()]
    expect(rules).toHaveLength(1)
    const rule = rules[0]!
    expect(result.outputs['endpoint-id']).toBe(rule.name)
    expect(rule.target).toBe(ZILLIZ_SERVICE_ATTACHMENT)
    expect(rule.loadBalancingScheme).toBe('')
    expect(rule.description).toBe(`Zilliz Cloud private link endpoint for Zilliz project ${ZILLIZ_SEED.projectId} (managed by zilliz-private-link)`)
    expect(rule.allowPscGlobalAccess).toBe(false)
    expect(rule.network).toBe(GCP_NETWORK)
    // Ownership tags become labels: no ':' or '/', lowercase.
    expect(rule.labels).toMatchObject({ 'zilliz-private-link_managed-by': 'zilliz-private-link', 'zilliz-private-link_repository': 'octo-org_octo-repo' })

    const address = [...state().addresses.values()][0]!
    expect(address.subnetwork).toBe(GCP_SUBNETWORK)
    expect(rule.IPAddress).toBe(address.address)
    expect(address.address).toMatch(/^10\.10\./)
    expect(address.labels).toEqual(rule.labels)

    expect(state().firewalls.size).toBe(0)
    expect(verificationChecks(result).find((c) => c.id === 'firewall-ports')).toMatchObject({ status: 'pass', evidence: expect.stringContaining('the implied allow-egress rule') })

    const zone = [...emulators.gcp.dns.zones.values()][0]!
    expect(zone.dnsName).toBe(`${HOST}.`)
    expect(zone.visibility).toBe('private')
    expect(zone.networks).toEqual([`https://www.googleapis.com/compute/v1/projects/${GCP_PROJECT_ID}/global/networks/${GCP_NETWORK}`])
    expect(zone.records.find((r) => r.type === 'A')).toMatchObject({ name: `${HOST}.`, rrdatas: [address.address] })
    expect(JSON.parse(result.outputs['dns-zone-ids'] ?? '[]')).toEqual([zone.name])

    const registration = emulators.zilliz.state.registrations[0]!
    expect(registration).toMatchObject({ endpointId: rule.name, gcpProjectId: GCP_PROJECT_ID, accepted: true })
    expect(result.summary).toContain('Google Cloud')
    expect(result.summary).toContain('```mermaid')
  })

  it('makes zero writes when run again, and says there is nothing to change', async () => {
    await expectReapplyKeepsEverything(run, emulators.log)
  })

  it('turns on global access when asked, and off again with one patch', async () => {
    expectSuccess(await run({ mode: 'apply', 'gcp-global-access': 'true' }))
    expect([...state().forwardingRules.values()][0]?.allowPscGlobalAccess).toBe(true)
    emulators.log.clear()
    const off = await run({ mode: 'apply', 'gcp-global-access': 'false' })
    expectSuccess(off)
    expect(writes()).toEqual(['gcp-compute:forwardingRules.patch'])
    expect(planStep(off, 'psc-endpoint')?.reason).toContain('global access off')
    expect([...state().forwardingRules.values()][0]?.allowPscGlobalAccess).toBe(false)
  })

  it('outranks an egress deny with a managed EGRESS allow to the endpoint on the link ports', async () => {
    const admin = adminClient(emulators.gcp)
    await adminOperation(admin, 'POST', 'global/firewalls', { name: 'deny-all-egress', network: `global/networks/${GCP_NETWORK}`, direction: 'EGRESS', priority: 900, denied: [{ IPProtocol: 'all' }], destinationRanges: ['0.0.0.0/0'] })
    emulators.log.clear()
    const result = await run({ mode: 'apply', ports: '8443' })
    expectSuccess(result)
    expect(planStep(result, 'firewall')).toMatchObject({ action: 'create', reason: expect.stringContaining('deny-all-egress') })
    const address = [...state().addresses.values()][0]!
    const managed = [...state().firewalls.values()].find((f) => f.name !== 'deny-all-egress')!
    expect(managed).toMatchObject({ direction: 'EGRESS', priority: 899, destinationRanges: [`${address.address}/32`], denied: [], targetTags: [] })
    expect(managed.allowed).toEqual([{ IPProtocol: 'tcp', ports: ['443', '8443', '19530'] }])
    expect(result.outputs['verified']).toBe('true')
    emulators.log.clear()
    const again = await run({ mode: 'apply', ports: '8443' })
    expect(planStep(again, 'firewall')?.action).toBe('keep')
    expect(writes()).toEqual([])
  })

  it('federates directly when no service account is given', async () => {
    const result = await run({ mode: 'plan', 'gcp-service-account': '' })
    expectSuccess(result)
    expect(calls('gcp-iam')).toEqual([])
    expect(result.summary).toContain('principal://iam.googleapis.com/projects/')
    expect(result.summary).toContain('/subject/repo:octo-org/octo-repo:ref:refs/heads/main')
  })

  it('uses Application Default Credentials as google-github-actions/auth leaves them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zpl-gcp-'))
    const file = await writeExternalAccountCredentials(emulators.gcp, dir, {
      idTokenRequestUrl: emulators.env['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '',
      idTokenRequestToken: emulators.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? ''
    })
    const result = await run({ mode: 'apply', 'gcp-workload-identity-provider': '', 'gcp-service-account': '' }, { GOOGLE_APPLICATION_CREDENTIALS: file })
    expectSuccess(result)
    expect(writes()).toEqual(FRESH_APPLY_WRITES)
    expect(result.summary).toContain('Application Default Credentials')
    expect(result.summary).toContain(GCP_SERVICE_ACCOUNT)
  })
})

describe('calls that go out together', () => {
  // Every read of the plan needs only the inputs and the Zilliz side. The emulators hold their answers
  // until all have arrived: sent one after another, the first is never answered and the rest never come.
  const PLAN_READS = [
    'gcp-compute:networks.get',
    'gcp-compute:subnetworks.get',
    'gcp-compute:forwardingRules.list',
    'gcp-compute:addresses.get',
    'gcp-compute:firewalls.list',
    'gcp-compute:networks.getEffectiveFirewalls',
    'gcp-dns:managedZones.list'
  ]

  it('sends every read of the plan in one round, and looks for what went out of scope without reading again', async () => {
    const gathered = emulators.switches.gather(PLAN_READS, 20_000)
    const result = await run({ mode: 'apply' })
    expect(await gathered).toEqual({ arrived: expect.arrayContaining(PLAN_READS), missing: [] })
    expectSuccess(result)
    // Before the first write, each resource is read once: the inventory shares the plan's answers.
    const firstWrite = emulators.log.records.findIndex((r) => r.write)
    const reads = emulators.log.records.slice(0, firstWrite).filter((r) => r.service === 'gcp-compute' || r.service === 'gcp-dns').map((r) => `${r.service}:${r.operation}`)
    expect(reads.sort()).toEqual([...PLAN_READS].sort())
  })

  it('reads each new resource back once after its insert, and labels it beside what follows', async () => {
    // The address's labels go out with the endpoint's insert, the endpoint's with the registration.
    const beside = emulators.switches.gather(['gcp-compute:forwardingRules.insert', 'gcp-compute:addresses.setLabels'], 20_000).then(async (first) => ({
      first,
      second: await emulators.switches.gather(['zilliz:CreatePrivateEndpoint', 'gcp-compute:forwardingRules.setLabels'], 20_000)
    }))
    expectSuccess(await run({ mode: 'apply' }))
    expect(await beside).toEqual({ first: expect.objectContaining({ missing: [] }), second: expect.objectContaining({ missing: [] }) })
    // In order of arrival: the endpoint's insert follows the address's operation, and the address's one
    // read goes out beside it (which of the two arrives first is not fixed), before its labels.
    const ops = [...emulators.log.records].sort((a, b) => (a.arrived as number) - (b.arrived as number)).map((r) => r.operation)
    const between = (from: string, to: string) => ops.slice(ops.indexOf(from) + 1, ops.indexOf(to))
    expect(between('addresses.insert', 'forwardingRules.insert').filter((op) => op !== 'addresses.get' && op !== 'changes.create' && !op.startsWith('managedZones.'))).toEqual(['regionOperations.wait'])
    expect(between('addresses.insert', 'addresses.setLabels').filter((op) => op.startsWith('addresses.'))).toEqual(['addresses.get'])
    expect(between('forwardingRules.insert', 'CreatePrivateEndpoint').filter((op) => op.startsWith('forwardingRules.'))).toEqual(['forwardingRules.get'])
    expect(emulators.log.count('addresses.setLabels')).toBe(1)
    expect(emulators.log.count('forwardingRules.setLabels')).toBe(1)
  })

  it("sends the endpoint's insert once the address's insert is DONE, while the address is read for its IP", async () => {
    emulators.switches.latency['gcp-compute:addresses.get'] = 300
    const result = await run({ mode: 'apply' })
    expectVerifiedApply(result, writes(), FRESH_APPLY_WRITES)
    const first = (operation: string, after = 0) =>
      emulators.log.records.filter((r) => r.operation === operation && (r.arrived as number) > after).sort((a, b) => (a.arrived as number) - (b.arrived as number))[0] as CallRecord
    const insert = first('addresses.insert')
    const read = first('addresses.get', insert.answered)
    // The endpoint needs only the address's path: its insert arrives while the read of the IP is unanswered.
    expect(first('forwardingRules.insert').arrived).toBeLessThan(read.answered as number)
    // What needs the IP goes out after the read: the DNS record and the address's labels.
    expect(first('changes.create').arrived).toBeGreaterThan(read.answered as number)
    expect(first('addresses.setLabels').arrived).toBeGreaterThan(read.answered as number)
  })

  it("labels the new address even when the endpoint's insert fails before the address is read", async () => {
    emulators.switches.latency['gcp-compute:addresses.get'] = 300
    emulators.switches.inject({ service: 'gcp-compute', operation: 'forwardingRules.insert', status: 403, code: 'forbidden', message: "Required 'compute.forwardingRules.pscCreate' permission", times: 1 })
    const result = await run({ mode: 'apply' })
    expect(errorLine(result)).toContain('Step psc-endpoint failed')
    // Destroy finds the address by its labels.
    expect([...state().addresses.values()][0]?.labels).toMatchObject({ 'zilliz-private-link_managed-by': 'zilliz-private-link' })
  })
})

describe('plan', () => {
  it('makes zero writes on a fresh world and lists every change', async () => {
    const result = await run({ mode: 'plan' })
    expectFreshPlan(result, writes(), [
      'create psc-address',
      'wait psc-address-ip',
      'create psc-endpoint',
      'wait psc-connection',
      'keep firewall',
      `create dns-zone:${CLUSTER}`,
      `create dns-record:${CLUSTER}`,
      'create zilliz-registration'
    ])
    expect(verificationChecks(result).find((c) => c.id === 'psc-endpoint-accepted')?.status).toBe('skip')
  })

  it('makes zero writes after an apply and reports no changes', async () => {
    await expectPlanAfterApplyConverged(run, emulators.log)
  })
})

describe('adoption and drift', () => {
  it('adopts a PSC endpoint made by hand instead of creating a second one', async () => {
    const admin = adminClient(emulators.gcp)
    await adminOperation(admin, 'POST', 'regions/us-west1/addresses', {
      name: 'my-psc-ip',
      addressType: 'INTERNAL',
      subnetwork: `projects/${GCP_PROJECT_ID}/regions/us-west1/subnetworks/${GCP_SUBNETWORK}`
    })
    await adminOperation(admin, 'POST', 'regions/us-west1/forwardingRules', {
      name: 'my-psc-endpoint',
      network: `projects/${GCP_PROJECT_ID}/global/networks/${GCP_NETWORK}`,
      IPAddress: `projects/${GCP_PROJECT_ID}/regions/us-west1/addresses/my-psc-ip`,
      target: ZILLIZ_SERVICE_ATTACHMENT
    })
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(emulators.log.count('forwardingRules.insert', 'gcp-compute')).toBe(0)
    expect(emulators.log.count('addresses.insert', 'gcp-compute')).toBe(0)
    expect(result.outputs['endpoint-id']).toBe('my-psc-endpoint')
    expect(planStep(result, 'psc-endpoint')?.reason).toContain('adopted')
    expect(emulators.zilliz.state.registrations.map((r) => r.endpointId)).toEqual(['my-psc-endpoint'])
    expect(result.outputs['verified']).toBe('true')
  })

  it('adopts a private zone bound to the network and only adds the record', async () => {
    const admin = adminClient(emulators.gcp)
    await admin.dns('POST', 'managedZones', {
      name: 'made-by-hand',
      dnsName: `${HOST}.`,
      description: '',
      visibility: 'private',
      privateVisibilityConfig: { networks: [{ networkUrl: `https://www.googleapis.com/compute/v1/projects/${GCP_PROJECT_ID}/global/networks/${GCP_NETWORK}` }] }
    })
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(emulators.log.count('managedZones.create', 'gcp-dns')).toBe(0)
    expect(JSON.parse(result.outputs['dns-zone-ids'] ?? '[]')).toEqual(['made-by-hand'])
    expect(emulators.gcp.dns.zones.get('made-by-hand')?.records.some((r) => r.type === 'A')).toBe(true)
  })

  it('binds its own zone again when it lost the network binding', async () => {
    const first = await run({ mode: 'apply' })
    expectSuccess(first)
    const zone = [...emulators.gcp.dns.zones.values()][0]!
    zone.networks = []
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(writes()).toEqual(['gcp-dns:managedZones.patch'])
    expect(planStep(result, `dns-zone:${CLUSTER}`)?.action).toBe('update')
    expect(zone.networks).toHaveLength(1)
  })

  it('widens its egress rule that lost a port and replaces a record that points elsewhere', async () => {
    const admin = adminClient(emulators.gcp)
    await adminOperation(admin, 'POST', 'global/firewalls', { name: 'deny-all-egress', network: `global/networks/${GCP_NETWORK}`, direction: 'EGRESS', priority: 900, denied: [{ IPProtocol: 'tcp' }] })
    expectSuccess(await run({ mode: 'apply' }))
    const firewall = [...state().firewalls.values()].find((f) => f.name !== 'deny-all-egress')!
    firewall.allowed = [{ IPProtocol: 'tcp', ports: ['19530'] }]
    const zone = [...emulators.gcp.dns.zones.values()][0]!
    const record = zone.records.find((r) => r.type === 'A')!
    record.rrdatas = ['10.9.9.9']
    emulators.log.clear()
    const plan = await run({ mode: 'plan' })
    expect(planSteps(plan).filter((s) => s.action === 'update').map((s) => s.id).sort()).toEqual([`dns-record:${CLUSTER}`, 'firewall'])
    expect(planStep(plan, 'firewall')?.reason).toContain('allows tcp 443, 19530')
    // The level 1 DNS analysis fails too: the network sends the query to the zone, whose record is wrong.
    expect(verificationChecks(plan).filter((c) => c.status === 'fail').map((c) => c.id).sort()).toEqual([`dns-record:${CLUSTER}`, `dns:${CLUSTER}`, 'firewall-ports'])
    expect(verificationChecks(plan).find((c) => c.id === `dns:${CLUSTER}`)).toMatchObject({ proof: 'analysis', evidence: expect.stringContaining('the zone is not in place') })
    expect(verificationChecks(plan).find((c) => c.id === 'firewall-ports')?.evidence).toContain('tcp 443 to')
    expect(verificationChecks(plan).find((c) => c.id === 'firewall-ports')?.evidence).toContain('deny-all-egress')
    await expectApplyCorrects(run, emulators.log, ['gcp-compute:firewalls.patch', 'gcp-dns:changes.create'])
  })

  it('reports, with the fix, a forwarding rule of its name that targets another service', async () => {
    const planned = await run({ mode: 'plan' })
    const name = planStep(planned, 'psc-endpoint')?.name ?? ''
    const other = 'projects/someone-else/regions/us-west1/serviceAttachments/other-service'
    state().serviceAttachments.add(other)
    const admin = adminClient(emulators.gcp)
    await adminOperation(admin, 'POST', 'regions/us-west1/addresses', {
      name: 'squatter-ip',
      addressType: 'INTERNAL',
      subnetwork: `projects/${GCP_PROJECT_ID}/regions/us-west1/subnetworks/${GCP_SUBNETWORK}`
    })
    await adminOperation(admin, 'POST', 'regions/us-west1/forwardingRules', {
      name,
      network: `projects/${GCP_PROJECT_ID}/global/networks/${GCP_NETWORK}`,
      IPAddress: `projects/${GCP_PROJECT_ID}/regions/us-west1/addresses/squatter-ip`,
      target: other
    })
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toContain('gcp-endpoint-prefix:')
    expect(errorLine(result)).toContain(`targets ${other}`)
    expect(errorLine(result)).toContain(`gcloud compute forwarding-rules delete ${name} --region us-west1 --project ${GCP_PROJECT_ID}`)
    expect(writes()).toEqual([])
  })
})

describe('crash safety', () => {
  it('a re-run after a failure mid-apply converges without duplicating anything', async () => {
    await expectRegistrationRefused(run, emulators.switches)
    emulators.log.clear()
    const again = await run({ mode: 'apply' })
    expectSuccess(again)
    expect(state().forwardingRules.size).toBe(1)
    expect(state().addresses.size).toBe(1)
    expect(writes()).toEqual(['zilliz:CreatePrivateEndpoint'])
  })

  it('surfaces the error a failed operation carries', async () => {
    state().serviceAttachments.clear()
    const result = await run({ mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('RESOURCE_NOT_FOUND')
    expect(result.log).toContain(ZILLIZ_SERVICE_ATTACHMENT)
    expect(state().forwardingRules.size).toBe(0)
  })
})

describe('transient failures converge in the first run', () => {
  const ADDRESS = 'zilliz-pl-06456e2b9a12-ip'

  it('issues an insert again, with a new requestId, when its operation ends with INTERNAL_ERROR', async () => {
    let failures = 1
    emulators.gcp.compute.operations.transientFailure = () => failures-- > 0
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    // The same requestId would be answered with the failed operation: the second insert must carry a new one.
    expect(calls('gcp-compute').filter((c) => c.operation === 'addresses.insert').map((c) => c.status)).toEqual([200, 200])
    expect(result.log).toMatch(/address \S+ to be reserved: attempt 1 failed \(.*INTERNAL_ERROR.*\); observing and trying again/)
    expect(state().addresses.size).toBe(1)
    expect(result.outputs['verified']).toBe('true')
    emulators.log.clear()
    expectSuccess(await run({ mode: 'apply' }))
    expect(writes()).toEqual([])
  })

  it('adopts the resource when an insert answers alreadyExists while the other insert still runs and a read still answers 404', async () => {
    const { operations } = emulators.gcp.compute
    operations.settings.operationDelayMs = 1500
    const admin = adminClient(emulators.gcp)
    // An insert of the action's whose answer was lost (it carries the action's description): it runs, so
    // the name is taken, but the address is not there yet.
    await admin.compute('POST', 'regions/us-west1/addresses', {
      name: ADDRESS,
      addressType: 'INTERNAL',
      purpose: 'GCE_ENDPOINT',
      subnetwork: `projects/${GCP_PROJECT_ID}/regions/us-west1/subnetworks/${GCP_SUBNETWORK}`,
      description: `Zilliz Cloud private link endpoint address for Zilliz project ${ZILLIZ_SEED.projectId} (managed by zilliz-private-link)`
    })
    operations.settings.operationDelayMs = 20
    emulators.log.clear()
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(planStep(result, 'psc-address')).toMatchObject({ name: ADDRESS, action: 'create' })
    const inserts = calls('gcp-compute').filter((c) => c.operation === 'addresses.insert')
    expect(inserts[0]?.status).toBe(409)
    expect(inserts.every((c) => c.status === 409)).toBe(true)
    expect(state().addresses.size).toBe(1)
    expect(result.outputs['verified']).toBe('true')
  })

  it('never retries a refusal: permission denied and an invalid argument fail at once', async () => {
    emulators.switches.inject({ service: 'gcp-compute', operation: 'addresses.insert', status: 403, code: 'forbidden', message: "Required 'compute.addresses.create' permission", times: 1 })
    const denied = await run({ mode: 'apply' })
    expect(denied.exitCode).toBe(1)
    expect(errorLine(denied)).toContain('compute.addresses.create')
    expect(emulators.log.count('addresses.insert', 'gcp-compute')).toBe(1)
    emulators.log.clear()
    emulators.switches.inject({ service: 'gcp-compute', operation: 'addresses.insert', status: 400, code: 'invalid', message: 'Invalid value for field', times: 1 })
    const invalid = await run({ mode: 'apply' })
    expect(invalid.exitCode).toBe(1)
    expect(errorLine(invalid)).toContain('Invalid value for field')
    expect(emulators.log.count('addresses.insert', 'gcp-compute')).toBe(1)
  })
})

describe('faults and throttling', () => {
  it('retries 429s and 503s from Compute, Cloud DNS and Zilliz and still converges', async () => {
    const { switches } = emulators
    switches.inject({ service: 'gcp-compute', operation: 'addresses.insert', status: 429, code: 'rateLimitExceeded', times: 1 })
    switches.inject({ service: 'gcp-compute', operation: 'forwardingRules.list', status: 503, code: 'backendError', times: 2 })
    switches.inject({ service: 'gcp-compute', operation: 'regionOperations.wait', status: 503, code: 'backendError', times: 1 })
    switches.inject({ service: 'gcp-dns', operation: 'managedZones.create', status: 503, code: 'backendError', times: 1 })
    switches.inject({ service: 'gcp-dns', operation: 'changes.create', status: 429, code: 'rateLimitExceeded', times: 1 })
    switches.inject({ service: 'zilliz', operation: 'ListPrivateEndpoints', status: 429, code: '429', times: 2 })
    const result = await run({ mode: 'apply' })
    expectSuccess(result)
    expect(writes()).toEqual(FRESH_APPLY_WRITES)
    expect(calls('gcp-compute').filter((c) => c.operation === 'addresses.insert').map((c) => c.status)).toEqual([429, 200])
    expect(calls('gcp-dns').filter((c) => c.operation === 'changes.create').map((c) => c.status)).toEqual([429, 200])
    expect(state().addresses.size).toBe(1)
  })

  it('gets a fresh ID token when the token exchange is retried', async () => {
    // Four failures outlast google-auth-library's own retries, which resend the same token.
    emulators.switches.inject({ service: 'gcp-sts', operation: 'token', status: 503, code: 'temporarily_unavailable', times: 4 })
    const result = await run({ mode: 'plan' })
    expectSuccess(result)
    expect(emulators.log.count('token', 'gcp-sts')).toBe(5)
    // The faults answer before the exchange is handled: only the fifth attempt, with the second token, got through.
    expect(emulators.gcp.oidc.issued).toBe(2)
    expect(emulators.gcp.sts.presented).toHaveLength(1)
    expect(result.log).toContain('retrying in')
  }, 30_000)

  it('does not retry a token the attribute condition rejects, and shows the claims and a condition that fits', async () => {
    emulators.gcp.sts.setProvider({ name: WORKLOAD_IDENTITY_PROVIDER, attributeCondition: "assertion.repository_owner == 'someone-else'" })
    const result = await run({ mode: 'plan' })
    expect(result.exitCode).toBe(1)
    expect(emulators.log.count('token', 'gcp-sts')).toBe(1)
    expect(errorLine(result)).toContain('unauthorized_client')
    expect(result.log).toContain('sub: repo:octo-org/octo-repo:ref:refs/heads/main')
    expect(result.log).toContain("assertion.repository == 'octo-org/octo-repo'")
    expect(calls('gcp-compute')).toEqual([])
  })

  it('explains a service account the identity may not impersonate', async () => {
    emulators.gcp.iam.serviceAccounts.set(GCP_SERVICE_ACCOUNT, { email: GCP_SERVICE_ACCOUNT, members: ['principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/x/*'] })
    const result = await run({ mode: 'plan' })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toContain(`impersonating ${GCP_SERVICE_ACCOUNT} failed`)
    expect(result.log).toContain('roles/iam.workloadIdentityUser')
    expect(result.log).toContain('attribute.repository/octo-org/octo-repo')
    expect(calls('gcp-compute')).toEqual([])
  })

  it('explains the three usual causes when apply has no OIDC token, before any call', async () => {
    const result = await run({ mode: 'apply' }, { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' })
    expectNoOidcToken(result)
    expect(emulators.log.calls()).toEqual([])
  })

  it('names what it waited for when the wait times out', async () => {
    await expectWaitTimedOut(run, emulators.zilliz, /waiting for (Zilliz to accept endpoint zilliz-pl-|PSC endpoint zilliz-pl-[0-9a-f]+ to be ACCEPTED)/)
  })
})

describe('inputs that do not fit what exists', () => {
  it.each([
    ['gcp-subnetwork', GCP_EAST_SUBNETWORK, 'it exists in us-east1'],
    ['gcp-subnetwork', GCP_OTHER_SUBNETWORK, 'belongs to network other-vpc'],
    ['gcp-subnetwork', 'no-such-subnet', 'is not in us-west1'],
    ['gcp-network', 'no-such-network', 'does not exist in project my-gcp-project'],
    ['gcp-project-id', 'someone-elses-project', 'cannot read network']
  ])('names %s = %s (%s), writing nothing', async (input, value, fragment) => {
    const result = await run({ mode: 'apply', [input]: value })
    expectNamedError(result, input, fragment)
    expect(writes()).toEqual([])
  })

  it('names cluster-ids when a cluster is in another region, before touching Google Cloud resources', async () => {
    const result = await run({ mode: 'apply', 'cluster-ids': ZILLIZ_SEED.clusters.aws[0] })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toContain('cluster-ids:')
    expect(calls('gcp-compute')).toEqual([])
  })
})

describe('secrets', () => {
  it('never shows the API key, an ID token or a Google access token, in plan, apply and a failure', async () => {
    const results = [await run({ mode: 'plan' }), await run({ mode: 'apply' }), await run({ mode: 'apply', 'gcp-subnetwork': GCP_EAST_SUBNETWORK })]
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 1])
    const idTokens = emulators.gcp.sts.presented.map((p) => p.token)
    const accessTokens = emulators.gcp.tokens.issued.map((t) => t.token)
    expect(idTokens.length).toBeGreaterThanOrEqual(3)
    expect(accessTokens.length).toBeGreaterThanOrEqual(6)
    expectSecretsHidden(results, [ZILLIZ_SEED.apiKey, ...idTokens, ...accessTokens], ZILLIZ_SEED.apiKey)
  })
})

// Each row: the input, a bad value, and a fragment the error must contain. One problem per row.
const BAD_INPUTS: [string, string, string][] = [
  ['gcp-project-id', '', 'Required when provider is gcp'],
  ['gcp-project-id', 'My_Project', 'gcp-project-id'],
  ['gcp-project-id', '481516234200', 'project number'],
  ['gcp-network', '', 'Required when provider is gcp'],
  ['gcp-network', 'Zilliz_VPC', 'gcp-network'],
  ['gcp-network', `projects/${GCP_PROJECT_ID}/networks/${GCP_NETWORK}`, 'not a network resource path'],
  ['gcp-subnetwork', '', 'Required when provider is gcp'],
  ['gcp-subnetwork', 'subnet-', 'gcp-subnetwork'],
  ['gcp-workload-identity-provider', `projects/${GCP_PROJECT_ID}/locations/global/workloadIdentityPools/github/providers/github-actions`, 'project number'],
  ['gcp-workload-identity-provider', 'projects/481516234200/locations/us-west1/workloadIdentityPools/github/providers/github-actions', 'locations/global'],
  ['gcp-workload-identity-provider', 'github-actions', 'gcp-workload-identity-provider'],
  ['gcp-service-account', 'zilliz-link', 'Give the full email'],
  ['gcp-service-account', 'zilliz-link@example.com', 'gcp-service-account'],
  ['gcp-endpoint-prefix', 'Zilliz_PSC', 'gcp-endpoint-prefix'],
  ['gcp-global-access', 'sometimes', 'gcp-global-access'],
  ['zilliz-region-id', 'gcp-uswest', 'zilliz-region-id'],
  ['provider', 'azure', 'provider'],
  ['tags', '{"Team":"search"}', 'not a valid GCP label key'],
  ['tags', '{"team":"Search Team"}', 'not a valid GCP label value'],
  ['aws-vpc-id', 'vpc-0a1b2c3d4e5f60718', 'Applies to provider aws only'],
  ['allowed-cidrs', '10.0.0.1/8', 'allowed-cidrs']
]

describe('bad inputs', () => {
  it.each(BAD_INPUTS)('%s = %j fails by name before any call', async (input, value, fragment) => {
    const result = await run({ [input]: value })
    expectNamedInputError(result, input, fragment, emulators.log.calls())
  })
})
