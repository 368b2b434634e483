// From what a data-plane check saw to why and what to do: one table, read top down, first match wins.
// Rows that combine with a control-plane check come before the general row for the same symptom, so
// a failing check of the cloud side (the port rules, the zone, the acceptance) names the exact fix.
//
// Control-plane checks are found by id, the same for every provider: `dns-zone:<cluster>`,
// `dns-record:<cluster>`, `endpoint-available`, `zilliz-registration`, `private-link:<cluster>`, and
// any id ending in `-ports` for the rules that admit the link ports.
import type { Check } from '../base/checks.js'
import { ERROR_TEXT, troubleshootingLink } from './error-text.js'

export type SymptomKind =
  | 'dns-no-record'
  | 'dns-no-answer'
  | 'dns-public'
  | 'dns-not-endpoint'
  | 'tcp-blocked'
  | 'tcp-refused'
  | 'tls-name-mismatch'
  | 'tls-untrusted'
  | 'tls-no-handshake'
  | 'https-no-answer'

export interface DiagnosisContext {
  clusterId: string
  host: string
  port: number
  /** The address the failure was seen on, when there is one */
  ip?: string
  /** The DNS server asked, as evidence names it */
  dnsServer: string
  controlPlane: Check[]
}

export interface Diagnosis {
  /** The table row that matched */
  row: string
  cause: string
  /** What to do, ending with the troubleshooting section to read */
  fix: string
}

interface RowBase {
  id: string
  symptoms: SymptomKind[]
  /** Heading of the section in docs/TROUBLESHOOTING.md, headed by the error text users see */
  heading: string
}

/** A row that applies only when a control-plane check it names is found, and quotes that check. */
interface CombinedRow extends RowBase {
  combinesWith: (ctx: DiagnosisContext) => Check | undefined
  cause: (ctx: DiagnosisContext, check: Check) => string
  fix: (ctx: DiagnosisContext, check: Check) => string
}

interface GeneralRow extends RowBase {
  combinesWith?: undefined
  cause: (ctx: DiagnosisContext) => string
  fix: (ctx: DiagnosisContext) => string
}

type DiagnosisRow = CombinedRow | GeneralRow

const code = (text: string) => `\`${text}\``

/** The first control-plane check whose id matches, in one of the given states. */
function findCheck(controlPlane: Check[], matches: (id: string) => boolean, states: Check['status'][]): Check | undefined {
  return controlPlane.find((c) => matches(c.id) && states.includes(c.status))
}

/** The link's private zone or record check in one of the given states: why its host may not resolve. */
export function privateDnsCheck(controlPlane: Check[], clusterId: string, states: Check['status'][]): Check | undefined {
  return findCheck(controlPlane, (id) => id === `dns-zone:${clusterId}` || id === `dns-record:${clusterId}`, states)
}

const where = (ctx: DiagnosisContext) => `${ctx.ip ?? ctx.host}:${ctx.port}`
const related = (check: Check) => `"${check.title}" is not true (${check.evidence})`

