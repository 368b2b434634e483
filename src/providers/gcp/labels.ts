// GCP labels allow only lowercase letters, digits, _ and - (keys start with a letter), at most 63
// characters. The ownership tags use ':' and carry values such as 'owner/repo', so they are rewritten.
// User tags were checked against these rules when the inputs were parsed, so they pass unchanged.
import { PROJECT_TAG } from '../../engine/ownership.js'

const MAX = 63

function labelText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, MAX)
}

export function labelKey(tagKey: string): string {
  const key = labelText(tagKey)
  return /^[a-z]/.test(key) ? key : `z${key}`.slice(0, MAX)
}

export function toLabels(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [labelKey(key), labelText(value)]))
}

/** True when the labels say the resource was made by this action for this Zilliz project. */
export function ownedBy(labels: Record<string, string> | undefined, zillizProjectId: string): boolean {
  return labels?.[labelKey(PROJECT_TAG)] === labelText(zillizProjectId)
}
