// Holds requests to a vendor's published API description. Vendor-neutral: an adapter (emulators/azure/spec.ts
// for Azure's OpenAPI documents, emulators/gcp/discovery.ts for Google's discovery documents) turns its
// documents into OperationContracts and a schema resolver; this module matches a request to its operation
// and reports every way the request departs from it, naming operation and field.
import type { IncomingHttpHeaders } from 'node:http'
import type { EmulatorResponse, Service } from './service.js'

/** The JSON Schema subset both vendors' descriptions use. */
export interface SchemaNode {
  $ref?: string
  type?: string
  format?: string
  properties?: Record<string, SchemaNode>
  required?: string[]
  additionalProperties?: SchemaNode | boolean
  items?: SchemaNode
  allOf?: SchemaNode[]
  enum?: unknown[]
  pattern?: string
  readOnly?: boolean
  /** Properties required only by these operation ids (Google's per-method `annotations.required`) */
  requiredFor?: Record<string, string[]>
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
}

export interface ParameterContract {
  name: string
  in: 'path' | 'query' | 'header'
  required: boolean
  /** A query parameter that may be given more than once */
  repeated?: boolean
  schema: SchemaNode
}

export interface OperationContract {
  /** operationId (Azure) or method id (Google), as the violation names it */
  id: string
  method: string
  /** Path template with {name} placeholders; a placeholder spans one segment unless listed in greedy */
  path: string
  parameters: ParameterContract[]
  body?: { required: boolean; schema: SchemaNode; encoding?: 'json' | 'form' }
  /** Where the contract comes from: a document, or the guide page for conventions outside the schema */
  source: string
}

export interface Violation {
  operation: string
  /** e.g. 'query.api-version', 'header.if-none-match', 'body.properties.subnet.id' */
  field: string
  problem: string
}

export interface SpecCheckOptions {
  /** Resolves a $ref to its schema */
  resolve(ref: string): SchemaNode
  /** Headers every request may carry whatever the operation (transport and platform headers), lowercase */
  commonHeaders: string[]
  /** Paths compare case-insensitively (ARM) */
  caseInsensitivePaths?: boolean
  /** Placeholders that may span several segments (Google's {+name}) */
  greedy?: string[]
  /** Query parameters every operation accepts (Google's system parameters) */
  commonQuery?: string[]
  /** A form body's field names as the schema spells them (RFC 8693 snake_case → camelCase) */
  formFieldName?(name: string): string
}

export const formatViolation = (v: Violation) => `${v.operation}: ${v.field}: ${v.problem}`

interface CompiledOperation {
  contract: OperationContract
  pattern: RegExp
  names: string[]
}

function compile(contract: OperationContract, options: SpecCheckOptions): CompiledOperation {
  const names: string[] = []
  let source = ''
  let last = 0
  // A placeholder may fill a segment or part of one (Google's `v1/{+name}:generateAccessToken`).
  for (const m of contract.path.matchAll(/\{(\+?)(\w[\w$-]*)\}/g)) {
    source += contract.path.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const name = m[2] ?? ''
    names.push(name)
    source += m[1] || options.greedy?.includes(name) ? '(.+?)' : '([^/]+?)'
    last = (m.index ?? 0) + m[0].length
  }
  source += contract.path.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return { contract, pattern: new RegExp(`^${source}$`, options.caseInsensitivePaths ? 'i' : ''), names }
}

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

const describe = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value)

/** Checks one value against a schema in the request direction; returns the violations found below field. */
export function checkValue(schema: SchemaNode, value: unknown, field: string, resolve: (ref: string) => SchemaNode, operation = ''): { field: string; problem: string }[] {
  const s = flatten(schema, resolve)
  const out: { field: string; problem: string }[] = []
  if (s.readOnly) return [{ field, problem: 'is read-only and must not be sent' }]
  // JSON null leaves a field unset, which any schema allows (Google's clients send it for empty fields).
  if (value === null) return []
  const type = s.type ?? (s.properties ? 'object' : undefined)
  if (type && !hasType(value, type)) return [{ field, problem: `must be ${type}${s.format ? ` (${s.format})` : ''}, got ${describe(value)}` }]
  if (s.enum && !s.enum.includes(value)) out.push({ field, problem: `${JSON.stringify(value)} is not one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` })
  if (typeof value === 'string') {
    // Google sends 64-bit integers and bytes as JSON strings, typed string with a format.
    if ((s.format === 'int64' || s.format === 'uint64') && !/^-?\d+$/.test(value)) out.push({ field, problem: `must be a ${s.format} in decimal digits, got ${JSON.stringify(value)}` })
    if (s.format === 'byte' && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) out.push({ field, problem: `must be base64 (format byte), got ${JSON.stringify(value)}` })
    if (s.pattern && !new RegExp(s.pattern, 'u').test(value)) out.push({ field, problem: `${JSON.stringify(value)} does not match the pattern ${s.pattern}` })
    if (s.minLength !== undefined && value.length < s.minLength) out.push({ field, problem: `is shorter than ${s.minLength}` })
    if (s.maxLength !== undefined && value.length > s.maxLength) out.push({ field, problem: `is longer than ${s.maxLength}` })
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) out.push({ field, problem: `is below the minimum ${s.minimum}` })
    if (s.maximum !== undefined && value > s.maximum) out.push({ field, problem: `is above the maximum ${s.maximum}` })
  }
  if (Array.isArray(value) && s.items) value.forEach((item, i) => out.push(...checkValue(s.items as SchemaNode, item, `${field}[${i}]`, resolve, operation)))
  if (value && typeof value === 'object' && !Array.isArray(value)) out.push(...checkObject(s, value as Record<string, unknown>, field, resolve, operation))
  return out
}

