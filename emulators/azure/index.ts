// Starts the Azure side of the emulated world (Entra ID and Azure Resource Manager) on loopback ports around
// the shared World, CallLog, Switches and GitHub OIDC emulator, and reports the environment the action needs:
// ZILLIZ_PL_AZURE_ENDPOINTS, which sends the real Azure hosts to these ports.
import { NO_DNS_SERVER } from '../core/loopback.js'
import { CallLog, Switches, startService, type Running } from '../core/service.js'
import { World } from '../core/world.js'
import { OidcEmulator } from '../oidc.js'
import { ZILLIZ_SEED } from '../zilliz.js'
import { AccessTokens } from './access-tokens.js'
import { ArmEmulator } from './arm.js'
import { MANAGEMENT_HOST } from './arm-route.js'
import { EntraEmulator, LOGIN_HOST, type EntraOptions } from './entra.js'
import { CLIENT_ID, RESOURCE_GROUP, SUBNET, SUBSCRIPTION_ID, TENANT_ID, VNET, seedApps, seedArm } from './seed.js'

/** The variable the action reads (src/providers/azure/transport.ts); documented in docs/azure.md. */
export const AZURE_ENDPOINTS_ENV = 'ZILLIZ_PL_AZURE_ENDPOINTS'

export interface AzureEmulatorOptions extends EntraOptions {
  world?: World
  log?: CallLog
  switches?: Switches
  /** The GitHub OIDC emulator whose tokens Entra accepts; started here when not given */
  oidc?: OidcEmulator
  /** Status polls answered InProgress before a long-running operation completes */
  inProgressPolls?: number
}

export interface AzureEnvironment {
  ZILLIZ_PL_AZURE_ENDPOINTS: string
  [name: string]: string
}

export interface AzureEmulators {
  world: World
  log: CallLog
  switches: Switches
  oidc: OidcEmulator
  entra: EntraEmulator
  arm: ArmEmulator
  tokens: AccessTokens
  urls: { arm: string; entra: string; oidc?: string }
  env: AzureEnvironment
  close(): Promise<void>
}

export async function startAzureEmulators(options: AzureEmulatorOptions = {}): Promise<AzureEmulators> {
  const world = options.world ?? new World()
  const log = options.log ?? new CallLog()
  const switches = options.switches ?? new Switches()
  const tokens = new AccessTokens()
  const running: Running[] = []

  const ownOidc = options.oidc ? undefined : new OidcEmulator()
  const oidc = options.oidc ?? (ownOidc as OidcEmulator)
  const entra = new EntraEmulator(oidc, tokens, options)
  const arm = new ArmEmulator(world, tokens)
  arm.operations.inProgressPolls = options.inProgressPolls ?? 0
  arm.operations.transientFailure = () => switches.chaos?.operationFails(arm.name) ?? false
  seedApps(entra)
  seedArm(arm.state)
  // Zilliz accepting the registration <name>.<resourceGuid> is what approves the manual connection.
  world.onAcceptance((cloud, endpointId, accepted) => {
    if (cloud === 'azure') arm.network.setConnectionStatus(endpointId, accepted ? 'Approved' : 'Disconnected')
  })

  for (const service of [arm, entra, ...(ownOidc ? [ownOidc] : [])]) running.push(await startService(service, log, switches))
  const [armServer, entraServer, oidcServer] = running as [Running, Running, Running | undefined]
  const env: AzureEnvironment = {
    [AZURE_ENDPOINTS_ENV]: JSON.stringify({ [MANAGEMENT_HOST]: armServer.url, [LOGIN_HOST]: entraServer.url }),
    // @actions/core appends `&audience=…`, so the URL must already carry a query string.
    ...(oidcServer ? { ACTIONS_ID_TOKEN_REQUEST_URL: `${oidcServer.url}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken } : {})
  }
  return {
    world,
    log,
    switches,
    oidc,
    entra,
    arm,
    tokens,
    urls: { arm: armServer.url, entra: entraServer.url, ...(oidcServer ? { oidc: oidcServer.url } : {}) },
    env,
    close: async () => {
      await Promise.all(running.map((server) => server.close()))
      await arm.containers.close()
      arm.violations.assertNone()
    }
  }
}

/** The inputs of an Azure run against the seeded world, as the runner passes them (INPUT_*). */
export function azureInputs(zillizUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  const inputs: Record<string, string> = {
    'zilliz-api-key': ZILLIZ_SEED.apiKey,
    'zilliz-project-id': ZILLIZ_SEED.projectId,
    'zilliz-region-id': ZILLIZ_SEED.regions.azure,
    'zilliz-api-url': zillizUrl,
    'azure-tenant-id': TENANT_ID,
    'azure-client-id': CLIENT_ID,
    'azure-subscription-id': SUBSCRIPTION_ID,
    'azure-resource-group': RESOURCE_GROUP,
    'azure-virtual-network': VNET,
    'azure-subnet': SUBNET,
    'wait-timeout': '2m',
    'dns-server': NO_DNS_SERVER,
    ...overrides
  }
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]))
}

export { AccessTokens } from './access-tokens.js'
export { ArmEmulator } from './arm.js'
export { EntraEmulator } from './entra.js'
export * from './seed.js'
