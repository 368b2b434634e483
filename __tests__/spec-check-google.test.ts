// The request checker on Google's discovery documents, as the Google emulators use them: what the action
// sends passes, and each kind of mistake is named by operation and field, including what only Google's
// documents have (per-method required fields, output-only fields marked in prose, int64 as strings, the
// RFC 8693 form body, overlapping `{+name}` templates told apart by their patterns).
import { describe, expect, it } from '@jest/globals'
import type { IncomingHttpHeaders } from 'node:http'
import type { EmulatorRequest, Service } from '../emulators/core/service.js'
import { checkedAgainst, formatViolation, ViolationLog, type SpecCatalog } from '../emulators/core/spec-check.js'
import { googleSpec } from '../emulators/gcp/discovery.js'

function request(method: string, url: string, body?: unknown, headers: IncomingHttpHeaders = {}): EmulatorRequest {
  return { method, url: new URL(url, 'http://127.0.0.1'), headers, body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body) }
}

const check = (catalog: SpecCatalog, req: EmulatorRequest) => catalog.check(req).violations.map(formatViolation)

describe('Google discovery documents', () => {
  const compute = googleSpec('compute').catalog
  const dns = googleSpec('dns').catalog
  const sts = googleSpec('sts').catalog
  const iam = googleSpec('iamcredentials').catalog
  const networkManagement = googleSpec('networkmanagement').catalog
  const C = '/compute/v1/projects/my-gcp-project'

  it('accepts what the action sends, system parameters and bodiless POSTs included', () => {
    const firewall = { name: 'zpl-egress', network: 'projects/p/global/networks/n', direction: 'EGRESS', priority: 899, destinationRanges: ['10.0.0.5/32'], allowed: [{ IPProtocol: 'tcp', ports: ['443'] }], description: 'x' }
    expect(check(compute, request('POST', `${C}/global/firewalls?requestId=0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9&prettyPrint=false`, firewall, { 'x-goog-api-client': 'gl-node/20' }))).toEqual([])
    expect(check(compute, request('POST', `${C}/regions/us-west1/forwardingRules/zpl/setLabels`, { labels: { a: 'b' }, labelFingerprint: 'e30=' }))).toEqual([])
    expect(check(compute, request('POST', `${C}/regions/us-west1/operations/operation-1/wait`, '""'))).toEqual([])
  })

  it('names the field a firewall patch lacks (name is required for insert and patch only)', () => {
    expect(check(compute, request('PATCH', `${C}/global/firewalls/zpl`, { priority: 900 }))).toEqual(['compute.firewalls.patch: body.name: is required'])
  })

  it('names an enum value the document does not list, and a base64 field that is not base64', () => {
    expect(check(compute, request('POST', `${C}/regions/us-west1/forwardingRules`, { name: 'zpl', loadBalancingScheme: '' }))[0]).toContain('compute.forwardingRules.insert: body.loadBalancingScheme: "" is not one of')
    expect(check(compute, request('POST', `${C}/regions/us-west1/forwardingRules/zpl/setLabels`, { labels: {}, labelFingerprint: 'not base64!' }))).toEqual([
      'compute.forwardingRules.setLabels: body.labelFingerprint: must be base64 (format byte), got "not base64!"'
    ])
  })

  it('names output-only fields, marked readOnly or only "[Output Only]" in the description', () => {
    expect(check(compute, request('POST', `${C}/global/firewalls`, { name: 'zpl', id: '1', selfLink: 'https://x' }))).toEqual([
      'compute.firewalls.insert: body.id: is read-only and must not be sent',
      'compute.firewalls.insert: body.selfLink: is read-only and must not be sent'
    ])
    expect(check(dns, request('POST', '/dns/v1/projects/p/managedZones/z/changes', { additions: [{ kind: 'dns#resourceRecordSet', name: 'a.', type: 'A' }] }))).toEqual([
      'dns.changes.create: body.additions[0].kind: is read-only and must not be sent'
    ])
  })

  it('names unknown fields, wrong types, whole-value patterns, unknown and repeated query parameters', () => {
    expect(check(compute, request('POST', `${C}/global/firewalls?dryRun=true`, { name: 'Bad_Name', priority: 'high', colour: 'red' }))).toEqual([
      'compute.firewalls.insert: query.dryRun: is not a parameter of this operation',
      'compute.firewalls.insert: body.name: "Bad_Name" does not match the pattern ^(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$',
      'compute.firewalls.insert: body.priority: must be integer (int32), got string',
      'compute.firewalls.insert: body.colour: is not a field of this schema'
    ])
    // A pattern holds the whole value, as Google's routing reads it: a valid name inside a longer one fails.
    expect(check(compute, request('POST', `${C}/global/firewalls`, { name: 'zpl-' }))[0]).toContain('body.name')
    expect(check(compute, request('GET', `${C}/global/firewalls?maxResults=5&maxResults=6`))).toEqual(['compute.firewalls.list: query.maxResults: is given more than once but is not repeated'])
  })

  it('names a project id its path pattern refuses, and a path no method has', () => {
    expect(check(compute, request('GET', '/compute/v1/projects/My_Project/global/networks/n'))[0]).toContain('compute.networks.get: path.project: "My_Project" does not match')
    expect(check(compute, request('GET', `${C}/global/widgets`))[0]).toContain('no operation of the description has this path')
  })

  it('tells overlapping {+name} templates apart by their declared patterns', () => {
    expect(networkManagement.check(request('GET', '/v1/projects/p/locations/global/connectivityTests/t1')).operation).toBe('networkmanagement.projects.locations.global.connectivityTests.get')
    expect(networkManagement.check(request('GET', '/v1/projects/p/locations/global/operations/op-1')).operation).toBe('networkmanagement.projects.locations.global.operations.get')
  })

  it('reads the RFC 8693 form of the token exchange against the STS schema, and the impersonation path', () => {
    const form = 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&audience=x&subject_token=t&subject_token_type=jwt&requested_token_type=at&scope=s'
    expect(check(sts, request('POST', '/v1/token', form))).toEqual([])
    expect(check(sts, request('POST', '/v1/token', `${form}&client_secret=x`))).toEqual(['sts.token: body.clientSecret: is not a field of this schema'])
    const impersonate = '/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken'
    expect(check(iam, request('POST', impersonate, { scope: ['s'], lifetime: '3600s' }))).toEqual([])
    expect(check(iam, request('POST', impersonate, { scope: 's' }))).toEqual(['iamcredentials.projects.serviceAccounts.generateAccessToken: body.scope: must be array, got string'])
  })
})

describe('an emulator held to its description', () => {
  it('answers a departure with the service 400 naming operation and field, and fails the test when the emulators close', async () => {
    const log = new ViolationLog()
    const inner: Service = {
      name: 'compute',
      classify: () => ({ operation: 'compute.firewalls.insert', write: true }),
      handle: () => ({ status: 200, body: 'handled' }),
      errorResponse: (status, code, message) => ({ status, body: JSON.stringify({ code, message }) })
    }
    const spec = googleSpec('compute')
    const service = checkedAgainst(inner, spec.catalog, spec.source, log)
    const path = '/compute/v1/projects/my-gcp-project/global/firewalls'
    expect((await service.handle(request('POST', path, { name: 'zpl' }))).body).toBe('handled')
    const refused = await service.handle(request('POST', path, { name: 'zpl', colour: 'red' }))
    expect(refused.status).toBe(400)
    expect(refused.body).toContain('compute.firewalls.insert: body.colour: is not a field of this schema')
    expect(() => log.assertNone()).toThrow('compute.firewalls.insert: body.colour: is not a field of this schema')
  })
})
