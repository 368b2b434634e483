// One way to report a failed cloud call, for every provider: the cloud, the API operation, the error code
// and the cloud's own words; for a denial also the permission the identity lacks, whom it was evaluated
// for, and the file in docs/policies that grants it. Providers only translate their SDK's error shape
// into a CloudCallFailure and look the operation up in their permission table.
import type { ProviderName } from '../config/types.js'

/** What an operation needs the identity to be allowed, from a provider's permission table. */
export interface OperationPermissions {
  /** IAM actions (AWS), IAM permissions (Google Cloud) or RBAC actions (Azure) checked for the call */
  permissions: string[]
  /** Writes are granted by the apply policy only; reads by the plan and the apply policy */
  write: boolean
  /** The policy file (docs/policies/<name>.json) of an opt-in feature that grants it instead, e.g. 'aws-probe' */
  policy?: string
}

/** Where one permission is checked, and the file that grants it there. */
export interface PermissionPlace {
  /** 'project host-net'; 'scope /subscriptions/S/resourceGroups/G (resource group G of subscription S)' */
  scope?: string
  /** The file that grants it there; absent: the cloud's plan/apply (or the opt-in feature's) file */
  policy?: string
}

export interface CloudCallFailure {
  cloud: ProviderName
  /** The operation as the cloud names it: ec2:CreateVpcEndpoint, compute.forwardingRules.insert, PrivateEndpoints_CreateOrUpdate */
  operation: string
  /** The resource the call addressed, when the operation alone does not say */
  target?: string
  /** The cloud's error code: UnauthorizedOperation, forbidden, AuthorizationFailed, InvalidChangeBatch, … */
  code: string
  status?: number
  /** The cloud's own message (never the request: it holds credentials) */
  detail: string
  /** The identity lacks a permission (as opposed to a bad request, a conflict or an outage) */
  denied: boolean
  /** From the provider's table; absent when the operation is not in it */
  required?: OperationPermissions
  /** The permissions the cloud's message says were refused, when it says */
  refused?: string[]
  /** Who the call was evaluated for: role ARN, service account, client id */
  principal?: string
  /**
   * Per permission, where the cloud checks it and what grants it there, when that is more than the cloud's
   * one plan/apply file says: a GCP project of a Shared VPC, an Azure subscription, resource group or
   * resource, another AWS account's role
   */
  places?: Record<string, PermissionPlace>
  /** How the files named are to be granted, said after them (Azure: assigned on the scope named) */
  grantNote?: string
}

const CLOUD_NAME: Record<ProviderName, string> = { aws: 'AWS', gcp: 'Google Cloud', azure: 'Azure' }
const PERMISSION_KIND: Record<ProviderName, [string, string]> = {
  aws: ['IAM action', 'IAM actions'],
  gcp: ['IAM permission', 'IAM permissions'],
  azure: ['Azure action', 'Azure actions']
}
const IDENTITY_KIND: Record<ProviderName, string> = { aws: 'role', gcp: 'service account', azure: 'identity' }

/**
 * The file in docs/policies that grants the operation's permissions: `policy` names one file outright;
 * `files` names another plan/apply pair (e.g. 'aws-dns-account').
 */
export function policyFile(cloud: ProviderName, write: boolean, policy?: string, files: string = cloud): string {
  if (policy) return `docs/policies/${policy}.json`
  return write ? `docs/policies/${files}-apply.json` : `docs/policies/${files}-plan.json (and ${files}-apply.json)`
}

export function describeCloudFailure(f: CloudCallFailure): string {
  const cloud = CLOUD_NAME[f.cloud]
  const code = `${f.code || 'no error code'}${f.status ? `, HTTP ${f.status}` : ''}`
  const said = f.detail ? ` ${cloud} said: ${f.detail}` : ''
  const call = `${cloud} ${f.operation}${f.target ? ` (${f.target})` : ''}`
  if (!f.denied) return `${call} failed (${code}).${said}`
  const who = f.principal ? `the ${IDENTITY_KIND[f.cloud]} ${f.principal}` : `the ${IDENTITY_KIND[f.cloud]} the action runs as`
  if (!f.required) return `${call} was denied (${code}): ${who} lacks the permission it needs.${said}`
  const [one, many] = PERMISSION_KIND[f.cloud]
  // When the cloud names the permission it refused, that one is the missing one.
  const missing = f.refused?.length ? f.refused : f.required.permissions
  const placeOf = (permission: string) => f.places?.[permission]
  // One scope for every missing permission is said once, after them; different scopes beside each one.
  const scopes = [...new Set(missing.map((p) => placeOf(p)?.scope))]
  const shared = scopes.length === 1 ? scopes[0] : undefined
  const named = missing.map((p) => {
    const scope = placeOf(p)?.scope
    return !shared && scope ? `${p} on ${scope}` : p
  })
  const needs =
    named.length === 1
      ? `the ${one} ${named[0]}`
      : `one or more of the ${many} ${named.join(', ')} (the call needs all of them)`
  const where = shared ? ` on ${shared}` : ''
  const required = f.required
  const files = [...new Set(missing.map((p) => placeOf(p)?.policy ?? policyFile(f.cloud, required.write, required.policy)))]
  const grant = `${files.join(' and ')} ${files.length > 1 ? 'do' : 'does'}${f.grantNote ? `, ${f.grantNote}` : ''}`
  return `${call} was denied (${code}): ${who} lacks ${needs}${where}; grant it as ${grant}.${said}`
}

const FAILURE = Symbol('cloud call failure')

/**
 * Makes the error's message say what to fix. The SDK's own error object is kept, since callers branch on
 * its name, code and status; the first description wins (an outer layer never overwrites an inner one).
 */
export function annotateCloudError(error: unknown, failure: CloudCallFailure): void {
  if (!(error instanceof Error) || cloudFailureOf(error)) return
  Object.defineProperty(error, FAILURE, { value: failure, enumerable: false })
  error.message = describeCloudFailure(failure)
}

export function cloudFailureOf(error: unknown): CloudCallFailure | undefined {
  return error instanceof Error ? (error as Error & { [FAILURE]?: CloudCallFailure })[FAILURE] : undefined
}
