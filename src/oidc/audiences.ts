// The audience each cloud's exchange asks GitHub's ID token for. Known from the inputs alone, so the first
// token can be on its way while the cloud's code loads.
import type { Config } from '../config/types.js'

export const AWS_AUDIENCE = 'sts.amazonaws.com'
export const AZURE_AUDIENCE = 'api://AzureADTokenExchange'
/** The workload identity provider's default allowed audience (STS itself takes the provider's name). */
export const gcpAudience = (provider: string) => `https://iam.googleapis.com/${provider}`

/** The audience of the run's first ID token; undefined when the run authenticates with ambient credentials. */
export function firstIdTokenAudience(config: Config): string | undefined {
  if (config.aws?.roleArn) return AWS_AUDIENCE
  if (config.gcp?.workloadIdentityProvider) return gcpAudience(config.gcp.workloadIdentityProvider)
  if (config.azure?.tenantId && config.azure.clientId) return AZURE_AUDIENCE
  return undefined
}
