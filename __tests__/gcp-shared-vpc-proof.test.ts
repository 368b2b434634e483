// The in-network proof in a Shared VPC, end to end, each project holding only its roles: the Connectivity
// Tests are made in the endpoint's project and trace from an address of the host's subnetwork to the
// forwarding rule of the endpoint's project; the live probe's Cloud Run job runs in the endpoint's project
// with Direct VPC egress in the host's subnetwork and is read back from that project's logs. A permission
// missing in the endpoint's project is named with that project and the file that grants it.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { gcpNetworkResolver, startDataPlane, type VpcDataPlane } from '../emulators/dataplane/index.js'
import {
  GCP_HOST_PROJECT_ID,
  GCP_PROBE_SERVICE_ACCOUNT,
  GCP_PROJECT_ID,
  GCP_SERVICE_ACCOUNT,
  GCP_SHARED_NETWORK,
  GCP_SHARED_SUBNETWORK,
  gcpInputs,
  seedOrganizationProjects
} from '../emulators/gcp/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import type { CallRecord } from '../emulators/core/service.js'
import { expectSuccess, pathChecks, verificationChecks } from './support/expectations.js'
import { CENTRAL_DNS, ENDPOINT_IN_HOST, ENDPOINT_IN_SERVICE, grantLayoutRoles, type Layout } from './support/gcp-layouts.js'
import { builtProbe } from './support/probe-build.js'
import { runAction } from './support/run-action.js'

// Loopback addresses for the shared subnetwork, so the endpoint's address can be served by the data plane;
// a range of its own keeps this file's listeners apart from other files running at the same time.
const LOOPBACK_SHARED_SUBNET = '127.48.0.0/20'
const CLUSTER = ZILLIZ_SEED.clusters.gcp
const projectOf = (record: CallRecord) => /\/projects\/([^/]+)\//.exec(record.path)?.[1] ?? ''

let emulators: Emulators
let runId = 0
beforeEach(async () => {
  const projects = seedOrganizationProjects().map((p) =>
    p.project === GCP_HOST_PROJECT_ID ? { ...p, subnetworks: p.subnetworks.map((s) => (s.name === GCP_SHARED_SUBNETWORK ? { ...s, ipCidrRange: LOOPBACK_SHARED_SUBNET } : s)) } : p
  )
  emulators = await startEmulators({ gcp: { projects } })
  emulators.gcp.networkManagement.analysisDelayMs = 100
})
afterEach(async () => {
  await emulators.close()
})

const run = (layout: Layout, overrides: Record<string, string>, extra: string[] = []) => {
  grantLayoutRoles(emulators, layout, 'apply', extra)
  return runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, { ...layout.inputs, mode: 'apply', ...overrides }), GITHUB_RUN_ID: String(++runId) })
}

describe.each([
  ['the endpoint in the service project', ENDPOINT_IN_SERVICE],
  ['the endpoint in the host project', ENDPOINT_IN_HOST],
  ['the zones in a DNS project', CENTRAL_DNS]
])('the path analysis in a Shared VPC with %s', (_name, layout) => {
  it('proves both ports with Connectivity Tests made in the endpoint\'s project, from the host\'s subnetwork', async () => {
    const result = await run(layout, { 'network-analysis': 'auto' })
    expectSuccess(result)
    const checks = pathChecks(result)
    expect(checks.map((c) => [c.id, c.status, c.proof])).toEqual([
      ['path:443', 'pass', 'analysis'],
      ['path:19530', 'pass', 'analysis']
    ])
    for (const c of checks) expect(c.evidence).toContain(`in subnetwork ${GCP_SHARED_SUBNETWORK}`)
    const calls = emulators.log.calls('gcp-networkmanagement')
    expect(calls.map((c) => c.operation)).toContain('connectivityTests.create')
    expect(new Set(calls.map(projectOf))).toEqual(new Set([layout.projects.endpoint]))
    expect([...emulators.gcp.networkManagement.tests.keys()]).toEqual([])
  })
})

