// Every Compute and Cloud DNS method the action calls, denied on purpose: the error names the step, the
// method, the error code, the IAM permission, the service account and the role file that grants it. The
// denial carries a bare message, so what names the permission is the action's own table.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { adminClient, adminOperation } from '../emulators/gcp/fixtures.js'
import { GCP_EAST_SUBNETWORK, GCP_NETWORK, GCP_SERVICE_ACCOUNT, gcpInputs } from '../emulators/gcp/index.js'
import { GCP_PERMISSIONS } from '../src/providers/gcp/permissions.js'
import { errorLine, expectSuccess } from './support/expectations.js'
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
const applied = async () => expectSuccess(await run({ mode: 'apply' }))
// A VPC deny the managed egress rule must outrank, so the firewall step writes.
const denyEgress = async () => {
  await adminOperation(adminClient(emulators.gcp), 'POST', 'global/firewalls', { name: 'deny-egress', network: `global/networks/${GCP_NETWORK}`, direction: 'EGRESS', priority: 900, denied: [{ IPProtocol: 'tcp' }] })
}

interface Case {
  /** The method as the table names it */
  method: string
  /** The emulator's service and operation names to deny */
  deny: [string, string][]
  mode: 'plan' | 'apply' | 'destroy'
  /** The step or phase the error names */
  step: RegExp
  before?: () => Promise<void>
  inputs?: Record<string, string>
}

const compute = (operation: string): [string, string][] => [['gcp-compute', operation]]
const dns = (operation: string): [string, string][] => [['gcp-dns', operation]]
const OBSERVE = /Observe and plan failed: /
const VERIFY = /Verify failed: /
const STEP = /Step [\w:-]+ failed: /

const CASES: Case[] = [
  // A refused network read is reported as the project input to check, still naming the call.
  { method: 'networks.get', deny: compute('networks.get'), mode: 'plan', step: /gcp-project-id: / },
  { method: 'subnetworks.get', deny: compute('subnetworks.get'), mode: 'plan', step: OBSERVE },
  { method: 'subnetworks.aggregatedList', deny: compute('subnetworks.aggregatedList'), mode: 'plan', step: OBSERVE, inputs: { 'gcp-subnetwork': GCP_EAST_SUBNETWORK } },
  { method: 'addresses.get', deny: compute('addresses.get'), mode: 'plan', step: OBSERVE },
  { method: 'addresses.insert', deny: compute('addresses.insert'), mode: 'apply', step: /Step psc-address failed: / },
  { method: 'forwardingRules.list', deny: compute('forwardingRules.list'), mode: 'plan', step: OBSERVE },
  { method: 'forwardingRules.get', deny: compute('forwardingRules.get'), mode: 'plan', step: VERIFY, before: applied },
  { method: 'forwardingRules.insert', deny: compute('forwardingRules.insert'), mode: 'apply', step: /Step psc-endpoint failed: / },
  { method: 'forwardingRules.patch', deny: compute('forwardingRules.patch'), mode: 'apply', step: /Step psc-endpoint failed: /, before: applied, inputs: { 'gcp-global-access': 'true' } },
  // Labels follow an insert as a step of their own.
  { method: 'addresses.setLabels', deny: compute('addresses.setLabels'), mode: 'apply', step: /Step psc-address-labels failed: / },
  { method: 'forwardingRules.setLabels', deny: compute('forwardingRules.setLabels'), mode: 'apply', step: /Step psc-endpoint-labels failed: / },
  // A firewall rule is read by name when its insert answers that it exists (an earlier attempt made it).
  {
    method: 'firewalls.get',
    deny: compute('firewalls.get'),
    mode: 'apply',
    step: /Step firewall failed: /,
    before: async () => {
      await denyEgress()
      emulators.switches.inject({ service: 'gcp-compute', operation: 'firewalls.insert', status: 409, code: 'alreadyExists', message: 'The resource already exists', times: 1 })
    }
  },
  { method: 'firewalls.list', deny: compute('firewalls.list'), mode: 'plan', step: OBSERVE },
  { method: 'firewalls.insert', deny: compute('firewalls.insert'), mode: 'apply', step: /Step firewall failed: /, before: denyEgress },
  {
    method: 'firewalls.patch',
    deny: compute('firewalls.patch'),
    mode: 'apply',
    step: /Step firewall failed: /,
    before: async () => {
      await denyEgress()
      await applied()
      for (const firewall of emulators.gcp.compute.state.firewalls.values()) if (firewall.name !== 'deny-egress') firewall.allowed = [{ IPProtocol: 'tcp', ports: ['19530'] }]
    }
  },
  { method: 'operations.wait', deny: [...compute('regionOperations.wait'), ...compute('globalOperations.wait')], mode: 'apply', step: STEP },
  { method: 'managedZones.list', deny: dns('managedZones.list'), mode: 'plan', step: OBSERVE },
  // A zone that also serves another network loses only this network's binding, read fresh before the patch.
  {
    method: 'managedZones.get',
    deny: dns('managedZones.get'),
    mode: 'destroy',
    step: /Step dns-link:[\w.:-]+ failed: /,
    before: async () => {
      await applied()
      for (const zone of emulators.gcp.dns.zones.values()) zone.networks.push('https://www.googleapis.com/compute/v1/projects/other-project/global/networks/other')
    }
  },
  { method: 'managedZones.create', deny: dns('managedZones.create'), mode: 'apply', step: /Step dns-zone:[\w-]+ failed: / },
  {
    method: 'managedZones.patch',
    deny: dns('managedZones.patch'),
    mode: 'apply',
    step: /Step dns-zone:[\w-]+ failed: /,
    before: async () => {
      await applied()
      for (const zone of emulators.gcp.dns.zones.values()) zone.networks = []
    }
  },
  { method: 'resourceRecordSets.list', deny: dns('resourceRecordSets.list'), mode: 'plan', step: OBSERVE, before: applied },
  { method: 'changes.create', deny: dns('changes.create'), mode: 'apply', step: /Step dns-record:[\w-]+ failed: / },
  { method: 'changes.get', deny: dns('changes.get'), mode: 'apply', step: /Step dns-record:[\w-]+ failed: / },
  { method: 'forwardingRules.delete', deny: compute('forwardingRules.delete'), mode: 'destroy', step: /Step psc-endpoint:[\w-]+ failed: /, before: applied },
  { method: 'addresses.delete', deny: compute('addresses.delete'), mode: 'destroy', step: /Step psc-address:[\w-]+ failed: /, before: applied },
  {
    method: 'firewalls.delete',
    deny: compute('firewalls.delete'),
    mode: 'destroy',
    step: /Step firewall:[\w-]+ failed: /,
    // The managed egress rule exists only where a deny needed outranking.
    before: async () => {
      await denyEgress()
      await applied()
    }
  },
  { method: 'managedZones.delete', deny: dns('managedZones.delete'), mode: 'destroy', step: /Step dns-zone:[\w.-]+ failed: /, before: applied }
]

