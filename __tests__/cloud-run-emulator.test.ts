// The Cloud Run and Cloud Logging emulators on their own, over HTTP as a client meets them: requests are
// held to the run.v2 and logging.v2 discovery documents; a job's create, run and delete answer operations;
// an execution runs the container's `node` command in the subnetwork and its stdout becomes log entries of
// the execution, readable after the ingestion delay; the Logging filter subset refuses what it cannot read.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startGcpEmulators, type GcpEmulators } from '../emulators/gcp/index.js'
import { GCP_NETWORK, GCP_PROBE_SERVICE_ACCOUNT, GCP_PROJECT_ID, GCP_REGION, GCP_SUBNETWORK } from '../emulators/gcp/seed.js'
import { parseFilter } from '../emulators/gcp/cloud-run.js'
import { startDnsServer, type EmulatedDnsServer } from '../emulators/dataplane/index.js'

let gcp: GcpEmulators
let dns: EmulatedDnsServer
let token: string

beforeEach(async () => {
  gcp = await startGcpEmulators({ run: { createDelayMs: 150 } })
  dns = await startDnsServer({ answer: () => undefined })
  gcp.run.resolvers.set(GCP_NETWORK, { host: dns.host, port: dns.port })
  token = gcp.tokens.issue({ id: 'user:owner@example.com', kind: 'service-account', attributes: {} }, 3600).token
})
afterEach(async () => {
  gcp.violations.clear()
  await Promise.all([gcp.close(), dns.close()])
})