export const DIAGNOSES: readonly DiagnosisRow[] = [
  {
    id: 'host-reallocated',
    symptoms: ['dns-no-record'],
    combinesWith: (ctx) => findCheck(ctx.controlPlane, (id) => id === `private-link:${ctx.clusterId}`, ['fail']),
    cause: (ctx, check) => `Zilliz serves the cluster at ${ctx.host}, but the records were made for another host: ${check.cause ?? related(check)}`,
    fix: (_, check) => check.fix ?? 'Re-run in apply mode.',
    heading: code(ERROR_TEXT.doesNotResolve)
  },
  {
    id: 'zone-or-record-missing',
    symptoms: ['dns-no-record'],
    // A skip counts too: in plan mode it means the zone or record is not created yet.
    combinesWith: (ctx) => privateDnsCheck(ctx.controlPlane, ctx.clusterId, ['fail', 'skip']),
    cause: (ctx, check) => `There is no private record for ${ctx.host}: ${related(check)}.`,
    // A skipped check with a fix is a record the action does not make (dns: none): its fix says who does.
    fix: (_, check) => check.fix ?? (check.status === 'skip' ? 'Run the action in apply mode: it creates the private zone and its record.' : 'Re-run in apply mode.'),
    heading: code(ERROR_TEXT.doesNotResolve)
  },
  {
    id: 'no-private-record',
    symptoms: ['dns-no-record'],
    cause: (ctx) =>
      `${ctx.dnsServer} has no record for ${ctx.host}: the private record is missing, or the private zone that holds it is not attached to the network this runner resolves in.`,
    fix: (ctx) =>
      `Create the record (re-run in apply mode) and attach the private zone to the runner's network; a runner in another network, or on premises, needs the zone attached to its network or DNS forwarded to the network's resolver. Check from inside: dig +short ${ctx.host}.`,
    heading: code(ERROR_TEXT.doesNotResolve)
  },
  {
    id: 'dns-server-silent',
    symptoms: ['dns-no-answer'],
    cause: (ctx) => `The DNS server ${ctx.dnsServer} did not answer for ${ctx.host}.`,
    fix: () => 'Point dns-server at a resolver the runner can reach on port 53 (UDP), or leave it empty to use the runner\'s own resolver.',
    heading: code(ERROR_TEXT.dnsNoAnswer)
  },
  {
    id: 'zone-does-not-apply',
    symptoms: ['dns-public'],
    cause: (ctx) =>
      `The private zone for ${ctx.host} does not apply where this runner resolves: the answer comes from public DNS, so traffic would leave through the internet instead of the private link.`,
    fix: () =>
      'Attach the private zone to the network the runner resolves in (or run on a runner inside the linked network); peered or on-premises networks need DNS forwarded to the linked network\'s resolver.',
    heading: code(ERROR_TEXT.publicAddress)
  },
  {
    id: 'record-by-dns-team-points-elsewhere',
    symptoms: ['dns-not-endpoint'],
    // dns: none: the record is the DNS team's, so re-running the action would not change it.
    combinesWith: (ctx) => {
      const record = findCheck(ctx.controlPlane, (id) => id === `dns-record:${ctx.clusterId}`, ['skip'])
      return record?.fix ? record : undefined
    },
    cause: (ctx, check) => `The record for ${ctx.host} points at private addresses other than this endpoint's, and this action does not make it (${check.evidence}).`,
    fix: (_, check) => check.fix ?? '',
    heading: code(ERROR_TEXT.notEndpoint)
  },
  {
    id: 'record-points-elsewhere',
    symptoms: ['dns-not-endpoint'],
    cause: (ctx) => `The record for ${ctx.host} points at private addresses of something other than this endpoint: a stale record, or another private zone for the same name.`,
    fix: (ctx) => `Re-run in apply mode to point the record at the endpoint, and detach any other private zone for ${ctx.host} from the network.`,
    heading: code(ERROR_TEXT.notEndpoint)
  },
  {
    id: 'endpoint-not-serving',
    symptoms: ['tcp-blocked', 'tcp-refused'],
    combinesWith: (ctx) => findCheck(ctx.controlPlane, (id) => id === 'endpoint-available' || id === 'zilliz-registration', ['fail']),
    cause: (_, check) => `The endpoint does not carry traffic yet: ${related(check)}.${check.cause ? ` ${check.cause}` : ''}`,
    fix: (_, check) => check.fix ?? 'Wait for Zilliz to accept the endpoint and re-run.',
    heading: code(ERROR_TEXT.notServing)
  },
  {
    id: 'port-rule-missing',
    symptoms: ['tcp-blocked'],
    combinesWith: (ctx) => findCheck(ctx.controlPlane, (id) => /(^|-)ports$/.test(id), ['fail']),
    cause: (ctx, check) => `Connections to ${where(ctx)} are dropped because the endpoint's rules do not admit the port: ${check.evidence}.`,
    fix: (_, check) => check.fix ?? 'Add inbound rules for the link ports.',
    heading: `${code(ERROR_TEXT.tcpTimeout)} or ${code(ERROR_TEXT.tcpUnreachable)}`
  },
  {
    id: 'firewall-drops',
    symptoms: ['tcp-blocked'],
    cause: (ctx) =>
      `Connections to ${where(ctx)} are dropped on the way: the endpoint's security group or firewall does not admit this runner's address, or the runner's own outbound rules or routes stop them.`,
    fix: (ctx) =>
      `Allow inbound TCP ${ctx.port} from the runner's address on the endpoint's security group or firewall (with a group the action manages, add the runner's range to allowed-cidrs), and outbound TCP ${ctx.port} on the runner's side.`,
    heading: `${code(ERROR_TEXT.tcpTimeout)} or ${code(ERROR_TEXT.tcpUnreachable)}`
  },
  {
    id: 'nothing-listens',
    symptoms: ['tcp-refused'],
    cause: (ctx) => `Nothing accepts connections on ${where(ctx)}: the port is not one the private link serves, or the address is not the endpoint.`,
    fix: (ctx) => `Connect on the port of the cluster's privateLinkAddress (the private-link-url output), and check that ${ctx.host} resolves to the endpoint.`,
    heading: code(ERROR_TEXT.tcpRefused)
  },
  {
    id: 'wrong-record',
    symptoms: ['tls-name-mismatch'],
    cause: (ctx) => `${where(ctx)} serves a certificate for another name: the record for ${ctx.host} points at another service, not the Zilliz endpoint.`,
    fix: (ctx) => `Point the record for ${ctx.host} at the endpoint (re-run in apply mode), and detach any other private zone for the name from the network.`,
    heading: code(ERROR_TEXT.nameMismatch)
  },
  {
    id: 'tls-intercepted',
    symptoms: ['tls-untrusted'],
    cause: (ctx) =>
      `The certificate from ${where(ctx)} does not chain to a trusted authority: a proxy or firewall that inspects TLS sits between the runner and the endpoint, or the address is not Zilliz's.`,
    fix: () => 'Exempt *.vectordb.zillizcloud.com from TLS inspection, or trust the proxy\'s CA on the runner with NODE_EXTRA_CA_CERTS.',
    heading: code(ERROR_TEXT.untrusted)
  },
  {
    id: 'not-tls',
    symptoms: ['tls-no-handshake'],
    cause: (ctx) => `Something accepts TCP on ${where(ctx)} but does not complete a TLS handshake: a proxy or another service answers there, not the Zilliz endpoint.`,
    fix: (ctx) => `Check what ${ctx.host} resolves to from the runner and that no proxy takes over port ${ctx.port}.`,
    heading: code(ERROR_TEXT.noHandshake)
  },
  {
    id: 'cluster-not-answering',
    symptoms: ['https-no-answer'],
    cause: (ctx) => `The private link works up to TLS, but the cluster behind ${ctx.host} sends no HTTP answer: it is stopped, suspended, under maintenance, or overloaded.`,
    fix: (ctx) => `Check the status of ${ctx.clusterId} in the Zilliz console and re-run once it is RUNNING.`,
    heading: code(ERROR_TEXT.noHttpAnswer)
  }
]

/** The cause and fix of a failed data-plane check, from the first row that applies. */
export function diagnose(symptom: SymptomKind, ctx: DiagnosisContext): Diagnosis {
  for (const row of DIAGNOSES) {
    if (!row.symptoms.includes(symptom)) continue
    const see = ` See ${troubleshootingLink(row.heading)}.`
    if (!row.combinesWith) return { row: row.id, cause: row.cause(ctx), fix: row.fix(ctx) + see }
    const check = row.combinesWith(ctx)
    if (check) return { row: row.id, cause: row.cause(ctx, check), fix: row.fix(ctx, check) + see }
  }
  // Every symptom has a general row; this only guards the table against an edit that drops one.
  throw new Error(`No diagnosis for ${symptom}`)
}