// A refused networks.getEffectiveFirewalls is no failure: the firewall policies are reported unknown (a
// skipped check), see gcp-egress-ownership.test.ts. Nor is a refused Connectivity Tests call: the path is
// reported not proven, naming the permission (path-analysis-gcp.test.ts). Nor is a refused policies.list, read
// by the level 1 DNS analysis: the link is then unproven, a skipped check naming the permission (dns-analysis-gcp.test.ts).
const TOLERATED = new Set(['networks.getEffectiveFirewalls', 'connectivityTests.create', 'connectivityTests.get', 'connectivityTests.delete', 'connectivityTests.list', 'operations.get', 'policies.list'])

describe('a denied Google Cloud call', () => {
  it('is tested for every method in the permission table', () => {
    // The level 2 probe's methods are denied in probe-gcp-e2e.test.ts: a probe that cannot run is an unknown, not a failed run.
    expect(CASES.map((c) => c.method).sort()).toEqual(Object.keys(GCP_PERMISSIONS).filter((m) => !TOLERATED.has(m) && !GCP_PERMISSIONS[m]!.policy).sort())
  })

  it.each(CASES.map((c) => [c.method, c] as const))('%s names the step, the method, the permission, the service account and the role file', async (method, c) => {
    await c.before?.()
    for (const [service, operation] of c.deny) emulators.switches.inject({ service, operation, status: 403, code: 'forbidden', message: 'Forbidden', times: 1 })
    const result = await run({ mode: c.mode, ...c.inputs })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    const api = c.deny[0]![0] === 'gcp-dns' ? 'dns' : 'compute'
    expect(error).toMatch(c.step)
    expect(error).toContain(`Google Cloud ${api}.${method}`)
    expect(error).toContain('was denied (forbidden, HTTP 403)')
    const required = GCP_PERMISSIONS[method]!
    for (const permission of required.permissions) expect(error).toContain(permission)
    expect(error).toContain(`the service account ${GCP_SERVICE_ACCOUNT}`)
    expect(error).toContain(required.write ? 'docs/policies/gcp-apply.json' : 'docs/policies/gcp-plan.json')
  })
})

describe('a denial that names its permission', () => {
  it('names only the permission Google says it refused', async () => {
    const message = "Required 'compute.forwardingRules.pscCreate' permission for 'projects/p/regions/us-west1/forwardingRules/x'"
    emulators.switches.inject({ service: 'gcp-compute', operation: 'forwardingRules.insert', status: 403, code: 'forbidden', message, times: 1 })
    const error = errorLine(await run({ mode: 'apply' }))
    // The project named in Google's message is where the permission is missing.
    expect(error).toContain('lacks the IAM permission compute.forwardingRules.pscCreate on project p; grant it as docs/policies/gcp-apply.json does.')
  })
})

describe('a rejected Google Cloud request', () => {
  it('names the step, the method, the resource and the reason', async () => {
    await denyEgress()
    emulators.switches.inject({ service: 'gcp-compute', operation: 'firewalls.insert', status: 400, code: 'invalid', message: "Invalid value for field 'resource.sourceRanges[0]'", times: 1 })
    const error = errorLine(await run({ mode: 'apply' }))
    expect(error).toMatch(/Step firewall failed: Google Cloud compute\.firewalls\.insert \([\w-]+\) failed \(invalid, HTTP 400\)\. Google Cloud said: Invalid value for field 'resource\.sourceRanges\[0\]'/)
  })
})
