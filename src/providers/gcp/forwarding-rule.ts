// The PSC endpoint: a forwarding rule in the network whose target is Zilliz's service attachment. Found
// again by name or adopted (ours, then one Zilliz knows, then any to the attachment), created with a
// requestId, and waited on until the service attachment accepts the connection.
import { pickAdoptable } from '../../engine/adopt.js'
import { InputError } from '../../engine/input-error.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import { REGISTRATION_STEP } from '../../engine/provider.js'
import { waitFor } from '../../engine/wait.js'
import type { ComputeApi, ForwardingRule } from './compute-api.js'
import { ownedBy } from './labels.js'
import { lastSegment, resourcePath } from './names.js'

export const ENDPOINT_STEP = 'psc-endpoint'
export const CONNECTION_STEP = 'psc-connection'

// Connections in these states never carry traffic again; such endpoints are not adopted.
const DEAD_STATUSES = new Set(['REJECTED', 'CLOSED'])

export interface ObservedRule {
  name: string
  ip: string
  /** Paths, so links from any API host compare equal */
  target: string
  network: string
  status: string
  globalAccess: boolean
  owned: boolean
}

function toObserved(rule: ForwardingRule, zillizProjectId: string): ObservedRule {
  return {
    name: rule.name,
    ip: rule.IPAddress ?? '',
    target: resourcePath(rule.target),
    network: resourcePath(rule.network),
    status: rule.pscConnectionStatus ?? '',
    globalAccess: Boolean(rule.allowPscGlobalAccess),
    owned: ownedBy(rule.labels, zillizProjectId)
  }
}

export async function listRules(compute: ComputeApi, region: string, zillizProjectId: string): Promise<ObservedRule[]> {
  return (await compute.listForwardingRules(region)).map((r) => toObserved(r, zillizProjectId))
}

export async function describeRule(compute: ComputeApi, region: string, name: string, zillizProjectId: string): Promise<ObservedRule | undefined> {
  const found = await compute.getForwardingRule(region, name)
  return found ? toObserved(found, zillizProjectId) : undefined
}

export interface RuleChoiceInput {
  name: string
  region: string
  project: string
  attachment: string
  networkPath: string
  registered: Set<string>
}

const deleteCommand = (input: RuleChoiceInput) => `gcloud compute forwarding-rules delete ${input.name} --region ${input.region} --project ${input.project}`

/** The endpoint to keep: the one with our name (which must be right), else an adoptable one, else none. */
export function chooseRule(rules: ObservedRule[], input: RuleChoiceInput): ObservedRule | undefined {
  const named = rules.find((r) => r.name === input.name)
  if (named) {
    // A forwarding rule's target and network cannot be changed: only a new rule fixes them.
    const wrong = [named.target !== input.attachment && `targets ${named.target || 'nothing'}`, named.network !== input.networkPath && `is in ${named.network}`].filter(Boolean)
    if (wrong.length)
      throw new InputError(
        'gcp-endpoint-prefix',
        `forwarding rule ${input.name} ${wrong.join(' and ')}, but the endpoint must target ${input.attachment} from ${input.networkPath}; neither can be changed on an existing rule. Delete it (${deleteCommand(input)}) and re-run, or set another gcp-endpoint-prefix.`
      )
    if (DEAD_STATUSES.has(named.status))
      throw new Error(`Forwarding rule ${input.name} has PSC connection status ${named.status}; it will not carry traffic. Delete it (${deleteCommand(input)}) and re-run.`)
    return named
  }
  const candidates = rules.filter((r) => r.target === input.attachment && r.network === input.networkPath && !DEAD_STATUSES.has(r.status))
  return pickAdoptable(candidates, (r) => r.owned, (r) => input.registered.has(r.name))
}

export interface RulePlanInput {
  compute: ComputeApi
  region: string
  name: string
  networkPath: string
  addressPath: string
  attachment: string
  globalAccess: boolean
  zillizProjectId: string
  existing: ObservedRule | undefined
  labels: Record<string, string>
  after: string[]
  onReady(rule: ObservedRule): void
}

