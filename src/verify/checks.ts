// The data-plane checks of one private link, in the order a client meets them: DNS, TCP to every
// address, TLS, one HTTPS request. A check that cannot run because an earlier one failed is skipped
// with the reason, so the first failure carries the diagnosis.
import { skipped, type Check } from '../base/checks.js'
import { isNonPublicAddress } from './addresses.js'
import { diagnose, type SymptomKind } from './diagnose.js'
import { resolveA, serverLabel, type DnsOutcome, type DnsServer } from './dns.js'
import { ERROR_TEXT } from './error-text.js'
import { probeHttps, type HttpsOutcome } from './http.js'
import { probeTcp, type TcpOutcome } from './tcp.js'
import { probeTls, type TlsOutcome } from './tls.js'

export interface DataPlaneLink {
  clusterId: string
  host: string
  port: number
}

export interface LinkCheckSettings {
  /** Absent: the runner's resolver */
  dnsServer?: DnsServer
  /** Per probe: one DNS query, one connect, one handshake, one request */
  timeoutMs: number
  /** Trust anchors for TLS; absent: Node's default store */
  ca?: string[]
  /** The endpoint's private IPs, when the provider knows them */
  endpointIps?: string[]
  controlPlane: Check[]
  /** Who ran the checks, as the proof names it; default 'this runner' */
  proofSource?: string
}

/** Where live checks come from when nothing else is said. */
export const RUNNER_SOURCE = 'this runner'

/** What a check saw: the evidence, and for a failure the symptom and the address it was seen on. */
interface Finding {
  evidence: string
  failure?: { symptom: SymptomKind; ip?: string }
}

const list = (ips: string[]) => ips.join(', ')

/** The DNS finding, and the addresses the later checks connect to (none unless they are private). */
export function judgeDns(host: string, outcome: DnsOutcome, via: string, endpointIps?: string[]): Finding & { addresses: string[] } {
  const took = `via ${via} in ${outcome.ms} ms`
  switch (outcome.kind) {
    case 'nxdomain':
      return { evidence: `${host} ${ERROR_TEXT.doesNotResolve}: NXDOMAIN ${took}`, failure: { symptom: 'dns-no-record' }, addresses: [] }
    case 'no-records':
      return { evidence: `${host} ${ERROR_TEXT.doesNotResolve}: no A record (NODATA) ${took}`, failure: { symptom: 'dns-no-record' }, addresses: [] }
    case 'timeout':
      return { evidence: `${ERROR_TEXT.dnsNoAnswer} ${via} for ${host} within ${outcome.ms} ms`, failure: { symptom: 'dns-no-answer' }, addresses: [] }
    case 'failed':
      return { evidence: `${ERROR_TEXT.dnsNoAnswer} ${via} for ${host}: ${outcome.reason} in ${outcome.ms} ms`, failure: { symptom: 'dns-no-answer' }, addresses: [] }
    case 'answers':
      break
  }
  const answers = outcome.addresses
  const publicOnes = answers.filter((ip) => !isNonPublicAddress(ip))
  if (publicOnes.length) {
    return { evidence: `${host} ${ERROR_TEXT.publicAddress}: ${list(publicOnes)} ${took}`, failure: { symptom: 'dns-public' }, addresses: [] }
  }
  const foreign = endpointIps?.length ? answers.filter((ip) => !endpointIps.includes(ip)) : []
  if (foreign.length) {
    return {
      evidence: `${host} resolves to ${list(foreign)}, ${ERROR_TEXT.notEndpoint} ${list(endpointIps ?? [])} (${took})`,
      failure: { symptom: 'dns-not-endpoint' },
      addresses: answers
    }
  }
  const whose = endpointIps?.length ? "the endpoint's private IPs" : 'private addresses (the endpoint\'s IPs are not known to compare)'
  return { evidence: `${host} → ${list(answers)}, ${whose}, ${took}`, addresses: answers }
}

