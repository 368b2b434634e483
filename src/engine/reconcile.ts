// The reconciler: Zilliz side → provider observe/plan (or, to destroy, its inventory) → apply as a DAG →
// control-plane verification → one RunResult. The data-plane proof is not its job: it hands over what that
// needs (Verified) and src/execute.ts composes the two. It never throws: a failure becomes result.error with a hint, so the report is
// always written; a cancelled run stops starting writes and says what was done and what was not.
import type { Config, Mode } from '../config/types.js'
import type { ReportedLink, ReportedStep, RunResult } from '../report/model.js'
import { newResult } from './result.js'
import type { ZillizApi } from '../zilliz/types.js'
import { runPlan, type DagResult } from './dag.js'
import { cloudFailureOf } from './cloud-error.js'
import { explainFailure } from './failure.js'
import { heldLogger, type HeldLogger, type Logger } from '../base/log.js'
import { check, type Check } from '../base/checks.js'
import type { Plan, PlannedStep } from './plan.js'
import { PlanChangedError, planId } from './plan-id.js'
import { checkEndpointRoom } from './prewrite.js'
import type { CloudProvider, Inventory } from './provider.js'
import { destroySteps, inScopeHosts, outOfScope, proofInventory, pruneSteps } from './removal.js'
import { sweepExpired, type Sweep } from './ephemeral.js'
import type { AnalysisDecision } from './network-analysis.js'
import { shadowWarnings } from './dns-placement.js'
import { buildTarget } from './target-builder.js'
import type { ClusterLink, Target } from './target.js'
import { early } from '../base/settle.js'
import { realClock, type Clock } from '../base/timing.js'
import { zillizChecks } from './zilliz-checks.js'
import { zillizSteps } from './zilliz-steps.js'

export interface ReconcileInput {
  config: Config
  mode: Mode
  modeReason: string
  zilliz: ZillizApi
  provider: CloudProvider
  log: Logger
  clock?: Clock
  /** destroy / destroy-plan: remove what the action manages instead of converging the link */
  destroy?: boolean
  /** Aborted on cancellation: no new write starts, running steps get graceMs to finish */
  signal?: AbortSignal
  graceMs?: number
  /** Whether the paid path analysis runs (networkAnalysisDecision); such a run creates proof resources */
  analysis?: AnalysisDecision
  /** The Zilliz side's reads, when the caller started them already (buildTarget with these inputs) */
  reading?: Promise<Target>
}

/** What the data-plane proof starts from, present when the control-plane verification ran. */
export interface Verified {
  /** The links as clients connect to them: the allocated host and port once Zilliz allocated them */
  links: ClusterLink[]
  /** The control-plane checks of this run (also in result.checks) */
  controlPlane: Check[]
}

export interface Reconciled {
  result: RunResult
  verified?: Verified
}

/** How long running steps may finish after a cancellation: GitHub kills the job about 10 s after the first signal. */
export const CANCEL_GRACE_MS = 4000

class CancelledError extends Error {
  constructor() {
    super('The run was cancelled before it changed anything.')
    this.name = 'CancelledError'
  }
}

function reported(step: PlannedStep): ReportedStep {
  const { run: _run, ...rest } = step
  return { ...rest, status: 'planned' }
}

function withOutcomes(steps: ReportedStep[], dag: DagResult): ReportedStep[] {
  const byId = new Map(dag.steps.map((o) => [o.id, o]))
  return steps.map((s) => {
    const o = byId.get(s.id)
    return o ? { ...s, status: o.status, startMs: o.startMs, durationMs: o.durationMs, ...(o.error ? { error: o.error } : {}) } : s
  })
}

function toReportedLink(link: ClusterLink): ReportedLink {
  return { clusterId: link.clusterId, host: link.host, port: link.port, url: `https://${link.host}:${link.port}`, confirmed: link.confirmed }
}

