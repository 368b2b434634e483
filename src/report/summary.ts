// The job summary and the compact plan markdown (PR comment, `plan-markdown` output), rendered from RunResult.
// Every user- or cloud-supplied string goes through the escaping helpers; size caps keep GitHub from dropping it.
import type { ProviderName } from '../config/types.js'
import type { Check, CheckStatus } from '../base/checks.js'
import type { StepAction } from '../engine/plan.js'
import { changedSteps, dnsRecordsDocument, planDocument, planIdOf, sortedLinks } from './documents.js'
import {
  byteLength,
  charLength,
  clip,
  codeBlock,
  details,
  escapeInline,
  escapeTableCell,
  fitSections,
  formatDuration,
  htmlSafeJson,
  markdown,
  table,
  type Cell,
  type Section
} from './markdown.js'
import { topologyDiagram } from './mermaid.js'
import { checkRollup, collapses, splitChecks, splitSteps, stepRollup } from './per-cluster.js'
import type { ReportedLink, ReportedStep, RunResult, StepStatus } from './model.js'
import { proofByHost, type HostProof, type ProofCell } from './proof.js'

/** Well below GitHub's 1 MiB job-summary cap, which drops an oversized summary entirely. */
export const SUMMARY_MAX_BYTES = 900_000
/** GitHub's limit for an issue or PR comment body. */
export const PLAN_MARKDOWN_MAX_CHARS = 65_536

/** Long cloud messages stay readable and cannot crowd out the rest of a table. */
const CELL_MAX_CHARS = 1_000
const CALLOUT_MAX_CHARS = 4_000

const SUMMARY_TRUNCATED_NOTE =
  '> [!WARNING]\n> This summary was truncated to stay under the job summary size limit. The full plan is in the `plan` output and the job log.'
const PLAN_MARKDOWN_TRUNCATED_NOTE = '> [!NOTE]\n> Truncated to fit a comment. The full plan is in the job summary and the `plan` output.'

const PROVIDER_NAMES: Record<ProviderName, string> = { aws: 'AWS', gcp: 'Google Cloud', azure: 'Azure' }
const ACTION_ICONS: Record<StepAction, string> = { create: '➕', update: '🔄', delete: '🗑️', keep: '✔️', wait: '⏳', unknown: '❔' }
const STEP_STATUS_ICONS: Record<StepStatus, string> = { planned: '📝', done: '✅', failed: '❌', skipped: '⏭️' }
const CHECK_ICONS: Record<CheckStatus, string> = { pass: '✅', fail: '❌', skip: '⏭️' }

export interface SummaryOptions {
  /** Byte cap for the whole summary (default SUMMARY_MAX_BYTES) */
  maxBytes?: number
}

export function renderSummary(result: RunResult, options: SummaryOptions = {}): string {
  const sections: Section[] = [
    { text: `## ${modeBadge(result)} Zilliz Cloud private link · ${PROVIDER_NAMES[result.provider]}` },
    ...cancelledCallout(result),
    ...failureCallout(result),
    ...offlineCallout(result),
    ...outOfScopeCallout(result),
    ...expiredProofCallout(result),
    ...warningsCallout(result),
    { text: outcomeLine(result) },
    { text: contextTable(result), splittable: true },
    ...planSections(result, '### Plan\n\n'),
    ...verificationSections(result),
    ...proofSections(result),
    ...linksSections(result),
    ...dnsRecordsSections(result),
    { text: `### Topology\n\n${collapses(result) ? details(`Diagram of ${result.links.length} clusters`, topologyDiagram(result)) : topologyDiagram(result)}` },
    { text: details('Plan JSON', codeBlock(htmlSafeJson(planDocument(result)), 'json')) }
  ]
  return fitSections(sections, options.maxBytes ?? SUMMARY_MAX_BYTES, SUMMARY_TRUNCATED_NOTE, byteLength)
}

/**
 * The plan table and a verification summary, for a PR comment or the `plan-markdown` output.
 * Leaves out the identity: a masked account id would make the runner drop the whole output.
 */
export function renderPlanMarkdown(result: RunResult): string {
  const failedChecks = result.checks.filter((check) => check.status === 'fail')
  const sections: Section[] = [
    { text: `### ${modeBadge(result)} Zilliz Cloud private link · ${PROVIDER_NAMES[result.provider]}` },
    ...cancelledCallout(result),
    ...failureCallout(result),
    ...offlineCallout(result),
    ...outOfScopeCallout(result),
    ...warningsCallout(result),
    { text: outcomeLine(result) },
    ...planIdLine(result),
    ...planSections(result, ''),
    { text: `**Verification:** ${checkCounts(result.checks)}` },
    ...(failedChecks.length > 0 ? [{ text: checksTable(failedChecks), splittable: true }] : [])
  ]
  return fitSections(sections, PLAN_MARKDOWN_MAX_CHARS, PLAN_MARKDOWN_TRUNCATED_NOTE, charLength)
}

