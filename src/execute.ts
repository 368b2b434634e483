// Everything after input validation: loaded lazily so a bad input never pays for the toolkit or an SDK.
import * as core from '@actions/core'
import { onCancel } from './actions/cancel.js'
import { coreLogger } from './actions/core-logger.js'
import { protectedEnvironmentVerdict } from './actions/protected-environment.js'
import { failureReason, publish } from './actions/publish.js'
import { redactStreams } from './actions/redact-streams.js'
import { secrets } from './base/secrets.js'
import { early } from './base/settle.js'
import type { Config } from './config/types.js'
import { oidcInput, resolveMode, type ModeDecision } from './engine/mode.js'
import { networkAnalysisDecision, type AnalysisDecision } from './engine/network-analysis.js'
import { withPathAnalysis } from './engine/path-analysis.js'
import { planOffline } from './engine/offline-plan.js'
import type { CloudProvider } from './engine/provider.js'
import { reconcile, type Verified } from './engine/reconcile.js'
import { stoppedBeforeStart } from './engine/result.js'
import { buildTarget } from './engine/target-builder.js'
import type { Withheld } from './github/withheld.js'
import type { HeadStart } from './head-start.js'
import { hasOidcEnvironment } from './oidc/environment.js'
import { configuredProxies, outboundAgents } from './net/outbound.js'
import { firstIdTokenAudience } from './oidc/audiences.js'
import { githubIdTokens } from './oidc/id-token.js'
import { loadProvider } from './providers/load.js'
import type { RunResult } from './report/model.js'
import { proveInNetwork } from './verify/in-network-proof.js'
import { USER_AGENT } from './version.js'
import { ZillizClient } from './zilliz/client.js'

/** Plans and applies from observation; an apply first passes the environment gate when asked to. */
async function observeAndRun(config: Config, decision: ModeDecision, apiKey: string, signal: AbortSignal, ahead?: HeadStart): Promise<RunResult> {
  if (decision.mode === 'apply' && config.protectedEnvironment) {
    const verdict = await protectedEnvironmentVerdict(config.protectedEnvironment.githubToken)
    if (verdict.status === 'unprotected') return stoppedBeforeStart(config, decision.mode, decision.reason, verdict.message)
    if (verdict.status === 'unreadable') core.warning(verdict.message, { title: 'Environment not checked' })
    else core.info(verdict.message)
  }
  const log = coreLogger
  const zilliz = new ZillizClient({ apiUrl: config.zilliz.apiUrl, apiKey, userAgent: USER_AGENT, agentFor: outboundAgents()?.for, deadline: Date.now() + config.waitTimeoutSeconds * 1000 })
  // What needs neither the cloud's code nor its credentials goes out before that code loads and arrives while
  // it does: the Zilliz side's reads, and the first ID token unless the entry already asked for it.
  const reading = early(buildTarget(config, decision.mode, zilliz, decision.destroy))
  const tokens = githubIdTokens(log, `${config.provider} authentication`, ahead?.idToken ?? firstIdTokenAudience(config))
  const provider = await loadProvider(config, log, tokens, ahead)
  const analysis = networkAnalysisDecision(config, { mode: decision.mode, destroy: decision.destroy, eventName: process.env['GITHUB_EVENT_NAME'] })
  const { result, verified } = await reconcile({ config, mode: decision.mode, modeReason: decision.reason, destroy: decision.destroy, zilliz, provider, log, signal, analysis, reading })
  if (verified && !signal.aborted) await proveDataPlane(result, verified, { config, provider, signal, analysis })
  // Cancelled while proving: the proof resources are gone (their deletes start first); say so and stop.
  if (signal.aborted && !result.cancelled) {
    result.cancelled = true
    result.error = 'The run was cancelled while it proved the link; no change was made after the signal, and the proof resources it had created were deleted.'
  }
  return result
}

/**
 * After the control-plane verification: the data-plane checks, each with the proof level reached (live
 * from this runner or a probe, analysis, none). Composed here so the reconciler stays a reconciler.
 */
