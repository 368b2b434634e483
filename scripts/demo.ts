// npm run demo: starts the emulated clouds and Zilliz, then runs the bundled action the way GitHub
// runs it: plan, apply, and a re-apply that must make zero writes. Prints each summary.
// The VPC sits on loopback (127.0.0.0/16) with its own resolver and the private link served on the
// endpoint's addresses, so verify: auto runs the data-plane checks once the link exists.
import { seedTopology, VPC_ID } from '../emulators/aws/index.js'
import { startVpcDataPlane, TEST_CA_PATH } from '../emulators/dataplane/index.js'
import { awsInputs, startEmulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import type { VerificationDocument } from '../src/report/documents.js'
import { runDist, type DistRun } from './run-dist.js'

const emulators = await startEmulators({
  aws: { topology: seedTopology({ vpcCidr: '127.0.0.0/16' }), acceptanceDelayMs: 300, changeSyncDelayMs: 200 },
  zilliz: { acceptanceDelayMs: 1500 }
})
const dataPlane = await startVpcDataPlane(emulators.aws, VPC_ID, ZILLIZ_SEED.port)
const problems: string[] = []
const DATA_PLANE_CHECK = /^(dns|tcp|tls|https):|^data-plane$/

function dataPlaneChecks(result: DistRun): VerificationDocument['checks'] {
  const verification = JSON.parse(result.outputs['verification'] || '{"checks":[]}') as VerificationDocument
  return verification.checks.filter((check) => DATA_PLANE_CHECK.test(check.id))
}

async function phase(title: string, mode: 'plan' | 'apply', expectWrites: 'none' | 'some'): Promise<DistRun> {
  emulators.log.clear()
  const inputs = awsInputs(emulators, { mode, verify: 'auto', 'dns-server': dataPlane.dns.address })
  // The runner trusts the test CA the standard way, as it would a TLS-inspecting proxy's.
  const result = await runDist({ ...emulators.env, ...inputs, NODE_EXTRA_CA_CERTS: TEST_CA_PATH })
  const writes = emulators.log.writes().map((w) => `${w.service}:${w.operation}`)
  console.log(`\n=== ${title}: exit ${result.exitCode}, ${emulators.log.calls().length} API calls, ${writes.length} writes, ${(result.wallMs / 1000).toFixed(1)} s`)
  if (writes.length) console.log(`    writes: ${writes.join(', ')}`)
  console.log(`    outputs: mode=${result.outputs['mode']} has-changes=${result.outputs['has-changes']} changes-count=${result.outputs['changes-count']} verified=${result.outputs['verified']}`)
  console.log(`    endpoint-id=${result.outputs['endpoint-id']} private-link=${result.outputs['private-link']}`)
  for (const check of dataPlaneChecks(result)) console.log(`    ${check.status.padEnd(4)} ${check.id}: ${check.evidence}`)
  if (result.exitCode !== 0) problems.push(`${title} exited ${result.exitCode}:\n${result.stdout}`)
  if (expectWrites === 'none' && writes.length) problems.push(`${title} made ${writes.length} writes; expected none`)
  return result
}

try {
  const plan = await phase('plan (fresh world)', 'plan', 'none')
  console.log(`\n${plan.outputs['plan-markdown']}`)
  const apply = await phase('apply', 'apply', 'some')
  if (apply.outputs['verified'] !== 'true') problems.push('apply did not verify the link')
  const passed = dataPlaneChecks(apply).filter((check) => check.status === 'pass' && check.id !== 'data-plane')
  if (passed.length !== 4 * ZILLIZ_SEED.clusters.aws.length) problems.push(`apply passed ${passed.length} data-plane checks; expected DNS, TCP, TLS and HTTPS for each cluster`)
  const again = await phase('re-apply', 'apply', 'none')
  if (again.outputs['has-changes'] !== 'false') problems.push('re-apply planned changes')
  console.log('\n=== job summary of the apply\n')
  console.log(apply.summary)
} finally {
  await Promise.all([emulators.close(), dataPlane.close()])
}

if (problems.length) {
  console.error(`\nDemo failed:\n- ${problems.join('\n- ')}`)
  process.exit(1)
}
console.log('\nDemo passed: plan wrote nothing, apply created the link and verified it end to end (DNS, TCP, TLS, HTTPS), re-apply wrote nothing.')
