// AWS SDK errors into the shared cloud error report: every failed call of the EC2 and Route 53 clients
// names its operation (ec2:CreateVpcEndpoint), its code and, for a denial, the IAM action and the role.
import type { MiddlewareStack } from '@smithy/types'
import { annotateCloudError, policyFile, type CloudCallFailure, type OperationPermissions } from '../../engine/cloud-error.js'
import { AWS_PERMISSIONS } from './permissions.js'

/** Whose calls a client makes: its permission table and the policy files that grant them. */
export interface AwsRolePolicies {
  table: Record<string, OperationPermissions>
  /** e.g. 'aws' (docs/policies/aws-apply.json) or 'aws-dns-account' */
  files: string
}

const ENDPOINT_ROLE: AwsRolePolicies = { table: AWS_PERMISSIONS, files: 'aws' }

const DENIALS = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess'])

interface AwsServiceError {
  name?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
}

/** EC2's denials end with a long encoded blob only `aws sts decode-authorization-message` can read. */
function conciseDetail(message: string): string {
  return message.replace(/\s*Encoded authorization failure message:\s*\S+/, ' (decode the encoded authorization failure message with aws sts decode-authorization-message)').trim()
}

export function awsFailure(error: unknown, operation: string, principal: string | undefined, role: AwsRolePolicies = ENDPOINT_ROLE): CloudCallFailure {
  const e = error as AwsServiceError
  const code = e.name ?? 'Error'
  const required = role.table[operation]
  // "User: arn:… is not authorized to perform: ec2:CreateTags on resource: …"
  const refused = [...(e.message ?? '').matchAll(/not authorized to perform: ([\w-]+:\w+)/g)].map((m) => m[1] as string)
  return {
    cloud: 'aws',
    operation,
    code,
    status: e.$metadata?.httpStatusCode,
    detail: conciseDetail(e.message ?? ''),
    denied: DENIALS.has(code),
    required,
    refused,
    principal,
    // Another role's calls (the DNS account's) are granted by that role's own files.
    ...(role.files === 'aws' || !required
      ? {}
      : { places: Object.fromEntries((refused.length ? refused : required.permissions).map((p) => [p, { policy: policyFile('aws', required.write, required.policy, role.files) }])) })
  }
}

/**
 * Describes every failure of the client's calls, after the SDK's own retries. `service` is the IAM
 * prefix (ec2, route53); `principal()` says whom AWS evaluated the call for, as far as known.
 */
export function describeAwsFailures<I extends object, O extends object>(
  client: { middlewareStack: MiddlewareStack<I, O> },
  service: string,
  principal: () => string | undefined,
  role: AwsRolePolicies = ENDPOINT_ROLE
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args)
      } catch (error) {
        const operation = `${service}:${(context.commandName ?? 'UnknownCommand').replace(/Command$/, '')}`
        annotateCloudError(error, awsFailure(error, operation, principal(), role))
        throw error
      }
    },
    { step: 'initialize', name: 'describeCloudFailures', priority: 'high' }
  )
}
