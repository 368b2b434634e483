// The Zilliz emulator over raw HTTP: envelopes, both error styles, validation, acceptance and rate limit.
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  ZILLIZ_CODES,
  ZILLIZ_OPERATIONS,
  ZILLIZ_SEED,
  makeCluster,
  startZilliz,
  type RunningZilliz,
  type ZillizEmulatorOptions
} from '../emulators/zilliz.js'
import type { Cluster, EndpointService, PrivateEndpoint } from '../src/zilliz/types.js'

const { projectId, apiKey, otherProjectId, regions, clusters } = ZILLIZ_SEED
const AWS_ENDPOINT = 'vpce-0a1b2c3d4e5f60718'
const AZURE_ENDPOINT = 'zilliz-pe.d73e9b55-7b9c-4f8d-8f0a-40e737f1ccbf'

interface Answer<T> {
  status: number
  headers: Headers
  json: { code: number; message?: string; data: T }
}

interface Paged {
  count: number
  currentPage: number
  pageSize: number
}

let zilliz: RunningZilliz
afterEach(async () => zilliz?.close())

async function start(options: ZillizEmulatorOptions = {}): Promise<RunningZilliz> {
  zilliz = await startZilliz(options)
  return zilliz
}

async function call<T = unknown>(method: string, path: string, options: { key?: string | null; body?: unknown } = {}): Promise<Answer<T>> {
  const key = options.key === undefined ? apiKey : options.key
  const response = await fetch(`${zilliz.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body)
  })
  return { status: response.status, headers: response.headers, json: (await response.json()) as Answer<T>['json'] }
}

const endpointsPath = `/v2/projects/${projectId}/privateEndpoints`
const register = (body: unknown, key?: string) => call<{ endpointId: string; regionId: string }>('POST', endpointsPath, { body, key })
const whitelist = (regionId: string) => call('POST', `/v2/projects/${projectId}/privateEndpointWhitelist`, { body: { regionId, outerUserId: 'sub-1' } })
const listEndpoints = async () => (await call<Paged & { endpoints: PrivateEndpoint[] }>('GET', endpointsPath)).json.data.endpoints
const describe_ = async (clusterId: string) => (await call<Cluster>('GET', `/v2/clusters/${clusterId}`)).json.data

describe('authentication', () => {
  it('answers HTTP 401 with code 21119 for a missing or unknown key', async () => {
    await start()
    for (const key of [null, 'zk-not-a-real-key']) {
      const answer = await call('GET', '/v2/regions', { key })
      expect(answer.status).toBe(401)
      expect(answer.json).toEqual({ code: 21119, message: 'The apikey is illegal' })
    }
  })

  it('refuses a key scoped to another project with 96013 over HTTP 200', async () => {
    await start()
    const answer = await call('GET', `/v2/projects/${otherProjectId}/privateEndpoints`)
    expect(answer.status).toBe(200)
    expect(answer.json.code).toBe(ZILLIZ_CODES.NO_PROJECT_PERMISSION)
    expect((await call('GET', `/v2/clusters/${clusters.otherProject}`)).json.code).toBe(96013)
  })

  it('answers an unknown project with 96005', async () => {
    await start()
    const answer = await call('GET', '/v2/projects/proj-000000000000000000000/privateEndpoints')
    expect([answer.status, answer.json.code]).toEqual([200, 96005])
  })

  it('sends a requestid header with every answer', async () => {
    await start()
    expect((await call('GET', '/v2/regions')).headers.get('requestid')).toMatch(/^[0-9a-f]{32}$/)
  })
})

describe('endpoint services and regions', () => {
  it('lists the seeded services with the exact envelope', async () => {
    await start()
    const answer = await call<Paged & { endpointServices: EndpointService[] }>('GET', `/v2/privateEndpointServices?regionId=${regions.aws}`)
    expect(answer.json).toEqual({
      code: 0,
      data: {
        endpointServices: [{ regionId: 'aws-us-west-2', cloudId: 'aws', endpointService: ZILLIZ_SEED.endpointServices.aws, whitelistRequired: false }],
        currentPage: 1,
        pageSize: 10,
        count: 1
      }
    })
  })

  it('marks Azure as cloud azure with an az- region that needs a whitelist', async () => {
    await start()
    const services = (await call<{ endpointServices: EndpointService[] }>('GET', '/v2/privateEndpointServices')).json.data.endpointServices
    expect(services.map((s) => s.regionId)).toEqual([regions.aws, regions.gcp, regions.azure])
    expect(services[2]).toMatchObject({ cloudId: 'azure', whitelistRequired: true, endpointService: ZILLIZ_SEED.endpointServices.azure })
    expect(services[1].endpointService).toBe('projects/zilliz-prod/regions/us-west1/serviceAttachments/zilliz-psc')
  })

  it('falls back to page size 10 outside 1–100 and pages with currentPage', async () => {
    await start()
    for (const size of ['0', '101', 'abc']) {
      expect((await call<Paged>('GET', `/v2/privateEndpointServices?pageSize=${size}`)).json.data.pageSize).toBe(10)
    }
    const second = await call<Paged & { endpointServices: EndpointService[] }>('GET', '/v2/privateEndpointServices?pageSize=2&currentPage=2')
    expect(second.json.data).toMatchObject({ currentPage: 2, pageSize: 2, count: 3 })
    expect(second.json.data.endpointServices.map((s) => s.regionId)).toEqual([regions.azure])
    expect((await call('GET', '/v2/privateEndpointServices?currentPage=0')).json.code).toBe(ZILLIZ_CODES.INVALID_CURRENT_PAGE)
  })

  it('answers an unknown region with 96001', async () => {
    await start()
    expect((await call('GET', '/v2/privateEndpointServices?regionId=aws-mars-1')).json.code).toBe(96001)
  })

  it('lists regions, filtered by cloud', async () => {
    await start()
    const azure = (await call<unknown[]>('GET', '/v2/regions?cloudId=azure')).json.data
    expect(azure).toEqual([{ cloudId: 'azure', regionId: 'az-eastus', domain: 'api.cloud.zilliz.com' }])
    expect((await call('GET', '/v2/regions?cloudId=ibm')).json.code).toBe(ZILLIZ_CODES.INVALID_CLOUD)
  })
})

describe('registration', () => {
  it('registers visibly at once as pending, with gcpProjectId null outside GCP', async () => {
    await start()
    const answer = await register({ regionId: regions.aws, endpointId: AWS_ENDPOINT })
    expect(answer.json).toEqual({ code: 0, data: { endpointId: AWS_ENDPOINT, regionId: regions.aws } })
    expect(await listEndpoints()).toEqual([
      {
        regionId: regions.aws,
        cloudId: 'aws',
        endpointService: ZILLIZ_SEED.endpointServices.aws,
        endpointServiceStatus: 'Available',
        endpointId: AWS_ENDPOINT,
        endpointStatus: 'pending',
        gcpProjectId: null
      }
    ])
  })

  it.each([
    ['aws', { regionId: regions.aws, endpointId: 'vpce-xyz' }],
    ['aws (too short)', { regionId: regions.aws, endpointId: 'vpce-0a1b2c3' }],
    ['gcp', { regionId: regions.gcp, endpointId: 'My_Rule', gcpProjectId: 'my-gcp-project' }],
    ['azure', { regionId: regions.azure, endpointId: 'zilliz-pe-without-guid' }]
  ])('refuses an endpoint id in the wrong format for %s', async (_cloud, body) => {
    await start({ enforceWhitelist: false })
    const answer = await register(body)
    expect([answer.status, answer.json.code]).toEqual([200, ZILLIZ_CODES.INVALID_ENDPOINT_ID])
  })

  it('requires gcpProjectId in GCP regions and keeps it', async () => {
    await start()
    expect((await register({ regionId: regions.gcp, endpointId: 'zilliz-psc-endpoint' })).json.code).toBe(ZILLIZ_CODES.MISSING_GCP_PROJECT_ID)
    expect((await register({ regionId: regions.gcp, endpointId: 'zilliz-psc-endpoint', gcpProjectId: 'my-gcp-project' })).json.code).toBe(0)
    expect((await listEndpoints())[0]).toMatchObject({ cloudId: 'gcp', gcpProjectId: 'my-gcp-project' })
  })

  it('refuses duplicates, an 11th endpoint, regions without a service and missing fields', async () => {
    await start()
    const ids = Array.from({ length: 10 }, (_, i) => `vpce-0a1b2c3d4e5f6071${i}`)
    for (const endpointId of ids) expect((await register({ regionId: regions.aws, endpointId })).json.code).toBe(0)
    expect((await register({ regionId: regions.aws, endpointId: ids[0] })).json.code).toBe(ZILLIZ_CODES.ENDPOINT_ALREADY_REGISTERED)
    expect((await register({ regionId: regions.aws, endpointId: 'vpce-0a1b2c3d4e5f60799' })).json.code).toBe(ZILLIZ_CODES.ENDPOINT_LIMIT_EXCEEDED)
    expect((await register({ regionId: regions.withoutPrivateLink, endpointId: AWS_ENDPOINT })).json.code).toBe(ZILLIZ_CODES.NO_ENDPOINT_SERVICE)
    expect((await register({ regionId: regions.aws })).json.code).toBe(ZILLIZ_CODES.INVALID_PARAMETER)
    expect((await register({ regionId: 'aws-mars-1', endpointId: AWS_ENDPOINT })).json.code).toBe(ZILLIZ_CODES.INVALID_REGION)
  })

  it('refuses a whitelist-required region until an account is whitelisted, and accepts repeated whitelisting', async () => {
    await start()
    expect((await register({ regionId: regions.azure, endpointId: AZURE_ENDPOINT })).json.code).toBe(ZILLIZ_CODES.WHITELIST_REQUIRED)
    for (let i = 0; i < 2; i++) expect((await whitelist(regions.azure)).json).toEqual({ code: 0, data: 'success' })
    expect(zilliz.emulator.state.whitelist).toHaveLength(1)
    expect((await register({ regionId: regions.azure, endpointId: AZURE_ENDPOINT })).json.code).toBe(0)
  })

  it('refuses an Azure endpoint whose own subscription is not the whitelisted one', async () => {
    await start()
    zilliz.world.endpoints.add('azure', AZURE_ENDPOINT, 'sub-owner')
    await whitelist(regions.azure)
    expect((await register({ regionId: regions.azure, endpointId: AZURE_ENDPOINT })).json.code).toBe(ZILLIZ_CODES.WHITELIST_REQUIRED)
    await call('POST', `/v2/projects/${projectId}/privateEndpointWhitelist`, { body: { regionId: regions.azure, outerUserId: 'SUB-OWNER' } })
    expect((await register({ regionId: regions.azure, endpointId: AZURE_ENDPOINT })).json.code).toBe(0)
  })

  it('logs POST and DELETE as writes, GETs and HTTP-level refusals not', async () => {
    await start()
    await register({ regionId: regions.aws, endpointId: AWS_ENDPOINT }, 'zk-not-a-real-key')
    await register({ regionId: regions.aws, endpointId: AWS_ENDPOINT })
    await listEndpoints()
    await call('DELETE', `${endpointsPath}/${AWS_ENDPOINT}?regionId=${regions.aws}`)
    expect(zilliz.log.writes('zilliz').map((r) => r.operation)).toEqual([
      ZILLIZ_OPERATIONS.createPrivateEndpoint,
      ZILLIZ_OPERATIONS.deletePrivateEndpoint
    ])
  })
})

describe('acceptance', () => {
  it('stays pending while the cloud endpoint does not exist, then accepts it on a later read', async () => {
    await start()
    const accepted: string[] = []
    zilliz.world.onAcceptance((cloudId, endpointId, isAccepted) => accepted.push(`${cloudId}/${endpointId}/${isAccepted}`))
    await register({ regionId: regions.aws, endpointId: AWS_ENDPOINT })
    expect((await listEndpoints())[0].endpointStatus).toBe('pending')
    expect((await describe_(clusters.aws[0])).privateLinkAddress).toBe('')

    zilliz.world.endpoints.add('aws', AWS_ENDPOINT)
    expect((await listEndpoints())[0].endpointStatus).toBe('accepted')
    expect(accepted).toEqual([`aws/${AWS_ENDPOINT}/true`])
  })

  it('waits for the acceptance delay on the emulator clock', async () => {
    let now = 1_000_000
    await start({ acceptanceDelayMs: 5 * 60_000, now: () => now })
    zilliz.world.endpoints.add('aws', AWS_ENDPOINT)
    await register({ regionId: regions.aws, endpointId: AWS_ENDPOINT })
    now += 5 * 60_000 - 1
    expect((await listEndpoints())[0].endpointStatus).toBe('pending')
    now += 1
    expect((await listEndpoints())[0].endpointStatus).toBe('accepted')
  })

  it('gives every dedicated cluster of the project and region a private link on its own port', async () => {
    await start()
    zilliz.emulator.state.clusters.push(makeCluster({ clusterId: 'in01-6a7b8c9d0e1f2a3', projectId, regionId: regions.aws, port: 443 }))
    zilliz.world.endpoints.add('aws', AWS_ENDPOINT)
    await register({ regionId: regions.aws, endpointId: AWS_ENDPOINT })

    const [first, second] = clusters.aws
    expect((await describe_(first)).privateLinkAddress).toBe(`https://${first}-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19530`)
    expect((await describe_(second)).privateLinkAddress).toBe(`https://${second}-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19530`)
    expect((await describe_('in01-6a7b8c9d0e1f2a3')).privateLinkAddress).toMatch(/:443$/)
    expect((await describe_(clusters.awsServerless)).privateLinkAddress).toBe('')
    expect((await describe_(clusters.gcp)).privateLinkAddress).toBe('')
  })

  it('deletes by URL-decoded id and tells the cloud the link is gone', async () => {
    await start()
    const events: boolean[] = []
    zilliz.world.onAcceptance((_cloud, _id, isAccepted) => events.push(isAccepted))
    await whitelist(regions.azure)
    zilliz.world.endpoints.add('azure', AZURE_ENDPOINT)
    await register({ regionId: regions.azure, endpointId: AZURE_ENDPOINT })
    await listEndpoints()

    const path = `${endpointsPath}/${encodeURIComponent(AZURE_ENDPOINT)}`
    expect((await call('DELETE', `${path}?regionId=${regions.azure}`)).json).toEqual({ code: 0, data: { endpointId: AZURE_ENDPOINT } })
    expect(await listEndpoints()).toEqual([])
    expect(events).toEqual([true, false])
    expect((await call('DELETE', `${path}?regionId=${regions.azure}`)).json.code).toBe(ZILLIZ_CODES.ENDPOINT_NOT_FOUND)
    expect((await call('DELETE', path)).json.code).toBe(ZILLIZ_CODES.INVALID_PARAMETER)
  })
})

