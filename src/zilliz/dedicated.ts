// Private links are for dedicated clusters; free (in03-) and serverless (in05-) clusters have none.
import type { Cluster } from './types.js'

export function isDedicated(cluster: Cluster): boolean {
  const plan = (cluster.plan ?? '').toLowerCase()
  return !/^in0[35]-/.test(cluster.clusterId) && plan !== 'free' && plan !== 'serverless'
}
