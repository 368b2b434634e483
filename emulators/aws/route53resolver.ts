// Route 53 Resolver (JSON 1.1, X-Amz-Target Route53Resolver.<Operation>), as far as a reader of a VPC's DNS
// needs it: rules (FORWARD, SYSTEM, RECURSIVE, DELEGATE) and their associations with VPCs. Rules are seeded by
// tests (addRule), as the console or the CLI would have made them; the auto-defined "Internet Resolver"
// RECURSIVE rule for "." is always listed, as the service lists it. Shapes, filter names (with their old
// upper-case spellings), MaxResults 1-100 and error codes follow the Route 53 Resolver API reference
// (ListResolverRules, ListResolverRuleAssociations, GetResolverRule, Filter). Rules shared with the account
// through RAM are listed with ShareStatus SHARED_WITH_ME (the SDKs' and Terraform's rule look-ups filter
// ListResolverRules by it). As the service does, a request must be a signed POST of JSON 1.1 whose
// credential scope names route53resolver and the region.
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import type { World } from '../core/world.js'
import { authenticate, type AuthErrors } from './auth.js'
import { AwsError, answerOrError } from './xml.js'

export type ResolverRuleType = 'FORWARD' | 'SYSTEM' | 'RECURSIVE' | 'DELEGATE'

export interface ResolverRule {
  Id: string
  Name: string
  /** Fully qualified, with the trailing dot, as the service returns it */
  DomainName: string
  RuleType: ResolverRuleType
  TargetIps?: { Ip: string; Port: number; Protocol?: string }[]
  ResolverEndpointId?: string
  /** Shared with this account through RAM by another account */
  shared?: boolean
}

