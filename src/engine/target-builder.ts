// Reads the Zilliz side (endpoint service, clusters, registrations) and turns it into the Target a
// provider plans against. Errors here name the input the user has to change.
import type { Config, Mode } from '../config/types.js'
import type { Cluster, ZillizApi } from '../zilliz/types.js'
import { isDedicated } from '../zilliz/dedicated.js'
import { allInOrder } from '../base/settle.js'
import { InputError } from './input-error.js'
import { resourceTags } from './ownership.js'
import { clusterProblems } from './prewrite.js'
import type { ClusterLink, Target } from './target.js'

export const DEFAULT_PORTS = [443, 19530]

function parseAddress(address: string): { host: string; port: number } | undefined {
  try {
    const url = new URL(address)
    return { host: url.hostname, port: Number(url.port || 443) }
  } catch {
    return undefined
  }
}

/** The private-link host the documentation promises; Zilliz may allocate another (see privateLinkAddress). */
export function documentedHost(cluster: Pick<Cluster, 'clusterId' | 'regionId'>): string {
  return `${cluster.clusterId}-privatelink.${cluster.regionId}.vectordb.zillizcloud.com`
}

/**
 * The host an earlier run may have built DNS for from the pattern, now that Zilliz allocated another one;
 * undefined while the host is still the guess, or when the guess was right.
 */
export function replacedGuess(link: ClusterLink): string | undefined {
  const guess = documentedHost(link.cluster)
  return link.confirmed && guess.toLowerCase() !== link.host.toLowerCase() ? guess : undefined
}

/** Host and port from privateLinkAddress when Zilliz has allocated it, else the documented pattern. */
export function clusterLink(cluster: Cluster): ClusterLink {
  const allocated = cluster.privateLinkAddress ? parseAddress(cluster.privateLinkAddress) : undefined
  if (allocated) return { clusterId: cluster.clusterId, ...allocated, confirmed: true, cluster }
  const publicPort = cluster.connectAddress ? parseAddress(cluster.connectAddress)?.port : undefined
  return {
    clusterId: cluster.clusterId,
    host: documentedHost(cluster),
    port: publicPort ?? 19530,
    confirmed: false,
    cluster
  }
}

/**
 * The target clusters as Zilliz describes them now: one describe for a single cluster, else one listing
 * (both carry privateLinkAddress), so a poll or a check costs a call or a page, not a call per cluster.
 */
export async function currentClusters(zilliz: ZillizApi, target: Pick<Target, 'config' | 'clusters'>): Promise<Cluster[]> {
  const [only, ...more] = target.clusters
  if (only && more.length === 0) return [await zilliz.describeCluster(only.clusterId)]
  const listed = new Map((await zilliz.listClusters(target.config.zilliz.projectId)).map((c) => [c.clusterId, c]))
  return Promise.all(target.clusters.map(async (c) => listed.get(c.clusterId) ?? (await zilliz.describeCluster(c.clusterId))))
}

async function targetClusters(config: Config, zilliz: ZillizApi, destroy: boolean): Promise<Cluster[]> {
  const { projectId, regionId, clusterIds } = config.zilliz
  // A destroy removes whatever the action manages, whatever clusters remain: it needs none.
  if (destroy) return (await zilliz.listClusters(projectId)).filter((c) => c.regionId === regionId && isDedicated(c))
  if (!clusterIds.length) {
    const all = (await zilliz.listClusters(projectId)).filter((c) => c.regionId === regionId && isDedicated(c))
    const problems = clusterProblems(projectId, all)
    if (problems.length) throw new InputError('cluster-ids', `${problems.join('; ')}. Name the clusters to link in cluster-ids, or resume the cluster first.`)
    if (!all.length)
      throw new InputError('zilliz-region-id', `project ${projectId} has no dedicated clusters in ${regionId}. Private links serve dedicated clusters only; create one or pick the region your clusters are in.`)
    return all.sort((a, b) => a.clusterId.localeCompare(b.clusterId))
  }
  const clusters = await Promise.all(clusterIds.map((id) => zilliz.describeCluster(id)))
  const problems = clusterProblems(projectId, clusters)
  if (problems.length) throw new InputError('cluster-ids', `${problems.join('; ')}. A private link serves running clusters of zilliz-project-id; leave these out, or resume them first.`)
  const elsewhere = clusters.filter((c) => c.regionId !== regionId)
  if (elsewhere.length)
    throw new InputError('cluster-ids', `${elsewhere.map((c) => `${c.clusterId} is in ${c.regionId}`).join(', ')}, not ${regionId}. A private link serves the clusters of one region.`)
  const shared = clusters.filter((c) => !isDedicated(c))
  if (shared.length) throw new InputError('cluster-ids', `${shared.map((c) => c.clusterId).join(', ')} ${shared.length > 1 ? 'are' : 'is'} not dedicated; private links serve dedicated clusters only.`)
  return clusters
}

export async function buildTarget(config: Config, mode: Mode, zilliz: ZillizApi, destroy = false): Promise<Target> {
  const { projectId, regionId } = config.zilliz
  // The three reads need none of each other's answers, so they go out together; every one settles before
  // any is judged (nothing outlives the run), in the order a sequential run would meet them: a region
  // without private links makes every other answer moot, so its error comes first.
  const [service, clusters, registrations] = await allInOrder([
    zilliz.listEndpointServices(regionId).then((services) => {
      const found = services.find((s) => s.regionId === regionId)
      if (!found) throw new InputError('zilliz-region-id', `Zilliz offers no private link service in ${regionId}. Check the region id against the Zilliz console's Private Link tab.`)
      return found
    }),
    targetClusters(config, zilliz, destroy),
    zilliz.listPrivateEndpoints(projectId)
  ] as const)
  const links = clusters.map(clusterLink)
  const ports = [...new Set([...DEFAULT_PORTS, ...links.map((l) => l.port), ...config.ports])].sort((a, b) => a - b)
  return {
    config,
    mode,
    service,
    clusters: links,
    ports,
    registrations: registrations.filter((r) => r.regionId === regionId),
    projectEndpoints: registrations.length,
    tags: resourceTags(config)
  }
}