// Operations, jobs, log pages and errors as JSON: the assertions say which fields matter.
interface Json {
  [key: string]: Json
}
const call = async (url: string, method: string, body?: unknown) => {
  const response = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: response.status, body: (await response.json()) as Record<string, Json> }
}
const jobs = () => `${gcp.urls.run}/v2/projects/${GCP_PROJECT_ID}/locations/${GCP_REGION}/jobs`
const job = (script: string, extra: Record<string, unknown> = {}) => ({
  labels: { purpose: 'test' },
  template: {
    template: {
      containers: [{ image: 'node:22-alpine', command: ['node'], args: ['--eval', script], ...extra }],
      serviceAccount: GCP_PROBE_SERVICE_ACCOUNT,
      maxRetries: 0,
      timeout: '30s',
      vpcAccess: { egress: 'ALL_TRAFFIC', networkInterfaces: [{ network: GCP_NETWORK, subnetwork: GCP_SUBNETWORK }] }
    }
  }
})
const until = async (get: () => Promise<{ body: Record<string, Json> }>) => {
  for (;;) {
    const { body } = await get()
    if (body['done']) return body
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('Cloud Run jobs', () => {
  it('creates through an operation, runs the container in the subnetwork, logs its stdout per execution, deletes', async () => {
    const created = await call(`${jobs()}?jobId=probe-1`, 'POST', job("console.log('hello from ' + process.env.CLOUD_RUN_JOB)"))
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ done: false, name: expect.stringMatching(/\/operations\//) })
    const ready = await until(() => call(`${gcp.urls.run}/v2/${created.body['name']}`, 'GET'))
    expect(ready['response']).toMatchObject({ name: `projects/${GCP_PROJECT_ID}/locations/${GCP_REGION}/jobs/probe-1`, labels: { purpose: 'test' } })

    // Cloud Logging has not made the lines readable yet, however long the run takes here.
    gcp.run.settings.logDelayMs = 3_600_000
    const started = await call(`${jobs()}/probe-1:run`, 'POST', {})
    const finished = await until(() => call(`${gcp.urls.run}/v2/${started.body['name']}`, 'GET'))
    expect(finished['error']).toBeUndefined()
    const execution = String(finished['metadata']?.['name'] ?? finished['response']?.['name']).split('/').at(-1)!
    const list = (filter: string) => call(`${gcp.urls.logging}/v2/entries:list`, 'POST', { resourceNames: [`projects/${GCP_PROJECT_ID}`], filter, orderBy: 'timestamp desc' })
    const filter = `resource.type="cloud_run_job" AND labels."run.googleapis.com/execution_name"="${execution}"`
    // Logged, but not readable before the ingestion delay has passed.
    expect(gcp.run.logs.length).toBe(1)
    expect((await list(filter)).body['entries']).toBeUndefined()
    gcp.run.settings.logDelayMs = 0
    expect((await list(filter)).body['entries']).toEqual([expect.objectContaining({ textPayload: 'hello from probe-1', resource: { type: 'cloud_run_job', labels: expect.objectContaining({ job_name: 'probe-1' }) } })])
    expect((await list(`${filter} AND textPayload:"nothing like it"`)).body['entries']).toBeUndefined()

    expect((await call(`${jobs()}/probe-1`, 'DELETE')).status).toBe(200)
    expect((await call(`${jobs()}/probe-1`, 'GET')).status).toBe(404)
  })

  it('fails the execution operation when the container exits non-zero', async () => {
    const created = await call(`${jobs()}?jobId=probe-2`, 'POST', job('process.exit(3)'))
    await until(() => call(`${gcp.urls.run}/v2/${created.body['name']}`, 'GET'))
    const started = await call(`${jobs()}/probe-2:run`, 'POST', {})
    const finished = await until(() => call(`${gcp.urls.run}/v2/${started.body['name']}`, 'GET'))
    expect(finished['error']).toMatchObject({ message: expect.stringContaining('exited with code 3') })
  })

  it('refuses what Cloud Run refuses: a taken id, a bad id, a subnetwork elsewhere, an account the caller may not act as', async () => {
    expect((await call(`${jobs()}?jobId=probe-3`, 'POST', job('0'))).status).toBe(200)
    expect((await call(`${jobs()}?jobId=probe-3`, 'POST', job('0'))).status).toBe(409)
    expect((await call(`${jobs()}?jobId=Probe_3`, 'POST', job('0'))).status).toBe(400)
    const elsewhere = job('0') as { template: { template: { vpcAccess: unknown; serviceAccount?: string } } }
    elsewhere.template.template.vpcAccess = { networkInterfaces: [{ subnetwork: 'no-such-subnet' }] }
    expect((await call(`${jobs()}?jobId=probe-4`, 'POST', elsewhere)).status).toBe(400)
    const stranger = job('0') as { template: { template: { serviceAccount?: string } } }
    stranger.template.template.serviceAccount = `someone@${GCP_PROJECT_ID}.iam.gserviceaccount.com`
    const denied = await call(`${jobs()}?jobId=probe-5`, 'POST', stranger)
    expect(denied.status).toBe(403)
    expect(denied.body['error']?.message).toContain("Permission 'iam.serviceaccounts.actAs' denied")
  })

  it('holds requests to the run.v2 discovery document', async () => {
    const wrong = await call(`${jobs()}?jobId=probe-6`, 'POST', job('0', { entrypoint: ['node'] }))
    expect(wrong.status).toBe(400)
    expect(wrong.body['error']?.message).toContain('run v2 discovery document')
    expect(gcp.violations.all.map((v) => v.field)).toEqual([expect.stringContaining('entrypoint')])
  })
})

describe('the Logging filter subset', () => {
  it('reads AND-joined equality and has terms, and refuses the rest', () => {
    expect(parseFilter('resource.type="cloud_run_job" AND labels."run.googleapis.com/execution_name"="x-1" AND textPayload:"MARK"')).toEqual([
      { field: 'resource.type', op: '=', value: 'cloud_run_job' },
      { field: 'labels."run.googleapis.com/execution_name"', op: '=', value: 'x-1' },
      { field: 'textPayload', op: ':', value: 'MARK' }
    ])
    expect(() => parseFilter('severity>=ERROR')).toThrow('Unparseable filter')
    expect(() => parseFilter('resource.type="a" OR resource.type="b"')).toThrow('Unparseable filter')
  })
})