export async function reconcile(input: ReconcileInput): Promise<Reconciled> {
  const { config, mode, zilliz, provider, log } = input
  const clock = input.clock ?? realClock
  const started = clock.now()
  const result = newResult(config, mode, input.modeReason, input.destroy)
  // The phase a failure outside the DAG happened in: a cloud error names it as its step.
  let phase = 'Authenticate'
  const enter = <T>(name: string, work: () => Promise<T>): Promise<T> => {
    phase = name
    return log.group(name, work)
  }
  let verified: Verified | undefined
  const signal = input.signal ?? new AbortController().signal
  const notCancelled = () => {
    if (signal.aborted) throw new CancelledError()
  }
  // Reading the Zilliz side needs no cloud credentials: it goes out while the run authenticates.
  const reading = early(input.reading ?? buildTarget(config, mode, zilliz, input.destroy))
  let sweeping: Promise<{ sweep: Sweep; heard: HeldLogger }> | undefined
  /** Waits for the sweep (once) and tells its log in its own group. */
  const sweepEnded = async (): Promise<void> => {
    const ended = sweeping
    if (!ended) return
    sweeping = undefined
    const { sweep, heard } = await ended
    await log.group('Remove expired proof resources', () => heard.tell(log))
    if (sweep.removed.length || sweep.unlisted.length) result.expiredProof = sweep
  }
  try {
    result.identity = await enter('Authenticate', () => provider.connect())
    log.info(`Acting as ${result.identity.principal} (${result.identity.method})`)
    notCancelled()
    const target = await enter('Read the Zilliz side', () => reading)
    result.target.endpointService = target.service.endpointService
    notCancelled()
    // Runs that may create proof resources hold the rights to delete them: they first remove what runs
    // killed before their own clean-up left behind (read-only plans only report). After the Zilliz side,
    // so input Zilliz refuses stops the run before any cloud call. No plan reads proof resources, so the
    // sweep runs beside the observation and ends before the plan is shown or written; a destroy, whose
    // inventory lists proof resources, waits for it.
    if (mode === 'apply' || input.analysis?.run) {
      const heard = heldLogger()
      sweeping = early(sweepExpired(provider.ephemeralKinds(), clock.now(), heard).then((sweep) => ({ sweep, heard })))
      if (input.destroy) await sweepEnded()
    }
    let links = target.clusters
    result.links = links.map(toReportedLink)
    notCancelled()

    let plan: Plan
    let endpointId: () => string | undefined
    if (input.destroy) {
      const inventory = await enter('Observe what the action manages', () => fullInventory(provider, target))
      plan = { steps: destroySteps(target, inventory, zilliz) }
      endpointId = () => inventory.endpointId
    } else {
      const providerPlan = await enter('Observe and plan', () => provider.plan(target))
      plan = {
        steps: [...providerPlan.steps, ...zillizSteps({ target, spec: providerPlan.registration, zilliz, onLinks: (fresh) => (links = fresh) })]
      }
      checkEndpointRoom(target, plan.steps)
      const hidden = await shadowWarnings(config, target.clusters, providerPlan.widerZones ?? [], zilliz)
      if (hidden.length) result.warnings = hidden
      const stray = outOfScope(target, await enter('Look for what went out of scope', () => provider.inventory(target, { inScope: inScopeHosts(target) })))
      if (config.prune) plan.steps.push(...pruneSteps(stray))
      else if (stray.length) result.outOfScope = stray.map((r) => ({ kind: r.kind, name: r.name, host: r.host ?? '' }))
      endpointId = providerPlan.registration.endpointId
    }
    await sweepEnded()
    result.steps = plan.steps.map(reported)
    for (const step of plan.steps) log.info(`${step.action.padEnd(6)} ${step.kind} ${step.name}: ${step.reason}`)
    for (const warning of result.warnings ?? []) log.warning(warning)
    for (const stray of result.outOfScope ?? []) log.warning(`Out of scope: ${stray.kind} ${stray.name} serves ${stray.host}, which is no longer in scope; set prune: true to delete it`)
    notCancelled()

    // The plan a reviewer approved is the one that runs: refuse before the first write if it changed.
    const id = planId({ provider: config.provider, ...result.target }, plan.steps)
    log.info(`plan-id ${id}`)
    if (mode === 'apply' && config.expectedPlanId && config.expectedPlanId !== id) throw new PlanChangedError(config.expectedPlanId, id, plan.steps)

    if (mode === 'apply') {
      // Anything that runs (a write, or a wait that polls) must see the cloud as it is now, and so must
      // the reads after it; a plan of keeps only lets verification share the plan's observation.
      const runs = plan.steps.some((s) => s.action !== 'keep')
      if (runs) provider.observations?.writing()
      const dag = await enter(input.destroy ? 'Destroy' : 'Apply', () =>
        runPlan(plan, { deadline: started + config.waitTimeoutSeconds * 1000, log, clock, signal, graceMs: input.graceMs ?? CANCEL_GRACE_MS })
      ).finally(() => runs && provider.observations?.written())
      result.steps = withOutcomes(result.steps, dag)
      if (signal.aborted) {
        result.cancelled = true
        const changes = result.steps.filter((s) => s.action !== 'keep' && s.action !== 'unknown')
        const done = changes.filter((s) => s.status === 'done').length
        result.error = `The run was cancelled: ${done} of ${changes.length} steps done, no further write started. Re-run to finish; what is done is kept.`
      } else if (dag.failed) {
        const explained = explainFailure(new Error(dag.failed.error))
        result.error = `Step ${dag.failed.stepId} failed: ${dag.failed.error}`
        result.hint = explained.hint
      }
      result.links = links.map(toReportedLink)
    }

    if (input.destroy) {
      // Proven by reading again: nothing the action manages is left, and Zilliz no longer lists the endpoint.
      if (mode === 'apply' && !result.cancelled) result.checks = await enter('Verify', () => destroyedCheck(input, target, endpointId()))
    } else if (config.verify !== 'none' && !result.cancelled) {
      // Control-plane checks compare against the planned hosts: those are the names the DNS records were
      // made for. The data-plane proof connects to the links as clients will: the allocated host and port.
      const controlPlane = await enter('Verify', async () => (await Promise.all([provider.verify(target), zillizChecks(target, endpointId(), zilliz)])).flat())
      result.checks = controlPlane
      verified = { links, controlPlane }
    }
  } catch (error) {
    // Nothing the run started may outlive it: a failed authentication still lets the Zilliz reads end.
    await reading.catch(() => undefined)
    await sweepEnded().catch(() => undefined)
    const explained = explainFailure(error)
    result.error = cloudFailureOf(error) ? `${phase} failed: ${explained.message}` : explained.message
    result.hint = explained.hint
    if (error instanceof CancelledError) result.cancelled = true
  }
  result.resources = provider.report()
  result.durationMs = clock.now() - started
  return { result, verified }
}

