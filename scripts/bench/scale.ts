// Runs a fresh apply and a re-apply with N clusters in one cloud's Zilliz region, under the latency
// model and the clouds' documented rate limits, and measures what scaling costs.
import { seedDedicatedClusters } from '../../emulators/zilliz.js'
import { startEmulators, type Emulators } from '../../emulators/index.js'
import type { PlanDocument } from '../../src/report/outputs.js'
import { runDist } from '../run-dist.js'
import { applyModel, modelOptions } from './model.js'

export type Inputs = (emulators: Emulators) => Record<string, string>

export interface RunFigures {
  exitCode: number
  wallMs: number
  calls: number
  writes: number
  throttled: number
  summaryBytes: number
  commentChars: number
  /** Steps that stand for a resource the action owns (waits on a state are not resources) */
  managed: number
}

export interface ScaleRow {
  clusters: number
  fresh: RunFigures
  again: RunFigures
}

const WAIT_KINDS = /(-state|psc-connection|private-link|connection)$/

async function once(emulators: Emulators, inputs: Inputs): Promise<RunFigures> {
  emulators.log.clear()
  const run = await runDist({ ...emulators.env, ...inputs(emulators) })
  const plan = JSON.parse(run.outputs['plan'] ?? '{"steps":[]}') as PlanDocument
  return {
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    calls: emulators.log.calls().length,
    writes: emulators.log.writes().length,
    throttled: emulators.log.throttled().length,
    summaryBytes: Buffer.byteLength(run.summary),
    commentChars: (run.outputs['plan-markdown'] ?? '').length,
    managed: plan.steps.filter((s) => !WAIT_KINDS.test(s.kind)).length
  }
}

export async function scaleRow(inputs: Inputs, regionId: string, clusters: number): Promise<ScaleRow> {
  const emulators = await startEmulators(modelOptions())
  applyModel(emulators)
  try {
    seedDedicatedClusters(emulators.zilliz.state, regionId, clusters)
    const fresh = await once(emulators, inputs)
    const again = await once(emulators, inputs)
    return { clusters, fresh, again }
  } finally {
    await emulators.close()
  }
}
