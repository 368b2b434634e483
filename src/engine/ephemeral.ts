// Short-lived resources the action creates only to prove the link from inside the network (a network
// interface and insights path for an analysis, a connectivity test, a probe function). Their life has four
// rules, the same on every cloud:
//   1. the create call itself carries the ownership tags, the purpose and an expiry (a crash right after it
//      leaves nothing unmarked);
//   2. a run deletes what it made in `finally`, newest first;
//   3. on cancellation the deletes start at once, before anything else the run still does;
//   4. every run that may write begins by deleting ours whose expiry passed (a run killed before its
//      `finally`), and destroy removes all of them.
// Providers only describe each kind: how to list ours back by the markers and how to delete one.
import type { Logger } from '../base/log.js'
import type { Config } from '../config/types.js'
import { resourceTags, TAG_PREFIX } from './ownership.js'
import { early } from '../base/settle.js'

/** Seconds since the epoch (decimal digits: valid as an AWS tag, an Azure tag and a GCP label value). */
export const EXPIRES_TAG = `${TAG_PREFIX}expires`
/** What the resource proves: 'path-analysis' or 'probe' */
export const PURPOSE_TAG = `${TAG_PREFIX}purpose`

/**
 * An analysis or a probe is over within minutes; an hour leaves room for a slow cloud and a long wait,
 * while the next run after a crash is usually later than that and finds the leftovers expired.
 */
export const EPHEMERAL_TTL_MS = 60 * 60 * 1000

export type EphemeralPurpose = 'path-analysis' | 'probe'

/** The tags a proof resource's create call carries: ownership (with the user's tags), purpose and expiry. */
export function ephemeralTags(config: Config, purpose: EphemeralPurpose, now: number, ttlMs = EPHEMERAL_TTL_MS, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { ...resourceTags(config, env), [PURPOSE_TAG]: purpose, [EXPIRES_TAG]: String(Math.ceil((now + ttlMs) / 1000)) }
}

/** The expiry an EXPIRES_TAG value gives, in epoch ms; undefined when absent or unreadable. */
export function expiryOf(value: string | undefined): number | undefined {
  return value && /^\d{1,12}$/.test(value) ? Number(value) * 1000 : undefined
}

/** One proof resource of ours, as found by its markers or as just created. */
export interface EphemeralResource {
  /** e.g. 'aws.network-interface', 'gcp.connectivity-test' */
  kind: string
  /** The id or name the cloud knows it by */
  name: string
  /** Epoch ms after which any run may delete it; undefined: kept until destroy (e.g. a standing probe) */
  expiresAt?: number
  /**
   * Deletes it and waits until the cloud has; a resource already gone counts as deleted. Whatever it needs
   * gone first (an analysis before its path) it deletes itself, so resources delete independently.
   */
  remove(): Promise<void>
}

/** One kind of proof resource a provider can find again. */
export interface EphemeralKind {
  kind: string
  /** Kept until destroy (a standing probe): never expires, so the sweep does not list it */
  standing?: boolean
  /** Every resource of the kind whose markers make it the action's own for this project, region and repository */
  list(): Promise<EphemeralResource[]>
}

/** How one deletion ended, for the log and the summary. */
export interface EphemeralRemoval {
  kind: string
  name: string
  /** ISO time the resource expired, for sweeps */
  expiredAt?: string
  deleted: boolean
  /** Why it is still there */
  error?: string
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

async function removeOne(resource: EphemeralResource, log: Logger): Promise<EphemeralRemoval> {
  const expiredAt = resource.expiresAt === undefined ? {} : { expiredAt: new Date(resource.expiresAt).toISOString() }
  try {
    await resource.remove()
    log.info(`Deleted ${resource.kind} ${resource.name}`)
    return { kind: resource.kind, name: resource.name, ...expiredAt, deleted: true }
  } catch (error) {
    const when = resource.expiresAt === undefined ? 'destroy removes it' : `it expires at ${new Date(resource.expiresAt).toISOString()} and the next run deletes it`
    log.warning(`Could not delete ${resource.kind} ${resource.name} (${when}): ${messageOf(error)}`)
    return { kind: resource.kind, name: resource.name, ...expiredAt, deleted: false, error: messageOf(error) }
  }
}

/**
 * The proof resources of one run. `create` keeps what it made; `release` deletes everything kept, newest first,
 * and never throws (a failed delete is logged and reported; the expiry tag lets a later run finish it).
 * When the run's signal aborts, the release starts at once; a create still in flight at that moment is
 * deleted as soon as it returns.
 */
export class EphemeralScope {
  private readonly held: EphemeralResource[] = []
  private readonly removals: EphemeralRemoval[] = []
  private releasing = false
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly log: Logger,
    private readonly signal?: AbortSignal
  ) {
    signal?.addEventListener('abort', () => void this.release(), { once: true })
  }

  get cancelled(): boolean {
    return this.signal?.aborted ?? false
  }

  /** Runs a create and keeps its resource for deletion. Refuses to start once the run is cancelled. */
  async create<T extends EphemeralResource>(make: () => Promise<T>): Promise<T> {
    if (this.releasing || this.cancelled) throw new Error('The run was cancelled; no proof resource is created.')
    const resource = await make()
    this.held.push(resource)
    if (this.releasing) void this.release()
    return resource
  }

  /** Deletes everything kept, newest first; resolves when every delete ended, with how each ended. */
  release(): Promise<EphemeralRemoval[]> {
    this.releasing = true
    const batch = this.held.splice(0).reverse()
    this.chain = this.chain.then(async () => {
      for (const resource of batch) this.removals.push(await removeOne(resource, this.log))
    })
    return this.chain.then(() => [...this.removals])
  }
}

/** Runs work with a scope whose resources are deleted in `finally`, whatever work did. */
export async function withEphemeral<T>(log: Logger, signal: AbortSignal | undefined, work: (scope: EphemeralScope) => Promise<T>): Promise<T> {
  const scope = new EphemeralScope(log, signal)
  try {
    return await work(scope)
  } finally {
    await scope.release()
  }
}

/** What a sweep found: the expired resources it deleted (or could not), and the kinds it could not list. */
export interface Sweep {
  removed: EphemeralRemoval[]
  unlisted: { kind: string; error: string }[]
}

/**
 * Deletes the proof resources of ours whose expiry passed, kind by kind in the order given (a kind that
 * others depend on comes last), the resources of one kind in parallel.
 */
export async function sweepExpired(kinds: EphemeralKind[], now: number, log: Logger): Promise<Sweep> {
  const sweep: Sweep = { removed: [], unlisted: [] }
  const swept = kinds.filter((k) => !k.standing)
  // No listing needs another's answer, so all go out at once; the deletions still go kind by kind, in the
  // order given (a path before the interface it starts from).
  const listings = swept.map((kind) => early(kind.list()))
  for (const [index, kind] of swept.entries()) {
    let found: EphemeralResource[]
    try {
      found = await (listings[index] as Promise<EphemeralResource[]>)
    } catch (error) {
      log.warning(`Could not list ${kind.kind} resources to delete expired ones: ${messageOf(error)}`)
      sweep.unlisted.push({ kind: kind.kind, error: messageOf(error) })
      continue
    }
    const expired = found.filter((r) => r.expiresAt !== undefined && r.expiresAt <= now)
    sweep.removed.push(...(await Promise.all(expired.map((r) => removeOne(r, log)))))
  }
  return sweep
}
