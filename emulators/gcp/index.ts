// Starts the Google side of the emulated world (STS, IAM Credentials, Compute, Cloud DNS) on loopback
// ports around one World, CallLog and Switches, and reports the environment the action needs to use them.
import { NO_DNS_SERVER } from '../core/loopback.js'
import { GCP_ENDPOINT_VARIABLES } from '../../src/providers/gcp/endpoints.js'
import { CallLog, Switches, startService, type Running, type Service } from '../core/service.js'
import { checkedAgainst, ViolationLog } from '../core/spec-check.js'
import { World } from '../core/world.js'
import { OidcEmulator } from '../oidc.js'
import { ZILLIZ_SEED } from '../zilliz.js'
import { AccessTokens } from './access-tokens.js'
import { CloudDnsEmulator } from './cloud-dns.js'
import { CloudRunEmulator, LoggingEmulator } from './cloud-run.js'
import { ComputeEmulator } from './compute.js'
import { googleSpec, type GoogleApi } from './discovery.js'
import { pathOf, type ComputeTopology } from './compute-model.js'
import { IamCredentialsEmulator, type ServiceAccountConfig } from './iam-credentials.js'
import { NetworkManagementEmulator } from './network-management.js'
import { GCP_NETWORK, GCP_PROBE_SERVICE_ACCOUNT, GCP_PROJECT_ID, GCP_SERVICE_ACCOUNT, GCP_SUBNETWORK, WORKLOAD_IDENTITY_PROVIDER, seedComputeTopology, seedOrganizationProjects, seedProviders, seedServiceAccounts, seedSharedVpc } from './seed.js'
import { GoogleStsEmulator, type WorkloadIdentityProviderConfig } from './sts.js'

export interface GcpEmulatorOptions {
  world?: World
  log?: CallLog
  switches?: Switches
  /** Where requests that break the discovery documents are recorded (one per world) */
  violations?: ViolationLog
  /** The shared GitHub OIDC emulator; without one, a private one is started and its variables returned */
  oidc?: OidcEmulator
  /** The default project */
  topology?: ComputeTopology
  /** The organization's other projects (default: a Shared VPC host and a DNS project) */
  projects?: ComputeTopology[]
  /** Shared VPC attachments (default: the default project is a service project of the seeded host) */
  sharedVpc?: { host: string; services: string[] }[]
  providers?: WorkloadIdentityProviderConfig[]
  serviceAccounts?: ServiceAccountConfig[]
  /** Time a Compute operation stays RUNNING */
  operationDelayMs?: number
  /** Longest a Compute operations.wait call blocks */
  waitTimeoutMs?: number
  /** Time a Cloud DNS change stays pending */
  changeDelayMs?: number
  /** Time between Zilliz's acceptance and the PSC connection turning ACCEPTED */
  acceptanceDelayMs?: number
  /** Cloud Run: the delay of a job's create operation, of a task's start, and of its log lines in Cloud Logging */
  run?: { createDelayMs?: number; startDelayMs?: number; logDelayMs?: number }
}

export interface GcpEmulators {
  world: World
  log: CallLog
  switches: Switches
  oidc: OidcEmulator
  /** Every access token STS and IAM Credentials issued */
  tokens: AccessTokens
  sts: GoogleStsEmulator
  iam: IamCredentialsEmulator
  compute: ComputeEmulator
  dns: CloudDnsEmulator
  /** Connectivity Tests, analysed from the Compute emulator's network */
  networkManagement: NetworkManagementEmulator
  /** Cloud Run jobs (the live probe) and the log entries their tasks wrote */
  run: CloudRunEmulator
  logging: LoggingEmulator
  urls: { sts: string; iam: string; compute: string; dns: string; networkManagement: string; run: string; logging: string }
  /** Requests that broke Google's discovery documents; close() fails while any are left */
  violations: ViolationLog
  /** Variables that point the action at these emulators */
  env: Record<string, string>
  close(): Promise<void>
}

