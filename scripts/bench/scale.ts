// Runs a fresh apply and a re-apply with N clusters in one cloud's Zilliz region, under the latency
// model and the clouds' documented rate limits, and measures what scaling costs.
import { seedDedicatedClusters } from '../../emulators/zilliz.js'
import { startEmulators, type Emulators } from '../../emulators/index.js'
import type { RateLimit } from '../../emulators/core/rate-limits.js'
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
  /** The fewest ms the documented rate limits admit this run's calls in, and the bucket that sets it */
  rateFloor: { ms: number; bucket?: string; calls?: number; limit?: RateLimit }
  /** Each phase's duration, from its log group to the next (start-up before the first, reporting and exit after the last) */
  phases: { name: string; ms: number }[]
}

function phaseDurations(marks: { name: string; atMs: number }[], wallMs: number): { name: string; ms: number }[] {
  const points = [{ name: 'start-up (spawn, load, inputs)', atMs: 0 }, ...marks, { name: '', atMs: wallMs }]
  return points.slice(0, -1).map((p, i) => ({ name: i === points.length - 2 ? `${p.name}, then report and exit` : p.name, ms: (points[i + 1]?.atMs ?? wallMs) - p.atMs }))
}

export interface ScaleRow {
  clusters: number
  fresh: RunFigures
  again: RunFigures
}

// Waits and reads of what another step made (the Google address's IP) stand for no resource of their own.
const WAIT_KINDS = /(-state|psc-connection|private-link|connection|address-ip)$/

/** Steps of a plan that stand for a resource the action manages: the re-apply call budget counts them. */
export function managedResources(plan: PlanDocument): number {
  return plan.steps.filter((s) => !WAIT_KINDS.test(s.kind)).length
}

async function once(emulators: Emulators, inputs: Inputs): Promise<RunFigures> {
  emulators.log.clear()
  // Each run starts with the services' buckets full, as after a quiet minute: a re-apply is not charged
  // for the burst the fresh apply just spent.
  emulators.switches.rateLimits.reset()
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
    managed: managedResources(plan),
    rateFloor: emulators.switches.rateLimits.floor(),
    phases: phaseDurations(run.phases, run.wallMs)
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