/** The digest an apply checks with expected-plan-id, so a reviewer can match the plan they read. */
function planIdLine(result: RunResult): Section[] {
  const id = planIdOf(result)
  return id ? [{ text: `<sub>plan-id \`${id}\`</sub>` }] : []
}

function modeBadge(result: RunResult): string {
  if (result.destroy) return result.mode === 'plan' ? '📝 `DESTROY PLAN`' : '🗑️ `DESTROY`'
  return result.mode === 'plan' ? '📝 `PLAN`' : '🚀 `APPLY`'
}

/** A cancelled run says so first, with what was done and what was not, so a re-run can be judged. */
function cancelledCallout(result: RunResult): Section[] {
  if (!result.cancelled) return []
  const work = result.steps.filter((step) => step.action !== 'keep' && step.action !== 'unknown')
  const names = (steps: ReportedStep[]) => (steps.length ? steps.map((step) => escapeInline(clip(`${step.kind} ${step.name}`, 200))).join(', ') : 'nothing')
  const done = work.filter((step) => step.status === 'done')
  const notDone = work.filter((step) => step.status !== 'done')
  return [
    {
      text: [
        '> [!WARNING]',
        '> **Cancelled.** No new change started after the signal; running steps had a few seconds to finish.',
        `> **Done:** ${names(done)}`,
        `> **Not done:** ${names(notDone)}`,
        '> Re-run to finish: the next run observes what exists and does only what is left.'
      ].join('\n')
    }
  ]
}

function outOfScopeCallout(result: RunResult): Section[] {
  const stray = result.outOfScope ?? []
  if (!stray.length) return []
  const lines = stray.map((r) => `> - ${escapeInline(clip(`${r.kind} ${r.name}`, 300))} serves ${escapeInline(r.host)}`)
  return [{ text: ['> [!WARNING]', '> **Out of scope:** these managed resources serve clusters no longer in scope. Set `prune: true` to delete them.', ...lines].join('\n') }]
}

/** Leftovers of runs that ended before their own clean-up (killed, crashed), removed by this one. */
function expiredProofCallout(result: RunResult): Section[] {
  const sweep = result.expiredProof
  if (!sweep || (!sweep.removed.length && !sweep.unlisted.length)) return []
  const lines = sweep.removed.map(
    (r) => `> - ${escapeInline(clip(`${r.kind} ${r.name}`, 300))}, expired ${escapeInline(r.expiredAt ?? 'unknown')}: ${r.deleted ? 'deleted' : `still there (${escapeInline(clip(r.error ?? '', 300))})`}`
  )
  const unlisted = sweep.unlisted.map((u) => `> - could not list ${escapeInline(u.kind)}: ${escapeInline(clip(u.error, 300))}`)
  return [{ text: ['> [!NOTE]', '> **Expired proof resources:** left by an earlier run that ended before its own clean-up.', ...lines, ...unlisted].join('\n') }]
}

function warningsCallout(result: RunResult): Section[] {
  const warnings = result.warnings ?? []
  if (!warnings.length) return []
  return [{ text: ['> [!WARNING]', ...warnings.map((w) => `> - ${escapeInline(clip(w, CALLOUT_MAX_CHARS))}`)].join('\n') }]
}

function failureCallout(result: RunResult): Section[] {
  if (!result.error) return []
  const lines = [`> [!CAUTION]`, `> **The run failed:** ${escapeInline(clip(result.error, CALLOUT_MAX_CHARS))}`]
  if (result.hint) lines.push('>', `> **What to do:** ${escapeInline(clip(result.hint, CALLOUT_MAX_CHARS))}`)
  return [{ text: lines.join('\n') }]
}

function offlineCallout(result: RunResult): Section[] {
  if (!result.offline) return []
  return [{ text: `> [!NOTE]\n> ${escapeInline(clip(result.offline, CALLOUT_MAX_CHARS))}` }]
}