describe('a Connectivity Tests permission missing in the service project', () => {
  it('leaves the path unproven, naming the permission, the project and the endpoint role', async () => {
    grantLayoutRoles(emulators, ENDPOINT_IN_SERVICE, 'apply')
    emulators.gcp.compute.org.iam.revoke(GCP_PROJECT_ID, GCP_SERVICE_ACCOUNT, 'networkmanagement.connectivitytests.create')
    const result = await runAction({ ...emulators.env, ...gcpInputs(emulators.zillizUrl, { ...ENDPOINT_IN_SERVICE.inputs, mode: 'apply', 'network-analysis': 'auto' }), GITHUB_RUN_ID: String(++runId) })
    const skipped = verificationChecks(result).find((c) => c.id === 'path-analysis')
    expect(skipped).toMatchObject({ status: 'skip', proof: 'none' })
    expect(skipped?.evidence).toContain(`networkmanagement.connectivitytests.create on project ${GCP_PROJECT_ID}`)
    expect(skipped?.evidence).toContain('docs/policies/gcp-endpoint-apply.json')
  })
})

describe('the live probe in a Shared VPC, the endpoint in the service project', () => {
  let dataPlane: VpcDataPlane
  beforeEach(async () => {
    await builtProbe()
    dataPlane = await startDataPlane(gcpNetworkResolver(emulators.gcp, `projects/${GCP_HOST_PROJECT_ID}/global/networks/${GCP_SHARED_NETWORK}`), ZILLIZ_SEED.port)
    emulators.gcp.run.resolvers.set(GCP_SHARED_NETWORK, { host: dataPlane.dns.host, port: dataPlane.dns.port })
  })
  afterEach(async () => {
    await dataPlane.close()
  })

  it('runs its job in the service project with Direct VPC egress in the host\'s subnetwork, and passes live', async () => {
    const result = await run(ENDPOINT_IN_SERVICE, { 'gcp-probe-service-account': GCP_PROBE_SERVICE_ACCOUNT }, ['gcp-probe.json'])
    expectSuccess(result)
    expect(result.outputs['verified']).toBe('true')
    const checks = verificationChecks(result)
    for (const kind of ['dns', 'tcp', 'tls', 'https']) expect(checks.find((c) => c.id === `${kind}:${CLUSTER}`)).toMatchObject({ status: 'pass', proof: 'live' })
    const [job] = emulators.gcp.run.created
    expect(job).toMatchObject({ project: GCP_PROJECT_ID, network: GCP_SHARED_NETWORK, networkProject: GCP_HOST_PROJECT_ID, subnetwork: GCP_SHARED_SUBNETWORK })
    expect(new Set([...emulators.log.calls('gcp-run'), ...emulators.log.calls('gcp-logging')].map(projectOf).filter(Boolean))).toEqual(new Set([GCP_PROJECT_ID]))
    expect(emulators.gcp.run.jobs.size).toBe(0)
  })

  it('says the probe could not run, naming run.jobs.create on the service project and gcp-probe.json, when that project lacks it', async () => {
    grantLayoutRoles(emulators, ENDPOINT_IN_SERVICE, 'apply', ['gcp-probe.json'])
    emulators.gcp.compute.org.iam.revoke(GCP_PROJECT_ID, GCP_SERVICE_ACCOUNT, 'run.jobs.create')
    const result = await runAction({
      ...emulators.env,
      ...gcpInputs(emulators.zillizUrl, { ...ENDPOINT_IN_SERVICE.inputs, mode: 'apply', 'gcp-probe-service-account': GCP_PROBE_SERVICE_ACCOUNT }),
      GITHUB_RUN_ID: String(++runId)
    })
    const probe = verificationChecks(result).find((c) => c.id === 'probe')
    expect(probe).toMatchObject({ status: 'skip', proof: 'none' })
    expect(probe?.evidence).toContain(`run.jobs.create on project ${GCP_PROJECT_ID}`)
    expect(probe?.evidence).toContain('docs/policies/gcp-probe.json')
    expect(emulators.gcp.run.jobs.size).toBe(0)
  })

  it('is refused by Cloud Run when the service project is no longer attached to the host, and the run says the probe could not run', async () => {
    // Attached for the endpoint's address, detached before the probe: Cloud Run refuses the host's subnetwork.
    expectSuccess(await run(ENDPOINT_IN_SERVICE, {}))
    emulators.gcp.compute.org.detach(GCP_PROJECT_ID)
    const result = await run(ENDPOINT_IN_SERVICE, { 'gcp-probe-service-account': GCP_PROBE_SERVICE_ACCOUNT }, ['gcp-probe.json'])
    const probe = verificationChecks(result).find((c) => c.id === 'probe')
    expect(probe).toMatchObject({ status: 'skip', proof: 'none' })
    expect(probe?.evidence).toContain(`not a Shared VPC service project of it`)
    expect(emulators.gcp.run.jobs.size).toBe(0)
  })
})
