// The AWS SDK clients of one run. Endpoints come from the SDK's standard AWS_ENDPOINT_URL_* variables,
// so any emulator or VPC interface endpoint can stand in without code changes.
import { EC2Client } from '@aws-sdk/client-ec2'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { Route53Client } from '@aws-sdk/client-route-53'
import type { Observations } from '../../base/observations.js'
import { ServiceGate, underLimit, type BucketSpec } from '../../base/rate-limit.js'
import type { AwsSettings } from '../../config/types.js'
import { USER_AGENT } from '../../version.js'
import type { AwsSession } from './auth.js'
import { describeAwsFailures, type AwsRolePolicies } from './errors.js'
import { AWS_DNS_PERMISSIONS } from './permissions.js'
import { awsRequestHandler } from './request-handler.js'
import { resolverApi, type ResolverApi } from './resolver-api.js'

// The documented buckets (see emulators/aws/rate-limits.ts for the sources), paced at 90 % so a run
// does not throttle itself. Throttles caused by other callers of the account are retried by the SDK in
// its adaptive mode: Throttling and RequestLimitExceeded are in its throttling list, and each one also
// slows the client's own send rate, so a busy account cannot fail the run with a burst of throttles.
const ROUTE53_OPERATIONS: Record<string, BucketSpec> = { CreateHostedZone: underLimit(40, 2), AssociateVPCWithHostedZone: underLimit(20, 5) }
const route53Gate = () => new ServiceGate({ maxInFlight: 4, rate: underLimit(50, 10), operation: (name) => ROUTE53_OPERATIONS[name] })
/** EC2's buckets are per action: mutating 50 at 5/s, Describe* 100 at 20/s. */
const ec2Gate = () => new ServiceGate({ maxInFlight: 8, operation: (name) => (/^Describe/.test(name) ? underLimit(100, 20) : underLimit(50, 5)) })
/** Lambda's control plane: 15 requests per second per region (GetFunction and Invoke have their own, higher limits). */
const lambdaGate = () => new ServiceGate({ maxInFlight: 4, operation: (name) => (name === 'GetFunction' || name === 'Invoke' ? underLimit(100, 100) : underLimit(15, 15)) })

interface GatedClient {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void }
}

/** Every attempt (retries included) passes the gate; the slot is held until the response is back. */
function gated<C extends GatedClient>(client: C, gate: ServiceGate): C {
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown) => {
      const release = await gate.enter(context.commandName?.replace(/Command$/, ''))
      try {
        return await next(args)
      } finally {
        release()
      }
    }
  client.middlewareStack.add(middleware, { step: 'finalizeRequest', priority: 'low', name: 'zplServiceGate' })
  return client
}

// The reads that observe what exists, which plan, inventory and verify share while nothing is written.
// Waits poll only while the plan runs, when nothing is shared (reconcile.ts); GetChange only follows a write.
const OBSERVING = new Set([
  'DescribeVpcs',
  'DescribeSubnets',
  'DescribeVpcEndpointServices',
  'DescribeSecurityGroups',
  'DescribeVpcEndpoints',
  'ListHostedZonesByVPC',
  'ListHostedZonesByName',
  'GetHostedZone',
  'ListResourceRecordSets',
  'ListTagsForResources'
])

/** Identical observing reads of one client get the first answer while the run's observation is shared. */
function observed<C extends GatedClient>(client: C, service: string, observations: Observations): C {
  const middleware =
    (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) =>
    (args: { input: unknown }) => {
      const operation = context.commandName?.replace(/Command$/, '') ?? ''
      return OBSERVING.has(operation) ? observations.read(`${service}:${operation}:${JSON.stringify(args.input)}`, () => next(args)) : next(args)
    }
  client.middlewareStack.add(middleware, { step: 'initialize', priority: 'high', name: 'zplObservation' })
  return client
}

export interface AwsClients {
  ec2: EC2Client
  route53: Route53Client
  /** The in-network probe's functions: the SDK client is loaded only when a probe role is given */
  lambda: () => Promise<LambdaClient>
  /** Route 53 Resolver's reads, as signed requests (no SDK client of a matching version) */
  resolver: ResolverApi
}

/** The clients of the endpoint's role (aws-role-arn, or the runner's credentials). */
export function awsClients(settings: AwsSettings, session: AwsSession, observations: Observations): AwsClients {
  return clientsOf(settings, session, observations, { name: 'endpoint', principal: () => session.principal() ?? settings.roleArn })
}

const DNS_ROLE: AwsRolePolicies = { table: AWS_DNS_PERMISSIONS, files: 'aws-dns-account' }

/** The clients of the role that holds the zones (aws-dns-role-arn); its denials name its own policy files. */
export function awsDnsClients(settings: AwsSettings, session: AwsSession, observations: Observations, roleArn: string): AwsClients {
  return clientsOf(settings, session, observations, { name: 'dns', principal: () => session.principal() ?? roleArn, policies: DNS_ROLE })
}

interface ClientRole {
  /** Keeps each role's shared observations apart: two accounts answer the same read differently */
  name: string
  principal: () => string | undefined
  policies?: AwsRolePolicies
}

function clientsOf(settings: AwsSettings, session: AwsSession, observations: Observations, role: ClientRole): AwsClients {
  const common = { customUserAgent: USER_AGENT, maxAttempts: 8, retryMode: 'adaptive', ...awsRequestHandler(), ...(session.credentials ? { credentials: session.credentials } : {}) }
  const ec2 = observed(gated(new EC2Client({ region: settings.region, ...common }), ec2Gate()), `${role.name}:ec2`, observations)
  // Route 53 is global; its API lives in us-east-1 for the commercial partition. Its buckets are per
  // account, so each role's clients pace themselves apart.
  const route53 = observed(gated(new Route53Client({ region: 'us-east-1', ...common }), route53Gate()), `${role.name}:route53`, observations)
  describeAwsFailures(ec2, 'ec2', role.principal, role.policies)
  describeAwsFailures(route53, 'route53', role.principal, role.policies)
  let lambda: Promise<LambdaClient> | undefined
  const lambdaClient = () =>
    (lambda ??= import('@aws-sdk/client-lambda').then(({ LambdaClient }) => {
      const client = gated(new LambdaClient({ region: settings.region, ...common }), lambdaGate())
      describeAwsFailures(client, 'lambda', role.principal, role.policies)
      return client
    }))
  return { ec2, route53, lambda: lambdaClient, resolver: resolverApi(ec2, settings.region, role.principal) }
}

/** EC2 tag list from a record. */
export function toTags(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
}

export function tagValue(tags: { Key?: string; Value?: string }[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value
}
