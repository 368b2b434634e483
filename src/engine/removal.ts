// Removal, shared by destroy and prune: the engine orders what a provider found (REMOVAL_LAYERS), adds the
// Zilliz side, and lists what it keeps. Providers only say what is theirs and how one resource is deleted.
import type { ZillizApi } from '../zilliz/types.js'
import type { EphemeralKind } from './ephemeral.js'
import type { PlannedStep } from './plan.js'
import { REMOVAL_LAYERS, type Inventory, type KeptResource, type ManagedResource } from './provider.js'
import { replacedGuess } from './target-builder.js'
import type { Target } from './target.js'

export const DEREGISTRATION_STEP = 'zilliz-deregistration'

/**
 * One delete step per resource. Each step waits for every step of the nearest earlier layer that has any,
 * so records go before zones, zones before the endpoint, and the endpoint before its security rule.
 */
export function removalSteps(resources: ManagedResource[], why: (resource: ManagedResource) => string): PlannedStep[] {
  const steps: PlannedStep[] = []
  let previous: string[] = []
  for (const layer of REMOVAL_LAYERS) {
    const group = resources.filter((r) => r.layer === layer)
    if (!group.length) continue
    for (const r of group) {
      steps.push({
        id: r.id,
        kind: r.kind,
        name: r.name,
        action: 'delete',
        reason: `${why(r)}; ${r.evidence}`,
        dependsOn: previous,
        ...(r.host ? { attributes: { host: r.host } } : {}),
        run: (ctx) => r.remove(ctx)
      })
    }
    previous = group.map((r) => r.id)
  }
  return steps
}

/** The Zilliz registration of the managed endpoint, as a resource of the registration layer. */
export function deregistration(target: Target, inventory: Inventory, zilliz: ZillizApi): ManagedResource[] {
  const { projectId, regionId } = target.config.zilliz
  // On GCP the id is a name: it must also be registered for this GCP project to be the managed endpoint's.
  const sameGcpProject = (gcpProjectId: string | null) => !inventory.gcpProjectId || !gcpProjectId || gcpProjectId === inventory.gcpProjectId
  const registered = inventory.endpointId ? target.registrations.find((r) => r.endpointId === inventory.endpointId && sameGcpProject(r.gcpProjectId)) : undefined
  if (!registered) return []
  return [
    {
      id: DEREGISTRATION_STEP,
      kind: 'zilliz.private-endpoint',
      name: registered.endpointId,
      layer: 'registration',
      evidence: `registered for the managed endpoint (Zilliz status ${registered.endpointStatus})`,
      // A registration already gone counts as removed (the client lists to tell).
      remove: () => zilliz.deletePrivateEndpoint(projectId, registered.endpointId, regionId, registered.gcpProjectId ?? inventory.gcpProjectId)
    }
  ]
}

/** What a destroy leaves in place, as keep steps: never deleted, and the plan says why. */
export function keptSteps(target: Target, inventory: Inventory): PlannedStep[] {
  const kept: KeptResource[] = [...inventory.kept]
  if (target.service.whitelistRequired && inventory.whitelistAccount)
    kept.push({
      kind: 'zilliz.whitelist',
      name: inventory.whitelistAccount,
      reason: 'kept: Zilliz has no API to list or remove whitelist entries, so the action cannot tell whether it added this one or whether other endpoints of the project use it; remove it in the Zilliz console if nothing needs it'
    })
  return kept.map((k, index) => ({ id: `kept:${index + 1}`, kind: k.kind, name: k.name, action: 'keep', reason: k.reason, dependsOn: [] }))
}

/** The whole destroy: every managed resource and the registration, in order, plus what stays. */
export function destroySteps(target: Target, inventory: Inventory, zilliz: ZillizApi): PlannedStep[] {
  const resources = [...inventory.managed, ...deregistration(target, inventory, zilliz)]
  return [...removalSteps(resources, (r) => (r.layer === 'registration' ? 'destroy: deregister from Zilliz' : 'destroy')), ...keptSteps(target, inventory)]
}

/**
 * Managed DNS of clusters no longer in scope (deleted, or left out of cluster-ids). A zone made for the
 * documented host of a cluster whose allocated host differs is the plan's own to replace, not out of scope.
 */
/** The hosts the target names, lower case: their DNS is in scope (a replaced guess still is until it goes). */
export function inScopeHosts(target: Target): Set<string> {
  return new Set(target.clusters.flatMap((c) => [c.host, replacedGuess(c) ?? c.host]).map((h) => h.toLowerCase()))
}

export function outOfScope(target: Target, inventory: Inventory): ManagedResource[] {
  const hosts = inScopeHosts(target)
  return inventory.managed.filter((r) => r.host !== undefined && !hosts.has(r.host.toLowerCase()))
}

/** prune: true: delete steps for what is out of scope. */
export function pruneSteps(resources: ManagedResource[]): PlannedStep[] {
  return removalSteps(
    resources.map((r) => ({ ...r, id: `prune:${r.id}` })),
    (r) => `prune: ${r.host} is no longer in scope`
  )
}

/** Every proof resource of ours, expired or not, as managed resources of the first removal layer (destroy). */
export async function proofInventory(kinds: EphemeralKind[]): Promise<ManagedResource[]> {
  const lists = await Promise.all(kinds.map((k) => k.list()))
  return lists.flat().map((r) => ({
    id: `proof:${r.kind}:${r.name}`,
    kind: r.kind,
    name: r.name,
    layer: 'proof' as const,
    evidence: r.expiresAt === undefined ? 'tagged as a proof resource of this action' : `tagged as a proof resource of this action, expiring ${new Date(r.expiresAt).toISOString()}`,
    remove: () => r.remove()
  }))
}
