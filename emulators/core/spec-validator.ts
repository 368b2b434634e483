// Holds every request an emulator receives to the vendor's published API description. Cloud-neutral: an
// adapter (emulators/gcp/discovery.ts for Google's discovery documents) turns a description into
// SpecOperations and SpecSchemas; this module matches the method and path template, checks path, query
// and header parameters, and walks the body (unknown, output-only, required, type, enum, pattern).
import type { EmulatorRequest, EmulatorResponse, Service } from './service.js'

export type SpecType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'any'

export interface SpecSchema {
  type?: SpecType
  /** A named schema, resolved through the SpecDocument's `schema()` (descriptions are recursive) */
  ref?: string
  properties?: Record<string, SpecSchema>
  /** Schema of the values of a map; false (or absent with properties) forbids unknown keys */
  additionalProperties?: SpecSchema | boolean
  items?: SpecSchema
  enum?: string[]
  /** A regular expression the whole value must match */
  pattern?: string
  /** int32, int64 (sent as a JSON string), uint64, double, byte (base64), … */
  format?: string
  /** Output only (Google) / readOnly (OpenAPI): a client must not send it */
  readOnly?: boolean
  /** Property names required in every request that carries this object */
  required?: string[]
  /** Property names required only for these operation ids (Google's `annotations.required`) */
  requiredFor?: Record<string, string[]>
}

export interface SpecParameter {
  name: string
  location: 'path' | 'query' | 'header'
  required?: boolean
  /** Multi-segment path parameter (`{+name}`), or a repeated query parameter */
  repeated?: boolean
  schema: SpecSchema
}

export interface SpecOperation {
  /** The operation id as the vendor names it, e.g. compute.firewalls.patch */
  id: string
  method: string
  /** Absolute path template: /compute/v1/projects/{project}/global/firewalls/{firewall}, {+name} spans segments */
  path: string
  parameters: SpecParameter[]
  /** The request body's schema; undefined: the operation takes no body */
  body?: SpecSchema
  /** How the body is encoded on the wire (default JSON) */
  bodyEncoding?: 'json' | 'form'
}

export interface SpecDocument {
  /** Where the description comes from, for messages */
  source: string
  operations: SpecOperation[]
  schema(name: string): SpecSchema
  /** Query parameters every operation accepts (Google's system parameters, api-version, …) */
  commonQuery: string[]
  /** Headers that belong to the transport or the auth layer rather than to any one operation */
  transportHeader(name: string): boolean
  /** Turns a form body's field names into the schema's (RFC 8693 snake_case → discovery camelCase) */
  formFieldName?(name: string): string
}

export interface Violation {
  /** Operation id, or METHOD path when no operation matches */
  operation: string
  /** The field, parameter or header at fault (body fields as a dotted path) */
  field: string
  problem: string
}

export const describeViolation = (v: Violation) => `${v.operation}: ${v.field}: ${v.problem}`

/** Violations seen by every validated emulator of a test, so the test can fail on any of them. */
export class ViolationLog {
  readonly violations: Violation[] = []
  add(found: Violation[]): void {
    this.violations.push(...found)
  }
  clear(): void {
    this.violations.length = 0
  }
  /** Throws naming every violation; used when the emulators close, so the test that caused one fails. */
  assertNone(): void {
    if (this.violations.length) throw new Error(`Requests broke the published API description:\n${this.violations.map(describeViolation).join('\n')}`)
  }
}

interface CompiledOperation {
  op: SpecOperation
  regex: RegExp
  names: string[]
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function compile(op: SpecOperation): CompiledOperation {
  const names: string[] = []
  let source = ''
  let last = 0
  for (const m of op.path.matchAll(/\{(\+?)([^}]+)\}/g)) {
    source += escapeRegex(op.path.slice(last, m.index))
    names.push(m[2] ?? '')
    source += m[1] ? '(.+?)' : '([^/]+?)'
    last = (m.index ?? 0) + m[0].length
  }
  source += escapeRegex(op.path.slice(last))
  return { op, regex: new RegExp(`^${source}$`), names }
}

