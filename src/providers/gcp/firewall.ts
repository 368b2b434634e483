// The ingress firewall rule admitting the link ports from the allowed ranges to the endpoint address:
// found by name, created with a requestId, and widened (never narrowed) when ports or ranges are missing.
import { InputError } from '../../engine/input-error.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import { describeGrants, desiredGrants, missingGrants, type IngressRule, type PortGrant } from '../../engine/ports.js'
import type { ComputeApi, Firewall, FirewallAllowed, FirewallPatch } from './compute-api.js'
import { lastSegment, resourcePath } from './names.js'

export const FIREWALL_STEP = 'firewall'

function portRange(spec: string): [number, number] {
  const [from = '0', to = from] = spec.split('-')
  return [Number(from), Number(to)]
}

/** The rule's allowed entries as the engine's ingress rules (protocol 6 is tcp; no ports means all). */
export function ingressRules(firewall: Firewall): IngressRule[] {
  return (firewall.allowed ?? []).flatMap((a) => {
    const protocol = a.IPProtocol.toLowerCase() === '6' ? 'tcp' : a.IPProtocol.toLowerCase()
    const ranges = a.ports?.length ? a.ports.map(portRange) : [[0, 65535] as [number, number]]
    return ranges.map(([fromPort, toPort]) => ({ protocol, fromPort, toPort, cidrs: firewall.sourceRanges ?? [] }))
  })
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [network = '', bits = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  const start = Math.floor(ipToNumber(network) / size) * size
  const value = ipToNumber(ip)
  return value >= start && value < start + size
}

/** Whether the rule governs traffic to the endpoint: ingress, enabled, no instance targets, a destination covering it. */
export function appliesTo(firewall: Firewall, ip: string): boolean {
  if ((firewall.direction ?? 'INGRESS') !== 'INGRESS' || firewall.disabled) return false
  if (firewall.targetTags?.length || firewall.targetServiceAccounts?.length) return false
  const destinations = firewall.destinationRanges ?? []
  return destinations.length === 0 || destinations.some((range) => cidrContains(range, ip))
}

function widened(existing: Firewall, wanted: PortGrant[]): Pick<Firewall, 'allowed' | 'sourceRanges'> {
  const allowed = existing.allowed ?? []
  const tcp = allowed.filter((a) => a.IPProtocol.toLowerCase() === 'tcp')
  const ports = [...new Set([...tcp.flatMap((a) => a.ports ?? []), ...wanted.map((g) => String(g.port))])]
  const allTcp = tcp.some((a) => !a.ports?.length)
  const merged: FirewallAllowed[] = allTcp ? allowed : [...allowed.filter((a) => a.IPProtocol.toLowerCase() !== 'tcp'), { IPProtocol: 'tcp', ports }]
  return { allowed: merged, sourceRanges: [...new Set([...(existing.sourceRanges ?? []), ...wanted.map((g) => g.cidr)])] }
}

export interface FirewallPlanInput {
  compute: ComputeApi
  name: string
  networkPath: string
  existing: Firewall | undefined
  ports: number[]
  cidrs: string[]
  /** The endpoint address, known at run time once the address step is done */
  ip: () => string
  /** The address when it is known at plan time */
  plannedIp: string | undefined
  after: string[]
}

function checkOwnRule(input: FirewallPlanInput, existing: Firewall): void {
  const network = resourcePath(existing.network)
  const remedy = `Delete it (gcloud compute firewall-rules delete ${input.name} --project ${input.compute.project}) or set another gcp-endpoint-prefix.`
  if (network !== input.networkPath) throw new InputError('gcp-endpoint-prefix', `firewall rule ${input.name} belongs to network ${lastSegment(network)}, not ${lastSegment(input.networkPath)}. ${remedy}`)
  if ((existing.direction ?? 'INGRESS') !== 'INGRESS') throw new InputError('gcp-endpoint-prefix', `firewall rule ${input.name} is an ${existing.direction} rule; its direction cannot be changed. ${remedy}`)
}

/** Whether the rule admits every wanted grant, enabled, to exactly the destination. */
function holds(found: Firewall, wanted: PortGrant[], destination: string): boolean {
  return !found.disabled && missingGrants(ingressRules(found), wanted).length === 0 && (found.destinationRanges ?? []).join() === destination
}

// The request id covers the patch's content: a retry of this patch repeats it, another patch is new.
async function patch(input: FirewallPlanInput, body: FirewallPatch, wanted: PortGrant[], ctx: StepContext): Promise<void> {
  const { compute, name } = input
  const destination = body.destinationRanges?.join() ?? ''
  await compute.apply(
    {
      what: `firewall rule ${name} to be updated`,
      request: { kind: 'firewall-patch', key: `${compute.project}/${name}/${JSON.stringify(body)}` },
      insert: false,
      send: (id) => compute.patchFirewall(name, body, id),
      observe: async () => {
        const found = await compute.getFirewall(name)
        return found && holds(found, wanted, destination) ? true : undefined
      },
      done: async () => true
    },
    ctx
  )
}

async function createFirewall(input: FirewallPlanInput, wanted: PortGrant[], ctx: StepContext): Promise<void> {
  const { compute, name } = input
  const destination = `${input.ip()}/32`
  // A rule of that name appeared since the plan (or an earlier attempt made it): bring it to what is wanted.
  const adopt = async () => {
    const found = await compute.getFirewall(name)
    if (!found) return undefined
    checkOwnRule(input, found)
    if (!holds(found, wanted, destination)) await patch(input, { ...widened(found, wanted), destinationRanges: [destination], disabled: false }, wanted, ctx)
    return true
  }
  await compute.apply(
    {
      what: `firewall rule ${name} to be created`,
      request: { kind: 'firewall-insert', key: `${compute.project}/${name}` },
      insert: true,
      send: (id) =>
        compute.insertFirewall(
          {
            name,
            network: input.networkPath,
            direction: 'INGRESS',
            priority: 1000,
            allowed: [{ IPProtocol: 'tcp', ports: input.ports.map(String) }],
            sourceRanges: input.cidrs,
            destinationRanges: [destination],
            description: 'Zilliz Cloud private link: link ports to the PSC endpoint (managed by zilliz-private-link)'
          },
          id
        ),
      observe: adopt,
      done: async () => true
    },
    ctx
  )
}

export function planFirewall(input: FirewallPlanInput): PlannedStep {
  const { existing, name } = input
  const wanted = desiredGrants(input.ports, input.cidrs)
  const base = {
    id: FIREWALL_STEP,
    kind: 'gcp.firewall-rule',
    name,
    dependsOn: input.after,
    attributes: { network: input.networkPath, ingress: describeGrants(wanted), destination: input.plannedIp ? `${input.plannedIp}/32` : 'the endpoint address' }
  }
  if (!existing) {
    return { ...base, action: 'create', reason: `no firewall rule ${name} in ${lastSegment(input.networkPath)}`, run: (ctx) => createFirewall(input, wanted, ctx) }
  }
  checkOwnRule(input, existing)
  const missing = missingGrants(ingressRules(existing), wanted)
  const destinationOk = input.plannedIp !== undefined && (existing.destinationRanges ?? []).includes(`${input.plannedIp}/32`)
  const reasons = [
    existing.disabled && 'the rule is disabled',
    missing.length && `missing ingress ${describeGrants(missing)}`,
    !destinationOk && `destination becomes ${input.plannedIp ? `${input.plannedIp}/32` : 'the endpoint address'}`
  ].filter((r): r is string => Boolean(r))
  if (!reasons.length) return { ...base, action: 'keep', reason: 'admits every link port from the allowed ranges to the endpoint' }
  return {
    ...base,
    action: 'update',
    reason: reasons.join('; '),
    run: async (ctx) => {
      await patch(input, { ...widened(existing, wanted), destinationRanges: [`${input.ip()}/32`], disabled: false }, wanted, ctx)
    }
  }
}
