// The request validator catches each kind of mistake: the generic core on a small description, and the
// Google adapter on the discovery documents the emulators use.
import { describe, expect, it } from '@jest/globals'
import type { IncomingHttpHeaders } from 'node:http'
import type { EmulatorRequest, Service } from '../emulators/core/service.js'
import { SpecValidator, ViolationLog, validated, type SpecDocument } from '../emulators/core/spec-validator.js'
import { googleSpec } from '../emulators/gcp/discovery.js'

function request(method: string, url: string, body?: unknown, headers: IncomingHttpHeaders = {}): EmulatorRequest {
  return { method, url: new URL(url, 'http://127.0.0.1'), headers, body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body) }
}

const fields = (found: { field: string; problem: string }[]) => found.map((v) => `${v.field}: ${v.problem}`)

/** A tiny description with what the Google documents lack: a required query parameter and a declared header. */
const tiny: SpecDocument = {
  source: 'tiny spec',
  operations: [
    {
      id: 'widgets.put',
      method: 'PUT',
      path: '/v1/{+name}/widgets/{widget}',
      parameters: [
        { name: 'name', location: 'path', required: true, repeated: true, schema: { type: 'string' } },
        { name: 'widget', location: 'path', required: true, schema: { type: 'string', pattern: '[a-z]+' } },
        { name: 'api-version', location: 'query', required: true, schema: { type: 'string', enum: ['2025-05-01'] } },
        { name: 'If-None-Match', location: 'header', schema: { type: 'string', enum: ['*'] } }
      ],
      body: { ref: 'Widget' }
    }
  ],
  schema: () => ({ type: 'object', required: ['size'], properties: { size: { type: 'integer' }, id: { type: 'string', readOnly: true } } }),
  commonQuery: [],
  transportHeader: (name) => ['host', 'content-type', 'content-length'].includes(name)
}

describe('the generic core', () => {
  const validator = new SpecValidator(tiny)
  const good = () => request('PUT', '/v1/a/b/widgets/blue?api-version=2025-05-01', { size: 3 }, { 'if-none-match': '*' })

  it('accepts a request that follows the description, with a multi-segment path parameter', () => {
    expect(validator.validate(good())).toEqual([])
  })

  it('catches a missing required query parameter and a value outside its enum', () => {
    expect(fields(validator.validate(request('PUT', '/v1/a/widgets/blue', { size: 3 })))).toEqual(['?api-version: is a required query parameter and missing'])
    expect(fields(validator.validate(request('PUT', '/v1/a/widgets/blue?api-version=2020-01-01', { size: 3 })))[0]).toContain('not one of the declared values 2025-05-01')
  })

  it('catches a header the operation does not declare, and a declared one with a wrong value', () => {
    const undeclared = request('PUT', '/v1/a/widgets/blue?api-version=2025-05-01', { size: 3 }, { 'x-custom': '1' })
    expect(fields(validator.validate(undeclared))).toEqual(['header x-custom: is not a header this operation declares'])
    const wrong = request('PUT', '/v1/a/widgets/blue?api-version=2025-05-01', { size: 3 }, { 'if-none-match': 'etag' })
    expect(fields(validator.validate(wrong))[0]).toContain('header if-none-match')
  })

  it('catches a path parameter that breaks its pattern, and a method the path does not declare', () => {
    expect(fields(validator.validate(request('PUT', '/v1/a/widgets/Blue?api-version=2025-05-01', { size: 3 })))[0]).toContain('widget: "Blue" does not match')
    expect(validator.validate(request('DELETE', '/v1/a/widgets/blue'))[0]).toMatchObject({ operation: 'DELETE /v1/a/widgets/blue', problem: expect.stringContaining('declared only for PUT') })
  })

  it('catches a missing required body field, an output-only one and a wrong type', () => {
    const found = fields(validator.validate(request('PUT', '/v1/a/widgets/blue?api-version=2025-05-01', { id: 'w-1', size: '3' })))
    expect(found).toEqual(['id: is output only; a request must not set it', 'size: must be an integer, got "3"'])
    expect(fields(validator.validate(request('PUT', '/v1/a/widgets/blue?api-version=2025-05-01', {})))).toEqual(['size: is required by the description and missing'])
  })

  it('answers a violation with the service 400 naming operation and field, and fails the test when the emulators close', async () => {
    const log = new ViolationLog()
    const inner: Service = {
      name: 'tiny',
      classify: () => ({ operation: 'widgets.put', write: true }),
      handle: () => ({ status: 200, body: 'handled' }),
      errorResponse: (status, code, message) => ({ status, body: JSON.stringify({ code, message }) })
    }
    const service = validated(inner, validator, log)
    expect((await service.handle(good())).body).toBe('handled')
    const refused = await service.handle(request('PUT', '/v1/a/widgets/blue?api-version=2025-05-01', { size: 3, colour: 'red' }))
    expect(refused.status).toBe(400)
    expect(refused.body).toContain('widgets.put: colour: is not a field of the declared schema')
    expect(() => log.assertNone()).toThrow('widgets.put: colour: is not a field of the declared schema')
  })
})

