// The Google emulators against the real client libraries: google-auth-library's external account client
// for STS and IAM Credentials, its authorized request() for Compute REST, and @google-cloud/dns for DNS.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { DNS } from '@google-cloud/dns'
import { IdentityPoolClient, type AuthClient } from 'google-auth-library'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { adminClient, adminOperation } from '../emulators/gcp/fixtures.js'
import {
  GCP_NETWORK,
  GCP_PROJECT_ID,
  GCP_SERVICE_ACCOUNT,
  GCP_SUBNETWORK,
  WORKLOAD_IDENTITY_PROVIDER,
  ZILLIZ_SERVICE_ATTACHMENT,
  type GcpEmulators
} from '../emulators/gcp/index.js'
import { GCP_ENDPOINT_VARIABLES } from '../src/providers/gcp/endpoints.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'

let emulators: Emulators
let gcp: GcpEmulators
beforeAll(async () => {
  emulators = await startEmulators()
  gcp = emulators.gcp
})
afterAll(async () => {
  await emulators.close()
})
beforeEach(() => {
  emulators.switches.reset()
})

const ID_TOKEN_AUDIENCE = `https://iam.googleapis.com/${WORKLOAD_IDENTITY_PROVIDER}`
const NETWORK_URL = `https://www.googleapis.com/compute/v1/projects/${GCP_PROJECT_ID}/global/networks/${GCP_NETWORK}`
const SUBNETWORK_PATH = `projects/${GCP_PROJECT_ID}/regions/us-west1/subnetworks/${GCP_SUBNETWORK}`

interface ClientOptions {
  provider?: string
  serviceAccount?: string
  idToken?: () => string
}

/** The external account client the action builds, pointed at the emulators. */
function federatedClient(options: ClientOptions = {}): IdentityPoolClient {
  const provider = options.provider ?? WORKLOAD_IDENTITY_PROVIDER
  return new IdentityPoolClient({
    audience: `//iam.googleapis.com/${provider}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${gcp.urls.sts}/v1/token`,
    ...(options.serviceAccount ? { service_account_impersonation_url: `${gcp.urls.iam}/v1/projects/-/serviceAccounts/${options.serviceAccount}:generateAccessToken` } : {}),
    subject_token_supplier: { getSubjectToken: async () => (options.idToken ? options.idToken() : gcp.oidc.mint(ID_TOKEN_AUDIENCE)) }
  })
}

async function failure(call: Promise<unknown>): Promise<Error & { status?: number; response?: { status: number; data: unknown } }> {
  try {
    await call
  } catch (error) {
    return error as Error & { status?: number; response?: { status: number; data: unknown } }
  }
  throw new Error('expected the call to fail')
}

const compute = (path: string) => `${gcp.urls.compute}/compute/v1/projects/${GCP_PROJECT_ID}/${path}`

interface Operation {
  id: string
  name: string
  status: string
  targetId: string
  selfLink: string
  error?: { errors: { code: string; message: string }[] }
  httpErrorStatusCode?: number
}

async function insert(client: AuthClient, path: string, data: unknown, requestId?: string): Promise<Operation> {
  const res = await client.request<Operation>({ url: compute(path), method: 'POST', data, ...(requestId ? { params: { requestId } } : {}), retry: false })
  return res.data
}

/** operations.wait exactly as @google-cloud/compute calls it: trailing `?` and the literal "" body. */
async function waitDone(client: AuthClient, op: Operation): Promise<Operation> {
  let current = op
  const scope = /projects\/[^/]+\/(.+)\/operations\//.exec(op.selfLink)?.[1] ?? 'global'
  while (current.status !== 'DONE') {
    current = (await client.request<Operation>({ url: `${compute(`${scope}/operations/${op.name}/wait`)}?`, method: 'POST', data: '""', headers: { 'content-type': 'application/json' }, retry: false })).data
  }
  return current
}

