// The egress side of the link. Traffic to a PSC endpoint is governed by the consumer network's EGRESS
// rules (egress.ts); the implied allow-egress rule admits it unless something denies it. So the action
// observes the effective egress path and writes a managed EGRESS allow rule only where a VPC deny rule
// would otherwise drop the link ports, one priority above the strongest such deny. A deny it cannot
// outrank (priority 0, or a firewall policy, which it never changes) is left alone and fails the check.
// Earlier versions wrote an INGRESS rule that admitted nothing; it is deleted.
import { allInOrder } from '../../base/settle.js'
import { InputError } from '../../engine/input-error.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import type { ComputeApi, EffectivePolicy, Firewall, FirewallInsert } from './compute-api.js'
import { egressDecisions, type EgressDecision } from './egress.js'
import { GoogleApiError, isNotFound } from './google-http.js'
import { lastSegment, resourcePath } from './names.js'

export const FIREWALL_STEP = 'firewall'
export const LEGACY_FIREWALL_STEP = 'firewall-legacy-ingress'

const MANAGED = '(managed by zilliz-private-link)'
const DESCRIPTION = `Zilliz Cloud private link: egress to the PSC endpoint on the link ports ${MANAGED}`

export interface EgressView {
  firewalls: Firewall[]
  /** undefined: networks.getEffectiveFirewalls was refused, so firewall policies are unknown */
  policies: EffectivePolicy[] | undefined
  enforcementOrder?: string
}

/**
 * The VPC rules of the project and, where the credentials may read them, the firewall policies in force on
 * the network. Without compute.networks.getEffectiveFirewalls the policies stay unknown (and say so).
 */
export async function readEgressView(compute: ComputeApi, network: string, enforcementOrder: string | undefined): Promise<EgressView> {
  const [firewalls, policies] = await allInOrder([
    compute.listFirewalls(),
    compute.getEffectiveFirewalls(network).then(
      (effective) => effective.firewallPolicys ?? [],
      (error: unknown) => {
        if (error instanceof GoogleApiError && error.status === 403) return undefined
        throw error
      }
    )
  ])
  return { firewalls, policies, ...(enforcementOrder ? { enforcementOrder } : {}) }
}

export interface FirewallPlanInput {
  compute: ComputeApi
  /** The managed EGRESS rule */
  name: string
  networkPath: string
  view: EgressView
  ports: number[]
  /** Where clients send from */
  cidrs: string[]
  /** The endpoint address, known at run time once the address step is done */
  ip: () => string
  /** The address when it is known at plan time */
  plannedIp: string | undefined
  /** The subnetwork range a new address comes from (stands in for the address at plan time) */
  subnetRange: string
  after: string[]
}

/** What the managed rule must be, judged without it: undefined when nothing would block the traffic. */
interface Need {
  /** VPC deny rules that would win, per port */
  blocked: { port: number; decision: EgressDecision }[]
  /** The priority the allow needs; below 0 means no VPC rule can outrank the deny */
  priority: number
  /** A firewall policy decides first and denies: no VPC rule helps */
  policyBlock?: EgressDecision
}

function need(input: FirewallPlanInput, destination: string): Need | undefined {
  const decisions = egressDecisions(input.ports, {
    firewalls: input.view.firewalls,
    networkPath: input.networkPath,
    policies: input.view.policies,
    enforcementOrder: input.view.enforcementOrder,
    destination,
    sources: input.cidrs,
    without: input.name
  })
  const blocked = decisions.filter((d) => !d.decision.allowed)
  if (!blocked.length) return undefined
  const policyBlock = blocked.find((d) => d.decision.policy)?.decision
  const priorities = blocked.map((d) => d.decision.rule?.priority ?? 1000)
  return { blocked, priority: Math.min(...priorities) - 1, ...(policyBlock ? { policyBlock } : {}) }
}

