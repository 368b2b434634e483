// The PSC endpoint: a forwarding rule in the network whose target is Zilliz's service attachment. Found
// again by name or adopted (ours, then one Zilliz knows, then any to the attachment), created with a
// requestId, and waited on until the service attachment accepts the connection.
import { pickAdoptable } from '../../engine/adopt.js'
import { InputError } from '../../engine/input-error.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import { REGISTRATION_STEP } from '../../engine/provider.js'
import { waitFor } from '../../engine/wait.js'
import type { ComputeApi, ForwardingRule } from './compute-api.js'
import { GoogleApiError } from './google-http.js'
import { ownedBy } from './labels.js'
import { lastSegment, resourcePath } from './names.js'
import { ensureLabels, missingLabels, ownerDescription, ownershipOf, planCreatedLabels, refuseLookAlike, type LabelTarget, type Ownership } from './ownership.js'

export const ENDPOINT_STEP = 'psc-endpoint'
export const CONNECTION_STEP = 'psc-connection'
export const ENDPOINT_LABELS_STEP = 'psc-endpoint-labels'

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
  ownership: Ownership
  labels: Record<string, string>
  labelFingerprint: string
}

export const ruleDescription = (zillizProjectId: string) => ownerDescription('Zilliz Cloud private link endpoint', zillizProjectId)

function toObserved(rule: ForwardingRule, zillizProjectId: string): ObservedRule {
  return {
    ownership: ownershipOf(rule, zillizProjectId, ruleDescription(zillizProjectId)),
    labels: rule.labels ?? {},
    labelFingerprint: rule.labelFingerprint ?? '',
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
    if (named.ownership === 'unproven') refuseLookAlike('forwarding rule', input.name, `Delete it (${deleteCommand(input)}) or set another gcp-endpoint-prefix.`)
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

/** Inserts the rule and reads it back once (its IP, status and PSC id); its labels are a step of their own. */
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
            allowPscGlobalAccess: input.globalAccess,
            description: ruleDescription(input.zillizProjectId)
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
  if (rule.ownership === 'unproven') refuseLookAlike('forwarding rule', name, 'Delete it or set another gcp-endpoint-prefix.')
  return rule
}

const labelTarget = (input: RulePlanInput, name: string): LabelTarget => ({ compute: input.compute, collection: 'forwardingRules', region: input.region, name, wanted: input.labels })

/**
 * Turns global access on or off the way gcloud does: the rule's name and current fingerprint with the one
 * field. A stale fingerprint (412) is read again and retried once; any refusal leaves the rule as it was
 * (a patch is one operation) and is reported with what to do.
 */
async function setGlobalAccess(input: RulePlanInput, name: string, ctx: StepContext): Promise<void> {
  const { compute, region } = input
  const turn = input.globalAccess ? 'on' : 'off'
  for (let attempt = 1; ; attempt++) {
    const current = await compute.getForwardingRule(region, name)
    if (!current) throw new Error(`Forwarding rule ${name} disappeared before global access could be turned ${turn}`)
    if (Boolean(current.allowPscGlobalAccess) === input.globalAccess) return
    const body = { name, fingerprint: current.fingerprint ?? '', allowPscGlobalAccess: input.globalAccess }
    const holds = async () => ((await describeRule(compute, region, name, input.zillizProjectId))?.globalAccess === input.globalAccess ? true : undefined)
    try {
      await compute.apply(
        {
          what: `forwarding rule ${name} to be updated`,
          request: { kind: 'forwarding-rule-patch', key: `${compute.project}/${region}/${name}/${JSON.stringify(body)}` },
          insert: false,
          send: (id) => compute.patchForwardingRule(region, name, body, id),
          observe: holds,
          done: async () => true
        },
        ctx
      )
      return
    } catch (error) {
      if (attempt < 2 && error instanceof GoogleApiError && error.status === 412) continue
      if (!(error instanceof GoogleApiError)) throw error
      throw new Error(
        `Turning global access ${turn} on forwarding rule ${name} was refused, and the endpoint was left as it was (global access ${turn === 'on' ? 'off' : 'on'}): ${error.message}. ` +
          `Set gcp-global-access back to ${String(!input.globalAccess)}, or replace the endpoint: gcloud compute forwarding-rules delete ${name} --region ${region} --project ${compute.project}, then re-run.`
      )
    }
  }
}

/** The endpoint step, and when it creates the endpoint, the step that labels it (beside the registration). */
export function planRule(input: RulePlanInput): PlannedStep[] {
  const { existing } = input
  const base = {
    id: ENDPOINT_STEP,
    kind: 'gcp.psc-forwarding-rule',
    dependsOn: input.after,
    attributes: { target: input.attachment, network: input.networkPath, globalAccess: String(input.globalAccess) }
  }
  if (!existing) {
    let created: ObservedRule | undefined
    const insert: PlannedStep = {
      ...base,
      name: input.name,
      action: 'create',
      reason: `no PSC endpoint to ${lastSegment(input.attachment)} in ${lastSegment(input.networkPath)}`,
      run: async (ctx) => {
        created = await createRule(input, ctx)
        input.onReady(created)
      }
    }
    return [insert, planCreatedLabels({ id: ENDPOINT_LABELS_STEP, target: labelTarget(input, input.name), dependsOn: [ENDPOINT_STEP], created: () => created })]
  }
  input.onReady(existing)
  const adopted = existing.owned || existing.name === input.name ? '' : ' (adopted: created outside this action)'
  // Only our own endpoint gets labels: an adopted one stays as its owner made it.
  const ours = existing.name === input.name
  const missing = ours ? missingLabels(existing.labels, input.labels) : []
  const accessWrong = existing.globalAccess !== input.globalAccess
  const reasons = [
    accessWrong && `turn global access ${input.globalAccess ? 'on' : 'off'}`,
    missing.length &&
      `restore labels: ${existing.ownership === 'proven' ? 'created by this action (name and description match) but without its labels, as when a run stopped before setLabels' : `${missing.join(', ')} missing or changed`}`
  ].filter((r): r is string => Boolean(r))
  if (!reasons.length) return [{ ...base, name: existing.name, action: 'keep', reason: `targets the service attachment; connection ${existing.status || 'unknown'}${adopted}` }]
  return [
    {
      ...base,
      name: existing.name,
      action: 'update',
      reason: `${reasons.join('; ')}${adopted}`,
      run: async (ctx) => {
        if (accessWrong) await setGlobalAccess(input, existing.name, ctx)
        // The fingerprint read by the plan; a stale one is read again (ensureLabels).
        if (missing.length) await ensureLabels(labelTarget(input, existing.name), ctx, existing)
      }
    }
  ]
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