function checkObject(s: SchemaNode, value: Record<string, unknown>, field: string, resolve: (ref: string) => SchemaNode, operation: string): { field: string; problem: string }[] {
  const out: { field: string; problem: string }[] = []
  const properties = s.properties ?? {}
  for (const name of [...(s.required ?? []), ...(s.requiredFor?.[operation] ?? [])]) if (value[name] === undefined) out.push({ field: `${field}.${name}`, problem: 'is required' })
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined) continue
    const child = `${field}.${name}`
    const declared = properties[name]
    if (declared) out.push(...checkValue(declared, item, child, resolve, operation))
    else if (s.additionalProperties && typeof s.additionalProperties === 'object') out.push(...checkValue(s.additionalProperties, item, child, resolve, operation))
    else if (s.additionalProperties !== true) out.push({ field: child, problem: 'is not a field of this schema' })
  }
  return out
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return Boolean(value) && typeof value === 'object' && !Array.isArray(value)
    case 'array':
      return Array.isArray(value)
    case 'integer':
      return Number.isInteger(value)
    case 'number':
      return typeof value === 'number'
    case 'boolean':
      return typeof value === 'boolean'
    case 'string':
      return typeof value === 'string'
    default:
      return true
  }
}

/** Resolves $ref and merges allOf, so one node carries every property, requirement and flag. */
export function flatten(schema: SchemaNode, resolve: (ref: string) => SchemaNode, seen: Set<SchemaNode> = new Set()): SchemaNode {
  if (seen.has(schema)) return schema
  seen.add(schema)
  // A $ref next to other keywords (readOnly, description) keeps them: they refine the referenced schema.
  const { $ref, allOf, ...own } = schema
  const base = $ref ? flatten(resolve($ref), resolve, seen) : {}
  const parts = (allOf ?? []).map((part) => flatten(part, resolve, seen))
  const merged: SchemaNode = { ...base }
  for (const part of [...parts, own]) {
    const properties = { ...merged.properties, ...part.properties }
    const required = [...new Set([...(merged.required ?? []), ...(part.required ?? [])])]
    Object.assign(merged, part)
    if (Object.keys(properties).length) merged.properties = properties
    if (required.length) merged.required = required
  }
  return merged
}

/** Raw header value as one string (Node joins repeated headers into arrays for some names). */
const headerValue = (headers: IncomingHttpHeaders, name: string) => {
  const v = headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

/** Query and header parameters arrive as strings; coerce them to the declared type before checking. */
function coerce(raw: string, schema: SchemaNode): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw)
  if (schema.type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true'
  return raw
}

export interface CheckedRequest {
  /** The operation matched, if any */
  operation?: string
  violations: Violation[]
}

export interface SpecRequest {
  method: string
  url: URL
  headers: IncomingHttpHeaders
  body: string
}

/** A set of operation contracts; check() matches a request and lists its violations. */
export class SpecCatalog {
  private readonly operations: CompiledOperation[]
  constructor(
    contracts: OperationContract[],
    private readonly options: SpecCheckOptions
  ) {
    this.operations = contracts.map((c) => compile(c, options))
  }

  get contracts(): OperationContract[] {
    return this.operations.map((o) => o.contract)
  }

  check(req: SpecRequest): CheckedRequest {
    const path = req.url.pathname
    const candidates = this.operations
      .map((o) => ({ o, found: o.pattern.exec(path) }))
      .filter((m): m is { o: CompiledOperation; found: RegExpExecArray } => Boolean(m.found))
    // Literal segments win over placeholders: …/virtualNetworkLinks/x is a link, not a record set of type "virtualNetworkLinks".
    const literals = (o: CompiledOperation) => o.contract.path.split('/').filter((segment) => !segment.startsWith('{')).length
    // Google's `v1/{+name}` templates overlap (a test, an operation); the declared patterns of the path
    // parameters tell them apart, as they do for Google's own routing.
    const fits = (m: { o: CompiledOperation; found: RegExpExecArray }) =>
      m.o.names.every((name, i) => {
        const schema = m.o.contract.parameters.find((p) => p.in === 'path' && p.name === name)?.schema
        return !schema?.pattern || new RegExp(schema.pattern, 'u').test(decode(m.found[i + 1] ?? ''))
      })
    const byMethod = candidates.filter((m) => m.o.contract.method === req.method.toUpperCase()).sort((a, b) => literals(b.o) - literals(a.o))
    const match = byMethod.find(fits) ?? byMethod[0]
    if (!match) {
      const methods = [...new Set(candidates.map((m) => m.o.contract.method))]
      const problem = methods.length ? `the description declares only ${methods.join(', ')} on this path` : 'no operation of the description has this path'
      return { violations: [{ operation: `${req.method} ${path}`, field: 'path', problem }] }
    }
    const { contract, names } = match.o
    const params = Object.fromEntries(names.map((name, i) => [name, decode(match.found[i + 1] ?? '')]))
    const violations = this.checkParameters(contract, params, req).concat(this.checkBody(contract, req))
    return { operation: contract.id, violations: violations.map((v) => ({ operation: contract.id, ...v })) }
  }

