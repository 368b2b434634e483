// The seeded fault suite: one apply per cloud and seed against fresh emulators where a share of every
// call fails transiently (cloud errors, operation errors, lost answers, Zilliz 429/503, token endpoint
// 5xx), then a fault-free apply that must find the world converged. Counts what a user would suffer:
// a first run that did not converge, duplicated or orphaned resources, writes on the next run.
import { Chaos, type ChaosCounts } from '../../emulators/core/chaos.js'
import { azureInputs } from '../../emulators/azure/index.js'
import { gcpInputs } from '../../emulators/gcp/index.js'
import { awsInputs, startEmulators, type Emulators } from '../../emulators/index.js'
import { runAction, type ActionRun } from './run-action.js'

export type Cloud = 'aws' | 'gcp' | 'azure'
export const CLOUDS: Cloud[] = ['aws', 'gcp', 'azure']

export interface FaultRun {
  cloud: Cloud
  seed: number
  /** The first apply exited 0 */
  converged: boolean
  /** The first apply's error line, when it did not converge */
  error?: string
  /** Kinds with more resources than a fault-free apply makes, e.g. 'gcp forwarding rules: 2 (want 1)' */
  duplicates: string[]
  /** Resources nothing uses, e.g. an address no endpoint holds */
  orphans: string[]
  /** Exit code and successful writes of the fault-free apply that follows */
  reapplyExit: number
  /** The re-apply's error line, when it failed */
  reapplyError?: string
  reapplyWrites: string[]
  faults: ChaosCounts
  wallMs: number
}

/** Resources per kind the action manages, as the emulators hold them. */
type Inventory = Record<string, string[]>

function inventory(cloud: Cloud, e: Emulators): Inventory {
  const registrations = e.zilliz.state.registrations.map((r) => `${r.regionId}/${r.endpointId}`)
  if (cloud === 'aws') {
    const { resources } = e.aws.ec2
    const zones = [...e.aws.route53.zones.zones.values()]
    return {
      'vpc endpoints': [...resources.endpoints.values()].filter((v) => v.state !== 'deleted').map((v) => v.vpcEndpointId),
      'security groups': [...resources.groups.values()].map((g) => g.groupId),
      'hosted zones': zones.map((z) => z.id),
      records: zones.flatMap((z) => z.records.filter((r) => r.type !== 'NS' && r.type !== 'SOA').map((r) => `${z.id}/${r.name}/${r.type}`)),
      'zilliz registrations': registrations
    }
  }
  if (cloud === 'gcp') {
    const { state } = e.gcp.compute
    const zones = [...e.gcp.dns.zones.values()]
    return {
      addresses: [...state.addresses.keys()],
      'forwarding rules': [...state.forwardingRules.keys()],
      firewalls: [...state.firewalls.keys()],
      'managed zones': zones.map((z) => z.name),
      records: zones.flatMap((z) => z.records.filter((r) => r.type !== 'NS' && r.type !== 'SOA').map((r) => `${z.name}/${r.name}/${r.type}`)),
      'zilliz registrations': registrations
    }
  }
  const { state } = e.azure.arm
  const zones = [...state.privateZones.values()]
  return {
    'private endpoints': [...state.privateEndpoints.values()].map((p) => p.id),
    'network interfaces': [...state.networkInterfaces.values()].map((n) => n.id),
    'private zones': zones.map((z) => z.id),
    'virtual network links': zones.flatMap((z) => [...z.links.values()].map((l) => l.id)),
    records: zones.flatMap((z) => [...z.records.values()].filter((r) => r.type === 'A').map((r) => `${z.name}/${r.name}`)),
    'zilliz registrations': registrations
  }
}

/** Resources left behind that nothing uses (or that are broken), which a re-run would not clean up. */
function orphans(cloud: Cloud, e: Emulators): string[] {
  const found: string[] = []
  for (const r of e.zilliz.state.registrations) if (!e.world.endpoints.has(r.cloudId, r.endpointId)) found.push(`zilliz registration of missing endpoint ${r.endpointId}`)
  if (cloud === 'aws') {
    const used = new Set([...e.aws.ec2.resources.endpoints.values()].flatMap((v) => v.groupIds))
    for (const g of e.aws.ec2.resources.groups.values()) if (g.groupName !== 'default' && !used.has(g.groupId)) found.push(`security group ${g.groupId} used by no endpoint`)
  }
  if (cloud === 'gcp') for (const a of e.gcp.compute.state.addresses.values()) if (!a.users.length) found.push(`address ${a.name} used by no endpoint`)
  if (cloud === 'azure') {
    const { state } = e.azure.arm
    for (const n of state.networkInterfaces.values()) if (!state.privateEndpoints.has(n.endpointId.toLowerCase())) found.push(`network interface ${n.name} of no endpoint`)
    for (const p of state.privateEndpoints.values()) if (p.provisioningState !== 'Succeeded') found.push(`private endpoint ${p.name} left ${p.provisioningState}`)
    for (const z of state.privateZones.values()) {
      if (z.provisioningState !== 'Succeeded') found.push(`private zone ${z.name} left ${z.provisioningState}`)
      for (const l of z.links.values()) if (l.provisioningState !== 'Succeeded') found.push(`link ${l.name} left ${l.provisioningState}`)
    }
  }
  return found
}