describe('Google STS and IAM Credentials through google-auth-library', () => {
  it('exchanges a GitHub ID token for a federated access token that Compute accepts', async () => {
    const client = federatedClient()
    const { token } = await client.getAccessToken()
    expect(token).toMatch(/^ya29\.d\./)
    expect(gcp.sts.presented.at(-1)?.accepted).toBe(true)
    const network = await client.request<{ name: string; id: string }>({ url: compute(`global/networks/${GCP_NETWORK}`) })
    expect(network.data.name).toBe(GCP_NETWORK)
    expect(typeof network.data.id).toBe('string')
  })

  it('impersonates the service account the repository may use', async () => {
    const client = federatedClient({ serviceAccount: GCP_SERVICE_ACCOUNT })
    const { token } = await client.getAccessToken()
    expect(token).toMatch(/^ya29\.c\./)
    expect(emulators.log.count('generateAccessToken', 'gcp-iam')).toBeGreaterThan(0)
    expect(client.getServiceAccountEmail()).toBe(GCP_SERVICE_ACCOUNT)
  })

  it.each([
    ['a token for another audience', { idToken: () => gcp.oidc.mint('https://example.com') }, 'invalid_grant', 'audience'],
    ['an expired token', { idToken: () => gcp.oidc.mint(ID_TOKEN_AUDIENCE, { exp: Math.floor(Date.now() / 1000) - 60 }) }, 'invalid_grant', 'expired'],
    ['a provider that does not exist', { provider: 'projects/1/locations/global/workloadIdentityPools/none/providers/none' }, 'invalid_target', "doesn't exist"],
    ['a repository the attribute condition rejects', { idToken: () => gcp.oidc.mint(ID_TOKEN_AUDIENCE, { repository_owner: 'someone-else' }) }, 'unauthorized_client', 'attribute condition']
  ])('refuses %s with an OAuth error', async (_case, options: ClientOptions, code, fragment) => {
    const error = await failure(federatedClient(options).getAccessToken())
    expect(error.message).toContain(`Error code ${code}`)
    expect(error.message).toContain(fragment)
  })

  it('refuses impersonation to a repository outside the service account binding', async () => {
    const client = federatedClient({ serviceAccount: GCP_SERVICE_ACCOUNT, idToken: () => gcp.oidc.mint(ID_TOKEN_AUDIENCE, { repository: 'octo-org/other-repo' }) })
    const error = await failure(client.getAccessToken())
    expect(error.status).toBe(403)
    expect(error.message).toContain("Permission 'iam.serviceAccounts.getAccessToken' denied")
  })
})

