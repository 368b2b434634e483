// Google API discovery documents (the copies in __tests__/fixtures/specs/gcp, see SOURCES.md there) as
// operation contracts for the vendor-neutral checker (emulators/core/spec-check.ts): every method with its
// path template, parameters and request schema; output-only fields and per-method required fields as the
// documents mark them.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { SpecCatalog, type OperationContract, type ParameterContract, type SchemaNode } from '../core/spec-check.js'

const SPECS = fileURLToPath(new URL('../../__tests__/fixtures/specs/gcp/', import.meta.url))

interface DiscoveryParameter {
  type?: string
  location?: string
  required?: boolean
  repeated?: boolean
  pattern?: string
  enum?: string[]
  format?: string
}

interface DiscoverySchema {
  id?: string
  type?: string
  $ref?: string
  description?: string
  readOnly?: boolean
  properties?: Record<string, DiscoverySchema>
  additionalProperties?: DiscoverySchema
  items?: DiscoverySchema
  enum?: string[]
  pattern?: string
  format?: string
  annotations?: { required?: string[] }
}

interface DiscoveryMethod {
  id: string
  httpMethod: string
  path: string
  parameters?: Record<string, DiscoveryParameter>
  request?: { $ref: string }
}

interface DiscoveryResource {
  methods?: Record<string, DiscoveryMethod>
  resources?: Record<string, DiscoveryResource>
}

interface Discovery {
  name: string
  version: string
  revision: string
  servicePath: string
  parameters: Record<string, DiscoveryParameter>
  schemas: Record<string, DiscoverySchema>
  resources: Record<string, DiscoveryResource>
}

// Google's patterns are meant whole (the routing anchors them); the checker's are searched, as JSON Schema's are.
const anchored = (pattern: string) => `^(?:${pattern.replace(/^\^/, '').replace(/\$$/, '')})$`

// Some fields say "[Output Only]" only in their description (Firewall.selfLink, for one).
const outputOnly = (s: DiscoverySchema) => s.readOnly === true || /^\s*(?:Output only\.\s*)?\[Output Only\]/i.test(s.description ?? '')

function toSchema(s: DiscoverySchema): SchemaNode {
  if (s.$ref) return { $ref: s.$ref, ...(outputOnly(s) ? { readOnly: true } : {}) }
  const properties = s.properties ? Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toSchema(v)])) : undefined
  const requiredFor: Record<string, string[]> = {}
  for (const [key, property] of Object.entries(s.properties ?? {}))
    for (const method of property.annotations?.required ?? []) (requiredFor[method] ??= []).push(key)
  return {
    // 'any' declares nothing to check, whatever the value's shape.
    ...(s.type === 'any' ? { additionalProperties: true } : s.type ? { type: s.type } : {}),
    ...(properties ? { properties } : {}),
    ...(s.additionalProperties ? { additionalProperties: toSchema(s.additionalProperties) } : {}),
    ...(s.items ? { items: toSchema(s.items) } : {}),
    ...(s.enum ? { enum: s.enum } : {}),
    ...(s.pattern ? { pattern: anchored(s.pattern) } : {}),
    ...(s.format ? { format: s.format } : {}),
    ...(outputOnly(s) ? { readOnly: true } : {}),
    ...(Object.keys(requiredFor).length ? { requiredFor } : {})
  }
}

function toParameter(name: string, p: DiscoveryParameter): ParameterContract {
  return {
    name,
    in: p.location === 'path' ? 'path' : 'query',
    required: p.required === true,
    repeated: p.repeated === true,
    schema: toSchema({ type: p.type, enum: p.enum, pattern: p.pattern, format: p.format })
  }
}

function* methods(resources: Record<string, DiscoveryResource>): Generator<DiscoveryMethod> {
  for (const resource of Object.values(resources)) {
    yield* Object.values(resource.methods ?? {})
    yield* methods(resource.resources ?? {})
  }
}

function contracts(doc: Discovery, api: GoogleApi, source: string, resolve: (ref: string) => SchemaNode): OperationContract[] {
  return [...methods(doc.resources)].map((m) => {
    const request = m.request && resolve(m.request.$ref)
    // google-auth-library posts the RFC 8693 token exchange as a form (sts.v1 `token` takes it as JSON fields).
    const encoding = api === 'sts' && m.id === 'sts.token' ? 'form' : 'json'
    return {
      id: m.id,
      method: m.httpMethod,
      path: `/${doc.servicePath}${m.path}`,
      parameters: Object.entries(m.parameters ?? {}).map(([name, p]) => toParameter(name, p)),
      ...(m.request && request
        ? { body: { required: Boolean(request.required?.length || request.requiredFor?.[m.id]?.length), schema: { $ref: m.request.$ref }, encoding } }
        : {}),
      source
    } satisfies OperationContract
  })
}

// The headers of HTTP itself (including those the fetch standard adds: Sec-Fetch-Mode, Accept-Language), of OAuth, and Google's documented system parameters in header form
// (cloud.google.com/apis/docs/system-parameters: X-Goog-Api-Client, X-Goog-User-Project, …).
const TRANSPORT_HEADERS = new Set(['host', 'connection', 'content-length', 'content-type', 'accept', 'accept-encoding', 'user-agent', 'authorization', 'transfer-encoding', 'accept-language', 'sec-fetch-mode'])
const SYSTEM_HEADERS = new Set(['x-goog-api-client', 'x-goog-user-project', 'x-goog-request-reason', 'x-goog-fieldmask', 'x-goog-api-key', 'x-server-timeout'])

export type GoogleApi = 'compute' | 'dns' | 'sts' | 'iamcredentials' | 'networkmanagement' | 'run' | 'logging'

const FILES: Record<GoogleApi, string> = {
  compute: 'compute.v1.subset.json',
  dns: 'dns.v1.json',
  sts: 'sts.v1.json',
  iamcredentials: 'iamcredentials.v1.json',
  networkmanagement: 'networkmanagement.v1.subset.json',
  run: 'run.v2.subset.json',
  logging: 'logging.v2.subset.json'
}

export interface GoogleSpec {
  /** The document as messages name it, e.g. "compute v1 discovery document (revision 2026…)" */
  source: string
  catalog: SpecCatalog
}

const loaded = new Map<GoogleApi, GoogleSpec>()

/** The discovery document of one API as a catalog of operation contracts (read once per process). */
export function googleSpec(api: GoogleApi): GoogleSpec {
  const cached = loaded.get(api)
  if (cached) return cached
  const doc = JSON.parse(readFileSync(`${SPECS}${FILES[api]}`, 'utf8')) as Discovery
  const source = `${doc.name} ${doc.version} discovery document (revision ${doc.revision})`
  const schemas = new Map<string, SchemaNode>()
  const resolve = (name: string): SchemaNode => {
    let found = schemas.get(name)
    if (!found) {
      const raw = doc.schemas[name]
      if (!raw) throw new Error(`${FILES[api]} has no schema ${name}`)
      found = toSchema(raw)
      schemas.set(name, found)
    }
    return found
  }
  const catalog = new SpecCatalog(contracts(doc, api, source, resolve), {
    resolve,
    commonHeaders: [...TRANSPORT_HEADERS, ...SYSTEM_HEADERS],
    commonQuery: Object.keys(doc.parameters),
    // grant_type → grantType: the form names of RFC 8693 are the schema's fields in snake_case.
    formFieldName: (name) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
  })
  const spec = { source, catalog }
  loaded.set(api, spec)
  return spec
}
