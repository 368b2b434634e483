// The AWS SDK clients of one run. Endpoints come from the SDK's standard AWS_ENDPOINT_URL_* variables,
// so any emulator or VPC interface endpoint can stand in without code changes.
import { EC2Client } from '@aws-sdk/client-ec2'
import { Route53Client } from '@aws-sdk/client-route-53'
import type { AwsSettings } from '../../config/types.js'
import { USER_AGENT } from '../../version.js'
import type { AwsSession } from './auth.js'
import { describeAwsFailures } from './errors.js'
import { awsRequestHandler } from './request-handler.js'

export interface AwsClients {
  ec2: EC2Client
  route53: Route53Client
}

export function awsClients(settings: AwsSettings, session: AwsSession): AwsClients {
  const common = { customUserAgent: USER_AGENT, maxAttempts: 5, ...awsRequestHandler(), ...(session.credentials ? { credentials: session.credentials } : {}) }
  const ec2 = new EC2Client({ region: settings.region, ...common })
  // Route 53 is global; its API lives in us-east-1 for the commercial partition.
  const route53 = new Route53Client({ region: 'us-east-1', ...common })
  const principal = () => session.principal() ?? settings.roleArn
  describeAwsFailures(ec2, 'ec2', principal)
  describeAwsFailures(route53, 'route53', principal)
  return { ec2, route53 }
}

/** EC2 tag list from a record. */
export function toTags(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
}

export function tagValue(tags: { Key?: string; Value?: string }[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value
}