/** The inputs of an apply, as attempt `attempt` of a workflow run (request ids differ per attempt). */
function inputs(cloud: Cloud, e: Emulators, attempt = 1): Record<string, string> {
  const overrides = { mode: 'apply', 'wait-timeout': '2m' }
  const run = { GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: String(attempt) }
  if (cloud === 'aws') return { ...run, ...awsInputs(e, overrides) }
  return { ...run, ...(cloud === 'gcp' ? gcpInputs(e.zillizUrl, overrides) : azureInputs(e.zillizUrl, overrides)) }
}

async function withEmulators<T>(fn: (e: Emulators) => Promise<T>): Promise<T> {
  const e = await startEmulators()
  try {
    return await fn(e)
  } finally {
    await e.close()
  }
}

const references = new Map<Cloud, Record<string, number>>()

/** How many resources of each kind a fault-free apply leaves, measured once per cloud. */
async function reference(cloud: Cloud): Promise<Record<string, number>> {
  const known = references.get(cloud)
  if (known) return known
  const counts = await withEmulators(async (e) => {
    const run = await runAction({ ...e.env, ...inputs(cloud, e) })
    if (run.exitCode !== 0) throw new Error(`a fault-free ${cloud} apply failed:\n${run.log}`)
    return Object.fromEntries(Object.entries(inventory(cloud, e)).map(([kind, ids]) => [kind, ids.length]))
  })
  references.set(cloud, counts)
  return counts
}

const errorOf = (run: ActionRun) => (run.exitCode === 0 ? undefined : (run.log.split('\n').find((l) => l.startsWith('::error::')) ?? `exit ${run.exitCode}`))

export interface FaultOptions {
  /** Share of calls and operations that fail (default 0.2) */
  rate?: number
  /** Services that never fail (default none) */
  exempt?: string[]
}

/** Whether the first run failed fetching the GitHub ID token (GitHub's OIDC endpoint, not the cloud). */
export const failedOnGithubToken = (run: FaultRun) => !run.converged && /GitHub's OIDC token endpoint|Failed to get ID Token/.test(run.error ?? '')

export async function faultRun(cloud: Cloud, seed: number, options: FaultOptions = {}): Promise<FaultRun> {
  const rate = options.rate ?? 0.2
  const want = await reference(cloud)
  return withEmulators(async (e) => {
    const started = Date.now()
    const chaos = new Chaos({ seed, rate, exempt: options.exempt ?? [] })
    e.switches.chaos = chaos
    const first = await runAction({ ...e.env, ...inputs(cloud, e) })
    e.switches.chaos = undefined
    const wallMs = Date.now() - started
    e.log.clear()
    const again = await runAction({ ...e.env, ...inputs(cloud, e, 2) })
    const duplicates = Object.entries(inventory(cloud, e))
      .filter(([kind, ids]) => ids.length > (want[kind] ?? 0))
      .map(([kind, ids]) => `${kind}: ${ids.length} (want ${want[kind] ?? 0})`)
    const error = errorOf(first)
    const reapplyError = errorOf(again)
    return {
      cloud,
      seed,
      converged: first.exitCode === 0,
      ...(error ? { error } : {}),
      duplicates,
      orphans: orphans(cloud, e),
      reapplyExit: again.exitCode,
      ...(reapplyError ? { reapplyError } : {}),
      reapplyWrites: e.log.writes().map((w) => `${w.service}:${w.operation}`),
      faults: { ...chaos.counts },
      wallMs
    }
  })
}

/** One line per run that fell short, for logs and assertion messages. */
export function describeShortfall(run: FaultRun): string | undefined {
  const problems = [
    !run.converged && `first run failed: ${run.error}`,
    run.duplicates.length && `duplicates: ${run.duplicates.join(', ')}`,
    run.orphans.length && `orphans: ${run.orphans.join(', ')}`,
    run.reapplyExit !== 0 && `the fault-free re-apply failed: ${run.reapplyError}`,
    run.converged && run.reapplyWrites.length && `the re-apply wrote ${run.reapplyWrites.join(', ')}`
  ].filter(Boolean)
  return problems.length ? `${run.cloud} seed ${run.seed}: ${problems.join('; ')}` : undefined
}