const RESOLVER_AUTH_ERRORS: AuthErrors = {
  unknownKey: { status: 400, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
  expired: { status: 400, code: 'ExpiredTokenException', message: 'The security token included in the request is expired' }
}

const INTERNET_RESOLVER: ResolverRule = { Id: 'rslvr-autodefined-rr-internet-resolver', Name: 'Internet Resolver', DomainName: '.', RuleType: 'RECURSIVE' }
const OPERATIONS = new Set(['ListResolverRules', 'ListResolverRuleAssociations', 'GetResolverRule'])
const PAGE = 100
/** The account that shares rules with the emulated one */
const SHARING_ACCOUNT = '210987654321'
/** Filter names per list operation, and the upper-case spellings the service still accepts. */
const RULE_FILTERS = ['CreatorRequestId', 'DomainName', 'Name', 'ResolverEndpointId', 'Status', 'Type']
const ASSOCIATION_FILTERS = ['Name', 'ResolverRuleId', 'Status', 'VPCId']
const upperCase = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()

type Json = Record<string, unknown>

export class Route53ResolverEmulator implements Service {
  readonly name = 'route53resolver'
  readonly rules = new Map<string, ResolverRule>()
  /** Rule id → associated VPC ids */
  readonly associations = new Map<string, string[]>()

  constructor(
    private readonly world: World,
    private readonly accountId: string,
    private readonly region: string,
    private readonly now: () => number = Date.now
  ) {}

  /** Seeds a rule and associates it with these VPCs. */
  addRule(rule: Omit<ResolverRule, 'Id'> & { Id?: string }, vpcIds: string[]): ResolverRule {
    const created: ResolverRule = { ...rule, Id: rule.Id ?? `rslvr-rr-${(this.rules.size + 1).toString(16).padStart(17, '0')}` }
    this.rules.set(created.Id, created)
    this.associations.set(created.Id, vpcIds)
    return created
  }

  classify(req: EmulatorRequest): Classified {
    return { operation: this.operationOf(req) ?? 'unknown', write: false }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answerOrError(() => {
      const { scope } = authenticate(this.world, req.headers, RESOLVER_AUTH_ERRORS, this.now())
      if (scope.service !== 'route53resolver' || scope.region !== this.region)
        throw new AwsError(403, 'InvalidSignatureException', `Credential should be scoped to a valid region and to the correct service: '${this.region}/route53resolver', not '${scope.region}/${scope.service}'.`)
      if (req.method !== 'POST') throw new AwsError(400, 'UnknownOperationException', 'Only POST is accepted')
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) throw new AwsError(400, 'SerializationException', 'Expected application/x-amz-json-1.1')
      const operation = this.operationOf(req)
      if (!operation || !OPERATIONS.has(operation)) throw new AwsError(400, 'UnknownOperationException', `Unknown operation ${req.headers['x-amz-target'] ?? ''}`)
      const input = (req.body ? JSON.parse(req.body) : {}) as Json
      const output = operation === 'ListResolverRules' ? this.listRules(input) : operation === 'ListResolverRuleAssociations' ? this.listAssociations(input) : this.getRule(input)
      return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(output) }
    }, (s, c, m) => this.errorResponse(s, c, m))
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return { status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code }, body: JSON.stringify({ __type: code, Message: message }) }
  }

  private operationOf(req: EmulatorRequest): string | undefined {
    const target = String(req.headers['x-amz-target'] ?? '')
    return target.startsWith('Route53Resolver.') ? target.slice('Route53Resolver.'.length) : undefined
  }

  private view(rule: ResolverRule): Json {
    const { shared, ...fields } = rule
    return {
      ...fields,
      Arn: `arn:aws:route53resolver:${this.region}:${this.accountId}:resolver-rule/${rule.Id}`,
      CreatorRequestId: rule.Id,
      Status: 'COMPLETE',
      StatusMessage: '[Trace id: 1-00000000-000000000000000000000000] Successfully created Resolver Rule.',
      OwnerId: rule.RuleType === 'RECURSIVE' ? 'Route 53 Resolver' : shared ? SHARING_ACCOUNT : this.accountId,
      ShareStatus: shared ? 'SHARED_WITH_ME' : 'NOT_SHARED'
    }
  }

  /** Filters: Name/Values pairs; NextToken is the offset, as opaque to clients as the service's. */
  private page<T>(items: T[], input: Json): { items: T[]; NextToken?: string } {
    const max = input['MaxResults'] === undefined ? PAGE : Number(input['MaxResults'])
    if (!Number.isInteger(max) || max < 1 || max > PAGE)
      throw new AwsError(400, 'ValidationException', `1 validation error detected: Value '${String(input['MaxResults'])}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${PAGE}`)
    const start = Number(input['NextToken'] ?? 0) || 0
    return { items: items.slice(start, start + max), ...(start + max < items.length ? { NextToken: String(start + max) } : {}) }
  }

  /** Filters by their current names (old upper-case spellings mapped); an unknown name is refused. */
  private filters(input: Json, known: string[]): Map<string, string[]> {
    const filters = (input['Filters'] ?? []) as { Name?: string; Values?: string[] }[]
    if (!Array.isArray(filters)) throw new AwsError(400, 'InvalidParameterException', 'Filters must be a list')
    return new Map(
      filters.map((f) => {
        const name = known.find((k) => k === f.Name || upperCase(k) === f.Name)
        if (!name) throw new AwsError(400, 'InvalidParameterException', `[RSLVR-00102] Unknown filter ${String(f.Name)}`)
        return [name, f.Values ?? []]
      })
    )
  }

  private listRules(input: Json): Json {
    const filters = this.filters(input, RULE_FILTERS)
    const visible = [INTERNET_RESOLVER, ...this.rules.values()]
    const type = filters.get('Type')
    const page = this.page(type ? visible.filter((r) => type.includes(r.RuleType)) : visible, input)
    return { ResolverRules: page.items.map((r) => this.view(r)), MaxResults: PAGE, ...(page.NextToken ? { NextToken: page.NextToken } : {}) }
  }

  private listAssociations(input: Json): Json {
    const filters = this.filters(input, ASSOCIATION_FILTERS)
    const vpcs = filters.get('VPCId')
    const all = [...this.associations].flatMap(([ruleId, vpcIds]) => vpcIds.map((vpcId, i) => ({ ruleId, vpcId, i })))
    const page = this.page(vpcs ? all.filter((a) => vpcs.includes(a.vpcId)) : all, input)
    return {
      ResolverRuleAssociations: page.items.map((a) => ({ Id: `rslvr-rrassoc-${a.ruleId.slice(-8)}${a.i}`, ResolverRuleId: a.ruleId, VPCId: a.vpcId, Status: 'COMPLETE', StatusMessage: '' })),
      MaxResults: PAGE,
      ...(page.NextToken ? { NextToken: page.NextToken } : {})
    }
  }

  private getRule(input: Json): Json {
    const id = String(input['ResolverRuleId'] ?? '')
    const rule = id === INTERNET_RESOLVER.Id ? INTERNET_RESOLVER : this.rules.get(id)
    if (!rule) throw new AwsError(400, 'ResourceNotFoundException', `[RSLVR-00703] Resolver rule with ID "${id}" does not exist.`)
    return { ResolverRule: this.view(rule) }
  }
}