/** One sentence on what the plan or apply amounts to; "no changes" is a success, not a failure. */
function outcomeLine(result: RunResult): string {
  const changes = changedSteps(result)
  if (result.offline) return `**Offline plan:** ${result.steps.length} resources managed; their state is unknown in this run. Nothing was changed.`
  // A run that failed before planning knows nothing about the resources.
  if (result.steps.length === 0 && result.error) return '**No plan:** the run stopped before it could observe the resources.'
  if (changes.length === 0)
    return result.destroy ? '✅ **Nothing to destroy:** nothing the action manages is left.' : '✅ **No changes:** every resource is already in place.'
  const count = (action: StepAction) => changes.filter((step) => step.action === action).length
  const parts = [`${count('create')} to create`, `${count('update')} to update`, `${count('delete')} to delete`].filter((part) => !part.startsWith('0 '))
  if (result.mode === 'plan') return `**Plan:** ${parts.join(', ')}. Nothing was changed.`
  const applied = changes.filter((step) => step.status === 'done').length
  return `**Applied** ${applied} of ${changes.length} changes (${parts.join(', ')}) in ${formatDuration(result.durationMs)}.`
}

function contextTable(result: RunResult): string {
  const { target, identity } = result
  const rows: string[][] = [
    ['Project', target.projectId],
    ['Region', target.regionId],
    ['Network', target.network],
    ['Endpoint service', target.endpointService ?? '—'],
    ['Endpoint', result.resources?.endpointId ?? (result.mode === 'plan' ? 'to be created' : '—')],
    ['Identity', identity?.principal ?? 'not connected'],
    ['Account', identity?.account ?? '—'],
    ['Credentials', identity?.method ?? '—'],
    ['Mode', `${result.mode}: ${result.modeReason}`],
    ['Plan id', planIdOf(result) || 'none: the plan could not observe the resources'],
    ['Duration', formatDuration(result.durationMs)]
  ]
  return table(['Context', 'Value'], rows.map((row) => row.map(cellText)))
}

function planTable(steps: ReportedStep[]): string {
  if (steps.length === 0) return '_The plan has no steps._'
  return table(
    ['Action', 'Kind', 'Name', 'Reason', 'Status', 'Duration'],
    steps.map((step) => [
      `${ACTION_ICONS[step.action]} ${step.action}`,
      step.kind,
      step.name,
      step.reason,
      stepStatus(step),
      // Steps that did not run, or had nothing to do, show no duration.
      step.durationMs ? formatDuration(step.durationMs) : ''
    ].map(cellText))
  )
}

/** The plan table; with many clusters, per-cluster rows that need no attention fold into a rollup. */
function planSections(result: RunResult, heading: string): Section[] {
  const { shown, folded } = splitSteps(result)
  if (folded.length === 0) return [{ text: `${heading}${planTable(result.steps)}`, splittable: true }]
  const rollup = stepRollup(folded).map((line) => `- ${escapeInline(line)}`).join('\n')
  return [
    { text: `${heading}${planTable(shown)}\n\n**Per cluster** (${result.links.length} clusters):\n\n${rollup}`, splittable: true },
    { text: details(`All ${folded.length} per-cluster steps`, planTable(folded)) }
  ]
}

function verificationSections(result: RunResult): Section[] {
  const { shown, folded } = splitChecks(result)
  if (folded.length === 0) return [{ text: `### Verification\n\n${verificationBody(result.checks)}`, splittable: true }]
  return [
    { text: `### Verification\n\n${checkCounts(result.checks)}\n\n${checksTable(shown)}\n\n**Per cluster:** ${escapeInline(checkRollup(folded))}`, splittable: true },
    { text: details(`All ${folded.length} per-cluster checks`, checksTable(folded)) }
  ]
}

const KIND_NAMES: Record<string, string> = { dns: 'DNS', tcp: 'TCP', tls: 'TLS', https: 'HTTPS' }

/**
 * Per host and data-plane check, the proof reached: live (a client in the network ran it), analysis (read
 * from the configuration), none. With many clusters, hosts with nothing failed fold into one line per
 * distinct row.
 */
function proofSections(result: RunResult): Section[] {
  const hosts = proofByHost(result)
  if (!hosts?.length) return []
  const heading = '### Proof from inside the network\n\nThe level each data-plane check reached: **live** (a client in the network ran it), **analysis** (read from the configuration that decides it), **none** (not proven).'
  if (!collapses(result)) return [{ text: `${heading}\n\n${proofTable(hosts)}`, splittable: true }]
  const failed = hosts.filter((h) => h.checks.some((c) => c.status === 'fail'))
  const groups = new Map<string, number>()
  for (const host of hosts.filter((h) => !failed.includes(h))) {
    const line = host.checks.map((c) => `${KIND_NAMES[c.kind] ?? c.kind} ${proofCell(c)}`).join(' · ')
    groups.set(line, (groups.get(line) ?? 0) + 1)
  }
  const rollup = [...groups].map(([line, n]) => `- ${n} host${n === 1 ? '' : 's'}: ${escapeInline(clip(line, CELL_MAX_CHARS))}`).join('\n')
  return [
    { text: `${heading}\n\n${failed.length ? `${proofTable(failed)}\n\n` : ''}${rollup}`, splittable: true },
    { text: details(`Proof per host (${hosts.length} hosts)`, proofTable(hosts)) }
  ]
}

