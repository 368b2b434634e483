// The internal address the PSC endpoint listens on: reserved by name in the subnetwork, found again by
// name, and checked to be where the endpoint needs it. An adopted endpoint keeps its own address.
import { InputError } from '../../engine/input-error.js'
import type { PlannedStep, StepContext } from '../../engine/plan.js'
import { waitUntilSettled } from '../../engine/wait.js'
import type { Address, ComputeApi } from './compute-api.js'
import { GoogleApiError } from './google-http.js'
import { lastSegment, resourcePath } from './names.js'
import { ensureLabels, missingLabels, ownerDescription, ownershipOf, planCreatedLabels, refuseLookAlike, type LabelState, type LabelTarget, type Ownership } from './ownership.js'

export const ADDRESS_STEP = 'psc-address'
export const ADDRESS_LABELS_STEP = 'psc-address-labels'

export interface ObservedAddress {
  name: string
  ip: string
  subnetwork: string
  addressType: string
  /** RESERVING while its insert runs, then RESERVED or IN_USE */
  status: string
  /** Paths of the forwarding rules using it */
  users: string[]
  labels: Record<string, string>
  labelFingerprint: string
  description: string
}

export const addressDescription = (zillizProjectId: string) => ownerDescription('Zilliz Cloud private link endpoint address', zillizProjectId)

function toObserved(a: Address): ObservedAddress {
  return {
    name: a.name,
    ip: a.address ?? '',
    subnetwork: resourcePath(a.subnetwork),
    addressType: a.addressType ?? '',
    status: a.status ?? '',
    users: (a.users ?? []).map(resourcePath),
    labels: a.labels ?? {},
    labelFingerprint: a.labelFingerprint ?? '',
    description: a.description ?? ''
  }
}

export async function observeAddress(compute: ComputeApi, region: string, name: string): Promise<ObservedAddress | undefined> {
  const found = await compute.getAddress(region, name)
  return found ? toObserved(found) : undefined
}

export interface AddressPlanInput {
  compute: ComputeApi
  region: string
  name: string
  subnetworkPath: string
  /** The forwarding rule the address is for, by path; it may already use it */
  endpointPath: string
  existing: ObservedAddress | undefined
  labels: Record<string, string>
  zillizProjectId: string
  onReady(ip: string): void
}

/** An address of that name that cannot serve the endpoint: it cannot be moved, so the fix is the user's. */
function checkUsable(input: AddressPlanInput, existing: ObservedAddress): void {
  const { name } = input
  const fix = remedy(input)
  if (existing.addressType !== 'INTERNAL' || existing.subnetwork !== input.subnetworkPath)
    throw new InputError('gcp-endpoint-prefix', `address ${name} exists as ${existing.addressType || 'an address'} in ${existing.subnetwork || 'no subnetwork'}, not as an internal address in ${input.subnetworkPath}. ${fix}`)
  const others = existing.users.filter((u) => u !== input.endpointPath)
  if (others.length) throw new InputError('gcp-endpoint-prefix', `address ${name} is in use by ${others.map(lastSegment).join(', ')}. ${fix}`)
}

/** The address once it is no longer RESERVING (its insert still running), or undefined when there is none. */
function settledAddress(input: AddressPlanInput, ctx: StepContext): Promise<ObservedAddress | undefined> {
  const { compute, region, name } = input
  return waitUntilSettled({
    what: `address ${name} to finish RESERVING`,
    read: () => observeAddress(compute, region, name),
    describe: (a) => `status=${a.status}`,
    transitional: (a) => a.status === 'RESERVING',
    deadline: ctx.deadline,
    signal: ctx.signal
  })
}

/**
 * Compute refuses a subnetwork of another project unless the address's project is a service project
 * attached to that (host) project: "Invalid value for field 'resource.subnetwork': '…'. Cross-project
 * references for this resource are not allowed." Said in the terms of the inputs that fix it.
 */
function notAttached(input: AddressPlanInput, error: unknown): unknown {
  if (!(error instanceof GoogleApiError) || error.status !== 400 || !/Cross-project references/i.test(error.message)) return error
  const service = input.compute.project
  const host = /^projects\/([^/]+)\//.exec(input.subnetworkPath)?.[1] ?? 'the network project'
  return new InputError(
    'gcp-endpoint-project-id',
    `project ${service} may not use subnetwork ${input.subnetworkPath}: it is not a service project attached to the Shared VPC host project ${host} (${error.message}). Attach it (gcloud compute shared-vpc associated-projects add ${service} --host-project ${host}) or set gcp-endpoint-project-id to ${host}.`
  )
}

