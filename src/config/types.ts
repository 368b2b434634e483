// The one typed configuration every later stage reads. Built only by parseConfig().

export type ProviderName = 'aws' | 'gcp' | 'azure'
/** destroy removes what the action manages; destroy-plan shows that removal without writing */
export type ModeInput = 'auto' | 'plan' | 'apply' | 'destroy' | 'destroy-plan'
export type Mode = 'plan' | 'apply'
export type VerifyInput = 'auto' | 'control-plane' | 'full' | 'none'
/** managed: the action's own zone per host; existing-zone: only our records in the user's zones; none: no DNS calls */
export type DnsMode = 'managed' | 'existing-zone' | 'none'

export interface DnsSettings {
  mode: DnsMode
  /**
   * existing-zone only (empty otherwise): AWS hosted zone ids (Z…), GCP managed zones
   * (projects/P/managedZones/Z or a zone name), Azure private DNS zone resource ids
   */
  zoneIds: string[]
}

/** auto: path analysis on apply runs and on plans not made for a pull request; off: never */
export type NetworkAnalysisInput = 'auto' | 'off'

/** Where the link's clients live: what the in-network proofs (analysis, probes) start from. */
export interface ClientNetwork {
  /** AWS subnet id, GCP subnetwork name/path/URL, Azure subnet name or resource id; empty: the endpoint's first subnet */
  subnet?: string
  /** AWS only; empty: the VPC's default security group (the evidence says so) */
  securityGroupIds: string[]
}

export interface ZillizSettings {
  apiKey: string
  projectId: string
  /** Zilliz region id, e.g. aws-us-west-2 */
  regionId: string
  /** Control-plane base URL without a trailing slash */
  apiUrl: string
  /** Empty: every dedicated cluster of the project in the region */
  clusterIds: string[]
}

export interface AwsSettings {
  /** Native AWS region, e.g. us-west-2 */
  region: string
  roleArn?: string
  roleSessionName: string
  roleDurationSeconds: number
  vpcId: string
  subnetIds: string[]
  /** Empty: the action manages its own security group */
  securityGroupIds: string[]
  /** More VPCs the private zones are associated with, besides vpcId (the endpoint's VPC) */
  dnsVpcIds: string[]
  /** A role in the account that holds the zones, assumed with the same GitHub OIDC token; absent: the zones live in the endpoint's account */
  dnsRoleArn?: string
  /** Lambda execution role of the in-network probe (level 2); absent: no probe */
  probeRoleArn?: string
}

export interface GcpSettings {
  workloadIdentityProvider?: string
  serviceAccount?: string
  /** gcp-project-id: the default of the three projects below */
  projectId: string
  /** The project of the network and subnetwork (a Shared VPC host project); firewall rules live there */
  networkProjectId: string
  /** The project of the address and the PSC forwarding rule; registered with Zilliz */
  endpointProjectId: string
  /** The project of the Cloud DNS private zones */
  dnsProjectId: string
  region: string
  /** The network's name (a path or URL given as input is reduced to it) */
  network: string
  /** The subnetwork's name */
  subnetwork: string
  endpointPrefix: string
  globalAccess: boolean
  /** Identity of the in-network probe's Cloud Run job (level 2); absent: no probe */
  probeServiceAccount?: string
}

export interface AzureSettings {
  tenantId?: string
  clientId?: string
  /** Subscription and resource group of the private endpoint (and by default of everything else) */
  subscriptionId: string
  resourceGroup: string
  location: string
  virtualNetwork: string
  subnet: string
  /** Subscription and resource group of the virtual network: the endpoint's, or those of a subnet resource id */
  networkSubscriptionId: string
  networkResourceGroup: string
  /** Subscription and resource group of the private DNS zones (a hub's, in a landing zone); default the endpoint's */
  dnsSubscriptionId: string
  dnsResourceGroup: string
  /** Virtual network ids every zone is linked to besides the endpoint's network (e.g. the hub with the DNS resolver) */
  dnsLinkVnetIds: string[]
  /** Default: azureEndpointName(config), the same base name the other clouds use */
  endpointName?: string
  /** A VM in the client subnet that Network Watcher may test from (connectivity check, IP flow verify) */
  networkWatcherVmId?: string
  /** The subnet (delegated to Azure Container Instances) of the in-network probe (level 2); absent: no probe */
  probeSubnetId?: string
}

export interface Config {
  provider: ProviderName
  mode: ModeInput
  zilliz: ZillizSettings
  /** Extra ports from the input; the defaults are added at plan time */
  ports: number[]
  /** Empty: the network's own ranges */
  allowedCidrs: string[]
  waitTimeoutSeconds: number
  namePrefix: string
  tags: Record<string, string>
  verify: VerifyInput
  dnsServer?: string
  failOnChanges: boolean
  /** Delete managed DNS zones and records of clusters no longer in scope (otherwise a warning) */
  prune: boolean
  dns: DnsSettings
  failOnUnverified: boolean
  /** Path analysis from the client subnet to the endpoint (paid per analysis) */
  networkAnalysis: NetworkAnalysisInput
  client: ClientNetwork
  /** Apply only if the fresh plan has this plan-id (the reviewed plan's digest) */
  expectedPlanId?: string
  /** Present when require-protected-environment is true: read the job's environment with this token before apply */
  protectedEnvironment?: { githubToken: string }
  /** Present when comment-on-pr is true: post the plan as a sticky PR comment with this token */
  prComment?: { githubToken: string }
  aws?: AwsSettings
  gcp?: GcpSettings
  azure?: AzureSettings
}

/** One problem with one input; all problems are reported together. */
export interface InputProblem {
  input: string
  message: string
  example: string
}
