// ZillizClient against the Zilliz emulator over loopback HTTP, plus its small helpers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from '@jest/globals'
import { ZILLIZ_CODES, ZILLIZ_OPERATIONS, ZILLIZ_SEED, makeCluster, startZilliz, type RunningZilliz, type ZillizEmulatorOptions } from '../emulators/zilliz.js'
import type { Clock } from '../src/base/timing.js'
import { CHINA_API_URL, GLOBAL_API_URL, defaultApiUrl } from '../src/zilliz/base-url.js'
import { ZillizClient, type ZillizClientOptions } from '../src/zilliz/client.js'
import { ZillizApiError, classifyZillizFailure } from '../src/zilliz/errors.js'
import { RateLimiter } from '../src/base/rate-limit.js'
import { classifyEndpointStatus } from '../src/zilliz/status.js'

const { projectId, apiKey, otherProjectId, regions, clusters } = ZILLIZ_SEED
const AWS_ENDPOINT = 'vpce-0a1b2c3d4e5f60718'
const AZURE_ENDPOINT = 'zilliz-pe.d73e9b55-7b9c-4f8d-8f0a-40e737f1ccbf'
const FAST_RETRY = { attempts: 5, baseMs: 1, maxMs: 5 }
const OPS = ZILLIZ_OPERATIONS

let zilliz: RunningZilliz | undefined
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await zilliz?.close()
  zilliz = undefined
  await Promise.all(cleanups.splice(0).map((close) => close()))
})

async function start(options: ZillizEmulatorOptions = {}): Promise<RunningZilliz> {
  zilliz = await startZilliz(options)
  return zilliz
}

function client(overrides: Partial<ZillizClientOptions> = {}): ZillizClient {
  return new ZillizClient({ apiUrl: zilliz?.url ?? 'http://127.0.0.1:9', apiKey, retry: FAST_RETRY, requestsPerSecond: 1000, ...overrides })
}

/** A clock whose sleeps return at once and move its time forward. */
function fakeClock(start = 0): Clock & { sleeps: number[] } {
  let time = start
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms)
      time += ms
    }
  }
}

/** A bare HTTP server on 127.0.0.1, for answers the emulator never gives (plain text, odd bodies). */
async function startPlainServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function failure(promise: Promise<unknown>): Promise<ZillizApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ZillizApiError)
  return error as ZillizApiError
}

