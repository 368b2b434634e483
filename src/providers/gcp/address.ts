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
/** Reads the reserved address's IP; the endpoint's insert does not wait for it */
export const ADDRESS_IP_STEP = 'psc-address-ip'
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

/**
 * Reserves the address. When it was found rather than reserved by this run's insert (an earlier attempt's,
 * or one made since the plan), it is returned as read, proven ours and usable here, so the endpoint never
 * uses an address that is taken. When this run's own insert reserved it, the result is undefined and
 * nothing is read: Compute's operation DONE is the proof that the address exists as the insert asked (name,
 * INTERNAL, in the subnetwork), and the endpoint's insert needs only its path. Its IP is read beside it.
 */
async function reserve(input: AddressPlanInput, ctx: StepContext): Promise<ObservedAddress | undefined> {
  const { compute, region, name } = input
  const reservation = await compute.apply<{ found?: ObservedAddress }>(
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
        return found ? { found } : undefined
      },
      done: () => Promise.resolve({})
    },
    ctx
  ).catch((error: unknown) => Promise.reject(notAttached(input, error)))
  return reservation.found && usable(input, reservation.found)
}

/** The address as read: it has its IP and can serve the endpoint. */
function usable(input: AddressPlanInput, address: ObservedAddress): ObservedAddress {
  if (!address.ip) throw new Error(`Address ${input.name} was reserved but reports no IP`)
  checkUsable(input, address)
  return address
}

/** The address this run reserved, read back once for its IP and label fingerprint. */
async function readBack(input: AddressPlanInput, ctx: StepContext): Promise<ObservedAddress> {
  const found = await settledAddress(input, ctx)
  if (!found) throw new Error(`Address ${input.name} was reserved but cannot be read back`)
  return usable(input, found)
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

/** The step that makes the address's IP known; what needs the IP (the firewall, the DNS records) follows it. */
function ipStep(name: string, step: Pick<PlannedStep, 'action' | 'reason' | 'run'>): PlannedStep {
  return { id: ADDRESS_IP_STEP, kind: 'gcp.address-ip', name, dependsOn: [ADDRESS_STEP], ...step }
}

/**
 * The address step, the step that reads its IP, and when it creates the address, the step that labels it.
 * The endpoint depends on the address step alone: its insert goes out once the address's insert is DONE,
 * beside the read of the IP. A run stopped in between finds the address by name next time (observe).
 */
export function planAddress(input: AddressPlanInput): PlannedStep[] {
  const { existing, name } = input
  const base = { id: ADDRESS_STEP, kind: 'gcp.address', name, dependsOn: [], attributes: { subnetwork: input.subnetworkPath, type: 'INTERNAL' } }
  if (!existing) {
    // Set by the reserve when it found the address (already read); else one read serves the IP and the labels.
    let found: ObservedAddress | undefined
    let reading: Promise<ObservedAddress> | undefined
    const read = (ctx: StepContext) => (reading ??= found ? Promise.resolve(found) : readBack(input, ctx))
    const reserveStep: PlannedStep = {
      ...base,
      action: 'create',
      reason: `no address ${name} in ${input.region}`,
      run: async (ctx) => {
        found = await reserve(input, ctx)
      }
    }
    // Not a change: the read-back of what the reserve wrote, reported as a wait like any other.
    const readIp = ipStep(name, {
      action: 'wait',
      reason: 'the new address\'s IP, read once its insert is DONE (the endpoint\'s insert does not wait for it)',
      run: async (ctx) => input.onReady((await read(ctx)).ip)
    })
    // The labels start beside the endpoint's insert too (their setLabels after the shared read), so an insert
    // that fails leaves a labelled address, which destroy finds by its labels.
    return [reserveStep, readIp, planCreatedLabels({ id: ADDRESS_LABELS_STEP, target: labelTarget(input), dependsOn: [ADDRESS_STEP], created: read })]
  }
  checkUsable(input, existing)
  const ownership = ownershipOf(existing, input.zillizProjectId, addressDescription(input.zillizProjectId))
  if (ownership === 'unproven') refuseLookAlike('address', name, remedy(input))
  if (existing.status === 'RESERVING') {
    // An insert still runs (another run, or one whose answer was lost): wait for it, as for any other wait.
    // Found settled, the address is checked again before the endpoint uses it.
    return [
      {
        ...base,
        action: 'wait',
        reason: `address ${name} is RESERVING; apply waits until it is reserved`,
        run: async (ctx) => {
          const settled = await settledAddress(input, ctx)
          const address = settled?.ip ? usable(input, settled) : ((await reserve(input, ctx)) ?? (await readBack(input, ctx)))
          await labelAddress(input, ctx, address)
          input.onReady(address.ip)
        }
      },
      ipStep(name, { action: 'keep', reason: `read by ${ADDRESS_STEP} once the address is reserved` })
    ]
  }
  input.onReady(existing.ip)
  const where = `reserved at ${existing.ip} in ${lastSegment(existing.subnetwork)}`
  const labels = restoreLabels(input, existing, ownership)
  return [labels ? { ...base, action: 'update', reason: `${where}; ${labels.reason}`, run: labels.run } : { ...base, action: 'keep', reason: where }, knownIp(name, existing.ip)]
}

const knownIp = (name: string, ip: string) => ipStep(name, { action: 'keep', reason: `${ip}, read by the plan` })

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
 * The steps when the endpoint already exists: its address is in use, nothing to reserve. When the endpoint
 * is ours and uses the address of our name, that address gets back labels it lacks (its labels are set
 * beside the endpoint's insert, so a run can stop with the endpoint made and the address unlabelled).
 */
export function addressInUse(input: {
  name: string
  ip: string
  reason: string
  onReady: (ip: string) => void
  ours?: { compute: ComputeApi; region: string; labels: Record<string, string>; zillizProjectId: string; existing: ObservedAddress | undefined }
}): PlannedStep[] {
  const { name, ip, reason, ours } = input
  input.onReady(ip)
  const base = { id: ADDRESS_STEP, kind: 'gcp.address', name, dependsOn: [] }
  const existing = ours?.existing
  const kept: PlannedStep = { ...base, action: 'keep', reason }
  if (!ours || !existing || existing.ip !== ip) return [kept, knownIp(name, ip)]
  const ownership = ownershipOf(existing, ours.zillizProjectId, addressDescription(ours.zillizProjectId))
  const labels = ownership === 'unproven' ? undefined : restoreLabels({ ...ours, name }, existing, ownership)
  return [labels ? { ...base, action: 'update', reason: `${reason}; ${labels.reason}`, run: labels.run } : kept, knownIp(name, ip)]
}
