// The Google Cloud organization the emulators serve: its projects (each with its own Compute state),
// the Shared VPC relations between them, and IAM per project. A project outside it answers 403, as a
// project the caller cannot see does.
import { ComputeState, type ComputeTopology } from './compute-model.js'
import { ProjectIam } from './iam.js'

export class GcpOrganization {
  private readonly states = new Map<string, ComputeState>()
  /** service project → the Shared VPC host project it is attached to */
  private readonly hosts = new Map<string, string>()
  readonly iam = new ProjectIam()

  constructor(topologies: ComputeTopology[]) {
    for (const topology of topologies) this.states.set(topology.project, new ComputeState(topology))
  }

  compute(project: string): ComputeState | undefined {
    return this.states.get(project)
  }

  has(project: string): boolean {
    return this.states.has(project)
  }

  get projects(): ComputeState[] {
    return [...this.states.values()]
  }

  /** gcloud compute shared-vpc associated-projects add SERVICE --host-project HOST */
  attach(host: string, service: string): void {
    if (!this.has(host) || !this.has(service)) throw new Error(`unknown project ${this.has(host) ? service : host}`)
    this.hosts.set(service, host)
  }

  detach(service: string): void {
    this.hosts.delete(service)
  }

  hostOf(service: string): string | undefined {
    return this.hosts.get(service)
  }

  /**
   * Whether a resource in `from` may use a subnetwork or network of `to`: its own project, or the host
   * project it is attached to (https://cloud.google.com/vpc/docs/shared-vpc: "service projects … use
   * subnets in the Shared VPC network").
   */
  mayUse(from: string, to: string): boolean {
    return from === to || this.hosts.get(from) === to
  }
}
