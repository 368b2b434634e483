// With many clusters, per-cluster rows (a zone and a record per cluster) would bury the shared ones: the
// summary and the PR comment show shared rows, anything failed, and one line per kind, and fold the rest.
import type { Check } from '../base/checks.js'
import type { ReportedStep, RunResult } from './model.js'

/** Up to this many clusters every row is shown as is. */
export const COLLAPSE_AFTER_CLUSTERS = 3

export interface Split<T> {
  /** Shown in full: shared rows and every failed one */
  shown: T[]
  /** Folded: per-cluster rows that need no attention */
  folded: T[]
}

/** Step and check ids of per-cluster items end in `:<clusterId>`. */
function clusterOf(id: string, clusters: Set<string>): string | undefined {
  const at = id.lastIndexOf(':')
  const candidate = at >= 0 ? id.slice(at + 1) : ''
  return clusters.has(candidate) ? candidate : undefined
}

export function collapses(result: RunResult): boolean {
  return result.links.length > COLLAPSE_AFTER_CLUSTERS
}

function split<T extends { id: string }>(result: RunResult, items: T[], failed: (item: T) => boolean): Split<T> {
  if (!collapses(result)) return { shown: items, folded: [] }
  const clusters = new Set(result.links.map((l) => l.clusterId))
  const folded = items.filter((item) => clusterOf(item.id, clusters) !== undefined && !failed(item))
  const keep = new Set(folded)
  return { shown: items.filter((item) => !keep.has(item)), folded }
}

export function splitSteps(result: RunResult): Split<ReportedStep> {
  return split(result, result.steps, (s) => s.status === 'failed')
}

export function splitChecks(result: RunResult, checks: Check[] = result.checks): Split<Check> {
  return split(result, checks, (c) => c.status === 'fail')
}

/** One line per kind of folded step, e.g. "aws.route53-private-zone × 50: 50 create, 50 done". */
export function stepRollup(steps: ReportedStep[]): string[] {
  const byKind = new Map<string, ReportedStep[]>()
  for (const step of steps) byKind.set(step.kind, [...(byKind.get(step.kind) ?? []), step])
  return [...byKind.entries()].map(([kind, group]) => `${kind} × ${group.length}: ${tally(group.map((s) => s.action))}; ${tally(group.map((s) => s.status))}`)
}

/** One line per check title pattern is overkill; counts by status say what matters. */
export function checkRollup(checks: Check[]): string {
  return tally(checks.map((c) => c.status))
}

function tally(values: string[]): string {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return [...counts.entries()].map(([value, n]) => `${n} ${value}`).join(', ')
}
