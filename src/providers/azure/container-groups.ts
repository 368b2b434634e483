// The Azure Container Instances calls of the live probe (api-version 2023-05-01, the excerpt in
// __tests__/fixtures/specs/azure/containerinstance), as plain ARM requests through the run's pipeline: the
// SDK package would add about 260 KB and 70 ms to the Azure cold start for eight calls (docs/architecture.md).
import { armList, armRequest, type ArmPipeline } from './arm-rest.js'
import { isNotFound } from './clients.js'

export const CONTAINER_INSTANCE_API_VERSION = '2023-05-01'

export interface ContainerState {
  state?: string
  startTime?: string
  finishTime?: string
  exitCode?: number
  detailStatus?: string
}

export interface EnvironmentVariable {
  name: string
  value?: string
  secureValue?: string
}

export interface ContainerGroup {
  id?: string
  name?: string
  location: string
  tags?: Record<string, string>
  properties: {
    provisioningState?: string
    containers: {
      name: string
      properties: {
        image: string
        command?: string[]
        environmentVariables?: EnvironmentVariable[]
        resources: { requests: { cpu: number; memoryInGB: number } }
        instanceView?: { restartCount?: number; currentState?: ContainerState }
      }
    }[]
    osType: 'Linux'
    restartPolicy: 'Never' | 'OnFailure' | 'Always'
    subnetIds?: { id: string }[]
    instanceView?: { state?: string }
  }
}

/** The container groups of one subscription and resource group, through one ARM client's pipeline. */
export class ContainerGroupsApi {
  constructor(
    private readonly client: ArmPipeline,
    private readonly subscriptionId: string,
    private readonly resourceGroup: string,
    private readonly principal: () => string | undefined
  ) {}

  get scope(): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}`
  }

  private path(name = ''): string {
    return `${this.scope}/providers/Microsoft.ContainerInstance/containerGroups${name ? `/${encodeURIComponent(name)}` : ''}`
  }

  private call<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown, query?: Record<string, string>) {
    return armRequest<T>(this.client, method, path, CONTAINER_INSTANCE_API_VERSION, this.principal, body, query)
  }

  /** The group, or undefined when there is none of that name. */
  async get(name: string): Promise<ContainerGroup | undefined> {
    try {
      return (await this.call<ContainerGroup>('GET', this.path(name))).body
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  list(): Promise<ContainerGroup[]> {
    return armList<ContainerGroup>(this.client, 'GET', this.path(), CONTAINER_INSTANCE_API_VERSION, this.principal)
  }

  /** Creates or updates (redeploys) the group; the operation goes on server-side, read the group to follow it. */
  async put(name: string, group: ContainerGroup): Promise<ContainerGroup | undefined> {
    return (await this.call<ContainerGroup>('PUT', this.path(name), group)).body
  }

  async start(name: string): Promise<void> {
    await this.call('POST', `${this.path(name)}/start`)
  }

  /** Stops the containers: compute is deallocated and billing stops; the group stays. */
  async stop(name: string): Promise<void> {
    try {
      await this.call('POST', `${this.path(name)}/stop`)
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
  }

  /** Deletes the group; one already gone counts as deleted. */
  async remove(name: string): Promise<void> {
    await this.call('DELETE', this.path(name))
  }

  /** The container's log as ACI keeps it: the output of its latest run. */
  async logs(name: string, container: string): Promise<string> {
    return (await this.call<{ content?: string }>('GET', `${this.path(name)}/containers/${encodeURIComponent(container)}/logs`)).body?.content ?? ''
  }
}
