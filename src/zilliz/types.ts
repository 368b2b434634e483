// Shapes of the Zilliz control-plane API (see docs/zilliz-api.md in shared docs), as the action uses them.

export interface EndpointService {
  regionId: string
  cloudId: string
  /** AWS service name, GCP service attachment URI or Azure alias */
  endpointService: string
  whitelistRequired: boolean
}

export interface PrivateEndpoint {
  regionId: string
  cloudId: string
  endpointService: string
  endpointServiceStatus: string
  endpointId: string
  endpointStatus: string
  gcpProjectId: string | null
}

export interface Cluster {
  clusterId: string
  clusterName?: string
  projectId?: string
  regionId: string
  plan?: string
  status: string
  connectAddress?: string
  /** https://host:port, '' until a private link exists */
  privateLinkAddress: string
}

export interface RegisterEndpointRequest {
  regionId: string
  endpointId: string
  gcpProjectId?: string
}

/** What the action needs from Zilliz; implemented by ZillizClient over HTTP. */
export interface ZillizApi {
  listEndpointServices(regionId: string): Promise<EndpointService[]>
  listPrivateEndpoints(projectId: string): Promise<PrivateEndpoint[]>
  registerPrivateEndpoint(projectId: string, request: RegisterEndpointRequest): Promise<void>
  deletePrivateEndpoint(projectId: string, endpointId: string, regionId: string, gcpProjectId?: string): Promise<void>
  addWhitelistEntry(projectId: string, regionId: string, outerUserId: string): Promise<void>
  listClusters(projectId: string): Promise<Cluster[]>
  describeCluster(clusterId: string): Promise<Cluster>
}