describe('Compute over REST through the authorized client', () => {
  let client: IdentityPoolClient
  beforeAll(() => {
    client = federatedClient({ serviceAccount: GCP_SERVICE_ACCOUNT })
  })

  it('answers a missing or unknown bearer token with 401 in Google error JSON', async () => {
    for (const headers of [{}, { authorization: 'Bearer ya29.not-issued' }] as Record<string, string>[]) {
      const res = await fetch(compute(`global/networks/${GCP_NETWORK}`), { headers })
      const body = (await res.json()) as { error: { code: number; status: string; errors: { reason: string }[] } }
      expect(res.status).toBe(401)
      expect(body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'authError' }] })
    }
  })

  it('answers a project the caller cannot see with 403 naming the permission', async () => {
    const error = await failure(client.request({ url: `${gcp.urls.compute}/compute/v1/projects/other-project/global/networks/x` }))
    expect(error.status).toBe(403)
    expect(error.message).toContain("Required 'compute.networks.get' permission")
  })

  it('serves the seeded subnetworks, here and in other regions', async () => {
    const subnet = await client.request<{ ipCidrRange: string; network: string }>({ url: compute(`regions/us-west1/subnetworks/${GCP_SUBNETWORK}`) })
    expect(subnet.data).toMatchObject({ ipCidrRange: '10.10.0.0/20', network: NETWORK_URL })
    const all = await client.request<{ items: Record<string, { subnetworks: { name: string }[] }> }>({ url: compute('aggregated/subnetworks') })
    expect(Object.keys(all.data.items).sort()).toEqual(['regions/us-east1', 'regions/us-west1'])
  })

  it('inserts an address as an operation that finishes, with int64 ids as strings', async () => {
    const op = await insert(client, 'regions/us-west1/addresses', { name: 'emu-ip-1', addressType: 'INTERNAL', subnetwork: SUBNETWORK_PATH })
    expect(op.status).toBe('RUNNING')
    expect(typeof op.id).toBe('string')
    expect(typeof op.targetId).toBe('string')
    const done = await waitDone(client, op)
    expect(done.status).toBe('DONE')
    expect(done.error).toBeUndefined()
    const address = await client.request<{ address: string; status: string; id: string }>({ url: compute('regions/us-west1/addresses/emu-ip-1') })
    expect(address.data.address).toMatch(/^10\.10\.\d+\.\d+$/)
    expect(address.data.status).toBe('RESERVED')
    expect(address.data.id).toBe(done.targetId)
  })

  it('answers a repeated requestId with the first operation and changes nothing', async () => {
    const requestId = '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9'
    const body = { name: 'emu-ip-2', addressType: 'INTERNAL', subnetwork: SUBNETWORK_PATH }
    emulators.log.clear()
    const first = await insert(client, 'regions/us-west1/addresses', body, requestId)
    const again = await insert(client, 'regions/us-west1/addresses', body, requestId)
    expect(again.name).toBe(first.name)
    expect(emulators.log.calls('gcp-compute').filter((c) => c.operation === 'addresses.insert').map((c) => c.write)).toEqual([true, false])
    const dup = await failure(insert(client, 'regions/us-west1/addresses', body))
    expect(dup.status).toBe(409)
    expect(dup.response?.data).toMatchObject({ error: { code: 409, status: 'ALREADY_EXISTS', errors: [{ reason: 'alreadyExists' }] } })
  })

  it('reports a failed change inside a DONE operation, not as an HTTP error', async () => {
    await waitDone(client, await insert(client, 'regions/us-west1/addresses', { name: 'emu-ip-3', addressType: 'INTERNAL', subnetwork: SUBNETWORK_PATH }))
    const op = await insert(client, 'regions/us-west1/forwardingRules', {
      name: 'emu-psc-missing',
      network: NETWORK_URL,
      IPAddress: `projects/${GCP_PROJECT_ID}/regions/us-west1/addresses/emu-ip-3`,
      target: 'projects/zilliz-prod/regions/us-west1/serviceAttachments/not-there'
    })
    const done = await waitDone(client, op)
    expect(done.httpErrorStatusCode).toBe(404)
    expect(done.error?.errors[0]?.code).toBe('RESOURCE_NOT_FOUND')
  })

  it('keeps a PSC endpoint PENDING until Zilliz accepts its registration', async () => {
    await waitDone(client, await insert(client, 'regions/us-west1/addresses', { name: 'emu-ip-4', addressType: 'INTERNAL', subnetwork: SUBNETWORK_PATH }))
    const op = await insert(client, 'regions/us-west1/forwardingRules', {
      name: 'emu-psc-4',
      network: NETWORK_URL,
      IPAddress: `projects/${GCP_PROJECT_ID}/regions/us-west1/addresses/emu-ip-4`,
      target: ZILLIZ_SERVICE_ATTACHMENT,
      allowPscGlobalAccess: true
    })
    await waitDone(client, op)
    const read = async () => (await client.request<{ pscConnectionStatus: string; pscConnectionId: string; allowPscGlobalAccess: boolean }>({ url: compute('regions/us-west1/forwardingRules/emu-psc-4') })).data
    expect(await read()).toMatchObject({ pscConnectionStatus: 'PENDING', allowPscGlobalAccess: true })
    expect(typeof (await read()).pscConnectionId).toBe('string')
    expect(emulators.world.endpoints.has('gcp', 'emu-psc-4')).toBe(true)
    emulators.zilliz.addRegistration({ projectId: ZILLIZ_SEED.projectId, regionId: ZILLIZ_SEED.regions.gcp, endpointId: 'emu-psc-4', gcpProjectId: GCP_PROJECT_ID })
    emulators.zilliz.settle()
    expect((await read()).pscConnectionStatus).toBe('ACCEPTED')
    const address = await client.request<{ status: string; users: string[] }>({ url: compute('regions/us-west1/addresses/emu-ip-4') })
    expect(address.data.status).toBe('IN_USE')
    expect(address.data.users[0]).toMatch(/forwardingRules\/emu-psc-4$/)
  })

  it('keeps an operation RUNNING for the configured delay; wait answers early and then DONE', async () => {
    const settings = gcp.compute.operations.settings
    const saved = { ...settings }
    Object.assign(settings, { operationDelayMs: 300, waitTimeoutMs: 50 })
    try {
      const op = await insert(client, 'global/firewalls', {
        name: 'emu-fw-slow',
        network: NETWORK_URL,
        direction: 'INGRESS',
        allowed: [{ IPProtocol: 'tcp', ports: ['443'] }],
        sourceRanges: ['10.10.0.0/20']
      })
      const early = (await client.request<Operation>({ url: compute(`global/operations/${op.name}/wait`), method: 'POST' })).data
      expect(early.status).toBe('RUNNING')
      expect((await waitDone(client, op)).status).toBe('DONE')
    } finally {
      Object.assign(settings, saved)
    }
  })

  it('patches a firewall rule but refuses to move it to another network', async () => {
    await waitDone(client, await insert(client, 'global/firewalls', { name: 'emu-fw-1', network: NETWORK_URL, allowed: [{ IPProtocol: 'tcp', ports: ['443'] }], sourceRanges: ['10.0.0.0/8'] }))
    const patch = (data: unknown) => client.request<Operation>({ url: compute('global/firewalls/emu-fw-1'), method: 'PATCH', data, retry: false })
    await waitDone(client, (await patch({ name: 'emu-fw-1', destinationRanges: ['10.10.0.9/32'] })).data)
    const rule = await client.request<{ destinationRanges: string[]; sourceRanges: string[] }>({ url: compute('global/firewalls/emu-fw-1') })
    expect(rule.data).toMatchObject({ destinationRanges: ['10.10.0.9/32'], sourceRanges: ['10.0.0.0/8'] })
    const moved = await failure(patch({ name: 'emu-fw-1', network: `projects/${GCP_PROJECT_ID}/global/networks/other-vpc` }))
    expect(moved.status).toBe(400)
  })

  it('pages lists with maxResults and pageToken', async () => {
    const admin = adminClient(gcp)
    for (const name of ['emu-page-a', 'emu-page-b', 'emu-page-c'])
      await adminOperation(admin, 'POST', 'global/firewalls', { name, network: NETWORK_URL, allowed: [{ IPProtocol: 'tcp' }], sourceRanges: ['10.0.0.0/8'] })
    const first = await client.request<{ items: unknown[]; nextPageToken?: string }>({ url: compute('global/firewalls'), params: { maxResults: 2 } })
    expect(first.data.items).toHaveLength(2)
    expect(first.data.nextPageToken).toBeDefined()
    const second = await client.request<{ items: unknown[] }>({ url: compute('global/firewalls'), params: { maxResults: 2, pageToken: first.data.nextPageToken } })
    expect(second.data.items.length).toBeGreaterThan(0)
  })

  it('answers injected faults in Google error JSON', async () => {
    emulators.switches.inject({ service: 'gcp-compute', operation: 'firewalls.list', status: 503, code: 'backendError', message: 'Backend Error', times: 1 })
    const error = await failure(client.request({ url: compute('global/firewalls'), retry: false }))
    expect(error.status).toBe(503)
    expect(error.response?.data).toMatchObject({ error: { code: 503, errors: [{ reason: 'backendError' }] } })
  })
})

