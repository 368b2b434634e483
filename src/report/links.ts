// The links in one stable order for every report.
import type { ReportedLink, RunResult } from './model.js'

/** Links by cluster id (code-unit order, not locale order), so "the first link" is stable across runners. */
export function sortedLinks(result: RunResult): ReportedLink[] {
  return [...result.links].sort((a, b) => (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0))
}