/** What a destroy removes: the provider's managed resources and every proof resource of ours. */
async function fullInventory(provider: CloudProvider, target: Target): Promise<Inventory> {
  const [inventory, proof] = await Promise.all([provider.inventory(target), proofInventory(provider.ephemeralKinds())])
  return { ...inventory, managed: [...proof, ...inventory.managed] }
}

/** After a destroy: the inventory is empty and Zilliz lists no registration for the endpoint. */
async function destroyedCheck(input: ReconcileInput, target: Target, endpointId: string | undefined): Promise<Check[]> {
  const { provider, zilliz, config } = input
  const after: Inventory = await fullInventory(provider, target)
  const registrations = (await zilliz.listPrivateEndpoints(config.zilliz.projectId)).filter((r) => r.regionId === config.zilliz.regionId)
  const stillRegistered = registrations.filter((r) => r.endpointId === endpointId || r.endpointId === after.endpointId)
  const left = [...after.managed.map((r) => `${r.kind} ${r.name}`), ...stillRegistered.map((r) => `zilliz.private-endpoint ${r.endpointId}`)]
  return [
    check('destroyed', 'Nothing the action manages is left', left.length === 0, left.length ? `still there: ${left.join(', ')}` : 'read again: no managed resource and no registration left', {
      cause: 'Some deletions did not take effect, or the cloud is still deleting.',
      fix: 'Run the destroy again; it removes only what is still there.'
    })
  ]
}
