// Microsoft.ContainerInstance container groups (api-version 2023-05-01), as far as the action's live probe
// needs them: create or update (PUT, a long-running operation whose provisioningState goes Pending or
// Updating, then Succeeded once the container started), get, list, start, restart, stop, delete and the
// container's logs. A group must sit in a subnet delegated to Microsoft.ContainerInstance/containerGroups
// (Azure answers SubnetMissingRequiredDelegation otherwise) and joining the subnet is checked as a linked
// action on it. Its one container really runs: `node …` from a Node image, in a process that meets the
// network as a container in the subnet would (emulators/dataplane/subnet-sandbox.ts): the resolver of the
// virtual network and the connections its network drops. With restartPolicy Never it runs once per
// create, update, start or restart, and the logs are those of the latest run, as ACI keeps them.
import { setTimeout as sleep } from 'node:timers/promises'
import type { EmulatorResponse } from '../core/service.js'
import { azureEgressAllowed } from '../dataplane/azure-network.js'
import { startUnansweredPort, type DeadEnd } from '../dataplane/dead-ends.js'
import { runInSubnet, type DroppedPaths, type SubnetResolver } from '../dataplane/subnet-sandbox.js'
import { ArmFailure, armJson, parseBody, propertiesOf, requireLocation, tagsOf, resourceNotFound } from './arm-http.js'
import { key, type ArmState } from './arm-model.js'
import { armRoute, type ArmCall, type ArmRoute } from './arm-route.js'
import type { RoleAssignments } from './rbac.js'

export const CONTAINER_INSTANCE_API_VERSION = '2023-05-01'
export const CONTAINER_GROUPS_DELEGATION = 'Microsoft.ContainerInstance/containerGroups'
const GROUP = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerInstance/containerGroups'
// learn.microsoft.com, naming rules for Microsoft.ContainerInstance/containerGroups: 1-63 characters,
// lowercase letters, numbers and hyphens; cannot start or end with a hyphen, nor hold two in a row.
const GROUP_NAME = /^[a-z0-9](?:[a-z0-9]|-(?!-)){0,61}[a-z0-9]$|^[a-z0-9]$/
/** A container runs at most this long here (the probe's own steps are bounded far below it) */
const RUN_LIMIT_MS = 10 * 60_000

type JsonObject = Record<string, unknown>

interface EnvironmentVariable {
  name: string
  value?: string
  secureValue?: string
}

interface ContainerSpec {
  name: string
  image: string
  command: string[]
  environmentVariables: EnvironmentVariable[]
  cpu: number
  memoryInGB: number
}

export interface ContainerRun {
  /** Epoch ms the container was started */
  startedAt: number
  finishedAt?: number
  exitCode?: number | null
  detailStatus?: string
  logs: string
  /** The process's own wall time */
  ms?: number
  kill?: () => void
}

export interface ContainerGroupRecord {
  id: string
  name: string
  location: string
  tags: Record<string, string>
  subnetId: string
  container: ContainerSpec
  restartPolicy: string
  provisioningState: 'Pending' | 'Updating' | 'Succeeded' | 'Failed'
  state: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Stopped'
  runs: ContainerRun[]
  /** The last PUT body as sent, for tests that look for what the group must never hold */
  request: string
  /** Counts PUTs, starts and restarts; a run scheduled for an older one never starts */
  generation: number
}

export interface ContainerInstanceOptions {
  /** Time from an accepted PUT, start or restart to the container's start (image pull, network interface in the subnet) */
  startDelayMs?: number
}

const iso = (ms: number) => new Date(ms).toISOString()

function containerSpec(properties: JsonObject): ContainerSpec {
  const containers = (properties['containers'] ?? []) as JsonObject[]
  // Emulator's subset: the probe is one container.
  if (containers.length !== 1) throw new ArmFailure(400, 'InvalidRequestContent', 'The emulator runs container groups of exactly one container.')
  const c = containers[0] as JsonObject
  const p = propertiesOf(c)
  const requests = ((p['resources'] as JsonObject | undefined)?.['requests'] ?? {}) as JsonObject
  const name = String(c['name'] ?? '')
  if (!GROUP_NAME.test(name)) throw new ArmFailure(400, 'InvalidContainerName', `The container name '${name}' in container group is invalid. A valid container name must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character and cannot contain '--'.`)
  return {
    name,
    image: String(p['image'] ?? ''),
    command: ((p['command'] ?? []) as unknown[]).map(String),
    environmentVariables: ((p['environmentVariables'] ?? []) as EnvironmentVariable[]).map((v) => ({ ...v })),
    cpu: Number(requests['cpu'] ?? 0),
    memoryInGB: Number(requests['memoryInGB'] ?? 0)
  }
}