function describeTcp(ip: string, port: number, outcome: TcpOutcome): string {
  switch (outcome.kind) {
    case 'connected':
      return `${ip}:${port} connected in ${outcome.ms} ms`
    case 'refused':
      return `${ERROR_TEXT.tcpRefused} ${ip}:${port} in ${outcome.ms} ms`
    case 'timeout':
      return `${ERROR_TEXT.tcpTimeout} ${ip}:${port} after ${outcome.ms} ms`
    case 'unreachable':
      return `${ERROR_TEXT.tcpUnreachable} ${ip}:${port} (${outcome.code}) in ${outcome.ms} ms`
    case 'failed':
      return `could not connect to ${ip}:${port}: ${outcome.reason} after ${outcome.ms} ms`
  }
}

/** One finding for all addresses: a client may pick any of them, so every one has to connect. */
export function judgeTcp(port: number, probes: { ip: string; outcome: TcpOutcome }[]): Finding {
  const evidence = probes.map((p) => describeTcp(p.ip, port, p.outcome)).join('; ')
  const refused = probes.find((p) => p.outcome.kind === 'refused')
  const blocked = probes.find((p) => p.outcome.kind !== 'connected' && p.outcome.kind !== 'refused')
  // Dropped packets say more than a refusal (which at least reached something), so they are diagnosed first.
  const failed = blocked ?? refused
  if (!failed) return { evidence }
  return { evidence, failure: { symptom: failed === blocked ? 'tcp-blocked' : 'tcp-refused', ip: failed.ip } }
}

export function judgeTls(host: string, ip: string, port: number, outcome: TlsOutcome): Finding {
  const at = `${ip}:${port}`
  switch (outcome.kind) {
    case 'trusted':
      return { evidence: `certificate for ${list(outcome.names)} issued by ${outcome.issuer}, valid until ${outcome.validTo}, ${outcome.protocol}, from ${at} in ${outcome.ms} ms` }
    case 'name-mismatch':
      return { evidence: `${ERROR_TEXT.nameMismatch} ${host}: it names ${list(outcome.names) || 'no host'} (${at}, ${outcome.ms} ms)`, failure: { symptom: 'tls-name-mismatch', ip } }
    case 'untrusted':
      return { evidence: `${ERROR_TEXT.untrusted}: ${outcome.reason} (${at}, ${outcome.ms} ms)`, failure: { symptom: 'tls-untrusted', ip } }
    case 'timeout':
      return { evidence: `${ERROR_TEXT.noHandshake} ${at}: none within ${outcome.ms} ms`, failure: { symptom: 'tls-no-handshake', ip } }
    case 'failed':
      return { evidence: `${ERROR_TEXT.noHandshake} ${at}: ${outcome.reason} after ${outcome.ms} ms`, failure: { symptom: 'tls-no-handshake', ip } }
  }
}

export function judgeHttps(host: string, ip: string, port: number, outcome: HttpsOutcome): Finding {
  const url = `https://${host}:${port}/`
  switch (outcome.kind) {
    case 'answered':
      return { evidence: `HTTP ${outcome.status} from ${url} via ${ip} in ${outcome.ms} ms: any HTTP answer, 400 included, means the cluster is reachable` }
    case 'timeout':
      return { evidence: `${ERROR_TEXT.noHttpAnswer} ${url} via ${ip} within ${outcome.ms} ms`, failure: { symptom: 'https-no-answer', ip } }
    case 'failed':
      return { evidence: `${ERROR_TEXT.noHttpAnswer} ${url} via ${ip}: ${outcome.reason} after ${outcome.ms} ms`, failure: { symptom: 'https-no-answer', ip } }
  }
}

export function linkCheckTitles(link: DataPlaneLink) {
  return {
    dns: `${link.host} resolves to the endpoint's private IPs`,
    tcp: `TCP connects to every address of ${link.host} on port ${link.port}`,
    tls: `TLS handshake with ${link.host} presents a trusted certificate for it`,
    https: `HTTPS request to ${link.host}:${link.port} gets an HTTP answer`
  }
}

/** What a client met on one link, in order; a step is absent when an earlier one left nothing to try. */
export interface LinkObservation {
  dns: DnsOutcome
  tcp?: { ip: string; outcome: TcpOutcome }[]
  tls?: { ip: string; outcome: TlsOutcome }
  https?: { ip: string; outcome: HttpsOutcome }
}

export interface ObserveSettings {
  /** Absent: the system resolver */
  dnsServer?: DnsServer
  timeoutMs: number
  ca?: string[]
  endpointIps?: string[]
}