/** A pattern as the whole value must match it (descriptions give some anchored, some not). */
export function fullMatch(pattern: string, value: string): boolean {
  const body = pattern.replace(/^\^/, '').replace(/\$$/, '')
  return new RegExp(`^(?:${body})$`).test(value)
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

class BodyWalker {
  readonly found: Violation[] = []
  constructor(
    private readonly doc: SpecDocument,
    private readonly operation: string
  ) {}

  private add(field: string, problem: string): void {
    this.found.push({ operation: this.operation, field, problem })
  }

  private resolve(schema: SpecSchema): SpecSchema {
    let current = schema
    for (let depth = 0; current.ref && depth < 10; depth++) current = { ...this.doc.schema(current.ref), ...(current.readOnly ? { readOnly: true } : {}) }
    return current
  }

  /** Checks a scalar as it appears on the wire (query and path values are strings). */
  scalar(field: string, value: unknown, schema: SpecSchema, fromText: boolean): void {
    const type = schema.type ?? 'any'
    const text = typeof value === 'string' ? value : undefined
    const int64 = schema.format === 'int64' || schema.format === 'uint64'
    if (type === 'string' && text === undefined) return this.add(field, `must be a string, got ${JSON.stringify(value)}`)
    if (type === 'boolean' && typeof value !== 'boolean' && !(fromText && (text === 'true' || text === 'false'))) return this.add(field, `must be a boolean, got ${JSON.stringify(value)}`)
    if (type === 'integer' || type === 'number') {
      const n = typeof value === 'number' ? value : fromText && text !== undefined && text.trim() !== '' ? Number(text) : NaN
      if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) return this.add(field, `must be ${type === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`)
    }
    if (text !== undefined && int64 && !/^-?\d+$/.test(text)) return this.add(field, `must be a ${schema.format} in decimal digits, got ${JSON.stringify(text)}`)
    if (text !== undefined && schema.format === 'byte' && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return this.add(field, `must be base64 (format byte), got ${JSON.stringify(text)}`)
    if (text !== undefined && schema.enum && !schema.enum.includes(text)) return this.add(field, `${JSON.stringify(text)} is not one of the declared values ${schema.enum.join(', ')}`)
    if (text !== undefined && schema.pattern && !fullMatch(schema.pattern, text)) return this.add(field, `${JSON.stringify(text)} does not match the declared pattern ${schema.pattern}`)
  }

  value(field: string, value: unknown, declared: SpecSchema): void {
    const schema = this.resolve(declared)
    if (schema.readOnly) return this.add(field, 'is output only; a request must not set it')
    if (value === null) return
    const type = schema.type ?? (schema.properties || schema.additionalProperties ? 'object' : 'any')
    if (type === 'any') return
    if (type === 'object') {
      if (!isObject(value)) return this.add(field, `must be an object, got ${JSON.stringify(value)}`)
      return this.object(field, value, schema)
    }
    if (type === 'array') {
      if (!Array.isArray(value)) return this.add(field, `must be an array, got ${JSON.stringify(value)}`)
      value.forEach((item, i) => this.value(`${field}[${i}]`, item, schema.items ?? {}))
      return
    }
    this.scalar(field, value, schema, false)
  }

  object(field: string, value: Record<string, unknown>, schema: SpecSchema): void {
    const at = (key: string) => (field ? `${field}.${key}` : key)
    const required = [...(schema.required ?? []), ...(schema.requiredFor?.[this.operation] ?? [])]
    for (const key of required) if (value[key] === undefined) this.add(at(key), 'is required by the description and missing')
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue
      const property = schema.properties?.[key]
      if (property) this.value(at(key), item, property)
      else if (isObject(schema.additionalProperties)) this.value(at(key), item, schema.additionalProperties)
      else if (schema.additionalProperties !== true) this.add(at(key), 'is not a field of the declared schema')
    }
  }
}

function parseBody(op: SpecOperation, doc: SpecDocument, req: EmulatorRequest, add: (field: string, problem: string) => void): unknown {
  const text = req.body.trim()
  if (op.bodyEncoding === 'form') {
    const fields: Record<string, string> = {}
    for (const [key, value] of new URLSearchParams(text)) fields[doc.formFieldName ? doc.formFieldName(key) : key] = value
    return fields
  }
  // The Google clients send the JSON literal "" as the body of bodiless POSTs such as operations.wait.
  if (text === '' || text === '""') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    add('(body)', 'is not valid JSON')
    return undefined
  }
}

/** Validates one request against a SpecDocument; the match is by method and path template. */
export class SpecValidator {
  private readonly compiled: CompiledOperation[]

  constructor(readonly doc: SpecDocument) {
    this.compiled = doc.operations.map(compile)
  }

