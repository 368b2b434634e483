// What every Compute handler works with, and the validation helpers they share.
import type { EmulatorResponse } from '../core/service.js'
import type { World } from '../core/world.js'
import type { ComputeState } from './compute-model.js'
import type { GcpOrganization } from './organization.js'
import type { ComputeOperations, OperationSpec } from './compute-operations.js'
import { alreadyExists, invalid, json } from './google-wire.js'

export interface ComputeSettings {
  /** Time between Zilliz's acceptance and the connection turning ACCEPTED */
  acceptanceDelayMs: number
}

export interface ComputeContext {
  /** The project the request addresses */
  state: ComputeState
  /** Every project, their Shared VPC relations and IAM */
  org: GcpOrganization
  operations: ComputeOperations
  world: World
  settings: ComputeSettings
  /** Forwarding rule names Zilliz has accepted (a rule created later with such a name is accepted at once) */
  accepted: Set<string>
  /** Names whose insert is still running: a second insert is a conflict */
  pending: Set<string>
  /** Who is calling (the service account or federated principal): the operation's `user`, whom IAM checks */
  user: string
  requestId: string | null
  now(): number
}

const NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/

/** Google's 403 unless the caller holds the permission on the resource's project (a path from projects/). */
export function requirePermission(ctx: ComputeContext, permission: string, resource: string): void {
  ctx.org.iam.require(ctx.user, permission, resource)
}

export function checkName(value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value))
    throw invalid(`Invalid value for field 'resource.name': '${String(value ?? '')}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`)
  return value
}

/** Reserves a name (by the resource's path) for the duration of its insert; taken or reserved names are a 409. */
export function claimName(ctx: ComputeContext, path: string, exists: boolean): () => void {
  if (exists || ctx.pending.has(path)) throw alreadyExists(`projects/${ctx.state.project}/${path}`)
  ctx.pending.add(path)
  return () => ctx.pending.delete(path)
}

export function stringList(value: unknown, field: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalid(`Invalid value for field 'resource.${field}'.`)
  return value as string[]
}

export function labelsOf(value: unknown): Record<string, string> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid("Invalid value for field 'resource.labels'.")
  for (const [key, v] of Object.entries(value)) {
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(key) || typeof v !== 'string' || !/^[a-z0-9_-]{0,63}$/.test(v))
      throw invalid(`Invalid value for field 'resource.labels': '${key}'. Label keys and values may contain only lowercase letters, digits, _ and -.`)
  }
  return value as Record<string, string>
}

export const nowStamp = (ms: number) => new Date(ms).toISOString().replace('Z', '-00:00')

export const ok = (body: unknown): EmulatorResponse => json(200, body)

/** Starts an insert or patch operation on behalf of this call (its caller and requestId) and answers with it. */
export function startOperation(ctx: ComputeContext, spec: Omit<OperationSpec, 'user' | 'requestId'>): EmulatorResponse {
  return ok(ctx.operations.start({ ...spec, user: ctx.user, requestId: ctx.requestId ?? undefined }))
}