describe('clusters', () => {
  it('lists the project clusters with paging and describes one', async () => {
    await start()
    const page = (await call<Paged & { clusters: Cluster[] }>('GET', `/v2/clusters?projectId=${projectId}&pageSize=2&currentPage=3`)).json.data
    expect(page.count).toBe(5)
    expect(page.clusters.map((c) => c.clusterId)).toEqual([clusters.azure])
    const all = (await call<{ clusters: Cluster[] }>('GET', '/v2/clusters?pageSize=100')).json.data.clusters
    expect(all.map((c) => c.clusterId)).not.toContain(clusters.otherProject)

    expect(await describe_(clusters.aws[0])).toMatchObject({
      clusterId: 'in01-0a1b2c3d4e5f607',
      projectId,
      regionId: 'aws-us-west-2',
      plan: 'Enterprise',
      status: 'RUNNING',
      connectAddress: 'https://in01-0a1b2c3d4e5f607.aws-us-west-2.vectordb.zillizcloud.com:19530',
      privateLinkAddress: ''
    })
    expect(await describe_(clusters.awsServerless)).toMatchObject({ plan: 'Serverless' })
  })

  it('answers an unknown cluster with 96018 over HTTP 200', async () => {
    await start()
    const answer = await call('GET', '/v2/clusters/in01-ffffffffffffff0')
    expect([answer.status, answer.json.code]).toEqual([200, 96018])
  })
})

