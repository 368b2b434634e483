// The ARM emulator's Container Instances, driven through the action's own ContainerGroupsApi (plain ARM
// requests on the action's @azure/core-client ARM pipeline): the delegation Azure requires, the linked subnet join,
// the provisioning states, one run per create, update and start, stop, the latest run's log, delete, and
// the requests held to Microsoft's 2023-05-01 description.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startAzureEmulators, CLIENT_ID, PROBE_SUBNET, RESOURCE_GROUP, SUBNET, SUBSCRIPTION_ID, ids, type AzureEmulators } from '../emulators/azure/index.js'
import { key } from '../emulators/azure/arm-model.js'
import { armClients, assertionCredential } from '../emulators/azure/sdk-clients.js'
import { ContainerGroupsApi, type ContainerGroup } from '../src/providers/azure/container-groups.js'

let az: AzureEmulators
let groups: ContainerGroupsApi
beforeEach(async () => {
  az = await startAzureEmulators()
  // Any resolver will do: these containers print and exit, they resolve nothing.
  az.arm.containers.resolvers.set(key(ids.vnet()), { host: '127.0.0.1', port: 9 })
  groups = new ContainerGroupsApi(armClients(az, assertionCredential(az), { maxRetries: 0 }).arm, SUBSCRIPTION_ID, RESOURCE_GROUP, () => `client ${CLIENT_ID}`)
})
afterEach(async () => {
  await az.close()
})

function spec(subnet = PROBE_SUBNET, print = 'hello', extra: Record<string, string> = {}): ContainerGroup {
  return {
    location: 'eastus',
    tags: { owner: 'test' },
    properties: {
      containers: [
        {
          name: 'probe',
          properties: {
            image: 'node:22-alpine',
            command: ['node', '-e', `console.log(${JSON.stringify(print)} + ' ' + (process.env.RUN ?? ''))`],
            environmentVariables: Object.entries(extra).map(([name, value]) => ({ name, value })),
            resources: { requests: { cpu: 1, memoryInGB: 0.5 } }
          }
        }
      ],
      osType: 'Linux',
      restartPolicy: 'Never',
      subnetIds: [{ id: ids.subnet(subnet) }]
    }
  }
}

async function caught(call: Promise<unknown>): Promise<{ code?: string; statusCode?: number; message: string }> {
  try {
    await call
  } catch (error) {
    return error as { code?: string; statusCode?: number; message: string }
  }
  throw new Error('expected the call to fail')
}

async function terminated(name: string, after?: string): Promise<ContainerGroup> {
  for (;;) {
    const group = await groups.get(name)
    const state = group?.properties.containers[0]?.properties.instanceView?.currentState
    if (state?.state === 'Terminated' && state.startTime !== after) return group!
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('Container Instances in the ARM emulator', () => {
  it('refuses a subnet not delegated to container groups with the error Azure answers', async () => {
    const error = await caught(groups.put('cg-1', spec(SUBNET)))
    expect(error).toMatchObject({ statusCode: 400, code: 'SubnetMissingRequiredDelegation' })
    expect(error.message).toContain("Azure said: Subnet missing required delegation 'Microsoft.ContainerInstance' for container group 'cg-1'.")
    expect(az.arm.containers.groups.size).toBe(0)
  })

  it('checks joining the subnet on the subnet, as a linked action', async () => {
    az.arm.rbac.assign(CLIENT_ID, [])
    az.arm.rbac.assignAt(CLIENT_ID, ids.resourceGroup(SUBSCRIPTION_ID, RESOURCE_GROUP), ['Microsoft.ContainerInstance/containerGroups/*'])
    const error = await caught(groups.put('cg-1', spec()))
    expect(error).toMatchObject({ statusCode: 403, code: 'LinkedAuthorizationFailed' })
    expect(error.message).toContain(`'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${ids.subnet(PROBE_SUBNET)}'`)
  })

  it('provisions, runs the container once, keeps its log, and runs it again on update and on start', async () => {
    const created = await groups.put('cg-1', spec(PROBE_SUBNET, 'first', { RUN: '1' }))
    expect(created?.properties.provisioningState).toBe('Pending')
    const first = await terminated('cg-1')
    expect(first.properties).toMatchObject({ provisioningState: 'Succeeded', instanceView: { state: 'Succeeded' } })
    expect(first.properties.containers[0]?.properties.instanceView?.currentState).toMatchObject({ exitCode: 0, detailStatus: 'Completed' })
    expect((await groups.logs('cg-1', 'probe')).trim()).toBe('first 1')

    const firstStart = first.properties.containers[0]?.properties.instanceView?.currentState?.startTime
    const updated = await groups.put('cg-1', spec(PROBE_SUBNET, 'second', { RUN: '2' }))
    expect(updated?.properties.provisioningState).toBe('Updating')
    const second = await terminated('cg-1', firstStart)
    expect((await groups.logs('cg-1', 'probe')).trim()).toBe('second 2')

    await groups.start('cg-1')
    await terminated('cg-1', second.properties.containers[0]?.properties.instanceView?.currentState?.startTime)
    expect(az.arm.containers.created).toHaveLength(1)
    expect(az.arm.containers.groups.get(key(`${ids.resourceGroup(SUBSCRIPTION_ID, RESOURCE_GROUP)}/providers/Microsoft.ContainerInstance/containerGroups/cg-1`))?.runs).toHaveLength(3)
    expect((await groups.list()).map((g) => g.name)).toEqual(['cg-1'])
  })

  it('stops a running container, and deletes the group', async () => {
    const long = spec()
    long.properties.containers[0]!.properties.command = ['node', '-e', 'setTimeout(() => {}, 60000)']
    await groups.put('cg-1', long)
    while ((await groups.get('cg-1'))?.properties.containers[0]?.properties.instanceView?.currentState?.state !== 'Running') await new Promise((resolve) => setTimeout(resolve, 20))
    await groups.stop('cg-1')
    expect((await groups.get('cg-1'))?.properties.instanceView?.state).toBe('Stopped')
    await groups.remove('cg-1')
    expect(await groups.get('cg-1')).toBeUndefined()
    // Deleting what is not there answers 204, as ARM does.
    await groups.remove('cg-1')
    expect(az.log.calls('arm').filter((c) => c.operation === 'ContainerGroups_Delete').map((c) => c.status)).toEqual([200, 204])
  })

  it('runs Node images only and says so in the log', async () => {
    const other = spec()
    other.properties.containers[0]!.properties.image = 'mcr.microsoft.com/azure-cli'
    await groups.put('cg-1', other)
    const ended = await terminated('cg-1')
    expect(ended.properties.containers[0]?.properties.instanceView?.currentState?.exitCode).toBe(127)
    expect(await groups.logs('cg-1', 'probe')).toContain('not runnable here')
  })

  it('holds requests to the REST description: a group without osType is a departure', async () => {
    const bad = spec() as unknown as { properties: Record<string, unknown> }
    delete bad.properties['osType']
    await caught(groups.put('cg-1', bad as unknown as ContainerGroup))
    expect(az.arm.violations.all).toContainEqual(expect.objectContaining({ operation: 'ContainerGroups_CreateOrUpdate', field: expect.stringContaining('osType') }))
    az.arm.violations.clear()
  })
})
