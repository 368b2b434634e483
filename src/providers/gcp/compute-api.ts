// The Compute Engine v1 REST calls the action makes, with typed request and response shapes. Inserts
// and patches return an Operation, polled through operations.wait until DONE; a DONE operation may
// still carry an error, which becomes a GoogleApiError like a synchronous one.
import type { Logger } from '../../base/log.js'
import type { Observations } from '../../base/observations.js'
import { createOrAdopt, NotVisibleYetError } from '../../engine/adopt.js'
import type { StepContext } from '../../engine/plan.js'
import { reissue } from '../../engine/reissue.js'
import { waitFor } from '../../engine/wait.js'
import { GoogleApiError, isAlreadyExists, isNotFound, isRetryableGoogleError, type GoogleHttp } from './google-http.js'
import { requestId, resourcePath } from './names.js'

export type PscConnectionStatus = 'STATUS_UNSPECIFIED' | 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'CLOSED' | 'NEEDS_ATTENTION'

export interface Operation {
  name: string
  status: 'PENDING' | 'RUNNING' | 'DONE'
  operationType?: string
  targetLink?: string
  selfLink?: string
  region?: string
  error?: { errors?: { code?: string; message?: string }[] }
  httpErrorStatusCode?: number
  httpErrorMessage?: string
}

export interface Network {
  name: string
  selfLink?: string
  subnetworks?: string[]
  /** AFTER_CLASSIC_FIREWALL (default) or BEFORE_CLASSIC_FIREWALL: where the network firewall policy sits */
  networkFirewallPolicyEnforcementOrder?: string
}

/** A rule of a firewall policy as networks.getEffectiveFirewalls returns it. */
export interface PolicyRule {
  priority?: number
  action?: string
  direction?: string
  disabled?: boolean
  ruleName?: string
  description?: string
  match?: { destIpRanges?: string[]; srcIpRanges?: string[]; layer4Configs?: { ipProtocol?: string; ports?: string[] }[] }
  targetServiceAccounts?: string[]
  targetSecureTags?: unknown[]
  targetResources?: string[]
}

export interface EffectivePolicy {
  name?: string
  shortName?: string
  type?: string
  rules?: PolicyRule[]
}

/** networks.getEffectiveFirewalls: the VPC rules and the firewall policies (hierarchical, network) in force. */
export interface EffectiveFirewalls {
  firewalls?: Firewall[]
  firewallPolicys?: EffectivePolicy[]
}

export interface Subnetwork {
  name: string
  selfLink?: string
  network: string
  region: string
  ipCidrRange: string
  secondaryIpRanges?: { rangeName?: string; ipCidrRange: string }[]
}

export interface Address {
  name: string
  selfLink?: string
  address?: string
  addressType?: 'INTERNAL' | 'EXTERNAL'
  purpose?: string
  status?: 'RESERVING' | 'RESERVED' | 'IN_USE'
  subnetwork?: string
  users?: string[]
  description?: string
  labels?: Record<string, string>
  labelFingerprint?: string
}

/** Labels are set afterwards with setLabels (see PscForwardingRuleInsert). */
export interface AddressInsert {
  name: string
  addressType: 'INTERNAL'
  purpose: 'GCE_ENDPOINT'
  subnetwork: string
  description: string
}

/** The regional resources whose labels only setLabels changes. */
export type LabelledCollection = 'addresses' | 'forwardingRules'

export interface ForwardingRule {
  name: string
  selfLink?: string
  /** An IP literal in responses */
  IPAddress?: string
  target?: string
  network?: string
  loadBalancingScheme?: string
  pscConnectionId?: string
  pscConnectionStatus?: PscConnectionStatus
  allowPscGlobalAccess?: boolean
  description?: string
  /** Guards patches: sent back with the change, a stale one is 412 */
  fingerprint?: string
  labels?: Record<string, string>
  labelFingerprint?: string
}

/** forwardingRules.patch for global access, as gcloud sends it: the name, the current fingerprint, the field. */
export interface ForwardingRuleGlobalAccessPatch {
  name: string
  fingerprint: string
  allowPscGlobalAccess: boolean
}

