// A run's result before anything was observed; the reconciler and the early exits start from it.
import type { Config, Mode } from '../config/types.js'
import type { RunResult } from '../report/model.js'
import { networkLabel } from './network-label.js'

export function newResult(config: Config, mode: Mode, modeReason: string, destroy = false): RunResult {
  return {
    schemaVersion: 1,
    mode,
    modeReason,
    ...(destroy ? { destroy: true as const } : {}),
    ...(config.dns.mode !== 'managed' ? { dnsMode: config.dns.mode } : {}),
    provider: config.provider,
    target: { projectId: config.zilliz.projectId, regionId: config.zilliz.regionId, network: networkLabel(config) },
    steps: [],
    checks: [],
    links: [],
    durationMs: 0
  }
}

/** A run stopped before its first call (a missing credential, an unprotected environment): it observed nothing. */
export function stoppedBeforeStart(config: Config, mode: Mode, modeReason: string, error: string, hint?: string): RunResult {
  return { ...newResult(config, mode, modeReason), error, ...(hint ? { hint } : {}) }
}
