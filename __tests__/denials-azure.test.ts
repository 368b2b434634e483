// Every ARM operation the action calls, denied on purpose: the error names the step, the operation, the
// error code, the Azure action, the identity and the role file that grants it. Denials come from the
// emulator's RBAC (a role without the action, as Azure evaluates it) and, per operation, from its fault
// switch with a bare message, so that what names the action is the action's own table.
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { CLIENT_ID, azureInputs } from '../emulators/azure/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { AZURE_OPERATIONS, AZURE_SCOPE_PARTS, scopePartOf } from '../src/providers/azure/permissions.js'
import { errorLine, expectSuccess } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, overrides) })
const applied = async () => expectSuccess(await run({ mode: 'apply' }))
const role = (file: string) => JSON.parse(readFileSync(`docs/policies/${file}`, 'utf8')) as { Actions: string[] }
const operation = (name: string) => AZURE_OPERATIONS.find((o) => o.operation === name)!

const OBSERVE = /Observe and plan failed: /
const ANY_PHASE = /(Observe and plan|Verify|Step [\w:-]+) failed: /
const STEP = (id: string) => new RegExp(`Step ${id}(:[\\w.:-]+)? failed: `)
const DESTROY_OBSERVE = /Observe what the action manages failed: /

// Zilliz allocated another host than the documented one the first apply built DNS for.
const wrongHostApplied = async () => {
  emulators.zilliz.state.clusters.find((c) => c.clusterId === ZILLIZ_SEED.clusters.azure)!.privateLinkHost = `${ZILLIZ_SEED.clusters.azure}.pl-eastus.vectordb.zillizcloud.com`
  await run({ mode: 'apply' })
}
// Only destroy reads the record sets of zones in scope (a plan reads them for zones out of scope only).
const DESTROY_READS = ['Microsoft.Network/privateDnsZones/ALL/read']
const DELETES_AFTER_WRONG_HOST = ['Microsoft.Network/privateDnsZones/delete', 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/delete']

const linksFailed = async () => {
  await applied()
  for (const zone of emulators.azure.arm.state.privateZones.values()) for (const link of zone.links.values()) link.provisioningState = 'Failed'
}

// The level 1 DNS analysis reads: a denial there leaves the link unproven, not the run failed; it is a skipped
// check naming the action (dns-analysis-azure.test.ts).
// The path analysis reads likewise (path-analysis-azure.test.ts).
const PROOF_OPERATIONS = ['DnsForwardingRulesets_ListByVirtualNetwork', 'ForwardingRules_List', 'NetworkSecurityGroups_Get', 'RouteTables_Get']
const PROOF_READS = [
  'Microsoft.Network/virtualNetworks/listDnsForwardingRulesets/action',
  'Microsoft.Network/dnsForwardingRulesets/forwardingRules/read',
  'Microsoft.Network/networkSecurityGroups/read',
  'Microsoft.Network/routeTables/read'
]
// Level 2's container group operations are granted by azure-probe.json, not the apply roles, and proven with
// their denials in probe-azure-e2e.test.ts.
const PROBE_OPERATIONS = AZURE_OPERATIONS.filter((o) => o.policy === 'azure-probe').map((o) => o.operation)
const LINK_OPERATIONS = AZURE_OPERATIONS.filter((o) => !o.policy)
// Network Watcher's checks from a named VM: their own role too (path-analysis-azure.test.ts).
const WATCHER_OPERATIONS = AZURE_OPERATIONS.filter((o) => o.policy === 'azure-network-watcher').map((o) => o.operation)

// [operationId, mode, the step or phase the error names, what exists before]
const CASES: [string, 'plan' | 'apply' | 'destroy', RegExp, (() => Promise<void>) | undefined][] = [
  ['VirtualNetworks_Get', 'plan', /azure-virtual-network: |Observe and plan failed: /, undefined],
  // A plan finds the endpoint in the resource group's listing; verification reads the one it found.
  ['PrivateEndpoints_Get', 'plan', ANY_PHASE, applied],
  ['PrivateEndpoints_List', 'plan', OBSERVE, undefined],
  ['PrivateEndpoints_CreateOrUpdate', 'apply', STEP('private-endpoint'), undefined],
  ['NetworkOperationStatus_Get', 'apply', STEP('private-endpoint'), undefined],
  ['NetworkInterfaces_Get', 'plan', ANY_PHASE, applied],
  // A plan finds the zones in the resource group's listing; the zone step reads its own before the put.
  ['PrivateZones_Get', 'apply', STEP('dns-zone'), undefined],
  ['PrivateZones_CreateOrUpdate', 'apply', STEP('dns-zone'), undefined],
  ['PrivateDnsOperationStatus_Get', 'apply', STEP('dns-zone'), undefined],
  ['VirtualNetworkLinks_List', 'plan', ANY_PHASE, applied],
  ['VirtualNetworkLinks_Get', 'apply', STEP('dns-link'), linksFailed],
  ['VirtualNetworkLinks_CreateOrUpdate', 'apply', STEP('dns-link'), undefined],
  ['RecordSets_Get', 'plan', ANY_PHASE, applied],
  ['RecordSets_CreateOrUpdate', 'apply', STEP('dns-record'), undefined],
  ['VirtualNetworkLinks_Delete', 'apply', STEP('dns-zone-replaced'), wrongHostApplied],
  ['PrivateZones_Delete', 'apply', STEP('dns-zone-replaced'), wrongHostApplied],
  // destroy and the look for what went out of scope
  ['PrivateZones_ListByResourceGroup', 'plan', OBSERVE, undefined],
  // The look for what went out of scope skips the hosts in scope; destroy reads their records.
  ['RecordSets_List', 'destroy', DESTROY_OBSERVE, applied],
  ['RecordSets_Delete', 'destroy', STEP('dns-record'), applied],
  ['PrivateEndpoints_Delete', 'destroy', STEP('private-endpoint'), applied]
]

describe('a denied ARM operation', () => {
  it('is tested for every operation in the permission table', () => {
    expect([...CASES.map(([name]) => name), ...PROOF_OPERATIONS, ...PROBE_OPERATIONS, ...WATCHER_OPERATIONS].sort()).toEqual(AZURE_OPERATIONS.map((o) => o.operation).sort())
    expect([...WATCHER_OPERATIONS].sort()).toEqual(['NetworkOperationResult_Get', 'NetworkWatchers_CheckConnectivity', 'NetworkWatchers_ListAll', 'NetworkWatchers_VerifyIPFlow', 'VirtualMachines_Get'])
  })

  it("table grants exactly the Network Watcher role's actions, with the read of the VM's interface", () => {
    const needed = [...new Set([...AZURE_OPERATIONS.filter((o) => o.policy === 'azure-network-watcher').flatMap((o) => o.permissions), 'Microsoft.Network/networkInterfaces/read'])].sort()
    expect(needed).toEqual([...role('azure-network-watcher.json').Actions].sort())
  })

  it('table grants exactly the actions of the role files', () => {
    const needed = (write: boolean) => [...new Set(LINK_OPERATIONS.filter((o) => write || !o.write).flatMap((o) => o.permissions))].sort()
    expect(needed(true)).toEqual([...role('azure-apply.json').Actions].sort())
    expect(needed(false)).toEqual([...role('azure-plan.json').Actions].sort())
  })

  it.each(AZURE_SCOPE_PARTS)('table grants exactly the actions of the %s scope role files, and the scopes together make the whole roles', (part) => {
    const needed = (write: boolean) => [...new Set(LINK_OPERATIONS.filter((o) => write || !o.write).flatMap((o) => o.permissions))].filter((a) => scopePartOf(a) === part).sort()
    expect(needed(true)).toEqual([...role(`azure-${part}-apply.json`).Actions].sort())
    expect(needed(false)).toEqual([...role(`azure-${part}-plan.json`).Actions].sort())
    const union = (kind: string) => AZURE_SCOPE_PARTS.flatMap((p) => role(`azure-${p}-${kind}.json`).Actions).sort()
    expect(union('apply')).toEqual([...role('azure-apply.json').Actions].sort())
    expect(union('plan')).toEqual([...role('azure-plan.json').Actions].sort())
  })

  it.each(CASES)('%s names the step, the operation, the action, the identity and the role file', async (name, mode, step, before) => {
    await before?.()
    emulators.switches.inject({ service: 'arm', operation: name, status: 403, code: 'AuthorizationFailed', message: 'The client does not have authorization to perform this action.', times: 1 })
    const result = await run({ mode })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    const op = operation(name)
    expect(error).toMatch(step)
    expect(error).toContain(`Azure ${name} was denied (AuthorizationFailed, HTTP 403)`)
    for (const action of op.permissions) expect(error).toContain(action)
    expect(error).toContain(`the identity client ${CLIENT_ID}`)
    expect(error).toContain(op.write ? 'docs/policies/azure-apply.json' : 'docs/policies/azure-plan.json')
    // The bare message names no scope: the resource the request addressed is where ARM evaluated it.
    expect(error).toMatch(/ on scope \/subscriptions\/[^ ]+ \(resource group \S+ of subscription [0-9a-f-]+\)|on scope \/subscriptions\/[^ ]+ \(subscription [0-9a-f-]+\)/)
    for (const part of new Set(op.permissions.map(scopePartOf))) expect(error).toContain(`docs/policies/azure-${part}-${op.write ? 'apply' : 'plan'}.json`)
  })
})


describe('an Azure action missing from the role', () => {
  const apply = role('azure-apply.json').Actions
  it.each(apply.filter((a) => !PROOF_READS.includes(a)))('%s is named, with the operation that needed it', async (action) => {
    // Reads the plan needs after an apply (the endpoint's interface, the links, the record sets) are only made then.
    if (['Microsoft.Network/networkInterfaces/read', 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read', 'Microsoft.Network/privateDnsZones/A/read', 'Microsoft.Network/privateDnsZones/ALL/read'].includes(action)) await applied()
    // Zone and link deletes happen when apply replaces the zone of a wrong host guess; the other deletes only in a destroy.
    const deletes = DELETES_AFTER_WRONG_HOST.includes(action)
    const destroys = !deletes && (action.endsWith('/delete') || DESTROY_READS.includes(action))
    if (deletes) await wrongHostApplied()
    if (destroys) await applied()
    emulators.azure.arm.rbac.assign(CLIENT_ID, apply.filter((a) => a !== action))
    const result = await run({ mode: destroys ? 'destroy' : deletes || !emulators.log.writes('arm').length ? 'apply' : 'plan' })
    expect(result.exitCode).toBe(1)
    const error = errorLine(result)
    const needing = LINK_OPERATIONS.filter((o) => o.permissions.includes(action)).map((o) => o.operation)
    expect(error).toMatch(new RegExp(`Azure (${needing.join('|')}) was denied \\((Linked)?AuthorizationFailed, HTTP 403\\): the identity client ${CLIENT_ID}[^:]* lacks the Azure action ${action.replace(/[./]/g, '\\$&')} on scope /subscriptions/[^ ]+ \\((resource group \\S+ of )?subscription [0-9a-f-]+\\); grant it as docs/policies/azure-${scopePartOf(action)}-`))
  })
})
