// Ownership of addresses and forwarding rules. Their labels can only be set by setLabels, a second call
// after the insert, so a run stopped in between leaves a resource without labels. The insert itself
// carries a marker: the description naming the Zilliz project. A resource with the deterministic name and
// that description is provably the action's own and gets its labels back; one without either is a
// look-alike the action will not take over.
import { InputError } from '../../engine/input-error.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import type { ComputeApi, LabelledCollection } from './compute-api.js'
import { GoogleApiError } from './google-http.js'
import { ownedBy } from './labels.js'

/** The description every insert carries: the marker that survives a crash before setLabels. */
export const ownerDescription = (what: string, zillizProjectId: string) => `${what} for Zilliz project ${zillizProjectId} (managed by zilliz-private-link)`

export type Ownership =
  /** Ownership labels present */
  | 'labelled'
  /** No labels, but the deterministic name and the insert's description prove it */
  | 'proven'
  /** Neither: someone else's resource that happens to have the name */
  | 'unproven'

export function ownershipOf(resource: { labels?: Record<string, string>; description?: string }, zillizProjectId: string, description: string): Ownership {
  if (ownedBy(resource.labels, zillizProjectId)) return 'labelled'
  return resource.description === description ? 'proven' : 'unproven'
}

/** The wanted labels that the resource lacks or holds with another value. */
export function missingLabels(current: Record<string, string> | undefined, wanted: Record<string, string>): string[] {
  return Object.entries(wanted)
    .filter(([key, value]) => current?.[key] !== value)
    .map(([key]) => key)
}

export function refuseLookAlike(kind: string, name: string, remedy: string): never {
  throw new InputError(
    'gcp-endpoint-prefix',
    `${kind} ${name} exists but nothing proves this action created it (no ownership labels, and its description is not the one the action writes), so it is not taken over. ${remedy}`
  )
}

export interface LabelTarget {
  compute: ComputeApi
  collection: LabelledCollection
  region: string
  name: string
  wanted: Record<string, string>
}

/** An address's or forwarding rule's labels as last read, with the fingerprint setLabels needs. */
export interface LabelState {
  labels: Record<string, string>
  labelFingerprint: string
}

async function read(target: LabelTarget): Promise<LabelState> {
  const { compute, collection, region, name } = target
  const found = collection === 'addresses' ? await compute.getAddress(region, name) : await compute.getForwardingRule(region, name)
  if (!found) throw new Error(`${collection === 'addresses' ? 'Address' : 'Forwarding rule'} ${name} disappeared before its labels could be set`)
  return { labels: found.labels ?? {}, labelFingerprint: found.labelFingerprint ?? '' }
}

/**
 * Adds the wanted labels (keeping any others) through setLabels, then reads them back. The first attempt
 * uses `known`, the state a read of this run just returned (the read after an insert), else reads it;
 * transient failures are issued again (compute.apply), and a fingerprint that went stale in between (412)
 * is read again and the change repeated once.
 */
export async function ensureLabels(target: LabelTarget, ctx: StepContext, known?: LabelState): Promise<void> {
  const { compute, collection, region, name, wanted } = target
  const holds = async () => (missingLabels((await read(target)).labels, wanted).length ? undefined : true)
  let first: LabelState | undefined = known ?? (await read(target))
  if (!missingLabels(first.labels, wanted).length) return
  for (let attempt = 1; ; attempt++) {
    try {
      await compute.apply(
        {
          what: `labels of ${name} to be set`,
          request: { kind: `${collection}-labels`, key: `${compute.project}/${region}/${name}/${JSON.stringify(wanted)}/${attempt}` },
          insert: false,
          send: async (id) => {
            const current = first ?? (await read(target))
            first = undefined
            return compute.setLabels(collection, region, name, { ...current.labels, ...wanted }, current.labelFingerprint, id)
          },
          observe: holds,
          done: async () => true
        },
        ctx
      )
      break
    } catch (error) {
      if (attempt < 2 && error instanceof GoogleApiError && error.status === 412) continue
      throw error
    }
  }
  const still = missingLabels((await read(target)).labels, wanted)
  if (still.length) throw new Error(`${collection}.setLabels ${name} reported success but the labels ${still.join(', ')} are not there when read back`)
}

/**
 * The labels of an address or forwarding rule this run creates, as a step after its insert. Compute takes
 * them only through setLabels (see PscForwardingRuleInsert), and the steps that need the resource (the
 * endpoint's insert, the registration) need it to exist, not its labels: they do not wait for these. A run
 * stopped before this step leaves a resource its description proves to be ours; the next run restores them.
 */
export function planCreatedLabels(input: { id: string; target: LabelTarget; dependsOn: string[]; created: (ctx: StepContext) => LabelState | undefined | Promise<LabelState | undefined> }): PlannedStep {
  const what = input.target.collection === 'addresses' ? 'address' : 'PSC endpoint'
  return {
    id: input.id,
    kind: 'gcp.labels',
    name: input.target.name,
    dependsOn: input.dependsOn,
    action: 'create',
    reason: `ownership labels of the new ${what}: Compute sets them only with setLabels, after the insert`,
    run: async (ctx) => ensureLabels(input.target, ctx, await input.created(ctx))
  }
}
