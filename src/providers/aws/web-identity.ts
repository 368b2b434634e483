// sts:AssumeRoleWithWebIdentity spoken over node:http: a form POST in STS's Query protocol answered in XML.
// The call is unsigned (the GitHub ID token is the credential), so it needs none of the SDK: it can go out
// while the SDK's code still loads (head-start.ts), and a run saves loading @aws-sdk/client-sts for it.
// Failures take the SDK clients' shape (name = STS's error code, $metadata.httpStatusCode), so the retry
// policy and the messages in auth.ts judge every failure as they judge the other clients'.
import type { Agent } from 'node:http'
import type { AwsSettings } from '../../config/types.js'
import { exchangeAhead, type ExchangeAhead } from '../../oidc/exchange-ahead.js'
import { outboundAgents } from '../../net/outbound.js'
import { excerpt, exchange } from '../../base/http-exchange.js'
import { TOKEN_EXCHANGE_TIMEOUT_MS } from '../../base/retry.js'
import { USER_AGENT } from '../../version.js'
import { awsEndpointUrl } from './endpoint-url.js'

/** The one STS operation spoken here (its IAM action is sts:AssumeRoleWithWebIdentity, granted by the role's trust policy). */
export const WEB_IDENTITY_OPERATION = 'AssumeRoleWithWebIdentity'


export interface WebIdentityRequest {
  region: string
  roleArn: string
  sessionName: string
  durationSeconds?: number
  /** The GitHub ID token */
  token: string
  agentFor?: (url: URL) => Agent | undefined
  env?: NodeJS.ProcessEnv
}

export interface RoleSession {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
  /** The assumed role's session ARN (AssumedRoleUser.Arn) */
  principal?: string
}

/** STS refused or failed: `name` is its error code (AccessDenied, InvalidIdentityToken, …). */
export class StsError extends Error {
  readonly $metadata: { httpStatusCode: number }
  constructor(code: string, message: string, status: number) {
    super(message)
    this.name = code
    this.$metadata = { httpStatusCode: status }
  }
}

export async function assumeRoleWithWebIdentity(request: WebIdentityRequest): Promise<RoleSession> {
  const url = awsEndpointUrl('STS', 'sts', request.region, request.env)
  const form = new URLSearchParams({ Action: WEB_IDENTITY_OPERATION, Version: '2011-06-15', RoleArn: request.roleArn, RoleSessionName: request.sessionName, WebIdentityToken: request.token })
  if (request.durationSeconds !== undefined) form.set('DurationSeconds', String(request.durationSeconds))
  const answer = await exchange({
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'User-Agent': USER_AGENT },
    body: form.toString(),
    timeoutMs: TOKEN_EXCHANGE_TIMEOUT_MS,
    agentFor: request.agentFor
  })
  if (answer.status < 200 || answer.status > 299) {
    const error = element(answer.body, 'Error')
    const code = (error && text(error, 'Code')) || `HTTP${answer.status}`
    throw new StsError(code, (error && text(error, 'Message')) || excerpt(answer.body, 300) || answer.statusText, answer.status)
  }
  const credentials = element(answer.body, 'Credentials')
  const accessKeyId = credentials && text(credentials, 'AccessKeyId')
  const secretAccessKey = credentials && text(credentials, 'SecretAccessKey')
  if (!accessKeyId || !secretAccessKey) throw new StsError('NoCredentials', 'STS returned no credentials', answer.status)
  const expiration = text(credentials, 'Expiration')
  const assumed = element(answer.body, 'AssumedRoleUser')
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken: text(credentials, 'SessionToken'),
    expiration: expiration ? new Date(expiration) : undefined,
    principal: (assumed && text(assumed, 'Arn')) || undefined
  }
}

// STS's answers are flat, namespaced only by a default xmlns: an element is found by its name alone.
const element = (xml: string, name: string): string | undefined => new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml)?.[1]

const text = (xml: string, name: string): string | undefined => {
  const inner = element(xml, name)
  return inner === undefined ? undefined : decodeEntities(inner.trim())
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)))
    return NAMED[entity] ?? whole
  })
}

/** Assumes aws-role-arn as soon as the first ID token is there (head-start.ts); auth.ts takes the outcome. */
export function assumeAhead(settings: AwsSettings, roleArn: string, token: Promise<string>, env: NodeJS.ProcessEnv = process.env): ExchangeAhead<RoleSession> {
  return exchangeAhead(token, (value) =>
    assumeRoleWithWebIdentity({ region: settings.region, roleArn, sessionName: settings.roleSessionName, durationSeconds: settings.roleDurationSeconds, token: value, agentFor: outboundAgents(env)?.for, env })
  )
}