/**
 * A PSC endpoint to a published service: the service attachment as target, and no loadBalancingScheme.
 * The discovery document's enum for that field has no value for a PSC endpoint (EXTERNAL … INVALID, no
 * empty string), and Google's "Access published services through endpoints" REST example sends only
 * name, IPAddress, network and target (cloud.google.com/vpc/docs/configure-private-service-connect-services).
 * Labels are not sent here: the document says they "can only be added or modified by the setLabels method".
 */
export interface PscForwardingRuleInsert {
  name: string
  network: string
  /** The reserved address, by path */
  IPAddress: string
  target: string
  allowPscGlobalAccess: boolean
  description: string
}

export interface FirewallAllowed {
  IPProtocol: string
  ports?: string[]
}

export interface Firewall {
  name: string
  selfLink?: string
  network: string
  direction?: 'INGRESS' | 'EGRESS'
  priority?: number
  sourceRanges?: string[]
  destinationRanges?: string[]
  allowed?: FirewallAllowed[]
  denied?: FirewallAllowed[]
  disabled?: boolean
  description?: string
  targetTags?: string[]
  targetServiceAccounts?: string[]
}

export type FirewallInsert = Required<Pick<Firewall, 'name' | 'network' | 'direction' | 'priority' | 'destinationRanges' | 'allowed' | 'description'>>
/** The discovery document marks `name` required for firewalls.patch as for insert. */
export type FirewallPatch = Pick<Firewall, 'name'> & Pick<Firewall, 'priority' | 'destinationRanges' | 'allowed' | 'disabled'>

interface ListPage<T> {
  items?: T[]
  nextPageToken?: string
}

interface AggregatedPage<T> {
  items?: Record<string, Record<string, T[] | undefined>>
  nextPageToken?: string
}

const orUndefined = <T>(call: Promise<T>): Promise<T | undefined> =>
  call.catch((error: unknown) => {
    if (isNotFound(error)) return undefined
    throw error
  })

// Operation errors Google asks clients to retry (with backoff): the request was fine, the backend was not.
const TRANSIENT_OPERATION_CODES = new Set(['INTERNAL_ERROR', 'RESOURCE_NOT_READY', 'RESOURCE_OPERATION_RATE_EXCEEDED', 'RATE_LIMIT_EXCEEDED', 'SERVICE_UNAVAILABLE'])

/** A Compute operation that finished DONE with an error. */
export class OperationFailedError extends GoogleApiError {
  constructor(
    status: number,
    reason: string,
    message: string,
    /** The same write, issued again, can succeed */
    readonly transient: boolean
  ) {
    super(status, reason, message)
    this.name = 'OperationFailedError'
  }
}

function operationError(op: Operation): OperationFailedError {
  const first = op.error?.errors?.[0]
  const status = op.httpErrorStatusCode ?? 400
  // The operation's error codes (RESOURCE_ALREADY_EXISTS, …) map onto the synchronous reasons callers test for.
  const reason = first?.code === 'RESOURCE_ALREADY_EXISTS' ? 'alreadyExists' : first?.code === 'RESOURCE_NOT_FOUND' ? 'notFound' : (first?.code ?? '')
  const messages = (op.error?.errors ?? []).map((e) => e.message).filter(Boolean).join('; ')
  const target = resourcePath(op.targetLink).split('/').slice(-2).join(' ')
  const transient = (op.error?.errors ?? []).every((e) => TRANSIENT_OPERATION_CODES.has(e.code ?? '')) || status >= 500
  return new OperationFailedError(
    status,
    reason,
    `${op.operationType ?? 'change'} of ${target || 'the resource'} failed: operation ${op.name} ended with ${first?.code ?? 'an error'}: ${messages || op.httpErrorMessage || 'no message'}`,
    transient
  )
}

/** Failures a later attempt of the same write can get past. */
export function isTransientWriteFailure(error: unknown): boolean {
  return isRetryableGoogleError(error) || (error instanceof OperationFailedError && error.transient) || error instanceof NotVisibleYetError
}

/** One Compute write (an insert or a patch) followed to its end, issued again while it fails transiently. */
export interface ComputeWrite<T> {
  /** e.g. 'address zilliz-pl-…-ip to be reserved' */
  what: string
  /** Source of the requestId: kind and key, plus the attempt from the second one on */
  request: { kind: string; key: string }
  send(requestId: string): Promise<Operation>
  /** An insert: alreadyExists means an earlier attempt made it, and it is adopted */
  insert: boolean
  /** Reads the resource as the write wants it: a value ends the write (adopted), undefined writes again */
  observe(): Promise<T | undefined>
  /** The result once the operation ended well */
  done(): Promise<T>
}

