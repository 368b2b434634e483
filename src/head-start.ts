// What a run sends before the toolkit and the cloud's SDKs load: the first GitHub ID token and, once it is
// there, the cloud's first credential exchange, spoken without the cloud's SDK. Both travel while the code
// loads, instead of after it; the provider takes their outcome as its first attempt. Nothing is logged or
// registered as a secret here: whoever takes a token or a credential does, before anything could print it.
import type { Config } from './config/types.js'
import type { Withheld } from './github/withheld.js'
import { oidcInput, resolveMode } from './engine/mode.js'
import { firstIdTokenAudience } from './oidc/audiences.js'
import { hasOidcEnvironment } from './oidc/environment.js'
import { prefetchIdToken, type PrefetchedIdToken } from './oidc/id-token-fetch.js'
import { configuredProxies } from './net/proxy.js'
import type { ExchangeAhead } from './oidc/exchange-ahead.js'
import { assumeAhead, type RoleSession } from './providers/aws/web-identity.js'
import { signInAhead, type EntraToken } from './providers/azure/entra-token.js'
import { federateAhead, type GoogleAccessToken } from './providers/gcp/token-exchange.js'
import { gcpEndpoints } from './providers/gcp/endpoints.js'
import { AZURE_ENDPOINTS_ENV, parseEndpointOverrides } from './providers/azure/endpoint-overrides.js'

export interface HeadStart {
  idToken: PrefetchedIdToken
  /** sts:AssumeRoleWithWebIdentity for aws-role-arn with that token */
  aws?: ExchangeAhead<RoleSession>
  /** Entra's ARM token for azure-client-id with that token as the client assertion */
  azure?: ExchangeAhead<EntraToken>
  /** Google STS's exchange of that token, and generateAccessToken as gcp-service-account when given */
  gcp?: ExchangeAhead<GoogleAccessToken>
}

/**
 * Starts the run's first authentication calls when the run will make them anyway: GitHub can issue a token,
 * the inputs use it, the mode reads the cloud, no environment gate must pass first (a gate that stops the
 * run must find nothing sent), and the proxy variables are usable (a malformed one fails the run before
 * any call, execute.ts says which).
 */
export function headStart(config: Config, withheld: Withheld | undefined, env: NodeJS.ProcessEnv = process.env): HeadStart | undefined {
  const audience = firstIdTokenAudience(config)
  const oidcAvailable = hasOidcEnvironment(env)
  if (!audience || !oidcAvailable || !usable(() => configuredProxies(env))) return undefined
  const decision = resolveMode(config.mode, { eventName: env['GITHUB_EVENT_NAME'], withheld, oidcAvailable, oidcInput: oidcInput(config), apiKeyMissing: !config.zilliz.apiKey })
  if (decision.offline || decision.missing || (decision.mode === 'apply' && config.protectedEnvironment)) return undefined
  const idToken = prefetchIdToken(audience, env)
  return { idToken, ...exchangesAhead(config, idToken.token, env) }
}

/** The cloud's first credential exchange, sent without the cloud's SDK. */
function exchangesAhead(config: Config, token: Promise<string>, env: NodeJS.ProcessEnv): Omit<HeadStart, 'idToken'> {
  switch (config.provider) {
    case 'aws':
      return config.aws?.roleArn ? { aws: assumeAhead(config.aws, config.aws.roleArn, token, env) } : {}
    case 'gcp': {
      const gcp = config.gcp
      // A malformed endpoint variable is reported by the provider, before any call to Google.
      return gcp?.workloadIdentityProvider && usable(() => gcpEndpoints(env)) ? { gcp: federateAhead(gcp.workloadIdentityProvider, gcp.serviceAccount, token, env) } : {}
    }
    case 'azure': {
      const azure = config.azure
      // A malformed ZILLIZ_PL_AZURE_ENDPOINTS is reported by the provider, before any call to Azure.
      return azure?.tenantId && azure.clientId && usable(() => parseEndpointOverrides(env[AZURE_ENDPOINTS_ENV])) ? { azure: signInAhead(azure.tenantId, azure.clientId, token, env) } : {}
    }
  }
}

/** False when reading a setting throws: the run reports it before any call, so nothing goes ahead. */
function usable(read: () => unknown): boolean {
  try {
    read()
    return true
  } catch {
    return false
  }
}
