// Level 2 on Azure, the whole action against the emulators: a container group of the action's own in a
// subnet delegated to Container Instances runs the bundled probe (the ARM emulator executes the container's
// `node` command in a process whose resolver is Azure DNS for the virtual network, answering from the
// private zones linked to it, and whose connections meet its subnet's security group rules), the action reads
// the result from the container's log and judges it. The group is made once, run again by later applies,
// stopped when each run ends (first thing on cancel) and deleted by destroy; it never holds the Zilliz key.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { CLIENT_ID, DELEGATED_SUBNET, PROBE_SUBNET, RESOURCE_GROUP, SPOKE_RESOURCE_GROUP, SPOKE_VNET, SUBNET, SUBSCRIPTION_ID, azureInputs, ids } from '../emulators/azure/index.js'
import { key } from '../emulators/azure/arm-model.js'
import { azureVnetResolver, startDataPlane, type VpcDataPlane } from '../emulators/dataplane/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { PURPOSE_TAG } from '../src/engine/ephemeral.js'
import { PROBE_SCRIPT_VARIABLE } from '../src/probe/script.js'
import { probeGroupName } from '../src/providers/azure/container-probe.js'
import { AZURE_OPERATIONS } from '../src/providers/azure/permissions.js'
import { errorLine, expectSuccess, verificationChecks } from './support/expectations.js'
import { builtProbe } from './support/probe-build.js'
import { runAction } from './support/run-action.js'
import { spawnAction } from './support/spawn-action.js'

// Loopback addresses for the endpoint's subnet, so the endpoint's address can be served; its own range keeps
// this file's listeners apart from other files running at the same time.
const LOOPBACK_SUBNET = '127.47.1.0/24'
const CLUSTER = ZILLIZ_SEED.clusters.azure
const PROBE_SUBNET_ID = ids.subnet(PROBE_SUBNET)
const GROUP = probeGroupName({ namePrefix: 'zilliz-pl', zilliz: { projectId: ZILLIZ_SEED.projectId, regionId: ZILLIZ_SEED.regions.azure } } as never, PROBE_SUBNET_ID)
const SOURCE = `subnet ${PROBE_SUBNET} of zilliz-vnet via container group ${GROUP}`
const PROBE_ROLE = JSON.parse(readFileSync('docs/policies/azure-probe.json', 'utf8')) as { Actions: string[] }
const APPLY_ROLE = JSON.parse(readFileSync('docs/policies/azure-apply.json', 'utf8')) as { Actions: string[] }

let emulators: Emulators
let dataPlane: VpcDataPlane
let runId = 0

beforeEach(async () => {
  await builtProbe()
  emulators = await startEmulators()
  const state = emulators.azure.arm.state
  state.virtualNetworks.get(key(ids.vnet()))!.subnets.find((s) => s.name === SUBNET)!.addressPrefix = LOOPBACK_SUBNET
  dataPlane = await startDataPlane(azureVnetResolver(state, ids.vnet()), ZILLIZ_SEED.port)
  emulators.azure.arm.containers.resolvers.set(key(ids.vnet()), { host: dataPlane.dns.host, port: dataPlane.dns.port })
})
afterEach(async () => {
  await Promise.all([emulators.close(), dataPlane.close()])
})

const inputs = (overrides: Record<string, string> = {}) => azureInputs(emulators.zillizUrl, { mode: 'apply', 'azure-probe-subnet-id': PROBE_SUBNET_ID, ...overrides })
const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...inputs(overrides), GITHUB_RUN_ID: String(++runId) })
const groupCalls = () => emulators.log.calls('arm').map((c) => c.operation).filter((op) => /^Container/.test(op))
const group = () => emulators.azure.arm.containers.groups.get(key(`${ids.resourceGroup(SUBSCRIPTION_ID, RESOURCE_GROUP)}/providers/Microsoft.ContainerInstance/containerGroups/${GROUP}`))