  /** The operation a request is for, by path template and method (a path with no such method is a violation). */
  match(method: string, path: string): { op?: SpecOperation; params: Record<string, string>; violation?: Violation } {
    const byPath = this.compiled.map((c) => ({ c, m: c.regex.exec(path) })).filter((x) => x.m)
    const candidates = byPath.filter((x) => x.c.op.method === method)
    // Google's `v1/{+name}` templates overlap (a test, an operation); the declared patterns of the path
    // parameters tell them apart, as they do for Google's own routing.
    const fits = (x: (typeof candidates)[number]) =>
      x.c.names.every((name, i) => {
        const pattern = x.c.op.parameters.find((p) => p.name === name && p.location === 'path')?.schema.pattern
        return !pattern || fullMatch(pattern, decodeURIComponent(x.m?.[i + 1] ?? ''))
      })
    const hit = candidates.find(fits) ?? candidates[0]
    if (!hit) {
      const declared = [...new Set(byPath.map((x) => x.c.op.method))]
      return {
        params: {},
        violation: {
          operation: `${method} ${path}`,
          field: '(method and path)',
          problem: declared.length ? `the path is declared only for ${declared.join(', ')} in ${this.doc.source}` : `no operation of ${this.doc.source} has this path`
        }
      }
    }
    const params = Object.fromEntries(hit.c.names.map((name, i) => [name, decodeURIComponent(hit.m?.[i + 1] ?? '')]))
    return { op: hit.c.op, params }
  }

  validate(req: EmulatorRequest): Violation[] {
    const { op, params, violation } = this.match(req.method, req.url.pathname)
    if (!op) return violation ? [violation] : []
    const walker = new BodyWalker(this.doc, op.id)
    const add = (field: string, problem: string) => walker.found.push({ operation: op.id, field, problem })
    const declared = new Map(op.parameters.map((p) => [`${p.location}:${p.location === 'header' ? p.name.toLowerCase() : p.name}`, p]))

    for (const p of op.parameters.filter((p) => p.location === 'path')) {
      const value = params[p.name]
      if (value === undefined || value === '') add(p.name, 'is a required path parameter and missing')
      else walker.scalar(p.name, value, p.schema, true)
    }
    for (const key of new Set(req.url.searchParams.keys())) {
      const p = declared.get(`query:${key}`)
      if (!p) {
        if (!this.doc.commonQuery.includes(key)) add(`?${key}`, 'is not a query parameter of this operation')
        continue
      }
      const values = req.url.searchParams.getAll(key)
      if (values.length > 1 && !p.repeated) add(`?${key}`, 'is given more than once but is not repeated')
      for (const v of values) walker.scalar(`?${key}`, v, p.schema, true)
    }
    for (const p of op.parameters.filter((p) => p.location === 'query' && p.required)) if (!req.url.searchParams.has(p.name)) add(`?${p.name}`, 'is a required query parameter and missing')
    for (const name of Object.keys(req.headers)) {
      const p = declared.get(`header:${name.toLowerCase()}`)
      if (p) walker.scalar(`header ${name}`, String(req.headers[name]), p.schema, true)
      else if (!this.doc.transportHeader(name.toLowerCase())) add(`header ${name}`, 'is not a header this operation declares')
    }
    for (const p of op.parameters.filter((p) => p.location === 'header' && p.required)) if (req.headers[p.name.toLowerCase()] === undefined) add(`header ${p.name}`, 'is a required header and missing')

    const body = parseBody(op, this.doc, req, add)
    if (body !== undefined) {
      if (!op.body) add('(body)', 'the operation takes no request body')
      else walker.value('', body, op.body)
    } else if (op.body && (op.body.required?.length || op.body.requiredFor?.[op.id]?.length)) add('(body)', 'the operation needs a request body')
    return walker.found
  }
}

/**
 * The service with every request validated first. A violation is recorded in the log and answered with
 * the service's own 400 envelope naming the operation and field, as the real API would refuse it.
 */
export function validated(service: Service, validator: SpecValidator, log: ViolationLog): Service {
  // Everything but handle() is the service's own (rate limits and throttling answers included).
  return {
    name: service.name,
    classify: (req) => service.classify(req),
    errorResponse: (status, code, message) => service.errorResponse(status, code, message),
    ...(service.rateLimits ? { rateLimits: service.rateLimits.bind(service) } : {}),
    ...(service.throttled ? { throttled: service.throttled.bind(service) } : {}),
    handle: (req): EmulatorResponse | Promise<EmulatorResponse> => {
      const found = validator.validate(req)
      if (!found.length) return service.handle(req)
      log.add(found)
      return service.errorResponse(400, 'invalid', `Request does not follow ${validator.doc.source}: ${found.map(describeViolation).join('; ')}`)
    }
  }
}
