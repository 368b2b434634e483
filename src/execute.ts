// Everything after input validation: loaded lazily so a bad input never pays for the toolkit or an SDK.
import * as core from '@actions/core'
import { coreLogger } from './actions/core-logger.js'
import { failureReason, publish } from './actions/publish.js'
import type { Config } from './config/types.js'
import { oidcNeeded, resolveMode } from './engine/mode.js'
import { planOffline } from './engine/offline-plan.js'
import { reconcile } from './engine/reconcile.js'
import { hasOidcEnvironment } from './oidc/environment.js'
import { githubIdTokens } from './oidc/id-token.js'
import { loadProvider } from './providers/load.js'
import { USER_AGENT } from './version.js'
import { ZillizClient } from './zilliz/client.js'

export async function execute(config: Config): Promise<void> {
  if (config.zilliz.apiKey) core.setSecret(config.zilliz.apiKey)
  const log = coreLogger
  const decision = resolveMode(config.mode, {
    eventName: process.env['GITHUB_EVENT_NAME'],
    oidcAvailable: hasOidcEnvironment(),
    oidcNeeded: oidcNeeded(config),
    apiKeyMissing: !config.zilliz.apiKey
  })
  log.info(`Mode: ${decision.mode} (${decision.reason})`)
  const zilliz = config.zilliz.apiKey ? new ZillizClient({ apiUrl: config.zilliz.apiUrl, apiKey: config.zilliz.apiKey, userAgent: USER_AGENT }) : undefined
  let result
  if (decision.offline || !zilliz) {
    // Fork and Dependabot runs: stay green with what can be known without cloud credentials.
    core.notice(decision.offline ?? 'Offline plan.')
    result = await planOffline(config, decision.reason, decision.offline ?? 'Offline plan.', zilliz)
  } else {
    const provider = await loadProvider(config, log, githubIdTokens(log, `${config.provider} authentication`))
    result = await reconcile({ config, mode: decision.mode, modeReason: decision.reason, zilliz, provider, log })
  }
  await publish(result)
  // Loaded only when asked for: the GitHub client is not needed otherwise.
  if (config.prComment) await (await import('./github/pr-comment.js')).commentOnPullRequest(result, config.prComment.githubToken)
  const reason = failureReason(result, config)
  if (reason) core.setFailed(reason)
}