/**
 * Meets the link as a client does and records what it saw, judging only what decides the next step
 * (which addresses to connect to, whether the handshake held). The in-network probe runs exactly this.
 */
export async function observeLink(link: DataPlaneLink, settings: ObserveSettings): Promise<LinkObservation> {
  const { timeoutMs, ca } = settings
  const dns = await resolveA(link.host, { server: settings.dnsServer, timeoutMs })
  const { addresses } = judgeDns(link.host, dns, serverLabel(settings.dnsServer), settings.endpointIps)
  if (!addresses.length) return { dns }
  const tcp = await Promise.all(addresses.map(async (ip) => ({ ip, outcome: await probeTcp(ip, link.port, timeoutMs) })))
  const open = tcp.find((p) => p.outcome.kind === 'connected')?.ip
  if (!open) return { dns, tcp }
  const tls = { ip: open, outcome: await probeTls({ ip: open, port: link.port, host: link.host, timeoutMs, ca }) }
  if (tls.outcome.kind !== 'trusted') return { dns, tcp, tls }
  const https = { ip: open, outcome: await probeHttps({ host: link.host, port: link.port, ip: open, timeoutMs, ca }) }
  return { dns, tcp, tls, https }
}

export interface JudgeSettings {
  /** The DNS server asked, as evidence names it */
  via: string
  endpointIps?: string[]
  controlPlane: Check[]
  /** Who observed, as the proof names it; default 'this runner' */
  proofSource?: string
}

/** The four checks of one link from what was observed, each failure diagnosed with the control-plane checks. */
export function judgeLink(link: DataPlaneLink, seen: LinkObservation, settings: JudgeSettings): Check[] {
  const { via } = settings
  const titles = linkCheckTitles(link)
  const ids = { dns: `dns:${link.clusterId}`, tcp: `tcp:${link.clusterId}`, tls: `tls:${link.clusterId}`, https: `https:${link.clusterId}` }
  // A check that ran proves (or disproves) its fact live; one not tried proves nothing.
  const live = { proof: 'live' as const, proofSource: settings.proofSource ?? RUNNER_SOURCE, host: link.host }
  const toCheck = (id: string, title: string, finding: Finding): Check => {
    if (!finding.failure) return { id, title, status: 'pass', evidence: finding.evidence, ...live }
    const { cause, fix } = diagnose(finding.failure.symptom, { ...link, ip: finding.failure.ip, dnsServer: via, controlPlane: settings.controlPlane })
    return { id, title, status: 'fail', evidence: finding.evidence, cause, fix, ...live }
  }
  const notTried = (keys: ('tcp' | 'tls' | 'https')[], reason: string) =>
    keys.map((key): Check => ({ ...skipped(ids[key], titles[key], `not tried: ${reason}`), ...live, proof: 'none' }))

  const dns = judgeDns(link.host, seen.dns, via, settings.endpointIps)
  const checks = [toCheck(ids.dns, titles.dns, dns)]
  if (!dns.addresses.length || !seen.tcp) return [...checks, ...notTried(['tcp', 'tls', 'https'], `${link.host} did not resolve to a private address`)]

  checks.push(toCheck(ids.tcp, titles.tcp, judgeTcp(link.port, seen.tcp)))
  if (!seen.tls) return [...checks, ...notTried(['tls', 'https'], 'no address accepted a TCP connection')]

  const tls = judgeTls(link.host, seen.tls.ip, link.port, seen.tls.outcome)
  checks.push(toCheck(ids.tls, titles.tls, tls))
  if (tls.failure || !seen.https) return [...checks, ...notTried(['https'], 'the TLS handshake failed')]

  checks.push(toCheck(ids.https, titles.https, judgeHttps(link.host, seen.https.ip, link.port, seen.https.outcome)))
  return checks
}

export async function checkLink(link: DataPlaneLink, settings: LinkCheckSettings): Promise<Check[]> {
  const seen = await observeLink(link, settings)
  return judgeLink(link, seen, { via: serverLabel(settings.dnsServer), endpointIps: settings.endpointIps, controlPlane: settings.controlPlane, proofSource: settings.proofSource })
}