  private checkParameters(contract: OperationContract, params: Record<string, string>, req: SpecRequest): { field: string; problem: string }[] {
    const out: { field: string; problem: string }[] = []
    const declared = (where: ParameterContract['in']) => contract.parameters.filter((p) => p.in === where)
    const resolve = this.options.resolve
    for (const p of declared('path')) {
      const value = params[p.name]
      if (!value) out.push({ field: `path.${p.name}`, problem: 'is required' })
      else out.push(...checkValue(p.schema, coerce(value, p.schema), `path.${p.name}`, resolve))
    }
    const query = req.url.searchParams
    for (const p of declared('query')) {
      const values = query.getAll(p.name)
      if (!values.length) {
        if (p.required) out.push({ field: `query.${p.name}`, problem: 'is required' })
        continue
      }
      if (values.length > 1 && !p.repeated) out.push({ field: `query.${p.name}`, problem: 'is given more than once but is not repeated' })
      for (const value of values) out.push(...checkValue(p.schema, coerce(value, p.schema), `query.${p.name}`, resolve))
    }
    const knownQuery = new Set([...declared('query').map((p) => p.name), ...(this.options.commonQuery ?? [])])
    for (const name of new Set(query.keys())) if (!knownQuery.has(name)) out.push({ field: `query.${name}`, problem: 'is not a parameter of this operation' })
    const headers = declared('header')
    for (const p of headers) {
      const value = headerValue(req.headers, p.name.toLowerCase())
      if (value === undefined) {
        if (p.required) out.push({ field: `header.${p.name}`, problem: 'is required' })
      } else out.push(...checkValue(p.schema, coerce(value, p.schema), `header.${p.name}`, resolve))
    }
    const knownHeaders = new Set([...this.options.commonHeaders, ...headers.map((p) => p.name.toLowerCase())])
    for (const name of Object.keys(req.headers)) if (!knownHeaders.has(name.toLowerCase())) out.push({ field: `header.${name}`, problem: 'is not declared for this operation' })
    return out
  }

  private checkBody(contract: OperationContract, req: SpecRequest): { field: string; problem: string }[] {
    // The Google clients send the JSON literal "" as the body of bodiless POSTs such as operations.wait.
    const text = req.body.trim() === '""' ? '' : req.body.trim()
    if (!contract.body) return text ? [{ field: 'body', problem: 'the operation takes no body' }] : []
    if (!text) return contract.body.required ? [{ field: 'body', problem: 'is required' }] : []
    let value: unknown
    if (contract.body.encoding === 'form') {
      const fields: Record<string, string> = {}
      for (const [key, item] of new URLSearchParams(text)) fields[this.options.formFieldName?.(key) ?? key] = item
      value = fields
    } else {
      try {
        value = JSON.parse(text)
      } catch {
        return [{ field: 'body', problem: 'is not JSON' }]
      }
    }
    return checkValue(contract.body.schema, value, 'body', this.options.resolve, contract.id)
  }
}

/** Violations a test run collected; the emulators' close() fails the test when any remain. */
export class ViolationLog {
  readonly all: Violation[] = []
  add(violations: Violation[]): void {
    this.all.push(...violations)
  }
  clear(): void {
    this.all.length = 0
  }
  /** Throws one error listing every violation, so the test that caused them fails naming each. */
  assertNone(): void {
    if (!this.all.length) return
    const lines = this.all.map((v) => `  ${formatViolation(v)}`)
    this.clear()
    throw new Error(`Requests departed from the vendor's API description:\n${lines.join('\n')}`)
  }
}

/**
 * The service with every request checked first. A departure is recorded in the log and answered with the
 * service's own 400 envelope naming the operation and field, as the real API would refuse it.
 */
export function checkedAgainst(service: Service, catalog: SpecCatalog, source: string, log: ViolationLog): Service {
  // Everything but handle() is the service's own (rate limits and throttling answers included).
  return {
    name: service.name,
    classify: (req) => service.classify(req),
    errorResponse: (status, code, message) => service.errorResponse(status, code, message),
    ...(service.rateLimits ? { rateLimits: service.rateLimits.bind(service) } : {}),
    ...(service.throttled ? { throttled: service.throttled.bind(service) } : {}),
    handle: (req): EmulatorResponse | Promise<EmulatorResponse> => {
      const found = catalog.check(req).violations
      if (!found.length) return service.handle(req)
      log.add(found)
      return service.errorResponse(400, 'invalid', `Request does not follow ${source}: ${found.map(formatViolation).join('; ')}`)
    }
  }
}
