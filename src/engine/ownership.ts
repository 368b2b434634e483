// Deterministic names and ownership tags: how a later run finds what an earlier run created.
import { createHash } from 'node:crypto'
import type { Config } from '../config/types.js'

export const TAG_PREFIX = 'zilliz-private-link:'
export const MANAGED_BY_TAG = `${TAG_PREFIX}managed-by`
export const PROJECT_TAG = `${TAG_PREFIX}project`
export const REGION_TAG = `${TAG_PREFIX}region`
export const REPOSITORY_TAG = `${TAG_PREFIX}repository`
export const MANAGED_BY = 'zilliz-private-link'

/** User tags plus the action's ownership tags (which win over user tags of the same key). */
export function resourceTags(config: Config, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    ...config.tags,
    [MANAGED_BY_TAG]: MANAGED_BY,
    [PROJECT_TAG]: config.zilliz.projectId,
    [REGION_TAG]: config.zilliz.regionId,
    [REPOSITORY_TAG]: env['GITHUB_REPOSITORY'] ?? 'local'
  }
}

/** Short stable digest of the parts, for names and idempotency tokens. */
export function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 12)
}

/** A base name unique per project and region: '<prefix>-<digest of project and region>' */
export function baseName(config: Config): string {
  return `${config.namePrefix}-${digest(config.zilliz.projectId, config.zilliz.regionId)}`
}

/**
 * The run-independent head of idempotencyToken: a resource whose create call carried a token with this
 * head was created by this action for this key (AWS keeps a hosted zone's CallerReference for life).
 */
export function ownershipMarker(kind: string, key: string): string {
  return `zpl-${kind}-${digest(key)}-`
}

/**
 * An idempotency token for one create call. Stable within a run attempt (so the SDK's own retries and a
 * repeated call reuse it), new per attempt, so a resource deleted by hand is created again next run.
 */
export function idempotencyToken(kind: string, key: string, env: NodeJS.ProcessEnv = process.env): string {
  const run = env['GITHUB_RUN_ID'] ? `${env['GITHUB_RUN_ID']}-${env['GITHUB_RUN_ATTEMPT'] ?? '1'}` : `local-${process.pid}`
  return `${ownershipMarker(kind, key)}${run}`.slice(0, 64)
}

/** The Azure private endpoint's name: the input, or the base name. */
export function azureEndpointName(config: Config): string {
  return config.azure?.endpointName ?? baseName(config)
}

/** The ownership tags alone (no user tags): what proves a resource is this action's for this target. */
export function ownershipTags(config: Config, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const tags = resourceTags(config, env)
  return Object.fromEntries([MANAGED_BY_TAG, PROJECT_TAG, REGION_TAG, REPOSITORY_TAG].map((key) => [key, tags[key] ?? '']))
}

export type Ownership = { owned: true } | { owned: false; reason: string }

/** What the ownership tags after managed-by name, in ownershipTags' order. */
const OWNERSHIP_WORDS = ['Zilliz project', 'Zilliz region', 'repository']

/**
 * Whether a resource's tags (or labels, with `expected` spelt the same way and in ownershipTags' order)
 * make it this action's for this project, region and repository; if not, why, in words for the kept list.
 */
export function ownershipOf(tags: Record<string, string> | undefined, expected: Record<string, string>): Ownership {
  const [managed, ...rest] = Object.entries(expected)
  if (!managed || !tags || tags[managed[0]] !== managed[1]) return { owned: false, reason: 'not made by this action (no zilliz-private-link ownership tags)' }
  for (const [index, [key, value]] of rest.entries()) {
    if (tags[key] !== value) return { owned: false, reason: `made by zilliz-private-link for another ${OWNERSHIP_WORDS[index] ?? key} (${tags[key] ?? 'none'}, not ${value})` }
  }
  return { owned: true }
}