export class ContainerInstanceProvider {
  readonly groups = new Map<string, ContainerGroupRecord>()
  /** Every group ever created, deleted ones included */
  readonly created: ContainerGroupRecord[] = []
  /** Virtual network id (lower case) → the resolver a container in it gets (Azure DNS with the zones linked to it) */
  readonly resolvers = new Map<string, SubnetResolver>()
  /** Whether the subnet's network lets a connection from it out to ip:port: its security group's outbound rules */
  egress: (subnetId: string, ip: string, port: number) => boolean
  /**
   * startDelayMs: from an accepted PUT, start or restart to the container's start. rerunOnUpdate: whether a
   * PUT to an existing group runs its containers again (what the emulator assumes ACI's redeploy does); off,
   * the update only changes the definition and the group keeps its state until started.
   */
  readonly settings: { startDelayMs: number; rerunOnUpdate: boolean }
  private readonly running = new Set<Promise<void>>()
  private readonly closing = new AbortController()
  private hole?: Promise<DeadEnd>

  constructor(
    private readonly state: ArmState,
    private readonly rbac: RoleAssignments,
    options: ContainerInstanceOptions = {}
  ) {
    this.settings = { startDelayMs: options.startDelayMs ?? 50, rerunOnUpdate: true }
    this.egress = (subnetId, ip, port) => azureEgressAllowed(state, subnetId, ip, port)
  }

  routes(): ArmRoute[] {
    const action = (verb: string) => `Microsoft.ContainerInstance/containerGroups/${verb}`
    return [
      armRoute('GET', GROUP, 'ContainerGroups_ListByResourceGroup', action('read'), (c) => this.list(c)),
      armRoute('GET', `${GROUP}/{containerGroupName}`, 'ContainerGroups_Get', action('read'), (c) => armJson(200, this.view(this.group(c)))),
      armRoute('PUT', `${GROUP}/{containerGroupName}`, 'ContainerGroups_CreateOrUpdate', action('write'), (c) => this.put(c)),
      armRoute('DELETE', `${GROUP}/{containerGroupName}`, 'ContainerGroups_Delete', action('delete'), (c) => this.remove(c)),
      armRoute('POST', `${GROUP}/{containerGroupName}/start`, 'ContainerGroups_Start', action('start/action'), (c) => this.start(c)),
      armRoute('POST', `${GROUP}/{containerGroupName}/restart`, 'ContainerGroups_Restart', action('restart/action'), (c) => this.restart(c)),
      armRoute('POST', `${GROUP}/{containerGroupName}/stop`, 'ContainerGroups_Stop', action('stop/action'), (c) => this.stop(c)),
      armRoute('GET', `${GROUP}/{containerGroupName}/containers/{containerName}/logs`, 'Containers_ListLogs', 'Microsoft.ContainerInstance/containerGroups/containers/logs/read', (c) => this.logs(c))
    ]
  }

  /** Waits for containers still running (a test's close). */
  async close(): Promise<void> {
    this.closing.abort()
    for (const group of this.groups.values()) group.runs.at(-1)?.kill?.()
    await Promise.all([...this.running])
    await (await this.hole)?.close()
  }

  private idOf(c: ArmCall): string {
    return `/subscriptions/${c.params['subscriptionId']}/resourceGroups/${c.params['resourceGroupName']}/providers/Microsoft.ContainerInstance/containerGroups/${c.params['containerGroupName']}`
  }

  private group(c: ArmCall): ContainerGroupRecord {
    const group = this.groups.get(key(this.idOf(c)))
    if (!group)
      throw resourceNotFound('Microsoft.ContainerInstance/containerGroups', c.params['containerGroupName'], c.params['resourceGroupName'])
    return group
  }

  private view(g: ContainerGroupRecord): JsonObject {
    const run = g.runs.at(-1)
    const current = !run
      ? { state: 'Waiting', detailStatus: 'Pulling image' }
      : run.finishedAt === undefined
        ? { state: 'Running', startTime: iso(run.startedAt), detailStatus: '' }
        : { state: 'Terminated', startTime: iso(run.startedAt), finishTime: iso(run.finishedAt), exitCode: run.exitCode ?? 137, detailStatus: run.detailStatus ?? 'Completed' }
    return {
      id: g.id,
      name: g.name,
      type: 'Microsoft.ContainerInstance/containerGroups',
      location: g.location,
      tags: g.tags,
      properties: {
        provisioningState: g.provisioningState,
        containers: [
          {
            name: g.container.name,
            properties: {
              image: g.container.image,
              command: g.container.command,
              ports: [],
              // A secure value is never returned.
              environmentVariables: g.container.environmentVariables.map((v) => (v.secureValue !== undefined ? { name: v.name } : { name: v.name, value: v.value ?? '' })),
              resources: { requests: { cpu: g.container.cpu, memoryInGB: g.container.memoryInGB } },
              instanceView: { restartCount: Math.max(0, g.runs.length - 1), currentState: current, events: [] }
            }
          }
        ],
        restartPolicy: g.restartPolicy,
        osType: 'Linux',
        subnetIds: [{ id: g.subnetId }],
        sku: 'Standard',
        instanceView: { events: [], state: g.state }
      }
    }
  }