export async function startGcpEmulators(options: GcpEmulatorOptions = {}): Promise<GcpEmulators> {
  const world = options.world ?? new World()
  const log = options.log ?? new CallLog()
  const switches = options.switches ?? new Switches()
  const tokens = new AccessTokens()
  const oidc = options.oidc ?? new OidcEmulator()

  const sts = new GoogleStsEmulator(oidc, tokens, options.providers ?? seedProviders())
  const iam = new IamCredentialsEmulator(tokens, options.serviceAccounts ?? seedServiceAccounts())
  const compute = new ComputeEmulator(world, tokens, {
    topology: options.topology ?? seedComputeTopology(),
    projects: options.projects ?? seedOrganizationProjects(),
    operationDelayMs: options.operationDelayMs,
    waitTimeoutMs: options.waitTimeoutMs,
    acceptanceDelayMs: options.acceptanceDelayMs
  })
  for (const { host, services } of options.sharedVpc ?? seedSharedVpc()) for (const service of services) compute.org.attach(host, service)
  const dns = new CloudDnsEmulator(tokens, {
    project: compute.state.project,
    knows: (project) => compute.org.has(project),
    // Cross-project binding: a network of any project of the organization.
    networkExists: (url) => {
      const match = /^projects\/([^/]+)\/global\/networks\/([^/]+)$/.exec(pathOf(url))
      return Boolean(match && compute.org.compute(match[1] ?? '')?.networks.has(match[2] ?? ''))
    },
    iam: compute.org.iam,
    changeDelayMs: options.changeDelayMs
  })

  const networkManagement = new NetworkManagementEmulator(tokens, compute.org)
  const run = new CloudRunEmulator(tokens, { org: compute.org, actAs: [GCP_PROBE_SERVICE_ACCOUNT], ...options.run })
  const logging = new LoggingEmulator(tokens, run, compute.org)

  compute.operations.transientFailure = () => switches.chaos?.operationFails(compute.name) ?? false
  const running: Running[] = []
  const violations = options.violations ?? new ViolationLog()
  // Every request is held to the API's published discovery document before the emulator sees it.
  const start = async (service: Service, api?: GoogleApi): Promise<string> => {
    const spec = api && googleSpec(api)
    const server = await startService(spec ? checkedAgainst(service, spec.catalog, spec.source, violations) : service, log, switches)
    running.push(server)
    return server.url
  }
  const urls = {
    sts: await start(sts, 'sts'),
    iam: await start(iam, 'iamcredentials'),
    compute: await start(compute, 'compute'),
    dns: await start(dns, 'dns'),
    run: await start(run, 'run'),
    logging: await start(logging, 'logging'),
    networkManagement: await start(networkManagement, 'networkmanagement')
  }
  const ownOidc = options.oidc ? {} : { oidcUrl: await start(oidc) }

  return {
    world,
    log,
    switches,
    oidc,
    tokens,
    sts,
    iam,
    compute,
    dns,
    networkManagement,
    run,
    logging,
    urls,
    violations,
    env: {
      [GCP_ENDPOINT_VARIABLES.compute]: urls.compute,
      [GCP_ENDPOINT_VARIABLES.dns]: urls.dns,
      [GCP_ENDPOINT_VARIABLES.sts]: urls.sts,
      [GCP_ENDPOINT_VARIABLES.iamCredentials]: urls.iam,
      [GCP_ENDPOINT_VARIABLES.networkManagement]: urls.networkManagement,
      [GCP_ENDPOINT_VARIABLES.run]: urls.run,
      [GCP_ENDPOINT_VARIABLES.logging]: urls.logging,
      // @actions/core appends `&audience=…`, so the URL must already carry a query string.
      ...(ownOidc.oidcUrl ? { ACTIONS_ID_TOKEN_REQUEST_URL: `${ownOidc.oidcUrl}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken } : {})
    },
    close: async () => {
      await Promise.all(running.map((server) => server.close()))
      await run.close()
      violations.assertNone()
    }
  }
}

/** The inputs of a GCP run against the seeded world, as the runner passes them (INPUT_*). */
export function gcpInputs(zillizUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  const inputs: Record<string, string> = {
    'zilliz-api-key': ZILLIZ_SEED.apiKey,
    'zilliz-project-id': ZILLIZ_SEED.projectId,
    'zilliz-region-id': ZILLIZ_SEED.regions.gcp,
    'zilliz-api-url': zillizUrl,
    'gcp-workload-identity-provider': WORKLOAD_IDENTITY_PROVIDER,
    'gcp-service-account': GCP_SERVICE_ACCOUNT,
    'gcp-project-id': GCP_PROJECT_ID,
    'gcp-network': GCP_NETWORK,
    'gcp-subnetwork': GCP_SUBNETWORK,
    'wait-timeout': '2m',
    'dns-server': NO_DNS_SERVER,
    // The paid path analysis is proven in its own tests (path-analysis-gcp.test.ts); link tests leave it out.
    'network-analysis': 'off',
    ...overrides
  }
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]))
}

export { AccessTokens } from './access-tokens.js'
export { CloudDnsEmulator } from './cloud-dns.js'
export { CloudRunEmulator, LoggingEmulator, parseFilter } from './cloud-run.js'
export { ComputeEmulator } from './compute.js'
export { IamCredentialsEmulator } from './iam-credentials.js'
export { GoogleStsEmulator } from './sts.js'
export * from './seed.js'