const describeBlocked = (n: Need) => [...new Set(n.blocked.map((b) => b.decision.by))].join('; ')

function wantedRule(input: FirewallPlanInput, ip: string, priority: number): FirewallInsert {
  return {
    name: input.name,
    network: input.networkPath,
    direction: 'EGRESS',
    priority,
    destinationRanges: [`${ip}/32`],
    allowed: [{ IPProtocol: 'tcp', ports: input.ports.map(String) }],
    description: DESCRIPTION
  }
}

/** How an existing managed rule falls short of the wanted one (empty: it is right). */
function shortfalls(existing: Firewall, wanted: FirewallInsert): string[] {
  const ports = new Set((existing.allowed ?? []).filter((a) => a.IPProtocol.toLowerCase() === 'tcp').flatMap((a) => a.ports ?? []))
  return [
    existing.disabled && 'the rule is disabled',
    (existing.priority ?? 1000) > wanted.priority && `priority ${existing.priority ?? 1000} does not outrank the deny; becomes ${wanted.priority}`,
    !(existing.destinationRanges ?? []).includes(wanted.destinationRanges[0] ?? '') && `destination becomes ${wanted.destinationRanges.join(', ')}`,
    wanted.allowed[0]?.ports?.some((p) => !ports.has(p)) && `allows tcp ${wanted.allowed[0]?.ports?.join(', ')}`
  ].filter((r): r is string => Boolean(r))
}

function checkOwnRule(input: FirewallPlanInput, existing: Firewall): void {
  const remedy = `Delete it (gcloud compute firewall-rules delete ${input.name} --project ${input.compute.project}) or set another gcp-endpoint-prefix.`
  if (resourcePath(existing.network) !== input.networkPath)
    throw new InputError('gcp-endpoint-prefix', `firewall rule ${input.name} belongs to network ${lastSegment(existing.network)}, not ${lastSegment(input.networkPath)}. ${remedy}`)
  if ((existing.direction ?? 'INGRESS') !== 'EGRESS' || existing.denied?.length)
    throw new InputError('gcp-endpoint-prefix', `firewall rule ${input.name} is not an EGRESS allow rule; its direction and action cannot be changed. ${remedy}`)
}

// firewalls.patch needs the rule's name in the body (the discovery document marks `name` required for
// insert and patch). The request id covers the content: a retry repeats it, another patch is new.
async function patchRule(input: FirewallPlanInput, wanted: FirewallInsert, ctx: StepContext): Promise<void> {
  const { compute, name } = input
  const body = { name, priority: wanted.priority, destinationRanges: wanted.destinationRanges, allowed: wanted.allowed, disabled: false }
  await compute.apply(
    {
      what: `firewall rule ${name} to be updated`,
      request: { kind: 'firewall-patch', key: `${compute.project}/${name}/${JSON.stringify(body)}` },
      insert: false,
      send: (id) => compute.patchFirewall(name, body, id),
      observe: async () => {
        const found = await compute.getFirewall(name)
        return found && !shortfalls(found, wanted).length ? true : undefined
      },
      done: async () => true
    },
    ctx
  )
}

async function createRule(input: FirewallPlanInput, wanted: FirewallInsert, ctx: StepContext): Promise<void> {
  const { compute, name } = input
  // A rule of that name appeared since the plan (or an earlier attempt made it): bring it to what is wanted.
  const adopt = async () => {
    const found = await compute.getFirewall(name)
    if (!found) return undefined
    checkOwnRule(input, found)
    if (shortfalls(found, wanted).length) await patchRule(input, wanted, ctx)
    return true
  }
  await compute.apply(
    {
      what: `firewall rule ${name} to be created`,
      request: { kind: 'firewall-insert', key: `${compute.project}/${name}/${JSON.stringify(wanted)}` },
      insert: true,
      send: (id) => compute.insertFirewall(wanted, id),
      observe: adopt,
      done: async () => true
    },
    ctx
  )
}

