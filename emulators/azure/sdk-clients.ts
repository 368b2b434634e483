// The Azure clients the action uses (@azure/arm-privatedns, @azure/identity, and its own Microsoft.Network
// REST client on a core-client pipeline) pointed at the Azure emulators through the action's own host
// override, for tests and for setting up scenarios by hand.
import { PrivateDnsManagementClient } from '@azure/arm-privatedns'
import type { HttpClient } from '@azure/core-rest-pipeline'
import { ClientAssertionCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity'
import type { ArmPipeline } from '../../src/providers/azure/arm-rest.js'
import { armPipeline, conditionalHeadersOnWritesOnly } from '../../src/providers/azure/clients.js'
import { NetworkApi } from '../../src/providers/azure/network-api.js'
import { parseEndpointOverrides, redirectingHttpClient } from '../../src/providers/azure/transport.js'
import { ASSERTION_AUDIENCE } from './entra.js'
import type { AzureEmulators } from './index.js'
import { CLIENT_ID, CLIENT_SECRET, SECRET_CLIENT_ID, SUBSCRIPTION_ID, TENANT_ID } from './seed.js'

export function emulatorHttpClient(az: Pick<AzureEmulators, 'env'>): HttpClient {
  return redirectingHttpClient(parseEndpointOverrides(az.env.ZILLIZ_PL_AZURE_ENDPOINTS))
}

/** The federated app's credential; the assertion defaults to a fresh GitHub ID token from the OIDC emulator. */
export function assertionCredential(az: AzureEmulators, options: { assertion?: () => Promise<string> | string; tenantId?: string; clientId?: string } = {}): TokenCredential {
  const assertion = options.assertion ?? (() => az.oidc.mint(ASSERTION_AUDIENCE))
  return new ClientAssertionCredential(options.tenantId ?? TENANT_ID, options.clientId ?? CLIENT_ID, async () => assertion(), {
    httpClient: emulatorHttpClient(az),
    retryOptions: { maxRetries: 0 }
  })
}

export function secretCredential(az: AzureEmulators, secret = CLIENT_SECRET): TokenCredential {
  return new ClientSecretCredential(TENANT_ID, SECRET_CLIENT_ID, secret, { httpClient: emulatorHttpClient(az), retryOptions: { maxRetries: 0 } })
}

export interface ArmClients {
  network: NetworkApi
  /** The pipeline under `network`, for requests of the test's own */
  arm: ArmPipeline
  dns: PrivateDnsManagementClient
}

/**
 * Clients as the action builds them; `asShipped` leaves out the action's header policy, to show what the
 * pipelines alone send. Microsoft.Network polls every 10 ms where no Retry-After says otherwise.
 */
export function armClients(az: AzureEmulators, credential: TokenCredential = secretCredential(az), options: { maxRetries?: number; asShipped?: boolean; subscriptionId?: string } = {}): ArmClients {
  const common = {
    httpClient: emulatorHttpClient(az),
    ...(options.maxRetries !== undefined ? { retryOptions: { maxRetries: options.maxRetries } } : {}),
    additionalPolicies: options.asShipped ? [] : [{ policy: conditionalHeadersOnWritesOnly, position: 'perCall' as const }]
  }
  const subscriptionId = options.subscriptionId ?? SUBSCRIPTION_ID
  const arm = armPipeline(credential, common)
  return { network: new NetworkApi(arm, subscriptionId, () => undefined, 10), arm, dns: new PrivateDnsManagementClient(credential, subscriptionId, common) }
}