/** Most events inside any one-second window. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b)
  return Math.max(...sorted.map((start, i) => sorted.slice(i).filter((t) => t - start < 1000).length))
}

describe('listing', () => {
  it('lists the endpoint services of a region', async () => {
    await start()
    expect(await client().listEndpointServices(regions.aws)).toEqual([
      { regionId: regions.aws, cloudId: 'aws', endpointService: ZILLIZ_SEED.endpointServices.aws, whitelistRequired: false }
    ])
    expect(await client().listEndpointServices(regions.azure)).toEqual([
      expect.objectContaining({ cloudId: 'azure', whitelistRequired: true })
    ])
  })

  it('pages through more than 100 clusters, 100 at a time', async () => {
    await start()
    for (let i = 0; i < 250; i++) {
      const clusterId = `in01-${i.toString(16).padStart(15, '0')}`
      zilliz!.emulator.state.clusters.push(makeCluster({ clusterId, projectId, regionId: regions.aws }))
    }
    const listed = await client().listClusters(projectId)
    expect(listed).toHaveLength(255)
    expect(new Set(listed.map((c) => c.clusterId)).size).toBe(255)
    expect(zilliz!.log.count(OPS.listClusters)).toBe(3)
  })

  it('pages through private endpoints with a smaller page size', async () => {
    await start()
    for (let i = 0; i < 10; i++) zilliz!.emulator.addRegistration({ projectId, regionId: regions.aws, endpointId: `vpce-0000000000000000${i}` })
    const endpoints = await client({ pageSize: 4 }).listPrivateEndpoints(projectId)
    expect(endpoints.map((e) => e.endpointId)).toEqual(Array.from({ length: 10 }, (_, i) => `vpce-0000000000000000${i}`))
    expect(endpoints[0].gcpProjectId).toBeNull()
    expect(zilliz!.log.count(OPS.listPrivateEndpoints)).toBe(3)
  })
})

describe('registration', () => {
  it('stays pending until the cloud endpoint exists, then links the dedicated clusters', async () => {
    await start()
    const zillizClient = client()
    await zillizClient.registerPrivateEndpoint(projectId, { regionId: regions.aws, endpointId: AWS_ENDPOINT })
    const [pending] = await zillizClient.listPrivateEndpoints(projectId)
    expect(classifyEndpointStatus(pending.endpointStatus)).toBe('pending')
    expect((await zillizClient.describeCluster(clusters.aws[0])).privateLinkAddress).toBe('')

    zilliz!.world.endpoints.add('aws', AWS_ENDPOINT)
    const [accepted] = await zillizClient.listPrivateEndpoints(projectId)
    expect(classifyEndpointStatus(accepted.endpointStatus)).toBe('ready')
    expect((await zillizClient.describeCluster(clusters.aws[0])).privateLinkAddress).toBe(
      'https://in01-0a1b2c3d4e5f607-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19530'
    )
    const linked = (await zillizClient.listClusters(projectId)).filter((c) => c.privateLinkAddress !== '')
    expect(linked.map((c) => c.clusterId)).toEqual([...clusters.aws])
  })

  it('treats registering an already registered endpoint as done', async () => {
    await start()
    const zillizClient = client()
    await zillizClient.registerPrivateEndpoint(projectId, { regionId: regions.aws, endpointId: AWS_ENDPOINT })
    await expect(zillizClient.registerPrivateEndpoint(projectId, { regionId: regions.aws, endpointId: AWS_ENDPOINT })).resolves.toBeUndefined()
    expect(zilliz!.log.count(OPS.createPrivateEndpoint)).toBe(2)
  })

  it('sends gcpProjectId for GCP regions', async () => {
    await start()
    await client().registerPrivateEndpoint(projectId, { regionId: regions.gcp, endpointId: 'zilliz-psc', gcpProjectId: 'my-gcp-project' })
    expect((await client().listPrivateEndpoints(projectId))[0]).toMatchObject({ cloudId: 'gcp', gcpProjectId: 'my-gcp-project' })
  })

  it('is refused in a whitelist-required region until the account is whitelisted', async () => {
    await start()
    const zillizClient = client()
    const request = { regionId: regions.azure, endpointId: AZURE_ENDPOINT }
    const refused = await failure(zillizClient.registerPrivateEndpoint(projectId, request))
    expect(refused).toMatchObject({ kind: 'invalid', httpStatus: 200, code: ZILLIZ_CODES.WHITELIST_REQUIRED })

    await zillizClient.addWhitelistEntry(projectId, regions.azure, '00000000-1111-2222-3333-444444444444')
    await zillizClient.addWhitelistEntry(projectId, regions.azure, '00000000-1111-2222-3333-444444444444')
    await zillizClient.registerPrivateEndpoint(projectId, request)
    expect((await zillizClient.listPrivateEndpoints(projectId)).map((e) => e.endpointId)).toEqual([AZURE_ENDPOINT])
  })

  it('deletes an Azure endpoint whose id contains a dot, and deleting it again succeeds', async () => {
    await start({ enforceWhitelist: false })
    const zillizClient = client()
    await zillizClient.registerPrivateEndpoint(projectId, { regionId: regions.azure, endpointId: AZURE_ENDPOINT })
    await zillizClient.deletePrivateEndpoint(projectId, AZURE_ENDPOINT, regions.azure)
    expect(await zillizClient.listPrivateEndpoints(projectId)).toEqual([])
    await zillizClient.deletePrivateEndpoint(projectId, AZURE_ENDPOINT, regions.azure)
    const deletes = zilliz!.log.calls('zilliz').filter((r) => r.operation === OPS.deletePrivateEndpoint)
    expect(deletes.map((r) => r.path)).toEqual([0, 1].map(() => `/v2/projects/${projectId}/privateEndpoints/${AZURE_ENDPOINT}`))
  })

  it('does not hide a delete in the wrong region of an endpoint that exists', async () => {
    await start()
    await client().registerPrivateEndpoint(projectId, { regionId: regions.aws, endpointId: AWS_ENDPOINT })
    const refused = await failure(client().deletePrivateEndpoint(projectId, AWS_ENDPOINT, regions.gcp))
    expect(refused.code).toBe(ZILLIZ_CODES.ENDPOINT_NOT_FOUND)
  })
})

describe('errors', () => {
  it('explains a rejected key (HTTP 401) without revealing it and without retrying', async () => {
    await start()
    const badKey = 'zk-test-ffffffffffffffffffffffffffffffff'
    const error = await failure(client({ apiKey: badKey }).listPrivateEndpoints(projectId))
    expect(error).toMatchObject({ kind: 'auth', httpStatus: 401, code: 21119, apiMessage: 'The apikey is illegal' })
    expect(error.requestId).toMatch(/^[0-9a-f]{32}$/)
    expect(error.message).toContain('zilliz-api-key')
    expect(error.message).toContain('Create an API key in the Zilliz Cloud console')
    expect(error.message).not.toContain(badKey)
    expect(zilliz!.log.count(OPS.listPrivateEndpoints)).toBe(1)
  })

  it('scrubs the key when the server echoes it', async () => {
    await start()
    zilliz!.switches.inject({ service: 'zilliz', operation: '*', status: 401, code: '80001', message: `API key ${apiKey} is invalid`, times: 1 })
    const error = await failure(client().describeCluster(clusters.aws[0]))
    expect(error.kind).toBe('auth')
    expect(error.message).not.toContain(apiKey)
    expect(error.apiMessage).toBe('API key *** is invalid')
  })

  it('reads a domain error from an HTTP 200 answer and does not retry it', async () => {
    await start()
    const error = await failure(client().registerPrivateEndpoint(projectId, { regionId: 'aws-mars-1', endpointId: AWS_ENDPOINT }))
    expect(error).toMatchObject({ kind: 'invalid', httpStatus: 200, code: ZILLIZ_CODES.INVALID_REGION })
    expect(error.message).toContain('Invalid RegionId')
    expect(zilliz!.log.count(OPS.createPrivateEndpoint)).toBe(1)
  })

  it('says which project the key cannot reach and which role it needs', async () => {
    await start()
    const error = await failure(client().listPrivateEndpoints(otherProjectId))
    expect(error).toMatchObject({ kind: 'permission', code: ZILLIZ_CODES.NO_PROJECT_PERMISSION })
    expect(error.message).toContain(otherProjectId)
    expect(error.message).toContain('Project Admin')
  })

  it('reports an unknown cluster as not found', async () => {
    await start()
    const error = await failure(client().describeCluster('in01-ffffffffffffff0'))
    expect(error).toMatchObject({ kind: 'not-found', code: ZILLIZ_CODES.CLUSTER_NOT_FOUND })
  })

  it('reads plain-text error bodies, retrying 5xx but not 4xx', async () => {
    const hits: Record<string, number> = {}
    const url = await startPlainServer((req, res) => {
      hits[req.url ?? ''] = (hits[req.url ?? ''] ?? 0) + 1
      const status = req.url?.startsWith('/v2/clusters/') ? 502 : 400
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 502 ? 'Bad Gateway' : 'malformed request')
    })
    const plainClient = client({ apiUrl: url })
    expect(await failure(plainClient.describeCluster('in01-0'))).toMatchObject({ kind: 'server', httpStatus: 502, code: 502, apiMessage: 'Bad Gateway' })
    expect(await failure(plainClient.addWhitelistEntry(projectId, regions.aws, '1'))).toMatchObject({ kind: 'invalid', httpStatus: 400, apiMessage: 'malformed request' })
    expect(hits).toEqual({ '/v2/clusters/in01-0': FAST_RETRY.attempts, [`/v2/projects/${projectId}/privateEndpointWhitelist`]: 1 })
  })

  it('refuses a successful status whose body is not JSON', async () => {
    const url = await startPlainServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'))
    expect(await failure(client({ apiUrl: url }).describeCluster('in01-0'))).toMatchObject({ kind: 'invalid', httpStatus: 200 })
  })

  it('reports an unreachable API as a network error after retrying', async () => {
    const url = await startPlainServer(() => undefined)
    await cleanups.pop()!()
    const retries: number[] = []
    const error = await failure(client({ apiUrl: url, onRetry: (_e, attempt) => retries.push(attempt) }).describeCluster('in01-0'))
    expect(error).toMatchObject({ kind: 'network', httpStatus: 0 })
    expect(error.message).toContain('zilliz-api-url')
    expect(retries).toEqual([1, 2, 3, 4])
  })

  it('gives up on a request that takes longer than the timeout', async () => {
    await start()
    zilliz!.switches.latency[`zilliz:${OPS.describeCluster}`] = 300
    const error = await failure(client({ timeoutMs: 50, retry: { attempts: 2, baseMs: 1, maxMs: 1 } }).describeCluster(clusters.aws[0]))
    expect(error.kind).toBe('network')
    expect(error.apiMessage).toBe('no response within 0.05 s')
  })
})

describe('retries', () => {
  it('retries HTTP 429 and then succeeds', async () => {
    await start()
    zilliz!.switches.inject({ service: 'zilliz', operation: OPS.listEndpointServices, status: 429, code: '429', times: 2 })
    const retried: number[] = []
    const services = await client({ onRetry: (error) => retried.push(error.httpStatus) }).listEndpointServices(regions.aws)
    expect(services).toHaveLength(1)
    expect(retried).toEqual([429, 429])
    expect(zilliz!.log.count(OPS.listEndpointServices)).toBe(3)
  })

  it('retries HTTP 500 and then succeeds', async () => {
    await start()
    zilliz!.switches.inject({ service: 'zilliz', operation: OPS.describeCluster, status: 500, code: 'InternalError', times: 1 })
    expect((await client().describeCluster(clusters.gcp)).clusterId).toBe(clusters.gcp)
    expect(zilliz!.log.count(OPS.describeCluster)).toBe(2)
  })

  it('does not retry a 4xx answer', async () => {
    await start()
    zilliz!.switches.inject({ service: 'zilliz', operation: OPS.addWhitelistEntry, status: 400, code: '96900', times: 3 })
    expect(await failure(client().addWhitelistEntry(projectId, regions.azure, 'sub'))).toMatchObject({ kind: 'invalid', httpStatus: 400, code: 96900 })
    expect(zilliz!.log.count(OPS.addWhitelistEntry)).toBe(1)
  })

  it('stops after the configured attempts with a throttling error', async () => {
    await start()
    zilliz!.switches.inject({ service: 'zilliz', operation: '*', status: 429, code: '429', times: 10 })
    const error = await failure(client({ retry: { attempts: 3, baseMs: 1, maxMs: 1 } }).listClusters(projectId))
    expect(error.kind).toBe('throttled')
    expect(zilliz!.log.count(OPS.listClusters)).toBe(3)
  })

  it("rides out the emulator's own rate limit", async () => {
    // A window far longer than six calls take even on a loaded machine, so the limit is always met.
    await start({ rateLimit: { requests: 2, windowMs: 1000 } })
    const zillizClient = client({ retry: { attempts: 30, baseMs: 50, maxMs: 300 } })
    for (let i = 0; i < 6; i++) expect(await zillizClient.describeCluster(clusters.azure)).toMatchObject({ clusterId: clusters.azure })
    const statuses = zilliz!.log.calls('zilliz').map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(6)
    expect(statuses).toContain(429)
  })

  it('waits as long as Retry-After asks', async () => {
    await start({ retryAfterSeconds: 2 })
    zilliz!.switches.inject({ service: 'zilliz', operation: OPS.describeCluster, status: 429, code: '429', times: 1 })
    const clock = fakeClock()
    await client({ clock }).describeCluster(clusters.gcp)
    expect(clock.sleeps).toContain(2000)
  })
})

describe('client-side rate limit', () => {
  it('never lets more than 20 sequential requests into one second', async () => {
    await start({ rateLimit: { requests: 1000, windowMs: 1000 } })
    const clock = fakeClock(1_000)
    const zillizClient = client({ clock, requestsPerSecond: 20 })
    const sentAt: number[] = []
    for (let i = 0; i < 45; i++) {
      await zillizClient.describeCluster(clusters.aws[0])
      sentAt.push(clock.now())
    }
    expect(zilliz!.log.count(OPS.describeCluster)).toBe(45)
    expect(busiestSecond(sentAt)).toBeLessThanOrEqual(20)
    expect(clock.now() - 1_000).toBeGreaterThanOrEqual(2_000)
  })

  it('paces each API endpoint apart, as Zilliz limits them: reads of different endpoints go out at once', async () => {
    await start({ rateLimit: { requests: 1000, windowMs: 1000 } })
    const clock = fakeClock(1_000)
    const zillizClient = client({ clock, requestsPerSecond: 20 })
    // Two of each endpoint fit its burst: six reads of three endpoints need no wait.
    await Promise.all([0, 1].flatMap(() => [zillizClient.describeCluster(clusters.aws[0]), zillizClient.listPrivateEndpoints(ZILLIZ_SEED.projectId), zillizClient.listEndpointServices(ZILLIZ_SEED.regions.aws)]))
    expect(clock.sleeps).toEqual([])
    // A third read of one endpoint waits for its slot.
    await zillizClient.describeCluster(clusters.aws[0])
    expect(clock.sleeps).toHaveLength(1)
  })

  it('queues concurrent callers into slots that keep every second at or under the limit', async () => {
    let now = 0
    const wakeAt: number[] = []
    const clock: Clock = { now: () => now, sleep: async (ms) => void wakeAt.push(now + ms) }
    const limiter = new RateLimiter({ requestsPerSecond: 20, burst: 4, clock })
    await Promise.all(Array.from({ length: 30 }, () => limiter.acquire()))
    now = 5_000
    await Promise.all(Array.from({ length: 30 }, () => limiter.acquire()))
    const immediate = 60 - wakeAt.length
    expect(immediate).toBe(8)
    expect(busiestSecond([...wakeAt, 0, 0, 0, 0, 5_000, 5_000, 5_000, 5_000])).toBeLessThanOrEqual(20)
  })

  it('allows a small burst before spacing requests', async () => {
    const clock = fakeClock()
    const limiter = new RateLimiter({ requestsPerSecond: 20, clock })
    for (let i = 0; i < 3; i++) await limiter.acquire()
    expect(clock.sleeps).toEqual([limiter.intervalMs])
  })
})

describe('helpers', () => {
  it.each([
    ['ali-cn-hangzhou', CHINA_API_URL],
    ['tc-ap-beijing', CHINA_API_URL],
    ['aws-us-west-2', GLOBAL_API_URL],
    ['gcp-us-west1', GLOBAL_API_URL],
    ['az-eastus', GLOBAL_API_URL],
    ['something-new', GLOBAL_API_URL]
  ])('picks the control plane for %s', (regionId, url) => {
    expect(defaultApiUrl(regionId)).toBe(url)
  })

  it.each([
    ['accepted', 'ready'],
    ['Available', 'ready'],
    ['APPROVED', 'ready'],
    ['active', 'ready'],
    ['pending', 'pending'],
    ['pendingAcceptance', 'pending'],
    ['PENDING', 'pending'],
    ['Rejected', 'failed'],
    ['failed', 'failed'],
    ['expired', 'failed'],
    ['deleted', 'failed'],
    ['provisioning', 'unknown']
  ])('classifies endpoint status %s as %s', (status, readiness) => {
    expect(classifyEndpointStatus(status)).toBe(readiness)
  })

  it.each([
    [401, 21119, 'auth'],
    [200, 21119, 'auth'],
    [200, 80002, 'auth'],
    [403, 0, 'auth'],
    [200, 96012, 'permission'],
    [403, 96027, 'permission'],
    [429, 429, 'throttled'],
    [200, 429, 'throttled'],
    [503, 503, 'server'],
    [200, 96018, 'not-found'],
    [404, 404, 'not-found'],
    [200, 96001, 'invalid']
  ])('classifies HTTP %s with code %s as %s', (status, code, kind) => {
    expect(classifyZillizFailure(status, code)).toBe(kind)
  })
})
