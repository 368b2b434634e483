// What the engine learned before asking a provider to plan: the Zilliz side of the link.
import type { Config, Mode } from '../config/types.js'
import type { Cluster, EndpointService, PrivateEndpoint } from '../zilliz/types.js'

export interface ClusterLink {
  clusterId: string
  /** Private-link host: from privateLinkAddress when known, else the documented pattern */
  host: string
  port: number
  /** True when host/port came from privateLinkAddress, false when derived from the pattern */
  confirmed: boolean
  cluster: Cluster
}

export interface Target {
  config: Config
  mode: Mode
  service: EndpointService
  clusters: ClusterLink[]
  /** Ports the link must admit: defaults plus the clusters' ports plus the input */
  ports: number[]
  /** Zilliz registrations of this project in this region */
  registrations: PrivateEndpoint[]
  /** Registrations of this project in every region: the per-project limit counts them all */
  projectEndpoints: number
  /** Tags/labels every created resource carries (ownership, provenance, user tags) */
  tags: Record<string, string>
}