describe('rate limit and faults', () => {
  it('answers HTTP 429 beyond the limit per key and route', async () => {
    await start({ rateLimit: { requests: 2, windowMs: 60_000 } })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await call('GET', '/v2/regions')).status)
    expect(statuses).toEqual([200, 200, 429])
    const refused = await call('GET', '/v2/regions')
    expect(refused.json).toMatchObject({ code: 429 })
    expect(refused.headers.get('retry-after')).toBeNull()
    expect((await call('GET', '/v2/clusters')).status).toBe(200)
    expect((await call('GET', '/v2/regions', { key: ZILLIZ_SEED.otherApiKey })).status).toBe(200)
  })

  it('frees the limit once the window has passed and can advertise Retry-After', async () => {
    await start({ rateLimit: { requests: 1, windowMs: 50 }, retryAfterSeconds: 1 })
    expect((await call('GET', '/v2/regions')).status).toBe(200)
    const refused = await call('GET', '/v2/regions')
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '1'])
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect((await call('GET', '/v2/regions')).status).toBe(200)
  })

  it('wraps injected faults in the Zilliz envelope', async () => {
    await start()
    zilliz.switches.inject({ service: 'zilliz', operation: ZILLIZ_OPERATIONS.listRegions, status: 503, code: 'Unavailable', times: 1 })
    const answer = await call('GET', '/v2/regions')
    expect(answer.status).toBe(503)
    expect(answer.json).toEqual({ code: 503, message: 'Injected Unavailable' })
  })

  it('answers unknown routes with 404', async () => {
    await start()
    expect((await call('GET', '/v2/nothing')).status).toBe(404)
  })
})
