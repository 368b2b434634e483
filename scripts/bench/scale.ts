// Runs a fresh apply and a re-apply with N clusters in one cloud's Zilliz region, under the latency
// model and the clouds' documented rate limits, and measures what scaling costs.
import { makeCluster, ZILLIZ_SEED } from '../../emulators/zilliz.js'
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

/** The project's dedicated clusters in the region become exactly n. */
export function seedClusters(emulators: Emulators, regionId: string, n: number): void {
  const { clusters } = emulators.zilliz.state
  const keep = clusters.filter((c) => !(c.regionId === regionId && c.projectId === ZILLIZ_SEED.projectId))
  clusters.length = 0
  clusters.push(...keep)
  for (let i = 0; i < n; i++) {
    clusters.push(makeCluster({ clusterId: `in01-${(0xa000 + i).toString(16).padStart(15, '0')}`, projectId: ZILLIZ_SEED.projectId, regionId, clusterName: `bench-${i}` }))
  }
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
    seedClusters(emulators, regionId, clusters)
    const fresh = await once(emulators, inputs)
    const again = await once(emulators, inputs)
    return { clusters, fresh, again }
  } finally {
    await emulators.close()
  }
}
