// The plan of a run that cannot read the cloud (no OIDC token) and maybe not Zilliz (no API key):
// the resources the action manages, from the inputs (and Zilliz when it can be read), all `unknown`.
// It reads nothing from the cloud and writes nothing anywhere.
import type { Config, ProviderName } from '../config/types.js'
import type { RunResult } from '../report/model.js'
import type { Cluster, ZillizApi } from '../zilliz/types.js'
import { skipped } from '../base/checks.js'
import { explainFailure } from './failure.js'
import { networkLabel } from './network-label.js'
import { azureEndpointName, baseName } from './ownership.js'
import type { PlannedStep } from './plan.js'
import { REGISTRATION_STEP } from './provider.js'
import { buildTarget, clusterLink } from './target-builder.js'
import type { ClusterLink } from './target.js'
import { PRIVATE_LINKS_STEP, WHITELIST_STEP } from './zilliz-steps.js'

interface Kinds {
  securityRule?: string
  endpoint: string
  zone: string
  record: string
}

// What each cloud's provider manages, by kind; the names match the providers' step kinds.
const KINDS: Record<ProviderName, Kinds> = {
  aws: { securityRule: 'aws.security-group', endpoint: 'aws.vpc-endpoint', zone: 'aws.route53-private-zone', record: 'aws.route53-alias-record' },
  gcp: { securityRule: 'gcp.firewall-rule', endpoint: 'gcp.psc-forwarding-rule', zone: 'gcp.dns-private-zone', record: 'gcp.dns-a-record' },
  azure: { endpoint: 'azure.private-endpoint', zone: 'azure.private-dns-zone', record: 'azure.private-dns-a-record' }
}

const NOT_OBSERVED = 'not observed: this run has no cloud credentials'

function endpointName(config: Config): string {
  return config.azure ? azureEndpointName(config) : (config.gcp ? `${config.gcp.endpointPrefix}-${baseName(config).split('-').pop()}` : baseName(config))
}

function unknownStep(id: string, kind: string, name: string, reason: string, dependsOn: string[] = []): PlannedStep {
  return { id, kind, name, action: 'unknown', reason, dependsOn }
}

function stepsFor(config: Config, links: ClusterLink[] | undefined, whitelistRequired: boolean | undefined): PlannedStep[] {
  const kinds = KINDS[config.provider]
  const managedRule = kinds.securityRule && !(config.aws && config.aws.securityGroupIds.length)
  const steps: PlannedStep[] = []
  if (managedRule) steps.push(unknownStep('security-rule', kinds.securityRule as string, baseName(config), `${NOT_OBSERVED}; admits the link ports`))
  steps.push(unknownStep('endpoint', kinds.endpoint, endpointName(config), `${NOT_OBSERVED}; created if missing`, managedRule ? ['security-rule'] : []))
  if (whitelistRequired !== false && config.azure)
    steps.push(unknownStep(WHITELIST_STEP, 'zilliz.whitelist', config.azure.subscriptionId, 'the region may require the subscription to be whitelisted'))
  steps.push(unknownStep(REGISTRATION_STEP, 'zilliz.private-endpoint', 'the endpoint', 'the endpoint id is unknown until the cloud is read', ['endpoint']))
  steps.push(unknownStep(PRIVATE_LINKS_STEP, 'zilliz.private-link', links?.map((l) => l.clusterId).join(', ') || 'every dedicated cluster', 'Zilliz allocates private links after accepting the endpoint', [REGISTRATION_STEP]))
  for (const link of links ?? []) {
    steps.push(unknownStep(`dns-zone:${link.clusterId}`, kinds.zone, link.host, `${NOT_OBSERVED}; one private zone per private-link host`))
    steps.push(unknownStep(`dns-record:${link.clusterId}`, kinds.record, `${link.host} A`, `${NOT_OBSERVED}; points the host at the endpoint`, [`dns-zone:${link.clusterId}`, 'endpoint']))
  }
  if (!links) steps.push(unknownStep('dns', kinds.zone, 'one zone and record per dedicated cluster', 'Zilliz could not be read, so the clusters are unknown'))
  return steps
}

/** Clusters named in cluster-ids, when Zilliz cannot be asked: hosts follow the documented pattern. */
function namedLinks(config: Config): ClusterLink[] | undefined {
  const { clusterIds, regionId } = config.zilliz
  if (!clusterIds.length) return undefined
  return clusterIds.map((clusterId) => clusterLink({ clusterId, regionId, status: 'UNKNOWN', privateLinkAddress: '' } as Cluster))
}

export async function planOffline(config: Config, modeReason: string, offline: string, zilliz: ZillizApi | undefined): Promise<RunResult> {
  const started = Date.now()
  const result: RunResult = {
    schemaVersion: 1,
    mode: 'plan',
    modeReason,
    offline,
    provider: config.provider,
    target: { projectId: config.zilliz.projectId, regionId: config.zilliz.regionId, network: networkLabel(config) },
    steps: [],
    checks: [skipped('offline', 'Control-plane and data-plane checks', offline)],
    links: [],
    durationMs: 0
  }
  try {
    const target = zilliz ? await buildTarget(config, 'plan', zilliz) : undefined
    const links = target?.clusters ?? namedLinks(config)
    result.target.endpointService = target?.service.endpointService
    result.links = (links ?? []).map((l) => ({ clusterId: l.clusterId, host: l.host, port: l.port, url: `https://${l.host}:${l.port}`, confirmed: l.confirmed }))
    result.steps = stepsFor(config, links, target?.service.whitelistRequired).map(({ run: _run, ...step }) => ({ ...step, status: 'planned' as const }))
  } catch (error) {
    const explained = explainFailure(error)
    result.error = explained.message
    result.hint = explained.hint
  }
  result.durationMs = Date.now() - started
  return result
}