/** Reserves the address and reads it back once (its IP); its labels are a step of their own (planCreatedLabels). */
async function reserve(input: AddressPlanInput, ctx: StepContext): Promise<ObservedAddress> {
  const { compute, region, name } = input
  const address = await compute.apply(
    {
      what: `address ${name} to be reserved`,
      request: { kind: 'address-insert', key: `${compute.project}/${region}/${name}` },
      insert: true,
      send: (id) =>
        compute.insertAddress(
          region,
          { name, addressType: 'INTERNAL', purpose: 'GCE_ENDPOINT', subnetwork: input.subnetworkPath, description: addressDescription(input.zillizProjectId) },
          id
        ),
      // Taken since the plan, or made by an earlier attempt: ours only if it carries the marker the insert writes.
      observe: async () => {
        const found = await settledAddress(input, ctx)
        if (found && ownershipOf(found, input.zillizProjectId, addressDescription(input.zillizProjectId)) === 'unproven') refuseLookAlike('address', name, remedy(input))
        return found
      },
      done: async () => {
        const found = await settledAddress(input, ctx)
        if (!found) throw new Error(`Address ${name} was reserved but cannot be read back`)
        return found
      }
    },
    ctx
  ).catch((error: unknown) => Promise.reject(notAttached(input, error)))
  if (!address.ip) throw new Error(`Address ${name} was reserved but reports no IP`)
  checkUsable(input, address)
  return address
}

const remedy = (input: AddressPlanInput) => `Delete it (gcloud compute addresses delete ${input.name} --region ${input.region} --project ${input.compute.project}) or set another gcp-endpoint-prefix.`

const labelTarget = (input: Pick<AddressPlanInput, 'compute' | 'region' | 'name' | 'labels'>): LabelTarget => ({
  compute: input.compute,
  collection: 'addresses',
  region: input.region,
  name: input.name,
  wanted: input.labels
})

const labelAddress = (input: AddressPlanInput, ctx: StepContext, known?: LabelState) => ensureLabels(labelTarget(input), ctx, known)

/** The address step, and when it creates the address, the step that labels it. */
export function planAddress(input: AddressPlanInput): PlannedStep[] {
  const { existing, name } = input
  const base = { id: ADDRESS_STEP, kind: 'gcp.address', name, dependsOn: [], attributes: { subnetwork: input.subnetworkPath, type: 'INTERNAL' } }
  if (!existing) {
    let created: ObservedAddress | undefined
    const reserveStep: PlannedStep = {
      ...base,
      action: 'create',
      reason: `no address ${name} in ${input.region}`,
      run: async (ctx) => {
        created = await reserve(input, ctx)
        input.onReady(created.ip)
      }
    }
    return [reserveStep, planCreatedLabels({ id: ADDRESS_LABELS_STEP, target: labelTarget(input), dependsOn: [ADDRESS_STEP], created: () => created })]
  }
  checkUsable(input, existing)
  const ownership = ownershipOf(existing, input.zillizProjectId, addressDescription(input.zillizProjectId))
  if (ownership === 'unproven') refuseLookAlike('address', name, remedy(input))
  if (existing.status === 'RESERVING') {
    // An insert still runs (another run, or one whose answer was lost): wait for it, as for any other wait.
    return [
      {
        ...base,
        action: 'wait',
        reason: `address ${name} is RESERVING; apply waits until it is reserved`,
        run: async (ctx) => {
          const settled = await settledAddress(input, ctx)
          const address = settled?.ip ? settled : await reserve(input, ctx)
          await labelAddress(input, ctx, address)
          input.onReady(address.ip)
        }
      }
    ]
  }
  input.onReady(existing.ip)
  const where = `reserved at ${existing.ip} in ${lastSegment(existing.subnetwork)}`
  const labels = restoreLabels(input, existing, ownership)
  return [labels ? { ...base, action: 'update', reason: `${where}; ${labels.reason}`, run: labels.run } : { ...base, action: 'keep', reason: where }]
}

/** The labels an address of ours lacks, to restore (as after a run stopped before setLabels); undefined when none. */
function restoreLabels(
  input: Pick<AddressPlanInput, 'compute' | 'region' | 'name' | 'labels'>,
  existing: ObservedAddress,
  ownership: Ownership
): { reason: string; run: (ctx: StepContext) => Promise<void> } | undefined {
  const missing = missingLabels(existing.labels, input.labels)
  if (!missing.length) return undefined
  const why = ownership === 'proven' ? 'created by this action (name and description match) but without its labels, as when a run stopped before setLabels' : `labels ${missing.join(', ')} missing or changed`
  return { reason: `restore labels: ${why}`, run: (ctx) => ensureLabels(labelTarget(input), ctx, existing) }
}

/**
 * The step when the endpoint already exists: its address is in use, nothing to reserve. When the endpoint
 * is ours and uses the address of our name, that address gets back labels it lacks (its labels are set
 * beside the endpoint's insert, so a run can stop with the endpoint made and the address unlabelled).
 */
export function addressInUse(input: {
  name: string
  ip: string
  reason: string
  onReady: (ip: string) => void
  ours?: { compute: ComputeApi; region: string; labels: Record<string, string>; zillizProjectId: string; existing: ObservedAddress | undefined }
}): PlannedStep {
  const { name, ip, reason, ours } = input
  input.onReady(ip)
  const base = { id: ADDRESS_STEP, kind: 'gcp.address', name, dependsOn: [] }
  const existing = ours?.existing
  if (!ours || !existing || existing.ip !== ip) return { ...base, action: 'keep', reason }
  const ownership = ownershipOf(existing, ours.zillizProjectId, addressDescription(ours.zillizProjectId))
  const labels = ownership === 'unproven' ? undefined : restoreLabels({ ...ours, name }, existing, ownership)
  return labels ? { ...base, action: 'update', reason: `${reason}; ${labels.reason}`, run: labels.run } : { ...base, action: 'keep', reason }
}
