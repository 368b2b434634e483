// Route 53 Resolver, the two reads the DNS analysis needs (JSON 1.1, X-Amz-Target
// Route53Resolver.<Operation>). No release of @aws-sdk/client-route53resolver matches the SDK version the
// action bundles, and an older one would bundle a second copy of the SDK core, so these calls go as signed
// requests: the SDK's SigV4 signer, and the EC2 client's own credentials and HTTP handler (its proxy
// agents). Failures are described like the clients' (operation, code, IAM action, role); throttling and
// server errors are retried with backoff.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto'
import type { EC2Client } from '@aws-sdk/client-ec2'
import { SignatureV4 } from '@smithy/signature-v4'
import type { HttpRequest as SmithyRequest, SourceData } from '@smithy/types'
import { retry } from '../../base/retry.js'
import { annotateCloudError } from '../../engine/cloud-error.js'
import { awsFailure } from './errors.js'
import { awsEndpointUrl } from './endpoint-url.js'

export interface ResolverRule {
  Id?: string
  Name?: string
  DomainName?: string
  RuleType?: 'FORWARD' | 'SYSTEM' | 'RECURSIVE' | 'DELEGATE' | string
  TargetIps?: { Ip?: string; Ipv6?: string; Port?: number; Protocol?: string }[]
  ShareStatus?: string
}

export interface ResolverRuleAssociation {
  Id?: string
  ResolverRuleId?: string
  VPCId?: string
  Status?: string
}

export interface ResolverApi {
  /** The associations of rules (own and shared) with the VPC */
  ruleAssociations(vpcId: string): Promise<ResolverRuleAssociation[]>
  /** The rules the account sees: its own, those shared with it, and the auto-defined ones */
  rules(): Promise<ResolverRule[]>
}

/** The service's error as the SDK clients would raise it: name = code, $metadata.httpStatusCode. */
class ResolverError extends Error {
  readonly $metadata: { httpStatusCode: number }
  constructor(code: string, message: string, status: number) {
    super(message)
    this.name = code
    this.$metadata = { httpStatusCode: status }
  }
}

const RETRYABLE = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'InternalServiceErrorException', 'ServiceUnavailableException'])
const isRetryable = (error: unknown) => {
  const e = error as Partial<ResolverError>
  return RETRYABLE.has(e.name ?? '') || (e.$metadata?.httpStatusCode ?? 0) >= 500 || e.name === 'TimeoutError' || (error as { code?: string }).code === 'ECONNRESET'
}

/** node:crypto behind the Checksum interface the signer takes (sha256, or HMAC-SHA256 with a key). */
class Sha256 {
  private readonly hash: Hash | Hmac
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', toBuffer(secret)) : createHash('sha256')
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data))
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest())
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return Buffer.from(data)
}

/** The endpoint as the SDK would pick it: AWS_ENDPOINT_URL_ROUTE53RESOLVER, AWS_ENDPOINT_URL, or the regional one. */
export const resolverEndpoint = (region: string, env: NodeJS.ProcessEnv = process.env): URL => awsEndpointUrl('ROUTE53RESOLVER', 'route53resolver', region, env)

type Json = Record<string, unknown>

/** Every Route 53 Resolver operation the action calls (the IAM actions are route53resolver:<operation>). */
export const RESOLVER_OPERATIONS = ['ListResolverRuleAssociations', 'ListResolverRules'] as const
type ResolverOperation = (typeof RESOLVER_OPERATIONS)[number]

export function resolverApi(ec2: EC2Client, region: string, principal: () => string | undefined, signal?: AbortSignal): ResolverApi {
  const endpoint = resolverEndpoint(region)
  const signer = new SignatureV4({ service: 'route53resolver', region, credentials: ec2.config.credentials, sha256: Sha256 })

  async function once(operation: ResolverOperation, input: Json): Promise<Json> {
    const body = JSON.stringify(input)
    const request: SmithyRequest = {
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname || '/',
      query: {},
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `Route53Resolver.${operation}`,
        'content-length': String(Buffer.byteLength(body))
      },
      body
    }
    const signed = await signer.sign(request)
    const { response } = await ec2.config.requestHandler.handle(signed as never, { abortSignal: signal })
    const text = await readBody(response.body)
    const parsed = text ? (JSON.parse(text) as Json) : {}
    if (response.statusCode >= 400) {
      const type = String(response.headers['x-amzn-errortype'] ?? parsed['__type'] ?? 'UnknownError')
      throw new ResolverError(type.split(':')[0]!.split('#').pop()!, String(parsed['Message'] ?? parsed['message'] ?? `HTTP ${response.statusCode}`), response.statusCode)
    }
    return parsed
  }

  async function call(operation: ResolverOperation, input: Json): Promise<Json> {
    try {
      return await retry(() => once(operation, input), { attempts: 6, baseMs: 300, maxMs: 5000, isRetryable, signal })
    } catch (error) {
      annotateCloudError(error, awsFailure(error, `route53resolver:${operation}`, principal()))
      throw error
    }
  }

  /** Every page of a list operation. */
  async function list<T>(operation: ResolverOperation, key: string, input: Json): Promise<T[]> {
    const items: T[] = []
    let token: string | undefined
    do {
      const page = await call(operation, { ...input, MaxResults: 100, ...(token ? { NextToken: token } : {}) })
      items.push(...((page[key] as T[] | undefined) ?? []))
      token = page['NextToken'] as string | undefined
    } while (token)
    return items
  }

  return {
    ruleAssociations: (vpcId) => list<ResolverRuleAssociation>('ListResolverRuleAssociations', 'ResolverRuleAssociations', { Filters: [{ Name: 'VPCId', Values: [vpcId] }] }),
    rules: () => list<ResolverRule>('ListResolverRules', 'ResolverRules', {})
  }
}

async function readBody(body: unknown): Promise<string> {
  if (body === undefined || body === null) return ''
  if (typeof body === 'string') return body
  const chunks: Buffer[] = []
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}
