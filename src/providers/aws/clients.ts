// The AWS SDK clients of one run. Endpoints come from the SDK's standard AWS_ENDPOINT_URL_* variables,
// so any emulator or VPC interface endpoint can stand in without code changes.
import { EC2Client } from '@aws-sdk/client-ec2'
import { Route53Client } from '@aws-sdk/client-route-53'
import type { AwsSettings } from '../../config/types.js'
import { USER_AGENT } from '../../version.js'
import type { AwsSession } from './auth.js'

export interface AwsClients {
  ec2: EC2Client
  route53: Route53Client
}

export function awsClients(settings: AwsSettings, session: AwsSession): AwsClients {
  const common = { customUserAgent: USER_AGENT, maxAttempts: 5, ...(session.credentials ? { credentials: session.credentials } : {}) }
  return {
    ec2: new EC2Client({ region: settings.region, ...common }),
    // Route 53 is global; its API lives in us-east-1 for the commercial partition.
    route53: new Route53Client({ region: 'us-east-1', ...common })
  }
}

/** EC2 tag list from a record. */
export function toTags(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
}

export function tagValue(tags: { Key?: string; Value?: string }[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value
}
