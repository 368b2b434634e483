// Placeholder until the gcp provider lands: config validation already rejects provider gcp.
import type { Config } from '../../config/types.js'
import type { Logger } from '../../engine/log.js'
import type { CloudProvider } from '../../engine/provider.js'
import type { IdTokenSource } from '../../oidc/id-token.js'

export function createProvider(_config: Config, _log: Logger, _tokens: IdTokenSource): CloudProvider {
  throw new Error('provider gcp is not available in this version of the action')
}