/** At run time, with the address known: write the allow only if a deny still needs outranking. */
async function ensureAllow(input: FirewallPlanInput, existing: Firewall | undefined, ctx: StepContext): Promise<void> {
  const ip = input.ip()
  const needed = need(input, ip)
  if (!needed || needed.policyBlock || needed.priority < 0) return
  const wanted = wantedRule(input, ip, needed.priority)
  if (!existing) return createRule(input, wanted, ctx)
  if (shortfalls(existing, wanted).length) await patchRule(input, wanted, ctx)
}

export function planFirewall(input: FirewallPlanInput, existing: Firewall | undefined): PlannedStep {
  const { name } = input
  const destination = input.plannedIp ?? input.subnetRange
  const base = {
    id: FIREWALL_STEP,
    kind: 'gcp.firewall-rule',
    name,
    dependsOn: input.after,
    attributes: { network: input.networkPath, direction: 'EGRESS', destination: input.plannedIp ? `${input.plannedIp}/32` : 'the endpoint address', ports: `tcp ${input.ports.join(', ')}` }
  }
  if (existing) checkOwnRule(input, existing)
  const needed = need(input, destination)
  if (!needed) {
    const why = input.view.policies ? 'no VPC rule or firewall policy denies' : 'no VPC firewall rule denies'
    return { ...base, action: 'keep', reason: `${why} egress on tcp ${input.ports.join(', ')} to the endpoint; the implied allow-egress rule admits it${existing ? ' (the managed allow rule is kept)' : ''}` }
  }
  if (needed.policyBlock)
    return { ...base, action: 'keep', reason: `${needed.policyBlock.by} denies the traffic; this action does not change firewall policies, so the check will fail until the policy allows it` }
  if (needed.priority < 0) return { ...base, action: 'keep', reason: `${describeBlocked(needed)} denies the traffic at priority 0, which no rule can outrank; the check will fail until it is changed` }
  const ifStill = input.plannedIp ? '' : ' (checked again against the endpoint address once it is reserved)'
  if (!existing) return { ...base, action: 'create', reason: `${describeBlocked(needed)} would drop the link ports; an EGRESS allow at priority ${needed.priority} outranks it${ifStill}`, run: (ctx) => ensureAllow(input, undefined, ctx) }
  const short = input.plannedIp ? shortfalls(existing, wantedRule(input, input.plannedIp, needed.priority)) : ['destination becomes the endpoint address']
  if (!short.length) return { ...base, action: 'keep', reason: `outranks ${describeBlocked(needed)} for the link ports` }
  return { ...base, action: 'update', reason: short.join('; '), run: (ctx) => ensureAllow(input, existing, ctx) }
}

/** The INGRESS rule earlier versions created (named <base>-allow): it admitted nothing, so it is deleted. */
export function planLegacyIngress(compute: ComputeApi, name: string, networkPath: string, existing: Firewall | undefined): PlannedStep | undefined {
  if (!existing || (existing.direction ?? 'INGRESS') !== 'INGRESS' || !existing.description?.includes(MANAGED) || resourcePath(existing.network) !== networkPath) return undefined
  return {
    id: LEGACY_FIREWALL_STEP,
    kind: 'gcp.firewall-rule',
    name,
    dependsOn: [],
    action: 'update',
    reason: 'delete the INGRESS rule an earlier version of this action created: ingress rules do not govern traffic to a PSC endpoint (egress rules do)',
    run: async (ctx) => {
      await compute.apply(
        {
          what: `firewall rule ${name} to be deleted`,
          request: { kind: 'firewall-delete', key: `${compute.project}/${name}` },
          insert: false,
          send: (id) => compute.deleteFirewall(name, id),
          observe: async () => ((await compute.getFirewall(name)) ? undefined : true),
          done: async () => true
        },
        ctx
      ).catch((error: unknown) => {
        if (!isNotFound(error)) throw error
      })
    }
  }
}