  private list(c: ArmCall): EmulatorResponse {
    const prefix = key(`/subscriptions/${c.params['subscriptionId']}/resourceGroups/${c.params['resourceGroupName']}/`)
    return armJson(200, { value: [...this.groups.values()].filter((g) => key(g.id).startsWith(prefix)).map((g) => this.view(g)) })
  }

  private put(c: ArmCall): EmulatorResponse {
    const id = this.idOf(c)
    const name = c.params['containerGroupName'] ?? ''
    if (!GROUP_NAME.test(name))
      throw new ArmFailure(400, 'InvalidContainerGroupName', `The container group name '${name}' is invalid. A valid container group name must consist of lower case alphanumeric characters or '-', start with an alphanumeric character, end with an alphanumeric character and cannot contain '--'. The length must be between 1 and 63.`)
    const body = parseBody(c.req)
    const location = requireLocation(body)
    const tags = tagsOf(body)
    const properties = propertiesOf(body)
    if (properties['osType'] !== 'Linux') throw new ArmFailure(400, 'InvalidOsType', 'The emulator runs Linux container groups only.')
    const subnets = (properties['subnetIds'] ?? []) as { id?: string }[]
    if (subnets.length !== 1 || !subnets[0]?.id) throw new ArmFailure(400, 'InvalidRequestContent', 'The emulator runs container groups in exactly one subnet (properties.subnetIds).')
    const subnetId = subnets[0].id
    const found = this.state.subnet(subnetId)
    if (!found || found.vnet.location !== location)
      throw new ArmFailure(400, 'InvalidResourceReference', `Resource ${subnetId} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`)
    this.rbac.requireLinked(c.principal, 'Microsoft.ContainerInstance/containerGroups/write', id, 'Microsoft.Network/virtualNetworks/subnets/join/action', subnetId)
    // The error Azure answers (seen in public deployment logs); the subnet must be delegated before provisioning.
    if (!found.subnet.delegations.some((d) => d.toLowerCase() === CONTAINER_GROUPS_DELEGATION.toLowerCase()))
      throw new ArmFailure(400, 'SubnetMissingRequiredDelegation', `Subnet missing required delegation 'Microsoft.ContainerInstance' for container group '${name}'.`)
    const container = containerSpec(properties)
    const existing = this.groups.get(key(id))
    // Emulator's wording: a group cannot move to another subnet or change how it restarts; delete it first.
    if (existing && key(existing.subnetId) !== key(subnetId)) throw new ArmFailure(409, 'ContainerGroupPropertyUpdateNotSupported', `The subnet of container group '${name}' cannot be updated. Delete the container group and create it again.`)
    const restartPolicy = String(properties['restartPolicy'] ?? 'Always')
    if (existing && existing.restartPolicy !== restartPolicy) throw new ArmFailure(409, 'ContainerGroupPropertyUpdateNotSupported', `The restart policy of container group '${name}' cannot be updated. Delete the container group and create it again.`)
    const group: ContainerGroupRecord = existing ?? { id, name, location, tags, subnetId, container, restartPolicy, provisioningState: 'Pending', state: 'Pending', runs: [], request: '', generation: 0 }
    const rerun = !existing || this.settings.rerunOnUpdate
    Object.assign(group, { tags, container, request: c.req.body, provisioningState: existing ? 'Updating' : 'Pending', ...(rerun ? { state: 'Pending' } : {}) })
    if (!existing) {
      this.groups.set(key(id), group)
      this.created.push(group)
    }
    // An update redeploys the group: its containers start again with the new definition.
    this.schedule(group, rerun)
    return armJson(existing ? 200 : 201, this.view(group))
  }

  private remove(c: ArmCall): EmulatorResponse {
    const group = this.groups.get(key(this.idOf(c)))
    if (!group) return armJson(204, undefined)
    group.generation++
    group.runs.at(-1)?.kill?.()
    this.groups.delete(key(group.id))
    return armJson(200, this.view(group))
  }

  private start(c: ArmCall): EmulatorResponse {
    const group = this.group(c)
    if (group.state === 'Running' || group.state === 'Pending') return armJson(204, undefined)
    group.state = 'Pending'
    this.schedule(group)
    return armJson(202, undefined)
  }

