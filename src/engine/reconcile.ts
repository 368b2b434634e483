// The reconciler: Zilliz side → provider observe/plan → apply as a DAG → verify → one RunResult.
// It never throws: a failure becomes result.error with a hint, so the report is always written.
import type { Config, Mode } from '../config/types.js'
import type { ReportedLink, ReportedStep, RunResult } from '../report/model.js'
import { verifyDataPlane } from '../verify/index.js'
import type { ZillizApi } from '../zilliz/types.js'
import { runPlan, type DagResult } from './dag.js'
import { cloudFailureOf } from './cloud-error.js'
import { explainFailure } from './failure.js'
import { networkLabel } from './network-label.js'
import type { Logger } from '../base/log.js'
import type { Plan, PlannedStep } from './plan.js'
import { PlanChangedError, planId } from './plan-id.js'
import type { CloudProvider } from './provider.js'
import { buildTarget } from './target-builder.js'
import type { ClusterLink } from './target.js'
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

export async function reconcile(input: ReconcileInput): Promise<RunResult> {
  const { config, mode, zilliz, provider, log } = input
  const clock = input.clock ?? realClock
  const started = clock.now()
  const result: RunResult = {
    schemaVersion: 1,
    mode,
    modeReason: input.modeReason,
    provider: config.provider,
    target: { projectId: config.zilliz.projectId, regionId: config.zilliz.regionId, network: networkLabel(config) },
    steps: [],
    checks: [],
    links: [],
    durationMs: 0
  }
  // The phase a failure outside the DAG happened in: a cloud error names it as its step.
  let phase = 'Authenticate'
  const enter = <T>(name: string, work: () => Promise<T>): Promise<T> => {
    phase = name
    return log.group(name, work)
  }
  try {
    result.identity = await enter('Authenticate', () => provider.connect())
    log.info(`Acting as ${result.identity.principal} (${result.identity.method})`)
    const target = await enter('Read the Zilliz side', () => buildTarget(config, mode, zilliz))
    result.target.endpointService = target.service.endpointService
    let links = target.clusters
    result.links = links.map(toReportedLink)

    const providerPlan = await enter('Observe and plan', () => provider.plan(target))
    const plan: Plan = {
      steps: [...providerPlan.steps, ...zillizSteps({ target, spec: providerPlan.registration, zilliz, onLinks: (fresh) => (links = fresh) })]
    }
    result.steps = plan.steps.map(reported)
    for (const step of plan.steps) log.info(`${step.action.padEnd(6)} ${step.kind} ${step.name}: ${step.reason}`)

    // The plan a reviewer approved is the one that runs: refuse before the first write if it changed.
    const id = planId({ provider: config.provider, ...result.target }, plan.steps)
    log.info(`plan-id ${id}`)
    if (mode === 'apply' && config.expectedPlanId && config.expectedPlanId !== id) throw new PlanChangedError(config.expectedPlanId, id, plan.steps)

    if (mode === 'apply') {
      const dag = await enter('Apply', () => runPlan(plan, { deadline: started + config.waitTimeoutSeconds * 1000, log, clock }))
      result.steps = withOutcomes(result.steps, dag)
      if (dag.failed) {
        const explained = explainFailure(new Error(dag.failed.error))
        result.error = `Step ${dag.failed.stepId} failed: ${dag.failed.error}`
        result.hint = explained.hint
      }
      result.links = links.map(toReportedLink)
    }

    // Control-plane checks compare against the planned hosts: those are the names the DNS records were
    // made for. The data-plane checks connect to the links as clients will: the allocated host and port.
    const endpointId = providerPlan.registration.endpointId()
    if (config.verify !== 'none') {
      result.checks = await enter('Verify', async () => {
        const controlPlane = [...(await provider.verify(target)), ...(await zillizChecks(target, endpointId, zilliz))]
        const { endpointIps } = provider.report()
        const dataPlane = await verifyDataPlane({ verify: config.verify, dnsServer: config.dnsServer, links, endpointIps, controlPlane })
        return [...controlPlane, ...dataPlane]
      })
    }
  } catch (error) {
    const explained = explainFailure(error)
    result.error = cloudFailureOf(error) ? `${phase} failed: ${explained.message}` : explained.message
    result.hint = explained.hint
  }
  result.resources = provider.report()
  result.durationMs = clock.now() - started
  return result
}
