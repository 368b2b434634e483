// The parts every EC2 Describe/Create call shares: filters, pagination, tags and id lists.
import type { Tag } from './ec2-model.js'
import { wildcardMatch } from './names.js'
import { AwsError, itemSet, type QueryParams, type XmlList } from './xml.js'

/** Filter name → the values an item has for it; `tag:<key>` and `tag-key` come for free. */
export type FilterFields<T> = Record<string, (item: T) => Array<string | undefined>>

export function applyFilters<T extends { tags: Tag[] }>(items: T[], params: QueryParams, fields: FilterFields<T>): T[] {
  const filters = params.filters()
  for (const filter of filters) {
    if (!(filter.name in fields) && !filter.name.startsWith('tag:') && filter.name !== 'tag-key') {
      throw new AwsError(400, 'InvalidParameterValue', `The filter '${filter.name}' is invalid`)
    }
  }
  return items.filter((item) =>
    filters.every((filter) => {
      const have = valuesFor(item, filter.name, fields)
      return filter.values.some((wanted) => have.some((value) => value !== undefined && wildcardMatch(wanted, value)))
    })
  )
}

function valuesFor<T extends { tags: Tag[] }>(item: T, name: string, fields: FilterFields<T>): Array<string | undefined> {
  if (name.startsWith('tag:')) return item.tags.filter((t) => t.key === name.slice(4)).map((t) => t.value)
  if (name === 'tag-key') return item.tags.map((t) => t.key)
  return fields[name]!(item)
}

/** Picks the items named by `prefix.N`, failing with the NotFound of the first unknown id. */
export function selectByIds<T>(params: QueryParams, prefix: string, lookup: (id: string) => T, all: () => T[]): T[] {
  const ids = params.list(prefix)
  return ids.length === 0 ? all() : ids.map(lookup)
}

export interface Page<T> {
  items: T[]
  nextToken?: string
}

export interface PageLimits {
  /** Smallest MaxResults the operation accepts. */
  min: number
  /** True when the operation silently caps MaxResults at 1000 instead of rejecting larger values. */
  capAt1000: boolean
}

/** MaxResults/NextToken paging; the token is an opaque offset, as callers must treat it. */
export function paginate<T>(items: T[], params: QueryParams, limits: PageLimits = { min: 5, capAt1000: false }): Page<T> {
  const max = params.int('MaxResults')
  if (max !== undefined && (max < limits.min || (max > 1000 && !limits.capAt1000))) {
    throw new AwsError(
      400,
      'InvalidParameterValue',
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and 1000.`
    )
  }
  const pageSize = Math.min(max ?? 1000, 1000)
  const token = params.get('NextToken')
  const start = token === undefined ? 0 : decodeOffset(token)
  const end = start + pageSize
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: encodeOffset(end) } : {}) }
}

const encodeOffset = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64url')

function decodeOffset(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown }
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset
  } catch {
    // fall through to the error below
  }
  throw new AwsError(400, 'InvalidPaginationToken', `Invalid pagination token: ${token}`)
}

/** `Tag.N.Key/Value` at the given prefix (CreateTags uses `Tag`, TagSpecification nests it). */
export function tagsAt(params: QueryParams, prefix = 'Tag'): Tag[] {
  return params.members(prefix).map((t) => ({ key: t.require('Key'), value: t.get('Value') ?? '' }))
}

/** Tags from `TagSpecification.N` for one resource type; another type is the real API's error. */
export function tagSpecifications(params: QueryParams, resourceType: string): Tag[] {
  return params.members('TagSpecification').flatMap((spec) => {
    const type = spec.get('ResourceType')
    if (type !== resourceType) {
      throw new AwsError(400, 'InvalidParameterValue', `'${type ?? ''}' is not a valid taggable resource type for this operation.`)
    }
    return tagsAt(spec)
  })
}

/** Adds or replaces tags by key, as CreateTags does. */
export function mergeTags(existing: Tag[], added: Tag[]): void {
  for (const tag of added) {
    const current = existing.find((t) => t.key === tag.key)
    if (current) current.value = tag.value
    else existing.push({ ...tag })
  }
}

export const tagSet = (tags: Tag[]): XmlList => itemSet(tags.map((t) => ({ key: t.key, value: t.value })))
