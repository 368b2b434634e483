// Loads only the chosen cloud's code: each provider is a separate chunk of the bundle.
import type { Config } from '../config/types.js'
import type { Logger } from '../engine/log.js'
import type { CloudProvider } from '../engine/provider.js'
import type { IdTokenSource } from '../oidc/id-token.js'

export async function loadProvider(config: Config, log: Logger, tokens: IdTokenSource): Promise<CloudProvider> {
  switch (config.provider) {
    case 'aws':
      return (await import('./aws/index.js')).createProvider(config, log, tokens)
    default:
      throw new Error(`provider ${config.provider} is declared in action.yml but not available in this version of the action`)
  }
}