describe('Azure level 2: a container group in a delegated subnet', () => {
  it('passes every data-plane check live from the subnet, read from the container log, and keeps the group stopped', async () => {
    const result = await run()
    expectSuccess(result)
    expect(result.outputs['verified']).toBe('true')
    const checks = verificationChecks(result)
    for (const kind of ['dns', 'tcp', 'tls', 'https']) expect(checks.find((c) => c.id === `${kind}:${CLUSTER}`)).toMatchObject({ status: 'pass', proof: 'live', proofSource: SOURCE })
    expect(checks.find((c) => c.id === `https:${CLUSTER}`)?.evidence).toContain('HTTP 400')
    expect(checks.find((c) => c.id === 'data-plane')).toMatchObject({ status: 'skip', proof: 'none' })
    expect(result.summary).toContain(`live (${SOURCE})`)

    // The sweep does not list a standing group (it never expires): read, put, follow, read the log, stop.
    const calls = groupCalls().filter((op) => op !== 'ContainerGroups_Get')
    expect(calls).toEqual(['ContainerGroups_CreateOrUpdate', 'Containers_ListLogs', 'ContainerGroups_Stop'])
    const g = group()!
    expect(g).toMatchObject({ subnetId: PROBE_SUBNET_ID, restartPolicy: 'Never', state: 'Stopped', location: 'eastus' })
    expect(g.container).toMatchObject({ image: 'node:22-alpine', command: ['node', '--input-type=module', '--eval', expect.any(String)] })
    expect(g.tags).toMatchObject({ [PURPOSE_TAG]: 'probe', 'zilliz-private-link:managed-by': 'zilliz-private-link' })
    expect(Object.keys(g.tags)).not.toContain('zilliz-private-link:expires')
    expect(g.runs).toHaveLength(1)
    expect(g.runs[0]!.exitCode).toBe(0)
    const all = emulators.log.calls('arm').filter((c) => /^Container/.test(c.operation))
    process.stdout.write(
      `Azure probe: ${all.length} Container Instances calls (${all.filter((c) => c.operation === 'ContainerGroups_Get').length} ContainerGroups_Get), first to last ${all.at(-1)!.at - all[0]!.at} ms, container process ${g.runs[0]!.ms} ms\n`
    )
  })

  it('runs the same group again on the next apply instead of making another', async () => {
    expectSuccess(await run())
    const second = await run()
    expectSuccess(second)
    expect(emulators.azure.arm.containers.created).toHaveLength(1)
    expect(group()!.runs).toHaveLength(2)
    expect(verificationChecks(second).find((c) => c.id === `tcp:${CLUSTER}`)).toMatchObject({ status: 'pass', proof: 'live' })
  })

  it('starts the group when an update leaves it stopped, and still reads this run\'s result', async () => {
    expectSuccess(await run())
    emulators.azure.arm.containers.settings.rerunOnUpdate = false
    const second = await run()
    expectSuccess(second)
    expect(groupCalls()).toContain('ContainerGroups_Start')
    expect(group()!.runs).toHaveLength(2)
    expect(verificationChecks(second).find((c) => c.id === `tls:${CLUSTER}`)).toMatchObject({ status: 'pass', proof: 'live' })
  })

  it('runs with dns: none too, where the records are the DNS team\'s: a host nobody resolves fails DNS live', async () => {
    const result = await run({ dns: 'none' })
    expect(result.exitCode).toBe(1)
    expect(verificationChecks(result).find((c) => c.id === `dns:${CLUSTER}`)).toMatchObject({ status: 'fail', proof: 'live', proofSource: SOURCE })
    expect(emulators.azure.arm.state.privateZones.size).toBe(0)
  })

  it('never holds the Zilliz key', async () => {
    expectSuccess(await run())
    const g = group()!
    expect(g.request.length).toBeGreaterThan(1000)
    expect(g.request).not.toContain(ZILLIZ_SEED.apiKey)
    expect(g.runs.map((r) => r.logs).join('\n')).not.toContain(ZILLIZ_SEED.apiKey)
  })

  it('fails DNS live, naming the host, when the network sends queries to DNS servers that bypass the private zone', async () => {
    emulators.azure.arm.state.virtualNetworks.get(key(ids.vnet()))!.dnsServers = ['10.20.0.10']
    const result = await run()
    expect(result.exitCode).toBe(1)
    const dns = verificationChecks(result).find((c) => c.id === `dns:${CLUSTER}`)
    expect(dns).toMatchObject({ status: 'fail', proof: 'live', proofSource: SOURCE })
    expect(dns?.evidence).toContain(CLUSTER)
  })

  it('fails TCP live, naming the port, when the probe subnet\'s security group denies the link port outbound', async () => {
    const rules = emulators.azure.arm.rules
    const nsg = rules.addSecurityGroup(SUBSCRIPTION_ID, RESOURCE_GROUP, 'nsg-probes', [
      { name: 'deny-milvus-out', priority: 100, direction: 'Outbound', access: 'Deny', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: String(ZILLIZ_SEED.port) }
    ])
    rules.configureSubnet(PROBE_SUBNET_ID, { networkSecurityGroupId: nsg.id })
    const result = await run()
    expect(result.exitCode).toBe(1)
    const tcp = verificationChecks(result).find((c) => c.id === `tcp:${CLUSTER}`)
    expect(tcp).toMatchObject({ status: 'fail', proof: 'live', proofSource: SOURCE })
    expect(tcp?.evidence).toMatch(new RegExp(`timed out connecting to 127\\.47\\.1\\.\\d+:${ZILLIZ_SEED.port}`))
    expect(tcp?.fix).toBeTruthy()
  })

  it.each([
    [SUBNET, /endpoints of zilliz-vnet is not delegated/],
    [DELEGATED_SUBNET, /webapps of zilliz-vnet is delegated to Microsoft\.Web\/serverFarms/]
  ])('refuses subnet %s before any write, naming azure-probe-subnet-id and the delegation to make', async (subnet, said) => {
    const result = await run({ 'azure-probe-subnet-id': ids.subnet(subnet) })
    expect(result.exitCode).toBe(1)
    expect(errorLine(result)).toContain('azure-probe-subnet-id: ')
    expect(errorLine(result)).toMatch(said)
    expect(errorLine(result)).toContain('--delegations Microsoft.ContainerInstance/containerGroups')
    expect(emulators.log.writes('arm')).toEqual([])
  })

  it('refuses a subnet in a network the zones are not linked to, with no cloud call', async () => {
    const result = await run({ 'azure-probe-subnet-id': ids.subnet(SUBNET, SPOKE_VNET, SUBSCRIPTION_ID, SPOKE_RESOURCE_GROUP) })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('azure-probe-subnet-id: Is a subnet of')
    expect(result.log).toContain('add /subscriptions/')
    expect(emulators.log.calls('arm')).toEqual([])
  })

  it('says the probe could not run, naming the action, its scope and azure-probe.json, when the identity may not create the group', async () => {
    const granted = [...APPLY_ROLE.Actions, ...PROBE_ROLE.Actions].filter((a) => a !== 'Microsoft.ContainerInstance/containerGroups/write')
    emulators.azure.arm.rbac.assign(CLIENT_ID, granted)
    const result = await run()
    const probe = verificationChecks(result).find((c) => c.id === 'probe')
    expect(probe).toMatchObject({ status: 'skip', proof: 'none' })
    expect(probe?.evidence).toContain('Microsoft.ContainerInstance/containerGroups/write')
    expect(probe?.evidence).toContain(`/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ContainerInstance/containerGroups/${GROUP}`)
    expect(probe?.evidence).toContain('docs/policies/azure-probe.json')
    expect(emulators.azure.arm.containers.groups.size).toBe(0)
  })

  it('stops the container first when the run is cancelled while it starts, and keeps the group', async () => {
    emulators.azure.arm.containers.settings.startDelayMs = 120_000
    const action = await spawnAction({ ...emulators.env, ...inputs(), GITHUB_RUN_ID: String(++runId), [PROBE_SCRIPT_VARIABLE]: await builtProbe() })
    while (!emulators.azure.arm.containers.created.length) {
      if (action.child.exitCode !== null) throw new Error(`the action ended before deploying its probe:\n${action.log()}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    action.child.kill('SIGTERM')
    expect(await action.exited).toBe(1)
    expect(groupCalls()).toContain('ContainerGroups_Stop')
    expect(group()).toMatchObject({ state: 'Stopped', runs: [] })
    expect(JSON.parse((await action.outputs())['plan'] ?? '{}')).toMatchObject({ cancelled: true })
    expect(action.log()).toMatch(new RegExp(`Deleted azure\\.container-group-run ${GROUP}`))
  })

  it('is deleted by destroy, with everything else the action made', async () => {
    expectSuccess(await run())
    expect(emulators.azure.arm.containers.groups.size).toBe(1)
    const destroyed = await run({ mode: 'destroy' })
    expectSuccess(destroyed)
    expect(emulators.azure.arm.containers.groups.size).toBe(0)
    expect(groupCalls()).toContain('ContainerGroups_Delete')
    expect(verificationChecks(destroyed).find((c) => c.id === 'destroyed')).toMatchObject({ status: 'pass' })
  })

  it('is tested for the permission of every probe operation, all granted by azure-probe.json', () => {
    const probeOps = AZURE_OPERATIONS.filter((o) => o.policy === 'azure-probe')
    expect(probeOps.map((o) => o.operation).sort()).toEqual([
      'ContainerGroups_CreateOrUpdate',
      'ContainerGroups_Delete',
      'ContainerGroups_Get',
      'ContainerGroups_ListByResourceGroup',
      'ContainerGroups_Start',
      'ContainerGroups_Stop',
      'Containers_ListLogs'
    ])
    // The probe subnet's network is read before any write, as the endpoint's is.
    expect([...PROBE_ROLE.Actions].sort()).toEqual([...new Set([...probeOps.flatMap((o) => o.permissions), 'Microsoft.Network/virtualNetworks/read'])].sort())
  })
})