  private restart(c: ArmCall): EmulatorResponse {
    const group = this.group(c)
    group.runs.at(-1)?.kill?.()
    group.state = 'Pending'
    this.schedule(group)
    return armJson(204, undefined)
  }

  private stop(c: ArmCall): EmulatorResponse {
    const group = this.group(c)
    group.generation++
    const run = group.runs.at(-1)
    run?.kill?.()
    group.state = 'Stopped'
    return armJson(204, undefined)
  }

  private logs(c: ArmCall): EmulatorResponse {
    const group = this.group(c)
    if (group.container.name !== c.params['containerName'])
      throw new ArmFailure(404, 'ContainerNotFound', `The container '${c.params['containerName']}' is not found in container group '${group.name}'.`)
    const tail = Number(c.req.url.searchParams.get('tail') ?? 0)
    const lines = (group.runs.at(-1)?.logs ?? '').split('\n')
    return armJson(200, { content: tail > 0 ? lines.slice(-tail - 1).join('\n') : lines.join('\n') })
  }

  /** Starts the container after the start delay, unless a later PUT, start, stop or delete came first. */
  private schedule(group: ContainerGroupRecord, run = true): void {
    const generation = ++group.generation
    if (run) group.runs.at(-1)?.kill?.()
    const task = (async () => {
      await sleep(this.settings.startDelayMs, undefined, { signal: this.closing.signal }).catch(() => undefined)
      if (this.closing.signal.aborted || group.generation !== generation || !this.groups.has(key(group.id))) return
      group.provisioningState = 'Succeeded'
      if (run) await this.run(group, generation)
    })().finally(() => this.running.delete(task))
    this.running.add(task)
  }

  /** The private endpoints' addresses on the link ports (and any port the probe is asked about) the network drops. */
  private async droppedPaths(group: ContainerGroupRecord): Promise<DroppedPaths | undefined> {
    const egress = this.egress
    let asked: number[] = []
    try {
      const request = JSON.parse(group.container.environmentVariables.find((v) => (v.value ?? '').startsWith('{'))?.value ?? '{}') as { links?: { port?: number }[] }
      asked = (request.links ?? []).flatMap((l) => (typeof l.port === 'number' ? [l.port] : []))
    } catch {
      // not a probe request: the link ports only
    }
    const ports = [...new Set([443, 19530, ...asked])]
    const destinations = [...this.state.networkInterfaces.values()].flatMap((nic) => ports.filter((port) => !egress(group.subnetId, nic.privateIp, port)).map((port) => `${nic.privateIp}:${port}`))
    if (!destinations.length) return undefined
    this.hole ??= startUnansweredPort(['127.0.0.1'])
    return { destinations, hole: { host: '127.0.0.1', port: (await this.hole).port } }
  }

  private async run(group: ContainerGroupRecord, generation: number): Promise<void> {
    const run: ContainerRun = { startedAt: Date.now(), logs: '' }
    group.runs.push(run)
    group.state = 'Running'
    const vnetId = group.subnetId.replace(/\/subnets\/[^/]+$/i, '')
    const resolver = this.resolvers.get(key(vnetId))
    const { command, image, environmentVariables } = group.container
    let outcome: { exitCode: number | null; stdout: string; stderr: string; ms: number; timedOut: boolean }
    if (!resolver || command[0] !== 'node' || !/^(docker\.io\/)?(library\/)?node:/.test(image)) {
      // The emulated world runs Node programs from Node images only, and only in a network whose data plane it knows.
      outcome = { exitCode: 127, stdout: '', stderr: resolver ? `exec: ${command[0] ?? '(image entrypoint)'} in ${image}: not runnable here` : `emulator setup: no data plane for ${vnetId}`, ms: 0, timedOut: false }
    } else {
      const killer = new AbortController()
      run.kill = () => killer.abort()
      outcome = await runInSubnet(resolver, {
        args: command.slice(1),
        env: Object.fromEntries(environmentVariables.map((v) => [v.name, v.value ?? v.secureValue ?? ''])),
        timeoutMs: RUN_LIMIT_MS,
        dropped: await this.droppedPaths(group),
        signal: killer.signal
      })
    }
    run.finishedAt = Date.now()
    run.exitCode = outcome.exitCode
    run.ms = outcome.ms
    run.detailStatus = outcome.exitCode === 0 ? 'Completed' : outcome.exitCode === null ? 'Killed' : 'Error'
    run.logs = `${outcome.stdout}${outcome.stderr}`
    delete run.kill
    if (group.generation === generation) group.state = outcome.exitCode === 0 ? 'Succeeded' : 'Failed'
  }
}
