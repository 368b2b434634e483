// Level 2 on Google Cloud, the whole action against the emulators: a Cloud Run job with Direct VPC egress
// in the client subnetwork runs the bundled probe (the Cloud Run emulator executes the container's `node`
// command in a process whose resolver answers from the network's private zones and whose connections
// meet its egress firewall rules), the action reads the result from the job's logs and judges it. A
// correct link passes live; an egress rule that denies the port to the probe fails live; a job a killed
// run left behind is deleted by the next run once expired; the job never holds the Zilliz key.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { adminClient, adminOperation } from '../emulators/gcp/fixtures.js'
import { GCP_NETWORK, GCP_PROBE_SERVICE_ACCOUNT, GCP_PROJECT_ID, GCP_REGION, GCP_SUBNETWORK, gcpInputs, seedComputeTopology } from '../emulators/gcp/index.js'
import { gcpNetworkResolver, startDataPlane, type VpcDataPlane } from '../emulators/dataplane/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { EXPIRES_TAG, PURPOSE_TAG } from '../src/engine/ephemeral.js'
import { baseName } from '../src/engine/ownership.js'
import { labelKey } from '../src/providers/gcp/labels.js'
import { GCP_PERMISSIONS } from '../src/providers/gcp/permissions.js'
import { expectSuccess, verificationChecks } from './support/expectations.js'
import { builtProbe } from './support/probe-build.js'
import { runAction } from './support/run-action.js'
import { spawnAction } from './support/spawn-action.js'
import { PROBE_SCRIPT_VARIABLE } from '../src/probe/script.js'

// Loopback addresses for the subnetwork, so the endpoint's address can be served; its own range keeps
// this file's listeners apart from other files running at the same time.
const LOOPBACK_SUBNET = '127.46.0.0/20'
const CLUSTER = ZILLIZ_SEED.clusters.gcp
const PREFIX = `${baseName({ namePrefix: 'zilliz-pl', zilliz: { projectId: ZILLIZ_SEED.projectId, regionId: ZILLIZ_SEED.regions.gcp } } as never)}-probe-`
const SOURCE = `Cloud Run job in ${GCP_SUBNETWORK} (Direct VPC egress) as ${GCP_PROBE_SERVICE_ACCOUNT}`

let emulators: Emulators
let dataPlane: VpcDataPlane
let runId = 0

beforeEach(async () => {
  await builtProbe()
  const seed = seedComputeTopology()
  const topology = { ...seed, subnetworks: seed.subnetworks.map((s) => (s.name === GCP_SUBNETWORK ? { ...s, ipCidrRange: LOOPBACK_SUBNET } : s)) }
  emulators = await startEmulators({ gcp: { topology } })
  dataPlane = await startDataPlane(gcpNetworkResolver(emulators.gcp, GCP_NETWORK), ZILLIZ_SEED.port)
  emulators.gcp.run.resolvers.set(GCP_NETWORK, { host: dataPlane.dns.host, port: dataPlane.dns.port })
})
afterEach(async () => {
  await Promise.all([emulators.close(), dataPlane.close()])
})

const inputs = (overrides: Record<string, string> = {}) => gcpInputs(emulators.zillizUrl, { mode: 'apply', 'gcp-probe-service-account': GCP_PROBE_SERVICE_ACCOUNT, ...overrides })
const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...inputs(overrides), GITHUB_RUN_ID: String(++runId) })
const runCalls = () => emulators.log.calls('gcp-run').map((c) => c.operation)