async function createRule(input: RulePlanInput, ctx: StepContext): Promise<ObservedRule> {
  const { compute, region, name } = input
  const read = () => describeRule(compute, region, name, input.zillizProjectId)
  const rule = await compute.apply(
    {
      what: `forwarding rule ${name} to be created`,
      request: { kind: 'forwarding-rule-insert', key: `${compute.project}/${region}/${name}` },
      insert: true,
      send: (id) =>
        compute.insertForwardingRule(
          region,
          {
            name,
            network: input.networkPath,
            IPAddress: input.addressPath,
            target: input.attachment,
            loadBalancingScheme: '',
            allowPscGlobalAccess: input.globalAccess,
            description: 'Zilliz Cloud private link (managed by zilliz-private-link)',
            labels: input.labels
          },
          id
        ),
      observe: read,
      done: async () => {
        const found = await read()
        if (!found) throw new Error(`Forwarding rule ${name} was created but cannot be read back`)
        return found
      }
    },
    ctx
  )
  if (rule.target !== input.attachment) throw new Error(`Forwarding rule ${name} already exists and targets ${rule.target}, not ${input.attachment}`)
  return rule
}

export function planRule(input: RulePlanInput): PlannedStep {
  const { existing, compute, region } = input
  const base = {
    id: ENDPOINT_STEP,
    kind: 'gcp.psc-forwarding-rule',
    dependsOn: input.after,
    attributes: { target: input.attachment, network: input.networkPath, globalAccess: String(input.globalAccess) }
  }
  if (!existing) {
    return {
      ...base,
      name: input.name,
      action: 'create',
      reason: `no PSC endpoint to ${lastSegment(input.attachment)} in ${lastSegment(input.networkPath)}`,
      run: async (ctx) => input.onReady(await createRule(input, ctx))
    }
  }
  input.onReady(existing)
  const adopted = existing.owned || existing.name === input.name ? '' : ' (adopted: created outside this action)'
  if (existing.globalAccess === input.globalAccess)
    return { ...base, name: existing.name, action: 'keep', reason: `targets the service attachment; connection ${existing.status || 'unknown'}${adopted}` }
  return {
    ...base,
    name: existing.name,
    action: 'update',
    reason: `turn global access ${input.globalAccess ? 'on' : 'off'}${adopted}`,
    run: async (ctx) => {
      const body = { allowPscGlobalAccess: input.globalAccess }
      const holds = async () => ((await describeRule(compute, region, existing.name, input.zillizProjectId))?.globalAccess === input.globalAccess ? true : undefined)
      await compute.apply(
        {
          what: `forwarding rule ${existing.name} to be updated`,
          request: { kind: 'forwarding-rule-patch', key: `${compute.project}/${region}/${existing.name}/${JSON.stringify(body)}` },
          insert: false,
          send: (id) => compute.patchForwardingRule(region, existing.name, body, id),
          observe: holds,
          done: async () => true
        },
        ctx
      )
    }
  }
}

/** Waits for the cloud side of the acceptance: PENDING → ACCEPTED once Zilliz accepted the registration. */
export function planConnection(compute: ComputeApi, region: string, existing: ObservedRule | undefined, endpointName: () => string | undefined, zillizProjectId: string): PlannedStep {
  const base = { id: CONNECTION_STEP, kind: 'gcp.psc-connection', name: existing?.name ?? 'new endpoint', dependsOn: [REGISTRATION_STEP] }
  if (existing?.status === 'ACCEPTED') return { ...base, action: 'keep', reason: 'the service attachment accepted the connection' }
  return {
    ...base,
    action: 'wait',
    reason: existing ? `connection is ${existing.status || 'unknown'}; Zilliz accepts it after registration` : 'a new endpoint is PENDING until Zilliz accepts it',
    run: async (ctx: StepContext) => {
      const name = endpointName()
      if (!name) throw new Error('The forwarding rule name is unknown; the endpoint step did not record it')
      await waitFor({
        what: `PSC endpoint ${name} to be ACCEPTED`,
        deadline: ctx.deadline,
        signal: ctx.signal,
        poll: async () => {
          const rule = await describeRule(compute, region, name, zillizProjectId)
          const status = rule?.status || 'missing'
          return { done: status === 'ACCEPTED', state: `pscConnectionStatus=${status}`, failed: !rule || DEAD_STATUSES.has(status) ? `the connection is ${status}` : undefined }
        }
      })
    }
  }
}