describe('Cloud DNS through @google-cloud/dns', () => {
  let dns: DNS
  beforeAll(() => {
    dns = new DNS({ projectId: GCP_PROJECT_ID, authClient: federatedClient({ serviceAccount: GCP_SERVICE_ACCOUNT }) })
    // The library builds https://<apiEndpoint>/dns/v1 and has no option for http; its base URL is read per request.
    dns.baseUrl = `${gcp.urls.dns}/dns/v1`
  })

  const privateZone = (dnsName: string, networkUrl = NETWORK_URL) =>
    ({ dnsName, description: '', visibility: 'private', privateVisibilityConfig: { networks: [{ networkUrl }] } }) as unknown as { dnsName: string }

  it('creates a private zone bound to the network, with the apex NS and SOA records', async () => {
    const [zone] = await dns.createZone('emu-zone-1', privateZone('emu1.example.com.'))
    expect(zone.metadata).toMatchObject({ visibility: 'private', privateVisibilityConfig: { networks: [{ networkUrl: NETWORK_URL }] } })
    const [records] = await zone.getRecords()
    expect(records.map((r) => r.type).sort()).toEqual(['NS', 'SOA'])
    const [zones] = await dns.getZones()
    expect(zones.map((z) => z.name)).toContain('emu-zone-1')
  })

  it('answers a second zone of the same name with 409 alreadyExists', async () => {
    const error = (await failure(dns.createZone('emu-zone-1', privateZone('emu1.example.com.')))) as Error & { code?: number; errors?: { reason: string }[] }
    expect(error.code).toBe(409)
    expect(error.errors?.[0]?.reason).toBe('alreadyExists')
  })

  it('refuses a private zone bound to a network that does not exist', async () => {
    const error = (await failure(dns.createZone('emu-zone-bad', privateZone('bad.example.com.', `https://www.googleapis.com/compute/v1/projects/${GCP_PROJECT_ID}/global/networks/nope`)))) as Error & { code?: number }
    expect(error.code).toBe(400)
  })

  it('applies changes that are pending, then done, and refuses stale ones', async () => {
    const zone = dns.zone('emu-zone-1')
    const first = zone.record('a', { name: 'db.emu1.example.com.', ttl: 60, data: '10.10.0.9' })
    const [change] = await zone.addRecords(first)
    expect(change.metadata.status).toBe('pending')
    await new Promise((resolve) => setTimeout(resolve, gcp.dns.settings.changeDelayMs + 10))
    const [metadata] = await change.getMetadata()
    expect(metadata.status).toBe('done')

    const [records] = await zone.getRecords({ name: 'db.emu1.example.com.', type: 'A' })
    expect(records.map((r) => r.data)).toEqual([['10.10.0.9']])

    const again = (await failure(zone.addRecords(first))) as Error & { code?: number }
    expect(again.code).toBe(409)
    const replaced = zone.record('a', { name: 'db.emu1.example.com.', ttl: 60, data: '10.10.0.10' })
    await zone.createChange({ delete: first, add: replaced })
    const stale = (await failure(zone.createChange({ delete: first, add: replaced }))) as Error & { code?: number }
    expect(stale.code).toBe(412)
  })
})

describe('the harness', () => {
  it('points the action at the emulators through its documented variables', () => {
    expect(emulators.env[GCP_ENDPOINT_VARIABLES.compute]).toBe(gcp.urls.compute)
    expect(emulators.env[GCP_ENDPOINT_VARIABLES.dns]).toBe(gcp.urls.dns)
    expect(emulators.env[GCP_ENDPOINT_VARIABLES.sts]).toBe(gcp.urls.sts)
    expect(emulators.env[GCP_ENDPOINT_VARIABLES.iamCredentials]).toBe(gcp.urls.iam)
    expect(emulators.env[GCP_ENDPOINT_VARIABLES.run]).toBe(gcp.urls.run)
    expect(emulators.env[GCP_ENDPOINT_VARIABLES.logging]).toBe(gcp.urls.logging)
  })
})
