// Everything after input validation: loaded lazily so a bad input never pays for the toolkit or an SDK.
import * as core from '@actions/core'
import { coreLogger } from './actions/core-logger.js'
import { protectedEnvironmentVerdict } from './actions/protected-environment.js'
import { failureReason, publish } from './actions/publish.js'
import type { Config } from './config/types.js'
import { oidcInput, resolveMode, type ModeDecision } from './engine/mode.js'
import { planOffline } from './engine/offline-plan.js'
import { reconcile } from './engine/reconcile.js'
import { stoppedBeforeStart } from './engine/result.js'
import type { Withheld } from './github/withheld.js'
import { hasOidcEnvironment } from './oidc/environment.js'
import { githubIdTokens } from './oidc/id-token.js'
import { loadProvider } from './providers/load.js'
import type { RunResult } from './report/model.js'
import { USER_AGENT } from './version.js'
import { ZillizClient } from './zilliz/client.js'

/** Plans and applies from observation; an apply first passes the environment gate when asked to. */
async function observeAndRun(config: Config, decision: ModeDecision, apiKey: string): Promise<RunResult> {
  if (decision.mode === 'apply' && config.protectedEnvironment) {
    const verdict = await protectedEnvironmentVerdict(config.protectedEnvironment.githubToken)
    if (verdict.status === 'unprotected') return stoppedBeforeStart(config, decision.mode, decision.reason, verdict.message)
    if (verdict.status === 'unreadable') core.warning(verdict.message, { title: 'Environment not checked' })
    else core.info(verdict.message)
  }
  const log = coreLogger
  const zilliz = new ZillizClient({ apiUrl: config.zilliz.apiUrl, apiKey, userAgent: USER_AGENT })
  const provider = await loadProvider(config, log, githubIdTokens(log, `${config.provider} authentication`))
  return reconcile({ config, mode: decision.mode, modeReason: decision.reason, zilliz, provider, log })
}

export async function execute(config: Config, withheld?: Withheld): Promise<void> {
  const apiKey = config.zilliz.apiKey
  if (apiKey) core.setSecret(apiKey)
  const decision = resolveMode(config.mode, {
    eventName: process.env['GITHUB_EVENT_NAME'],
    withheld,
    oidcAvailable: hasOidcEnvironment(),
    oidcInput: oidcInput(config),
    apiKeyMissing: !apiKey
  })
  core.info(`Mode: ${decision.mode} (${decision.reason})`)
  let result: RunResult
  if (decision.offline) {
    // Fork and Dependabot runs: stay green with what can be known without the withheld credentials.
    core.notice(decision.offline)
    const zilliz = apiKey ? new ZillizClient({ apiUrl: config.zilliz.apiUrl, apiKey, userAgent: USER_AGENT }) : undefined
    result = await planOffline(config, decision.reason, decision.offline, zilliz)
  } else if (decision.missing || !apiKey) {
    result = stoppedBeforeStart(config, decision.mode, decision.reason, decision.missing ?? 'No zilliz-api-key.')
  } else {
    result = await observeAndRun(config, decision, apiKey)
  }
  await publish(result)
  // Loaded only when asked for: the GitHub client is not needed otherwise.
  if (config.prComment) await (await import('./github/pr-comment.js')).commentOnPullRequest(result, config.prComment.githubToken)
  const reason = failureReason(result, config)
  if (reason) core.setFailed(reason)
}