async function proveDataPlane(result: RunResult, verified: Verified, run: { config: Config; provider: CloudProvider; signal: AbortSignal; analysis: AnalysisDecision }): Promise<void> {
  const started = Date.now()
  const { config, provider, signal } = run
  const checks = await coreLogger.group('Prove the data plane', () =>
    proveInNetwork({
      verify: config.verify,
      dnsServer: config.dnsServer,
      mode: result.mode,
      links: verified.links,
      endpointIps: provider.report().endpointIps,
      controlPlane: verified.controlPlane,
      proof: withPathAnalysis(provider.dataPlaneProof?.(), provider.pathAnalyzer?.(), { config, decision: run.analysis }),
      log: coreLogger,
      signal
    })
  )
  result.checks.push(...checks)
  // A probe stopped by the signal proved nothing; its resources were deleted first.
  if (signal.aborted) {
    result.cancelled = true
    result.error = 'The run was cancelled while proving the data plane; the probe resources it had made were deleted first. Re-run to verify.'
  }
  result.resources = provider.report()
  result.durationMs += Date.now() - started
}

export async function execute(config: Config, withheld?: Withheld, ahead?: HeadStart): Promise<void> {
  // One run, one registry (tests run the action many times in one process).
  secrets.clear()
  secrets.mask = (secret) => core.setSecret(secret)
  const restore = redactStreams()
  try {
    registerKnownSecrets(config)
    await executeRedacted(config, withheld, ahead)
  } finally {
    restore()
  }
}

/** Secrets known before the first call; the rest are added where they are obtained. */
function registerKnownSecrets(config: Config, env: NodeJS.ProcessEnv = process.env): void {
  secrets.add(config.zilliz.apiKey)
  secrets.add(config.prComment?.githubToken)
  secrets.add(config.protectedEnvironment?.githubToken)
  secrets.add(env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'])
  // Ambient credentials another step put on the runner.
  secrets.add(env['AWS_SECRET_ACCESS_KEY'])
  secrets.add(env['AWS_SESSION_TOKEN'])
}

async function executeRedacted(config: Config, withheld?: Withheld, ahead?: HeadStart): Promise<void> {
  const apiKey = config.zilliz.apiKey
  try {
    // A malformed proxy variable is known before the first call: say so instead of failing inside an SDK.
    for (const proxy of configuredProxies()) secrets.add(decodeURIComponent(proxy.password))
  } catch (error) {
    core.setFailed((error as Error).message)
    return
  }
  const decision = resolveMode(config.mode, {
    eventName: process.env['GITHUB_EVENT_NAME'],
    withheld,
    oidcAvailable: hasOidcEnvironment(),
    oidcInput: oidcInput(config),
    apiKeyMissing: !apiKey
  })
  core.info(`Mode: ${decision.mode} (${decision.reason})`)
  let result: RunResult
  // Until the report is out, a cancellation signal stops new writes instead of killing the process.
  const cancellation = onCancel(coreLogger)
  if (decision.offline) {
    // Fork and Dependabot runs: stay green with what can be known without the withheld credentials.
    core.notice(decision.offline)
    const zilliz = apiKey ? new ZillizClient({ apiUrl: config.zilliz.apiUrl, apiKey, userAgent: USER_AGENT, agentFor: outboundAgents()?.for }) : undefined
    result = await planOffline(config, decision.reason, decision.offline, zilliz)
  } else if (decision.missing || !apiKey) {
    result = stoppedBeforeStart(config, decision.mode, decision.reason, decision.missing ?? 'No zilliz-api-key.')
  } else {
    result = await observeAndRun(config, decision, apiKey, cancellation.signal, ahead)
  }
  if (decision.destroy) result.destroy = true
  await publish(result)
  // Loaded only when asked for: the GitHub client is not needed otherwise. A cancelled run has no time for it.
  if (config.prComment && !result.cancelled) await (await import('./github/pr-comment.js')).commentOnPullRequest(result, config.prComment.githubToken)
  const reason = failureReason(result, config)
  if (reason) core.setFailed(reason)
  cancellation.dispose()
  // Sockets of calls abandoned at cancellation would keep the process alive until the runner kills it.
  if (result.cancelled) process.exit(1)
}