function proofTable(hosts: HostProof[]): string {
  const kinds = hosts[0]?.checks.map((c) => c.kind) ?? []
  return table(['Host', ...kinds.map((k) => KIND_NAMES[k] ?? k)], hosts.map((h) => [h.host, ...h.checks.map(proofCell)].map(cellText)))
}

function proofCell(cell: ProofCell): string {
  const icon = cell.status ? `${CHECK_ICONS[cell.status]} ` : ''
  return `${icon}${cell.level}${cell.source ? ` (${cell.source})` : ''}`
}

function linksSections(result: RunResult): Section[] {
  const body = linksBody(sortedLinks(result))
  if (!collapses(result)) return [{ text: `### Private links\n\n${body}`, splittable: true }]
  const confirmed = result.links.filter((l) => l.confirmed).length
  return [{ text: `### Private links\n\n${confirmed} of ${result.links.length} confirmed by Zilliz.\n\n${details(`All ${result.links.length} private links`, body)}` }]
}

/** Each host's record; for dns: none the exact records the user's DNS team creates. */
function dnsRecordsSections(result: RunResult): Section[] {
  const records = dnsRecordsDocument(result)
  if (!records.length || result.destroy) return []
  const intro =
    result.dnsMode === 'none'
      ? 'dns is none: the action made and read no DNS record. Create these records in a private zone the network resolves in (a zone named after each host hides no other name); verification checks them once they resolve.\n\n'
      : ''
  const rows = records.map((r) => [
    cellText(r.zoneId ? `${r.zone} (${r.zoneId})` : r.zone),
    cellText(r.name),
    r.type,
    r.ttl === undefined ? 'alias' : String(r.ttl),
    cellText([r.values.join(', ') || 'the endpoint\'s private IPs (not known yet)', r.alias ? `or a Route 53 alias to ${r.alias.dnsName} (zone ${r.alias.hostedZoneId})` : ''].filter(Boolean).join('; '))
  ])
  const body = table(['Zone', 'Name', 'Type', 'TTL', 'Values'], rows)
  const heading = result.dnsMode === 'none' ? '### DNS records for your DNS team' : '### DNS records'
  return [{ text: `${heading}\n\n${intro}${collapses(result) ? details(`All ${records.length} records`, body) : body}`, splittable: true }]
}

function stepStatus(step: ReportedStep): string {
  const icon = STEP_STATUS_ICONS[step.status]
  // A skipped step's error already reads as a status ("not run: depends on …").
  if (step.status === 'skipped' && step.error) return `${icon} ${step.error}`
  return `${icon} ${step.status}${step.error ? `: ${step.error}` : ''}`
}

function checkCounts(checks: Check[]): string {
  if (checks.length === 0) return 'no checks ran.'
  const count = (status: CheckStatus) => checks.filter((check) => check.status === status).length
  return `${CHECK_ICONS.pass} ${count('pass')} passed · ${CHECK_ICONS.fail} ${count('fail')} failed · ${CHECK_ICONS.skip} ${count('skip')} skipped`
}

function verificationBody(checks: Check[]): string {
  return checks.length === 0 ? '_No checks ran._' : `${checkCounts(checks)}\n\n${checksTable(checks)}`
}

function checksTable(checks: Check[]): string {
  return table(
    ['Status', 'Check', 'Evidence', 'Cause and fix'],
    checks.map((check) => [
      `${CHECK_ICONS[check.status]} ${check.status}`,
      cellText(check.title),
      cellText(check.evidence),
      causeAndFix(check)
    ])
  )
}

function causeAndFix(check: Check): Cell {
  const parts: string[] = []
  if (check.cause) parts.push(`**Cause:** ${escapeTableCell(clip(check.cause, CELL_MAX_CHARS))}`)
  if (check.fix) parts.push(`**Fix:** ${escapeTableCell(clip(check.fix, CELL_MAX_CHARS))}`)
  return markdown(parts.join('<br>'))
}

function linksBody(links: ReportedLink[]): string {
  if (links.length === 0) return '_No clusters to link in this project and region._'
  return table(
    ['Cluster', 'Private link URL', 'Address'],
    links.map((link) => [
      link.clusterId,
      link.url,
      link.confirmed ? '✅ confirmed by Zilliz' : 'derived from the naming pattern; confirmed once Zilliz accepts the endpoint'
    ].map(cellText))
  )
}

/** Plain text for a table cell, clipped; table() escapes it. */
function cellText(cell: Cell): Cell {
  return typeof cell === 'string' ? clip(cell, CELL_MAX_CHARS) : cell
}
