// Checks of what is knowable before the first write: a run that cannot succeed stops here, names the
// cause and writes nothing, instead of creating half a link and waiting until the deadline.
import type { Cluster } from '../zilliz/types.js'
import type { PlannedStep } from './plan.js'
import { REGISTRATION_STEP } from './provider.js'
import type { Target } from './target.js'

export class PrewriteCheckError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PrewriteCheckError'
  }
}

/** Zilliz's documented limit: "You can create up to 10 private endpoints per project". */
export const MAX_ENDPOINTS_PER_PROJECT = 10

/** Cluster states Zilliz leaves only when someone acts: no private link address is allocated meanwhile. */
const STUCK_STATES = new Set(['SUSPENDING', 'SUSPENDED', 'DELETING', 'DELETED', 'ABNORMAL'])

export function isStuckCluster(cluster: Pick<Cluster, 'status'>): boolean {
  return STUCK_STATES.has((cluster.status ?? '').toUpperCase())
}

/** Clusters that belong to another project, or that will never be linked until someone acts. */
export function clusterProblems(projectId: string, clusters: Cluster[]): string[] {
  const foreign = clusters.filter((c) => c.projectId && c.projectId !== projectId).map((c) => `${c.clusterId} belongs to project ${c.projectId}, not ${projectId}`)
  const stuck = clusters.filter(isStuckCluster).map((c) => `${c.clusterId} is ${c.status}, so Zilliz allocates it no private link address until it runs again`)
  return [...foreign, ...stuck]
}

/** A new endpoint needs a free registration slot in the project. */
export function checkEndpointRoom(target: Target, steps: PlannedStep[]): void {
  const registering = steps.find((s) => s.id === REGISTRATION_STEP)?.action === 'create'
  if (!registering || target.projectEndpoints < MAX_ENDPOINTS_PER_PROJECT) return
  throw new PrewriteCheckError(
    `Zilliz project ${target.config.zilliz.projectId} already has ${target.projectEndpoints} private endpoints, the most a project can have (${MAX_ENDPOINTS_PER_PROJECT}), and this run would register another. Remove one that is no longer needed (mode: destroy in the workflow that made it, or the Zilliz console), then re-run.`
  )
}

export interface RuleLimit {
  /** What the limit counts, e.g. 'inbound rules per security group (default quota)' */
  what: string
  max: number
  /** How many the wanted rule needs */
  needed: number
  fix: string
}

/** The managed security rule must fit the cloud's limit, or its create fails half way through an apply. */
export function checkRuleFits(limit: RuleLimit): void {
  if (limit.needed <= limit.max) return
  throw new PrewriteCheckError(`The managed security rule needs ${limit.needed} ${limit.what}, over the limit of ${limit.max}. ${limit.fix}`)
}
