// Loads only the chosen cloud's code: each provider is a separate chunk of the bundle.
import type { Config } from '../config/types.js'
import type { Logger } from '../base/log.js'
import type { CloudProvider } from '../engine/provider.js'
import type { IdTokenSource } from '../oidc/id-token.js'
import type { HeadStart } from '../head-start.js'

/** `ahead`: the calls the entry sent; each cloud takes its own share. */
export async function loadProvider(config: Config, log: Logger, tokens: IdTokenSource, ahead?: HeadStart): Promise<CloudProvider> {
  switch (config.provider) {
    case 'aws':
      return (await import('./aws/index.js')).createProvider(config, log, tokens, ahead?.aws)
    case 'gcp':
      return (await import('./gcp/index.js')).createProvider(config, log, tokens, ahead?.gcp)
    case 'azure':
      return (await import('./azure/index.js')).createProvider(config, log, tokens, ahead?.azure)
  }
}