describe('Google discovery documents', () => {
  const compute = new SpecValidator(googleSpec('compute'))
  const dns = new SpecValidator(googleSpec('dns'))
  const sts = new SpecValidator(googleSpec('sts'))
  const iam = new SpecValidator(googleSpec('iamcredentials'))
  const C = '/compute/v1/projects/my-gcp-project'

  it('accepts what the action sends', () => {
    const firewall = { name: 'zpl-egress', network: 'projects/p/global/networks/n', direction: 'EGRESS', priority: 899, destinationRanges: ['10.0.0.5/32'], allowed: [{ IPProtocol: 'tcp', ports: ['443'] }], description: 'x' }
    expect(compute.validate(request('POST', `${C}/global/firewalls?requestId=0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9`, firewall))).toEqual([])
    expect(compute.validate(request('POST', `${C}/regions/us-west1/forwardingRules/zpl/setLabels`, { labels: { a: 'b' }, labelFingerprint: 'e30=' }))).toEqual([])
    expect(compute.validate(request('POST', `${C}/regions/us-west1/operations/operation-1/wait`, '""'))).toEqual([])
  })

  it('names the field a firewall patch lacks (name is required for insert and patch)', () => {
    expect(compute.validate(request('PATCH', `${C}/global/firewalls/zpl`, { priority: 900 }))).toEqual([{ operation: 'compute.firewalls.patch', field: 'name', problem: 'is required by the description and missing' }])
  })

  it('catches an enum value the document does not list (an empty loadBalancingScheme)', () => {
    expect(fields(compute.validate(request('POST', `${C}/regions/us-west1/forwardingRules`, { name: 'zpl', loadBalancingScheme: '' })))[0]).toContain('loadBalancingScheme: "" is not one of the declared values')
  })

  it('catches output-only fields, marked readOnly or only "[Output Only]" in the description', () => {
    const found = fields(compute.validate(request('POST', `${C}/global/firewalls`, { name: 'zpl', id: '1', selfLink: 'https://x' })))
    expect(found).toEqual(['id: is output only; a request must not set it', 'selfLink: is output only; a request must not set it'])
    expect(fields(dns.validate(request('POST', '/dns/v1/projects/p/managedZones/z/changes', { additions: [{ kind: 'dns#resourceRecordSet', name: 'a.', type: 'A' }] })))).toEqual([
      'additions[0].kind: is output only; a request must not set it'
    ])
  })

  it('catches unknown fields, wrong types, bad patterns and unknown query parameters', () => {
    const found = fields(compute.validate(request('POST', `${C}/global/firewalls?dryRun=true`, { name: 'Bad_Name', priority: 'high', colour: 'red' })))
    expect(found).toEqual([
      '?dryRun: is not a query parameter of this operation',
      'name: "Bad_Name" does not match the declared pattern [a-z](?:[-a-z0-9]{0,61}[a-z0-9])?',
      'priority: must be an integer, got "high"',
      'colour: is not a field of the declared schema'
    ])
  })

  it('catches a project id its path pattern refuses, and a path no method has', () => {
    expect(fields(compute.validate(request('GET', '/compute/v1/projects/My_Project/global/networks/n')))[0]).toContain('project: "My_Project" does not match')
    expect(compute.validate(request('GET', `${C}/global/widgets`))[0]?.problem).toContain('no operation of compute v1 discovery document')
  })

  it('reads the RFC 8693 form of the token exchange against the STS schema, and the impersonation path', () => {
    const form = 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&audience=x&subject_token=t&subject_token_type=jwt&requested_token_type=at&scope=s'
    expect(sts.validate(request('POST', '/v1/token', form))).toEqual([])
    expect(fields(sts.validate(request('POST', '/v1/token', `${form}&client_secret=x`)))).toEqual(['clientSecret: is not a field of the declared schema'])
    expect(iam.validate(request('POST', '/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken', { scope: ['s'], lifetime: '3600s' }))).toEqual([])
    expect(fields(iam.validate(request('POST', '/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken', { scope: 's' })))).toEqual(['scope: must be an array, got "s"'])
  })
})