export class ComputeApi {
  private readonly root: string

  constructor(
    private readonly http: GoogleHttp,
    baseUrl: string,
    readonly project: string,
    private readonly log?: Logger,
    private readonly observations?: Observations
  ) {
    this.root = `${baseUrl}/compute/v1`
  }

  private url(path: string): string {
    return `${this.root}/projects/${this.project}/${path}`
  }

  /** Reads are shared by plan, inventory and verify while the run writes nothing (base/observations.ts). */
  private get<T>(path: string, what: string, query?: Record<string, string | undefined>): Promise<T> {
    const read = () => this.http.request<T>({ method: 'GET', url: this.url(path), query, what })
    return this.observations ? this.observations.read(`compute:GET ${this.url(path)} ${JSON.stringify(query ?? {})}`, read) : read()
  }

  /** A read where 404 means "there is none": shared as that answer, so a later identical read is not sent again. */
  private find<T>(path: string, what: string): Promise<T | undefined> {
    const read = () => orUndefined(this.http.request<T>({ method: 'GET', url: this.url(path), what }))
    return this.observations ? this.observations.read(`compute:FIND ${this.url(path)}`, read) : read()
  }

  private async list<T>(path: string, what: string): Promise<T[]> {
    const items: T[] = []
    let pageToken: string | undefined
    do {
      const page = await this.get<ListPage<T>>(path, what, { maxResults: '500', pageToken })
      items.push(...(page.items ?? []))
      pageToken = page.nextPageToken
    } while (pageToken)
    return items
  }

  // A repeated requestId makes the write safe to send again: Compute answers with the first operation.
  private write(method: 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, requestId: string, what: string): Promise<Operation> {
    return this.http.request<Operation>({ method, url: this.url(path), query: { requestId }, body, what, idempotent: true })
  }

  getNetwork(name: string): Promise<Network> {
    return this.get(`global/networks/${name}`, `networks.get ${name}`)
  }

  getSubnetwork(region: string, name: string): Promise<Subnetwork | undefined> {
    return this.find(`regions/${region}/subnetworks/${name}`, `subnetworks.get ${name}`)
  }

  /** Every subnetwork of that name in any region (to say where a subnetwork is when it is not in the region). */
  async findSubnetworks(name: string): Promise<Subnetwork[]> {
    const found: Subnetwork[] = []
    let pageToken: string | undefined
    do {
      const page = await this.get<AggregatedPage<Subnetwork>>('aggregated/subnetworks', 'subnetworks.aggregatedList', { maxResults: '500', pageToken })
      for (const scope of Object.values(page.items ?? {})) found.push(...(scope['subnetworks'] ?? []).filter((s) => s.name === name))
      pageToken = page.nextPageToken
    } while (pageToken)
    return found
  }

  getAddress(region: string, name: string): Promise<Address | undefined> {
    return this.find(`regions/${region}/addresses/${name}`, `addresses.get ${name}`)
  }

  insertAddress(region: string, body: AddressInsert, requestId: string): Promise<Operation> {
    return this.write('POST', `regions/${region}/addresses`, body, requestId, `addresses.insert ${body.name}`)
  }

  deleteAddress(region: string, name: string, requestId: string): Promise<Operation> {
    return this.write('DELETE', `regions/${region}/addresses/${name}`, undefined, requestId, `addresses.delete ${name}`)
  }

  getForwardingRule(region: string, name: string): Promise<ForwardingRule | undefined> {
    return this.find(`regions/${region}/forwardingRules/${name}`, `forwardingRules.get ${name}`)
  }

  listForwardingRules(region: string): Promise<ForwardingRule[]> {
    return this.list(`regions/${region}/forwardingRules`, 'forwardingRules.list')
  }

  insertForwardingRule(region: string, body: PscForwardingRuleInsert, requestId: string): Promise<Operation> {
    return this.write('POST', `regions/${region}/forwardingRules`, body, requestId, `forwardingRules.insert ${body.name}`)
  }

