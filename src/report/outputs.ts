// The action's outputs, all strings, rendered from RunResult. Names match action.yml.
import { changedSteps, dnsRecordsDocument, planDocument, planIdOf, planState, sortedLinks, verificationDocument } from './documents.js'
import type { RunResult } from './model.js'
import { proofLevels } from './proof.js'
import { renderPlanMarkdown } from './summary.js'

/** has-changes: an unobserved plan is never "no changes". */
const HAS_CHANGES = { changes: 'true', 'no-changes': 'false', unknown: 'unknown' } as const

export type { PlanState } from './documents.js'
export type { PlanDocument, PlanDocumentStep, VerificationDocument, VerificationDocumentCheck } from './documents.js'

export const OUTPUT_NAMES = [
  'mode',
  'has-changes',
  'changes-count',
  'plan-id',
  'plan',
  'plan-markdown',
  'verification',
  'verified',
  'proof-levels',
  'private-link',
  'private-link-url',
  'private-links',
  'endpoint-id',
  'dns-zone-ids',
  'dns-records'
] as const

export type OutputName = (typeof OUTPUT_NAMES)[number]

export function buildOutputs(result: RunResult): Record<OutputName, string> {
  const changes = changedSteps(result).length
  const verification = verificationDocument(result)
  const links = sortedLinks(result)
  return {
    mode: result.destroy ? (result.mode === 'apply' ? 'destroy' : 'destroy-plan') : result.mode,
    'has-changes': HAS_CHANGES[planState(result)],
    'changes-count': String(changes),
    'plan-id': planIdOf(result),
    plan: JSON.stringify(planDocument(result)),
    'plan-markdown': renderPlanMarkdown(result),
    verification: JSON.stringify(verification),
    verified: String(verification.verified),
    'proof-levels': JSON.stringify(proofLevels(verification.proof)),
    'private-link': links[0]?.host ?? '',
    'private-link-url': links[0]?.url ?? '',
    'private-links': JSON.stringify(Object.fromEntries(links.map((link) => [link.clusterId, link.url]))),
    'endpoint-id': result.resources?.endpointId ?? '',
    'dns-zone-ids': JSON.stringify((result.resources?.dnsZones ?? []).map((zone) => zone.id)),
    'dns-records': JSON.stringify(dnsRecordsDocument(result))
  }
}