describe('GCP level 2: a Cloud Run job in the client subnetwork', () => {
  it('passes every data-plane check live on a correct link, read from the job logs, then deletes the job', async () => {
    const result = await run()
    expectSuccess(result)
    expect(result.outputs['verified']).toBe('true')
    const checks = verificationChecks(result)
    for (const kind of ['dns', 'tcp', 'tls', 'https']) expect(checks.find((c) => c.id === `${kind}:${CLUSTER}`)).toMatchObject({ status: 'pass', proof: 'live', proofSource: SOURCE })
    expect(checks.find((c) => c.id === `https:${CLUSTER}`)?.evidence).toContain('HTTP 400')
    expect(checks.find((c) => c.id === 'data-plane')).toMatchObject({ status: 'skip', proof: 'none' })

    // The sweep lists leftovers first; then create, run, read the logs, delete.
    const calls = runCalls().filter((op) => op !== 'operations.get')
    expect(calls).toEqual(['jobs.list', 'jobs.create', 'jobs.run', 'jobs.delete'])
    expect(emulators.log.calls('gcp-logging').length).toBeGreaterThanOrEqual(1)
    expect(emulators.gcp.run.jobs.size).toBe(0)
    const [job] = emulators.gcp.run.created
    expect(job).toMatchObject({ id: expect.stringMatching(new RegExp(`^${PREFIX}`)), serviceAccount: GCP_PROBE_SERVICE_ACCOUNT, network: GCP_NETWORK, subnetwork: GCP_SUBNETWORK, region: GCP_REGION })
    expect(job!.container).toMatchObject({ image: 'node:22-alpine', command: ['node'] })
    expect(job!.labels).toMatchObject({ [labelKey(PURPOSE_TAG)]: 'probe', [labelKey(EXPIRES_TAG)]: expect.stringMatching(/^\d+$/) })
    const all = emulators.log.calls('gcp-run').concat(emulators.log.calls('gcp-logging')).sort((a, b) => a.at - b.at)
    process.stdout.write(
      `Cloud Run probe: ${emulators.log.calls('gcp-run').length} Cloud Run calls (${runCalls().filter((op) => op === 'operations.get').length} operations.get), ${emulators.log.calls('gcp-logging').length} entries.list, create to delete ${all.at(-1)!.at - all[0]!.at} ms, probe process ${emulators.gcp.run.executions[0]?.ms} ms\n`
    )
  })

  it('never holds the Zilliz key', async () => {
    expectSuccess(await run())
    const [job] = emulators.gcp.run.created
    expect(job!.request.length).toBeGreaterThan(1000)
    expect(job!.request).not.toContain(ZILLIZ_SEED.apiKey)
    expect(emulators.gcp.run.logs.map((e) => e.textPayload).join('\n')).not.toContain(ZILLIZ_SEED.apiKey)
  })

  it('fails TCP live when an egress rule for the probe identity denies the port', async () => {
    // Aimed at the probe's service account, the rule blocks clients running as it and no one else.
    await adminOperation(adminClient(emulators.gcp), 'POST', 'global/firewalls', {
      name: 'deny-milvus-egress',
      network: `global/networks/${GCP_NETWORK}`,
      direction: 'EGRESS',
      priority: 100,
      denied: [{ IPProtocol: 'tcp', ports: [String(ZILLIZ_SEED.port)] }],
      destinationRanges: ['0.0.0.0/0'],
      targetServiceAccounts: [GCP_PROBE_SERVICE_ACCOUNT]
    })
    const result = await run()
    expect(result.exitCode).toBe(1)
    const tcp = verificationChecks(result).find((c) => c.id === `tcp:${CLUSTER}`)
    expect(tcp).toMatchObject({ status: 'fail', proof: 'live', proofSource: SOURCE })
    expect(tcp?.evidence).toMatch(new RegExp(`timed out connecting to 127\\.46\\.\\d+\\.\\d+:${ZILLIZ_SEED.port}`))
    expect(emulators.gcp.run.jobs.size).toBe(0)
  })

  it('deletes a probe job of ours whose expiry passed at the start of the next run, and keeps others', async () => {
    const token = emulators.gcp.tokens.issue({ id: 'user:owner@example.com', kind: 'service-account', attributes: {} }, 3600).token
    const ours = { 'zilliz-private-link_managed-by': 'zilliz-private-link', 'zilliz-private-link_project': ZILLIZ_SEED.projectId.toLowerCase(), 'zilliz-private-link_region': ZILLIZ_SEED.regions.gcp, 'zilliz-private-link_repository': 'octo-org_octo-repo', [labelKey(PURPOSE_TAG)]: 'probe' }
    const leftover = async (id: string, labels: Record<string, string>) => {
      const response = await fetch(`${emulators.gcp.urls.run}/v2/projects/${GCP_PROJECT_ID}/locations/${GCP_REGION}/jobs?jobId=${id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ labels, template: { template: { containers: [{ image: 'node:22-alpine', command: ['node'], args: ['--eval', '0'] }], vpcAccess: { egress: 'ALL_TRAFFIC', networkInterfaces: [{ subnetwork: GCP_SUBNETWORK }] } } } })
      })
      expect(response.status).toBe(200)
    }
    const past = String(Math.floor(Date.now() / 1000) - 60)
    const future = String(Math.floor(Date.now() / 1000) + 3600)
    await leftover(`${PREFIX}killed-1`, { ...ours, [labelKey(EXPIRES_TAG)]: past })
    await leftover(`${PREFIX}running-1`, { ...ours, [labelKey(EXPIRES_TAG)]: future })
    await leftover(`${PREFIX}someone-else`, { [labelKey(EXPIRES_TAG)]: past })

    const result = await run()
    expectSuccess(result)
    expect([...emulators.gcp.run.jobs.values()].map((j) => j.id).sort()).toEqual([`${PREFIX}running-1`, `${PREFIX}someone-else`])
    expect(result.summary).toContain(`${PREFIX}killed-1`)
  })

  it('says the probe could not run, naming the permission and gcp-probe.json, when the identity may not act as the probe account', async () => {
    emulators.gcp.run.settings.actAs.clear()
    const result = await run()
    const probe = verificationChecks(result).find((c) => c.id === 'probe')
    expect(probe).toMatchObject({ status: 'skip', proof: 'none' })
    expect(probe?.evidence).toMatch(/iam\.serviceaccounts\.actAs/i)
    expect(probe?.evidence).toContain('docs/policies/gcp-probe.json')
    expect(emulators.gcp.run.jobs.size).toBe(0)
  })

  it('deletes the job first when the run is cancelled while the execution starts', async () => {
    emulators.gcp.run.settings.startDelayMs = 120_000
    const action = await spawnAction({ ...emulators.env, ...inputs(), GITHUB_RUN_ID: String(++runId), [PROBE_SCRIPT_VARIABLE]: await builtProbe() })
    while (!emulators.gcp.run.executions.length) {
      if (action.child.exitCode !== null) throw new Error(`the action ended before running its probe:\n${action.log()}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    action.child.kill('SIGTERM')
    expect(await action.exited).toBe(1)
    expect(emulators.gcp.run.jobs.size).toBe(0)
    expect(runCalls()).toContain('jobs.delete')
    expect(JSON.parse((await action.outputs())['plan'] ?? '{}')).toMatchObject({ cancelled: true })
    expect(action.log()).toMatch(/Deleted gcp\.cloud-run-job zilliz-pl-\w+-probe-/)
  })

  it('is tested for the permission of every probe method', () => {
    const probeMethods = Object.entries(GCP_PERMISSIONS).filter(([, p]) => p.policy === 'gcp-probe').map(([method]) => method)
    expect(probeMethods.sort()).toEqual(['entries.list', 'jobs.create', 'jobs.delete', 'jobs.get', 'jobs.list', 'jobs.run', 'runOperations.get'])
  })
})