  /** Replaces the labels of an address or forwarding rule; labelFingerprint is the one last read. */
  setLabels(collection: LabelledCollection, region: string, name: string, labels: Record<string, string>, labelFingerprint: string, requestId: string): Promise<Operation> {
    const what = collection === 'addresses' ? `addresses.setLabels ${name}` : `forwardingRules.setLabels ${name}`
    return this.write('POST', `regions/${region}/${collection}/${name}/setLabels`, { labels, labelFingerprint }, requestId, what)
  }

  patchForwardingRule(region: string, name: string, body: ForwardingRuleGlobalAccessPatch, requestId: string): Promise<Operation> {
    return this.write('PATCH', `regions/${region}/forwardingRules/${name}`, body, requestId, `forwardingRules.patch ${name}`)
  }

  deleteForwardingRule(region: string, name: string, requestId: string): Promise<Operation> {
    return this.write('DELETE', `regions/${region}/forwardingRules/${name}`, undefined, requestId, `forwardingRules.delete ${name}`)
  }

  getFirewall(name: string): Promise<Firewall | undefined> {
    return this.find(`global/firewalls/${name}`, `firewalls.get ${name}`)
  }

  listFirewalls(): Promise<Firewall[]> {
    return this.list('global/firewalls', 'firewalls.list')
  }

  insertFirewall(body: FirewallInsert, requestId: string): Promise<Operation> {
    return this.write('POST', 'global/firewalls', body, requestId, `firewalls.insert ${body.name}`)
  }

  patchFirewall(name: string, body: FirewallPatch, requestId: string): Promise<Operation> {
    return this.write('PATCH', `global/firewalls/${name}`, body, requestId, `firewalls.patch ${name}`)
  }

  /**
   * Sends the write and follows its operation to DONE. An operation that ended with a transient error, a
   * poll that gave up, or a duplicate that cannot be read yet is not final: the resource is observed
   * and, if it is not as wanted, the write sent again with a new requestId (see engine/reissue.ts).
   */
  apply<T>(write: ComputeWrite<T>, ctx: StepContext): Promise<T> {
    return reissue({
      deadline: ctx.deadline,
      signal: ctx.signal,
      isTransient: isTransientWriteFailure,
      observe: write.observe,
      onRetry: (error, attempt, delay) => this.log?.warning(`${write.what}: attempt ${attempt} failed (${(error as Error).message}); observing and trying again in ${delay} ms`),
      issue: (attempt) => {
        const send = async () => {
          const op = await write.send(requestId(write.request.kind, write.request.key, attempt))
          await this.complete(op, write.what, ctx)
          return write.done()
        }
        return write.insert ? createOrAdopt({ create: send, isDuplicate: isAlreadyExists, find: write.observe }) : send()
      }
    })
  }

  deleteFirewall(name: string, requestId: string): Promise<Operation> {
    return this.write('DELETE', `global/firewalls/${name}`, undefined, requestId, `firewalls.delete ${name}`)
  }

  getEffectiveFirewalls(network: string): Promise<EffectiveFirewalls> {
    return this.get(`global/networks/${network}/getEffectiveFirewalls`, `networks.getEffectiveFirewalls ${network}`)
  }

  /** Waits until the operation is DONE (operations.wait returns early, so it is called until then). */
  async complete(started: Operation, what: string, ctx: StepContext): Promise<void> {
    let op = started
    if (op.status !== 'DONE') {
      op = await waitFor({
        what,
        deadline: ctx.deadline,
        signal: ctx.signal,
        minDelayMs: 100,
        maxDelayMs: 2000,
        poll: async () => {
          const current = await this.waitOperation(op)
          return { done: current.status === 'DONE', value: current, state: `operation ${current.name} ${current.status}` }
        }
      })
    }
    if (op.error?.errors?.length) throw operationError(op)
  }

  private waitOperation(op: Operation): Promise<Operation> {
    // The selfLink names the scope (regions/… or global); only its path is used, so base URL overrides hold.
    const path = op.selfLink ? resourcePath(op.selfLink) : `projects/${this.project}/global/operations/${op.name}`
    return this.http.request<Operation>({ method: 'POST', url: `${this.root}/${path}/wait`, what: `operations.wait ${op.name}`, timeoutMs: 150_000, idempotent: true })
  }
}
