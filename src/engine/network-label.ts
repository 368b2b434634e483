// How the user's network is named in reports, for every cloud.
import type { Config } from '../config/types.js'

export function networkLabel(config: Config): string {
  if (config.aws) return `${config.aws.vpcId} (${config.aws.region})`
  if (config.gcp) return `${config.gcp.network} (${config.gcp.projectId}, ${config.gcp.region})`
  if (config.azure) return `${config.azure.virtualNetwork} (${config.azure.resourceGroup}, ${config.azure.location})`
  return config.provider
}
