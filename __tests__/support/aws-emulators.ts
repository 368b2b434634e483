// Real AWS SDK clients pointed at the loopback AWS emulators, and small helpers shared by their tests.
import { EC2Client } from '@aws-sdk/client-ec2'
import { Route53Client } from '@aws-sdk/client-route-53'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import type { AwsCredentials, AwsEmulators } from '../../emulators/aws/index.js'
import { ROLE_ARN } from '../../emulators/aws/seed.js'

/** The fields of an SDK service exception the tests assert on. */
export interface ServiceFailure {
  name: string
  message: string
  $fault?: string
  $metadata: { httpStatusCode?: number; attempts?: number }
}

export async function caught(call: Promise<unknown>): Promise<ServiceFailure> {
  try {
    await call
  } catch (error) {
    return error as ServiceFailure
  }
  throw new Error('expected the call to fail')
}

/** What `core.getIDToken(audience)` does on the wire. */
export function requestIdToken(aws: AwsEmulators, audience: string, requestToken = aws.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN): Promise<Response> {
  return fetch(`${aws.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(audience)}`, {
    headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json' }
  })
}

export async function idToken(aws: AwsEmulators, audience = 'sts.amazonaws.com'): Promise<string> {
  const response = await requestIdToken(aws, audience)
  return ((await response.json()) as { value: string }).value
}

export function stsFor(aws: AwsEmulators, credentials?: AwsCredentials): STSClient {
  return new STSClient({
    region: aws.region,
    endpoint: aws.urls.sts,
    maxAttempts: 1,
    ...(credentials ? { credentials } : { credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } })
  })
}

/** OIDC → STS the way the action does it; returns the temporary credentials. */
export async function assumeRole(aws: AwsEmulators, roleArn = ROLE_ARN): Promise<AwsCredentials> {
  const answer = await stsFor(aws).send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'gha-private-link', WebIdentityToken: await idToken(aws) })
  )
  const c = answer.Credentials!
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }
}

export function ec2For(aws: AwsEmulators, credentials: AwsCredentials, options: { maxAttempts?: number; region?: string } = {}): EC2Client {
  return new EC2Client({
    region: options.region ?? aws.region,
    endpoint: aws.urls.ec2,
    credentials,
    maxAttempts: options.maxAttempts ?? 1
  })
}

export function route53For(aws: AwsEmulators, credentials: AwsCredentials): Route53Client {
  return new Route53Client({ region: 'us-east-1', endpoint: aws.urls.route53, credentials, maxAttempts: 1 })
}
