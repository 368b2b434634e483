// npm run demo: starts the emulated clouds and Zilliz, then runs the bundled action the way GitHub
// runs it, on AWS, Google Cloud and Azure: plan, apply, and a re-apply that must make zero writes.
// The AWS VPC sits on loopback (127.0.0.0/16) with its own resolver and the private link served on the
// endpoint's addresses, so verify: auto runs the data-plane checks once the link exists; the other
// clouds' runs stand outside their networks, so their data-plane checks are skipped with the reason.
import { seedTopology, VPC_ID } from '../emulators/aws/index.js'
import { azureInputs } from '../emulators/azure/index.js'
import { startVpcDataPlane, TEST_CA_PATH } from '../emulators/dataplane/index.js'
import { gcpInputs } from '../emulators/gcp/index.js'
import { awsInputs, startEmulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import type { VerificationDocument } from '../src/report/documents.js'
import { runDist, type DistRun } from './run-dist.js'

type Mode = 'plan' | 'apply'

const emulators = await startEmulators({
  aws: { topology: seedTopology({ vpcCidr: '127.0.0.0/16' }), acceptanceDelayMs: 300, changeSyncDelayMs: 200 },
  zilliz: { acceptanceDelayMs: 1500 }
})
const dataPlane = await startVpcDataPlane(emulators.aws, VPC_ID, ZILLIZ_SEED.port)
const problems: string[] = []
const DATA_PLANE_CHECK = /^(dns|tcp|tls|https):|^data-plane$/

interface Cloud {
  name: string
  inputs(mode: Mode): Record<string, string>
  /** Data-plane checks that must pass live from the runner after apply (0 where it is outside the network) */
  livePasses: number
  /** Data-plane checks that must pass by level 1 analysis instead: the DNS analysis of each host (one cluster each) where the runner is outside */
  analysisPasses: number
}

const CLOUDS: Cloud[] = [
  {
    name: 'AWS',
    inputs: (mode) => awsInputs(emulators, { mode, verify: 'auto', 'dns-server': dataPlane.dns.address }),
    livePasses: 4 * ZILLIZ_SEED.clusters.aws.length,
    analysisPasses: 0
  },
  { name: 'Google Cloud', inputs: (mode) => gcpInputs(emulators.zillizUrl, { mode }), livePasses: 0, analysisPasses: 1 },
  { name: 'Azure', inputs: (mode) => azureInputs(emulators.zillizUrl, { mode }), livePasses: 0, analysisPasses: 1 }
]

function dataPlaneChecks(result: DistRun): VerificationDocument['checks'] {
  const verification = JSON.parse(result.outputs['verification'] || '{"checks":[]}') as VerificationDocument
  return verification.checks.filter((check) => DATA_PLANE_CHECK.test(check.id))
}

async function phase(cloud: Cloud, title: string, mode: Mode, expectWrites: 'none' | 'some'): Promise<DistRun> {
  emulators.log.clear()
  // The runner trusts the test CA the standard way, as it would a TLS-inspecting proxy's.
  const result = await runDist({ ...emulators.env, ...cloud.inputs(mode), NODE_EXTRA_CA_CERTS: TEST_CA_PATH })
  const writes = emulators.log.writes().map((w) => `${w.service}:${w.operation}`)
  console.log(`\n=== ${cloud.name} ${title}: exit ${result.exitCode}, ${emulators.log.calls().length} API calls, ${writes.length} writes, ${(result.wallMs / 1000).toFixed(1)} s`)
  if (writes.length) console.log(`    writes: ${writes.join(', ')}`)
  console.log(`    outputs: mode=${result.outputs['mode']} has-changes=${result.outputs['has-changes']} changes-count=${result.outputs['changes-count']} verified=${result.outputs['verified']}`)
  console.log(`    endpoint-id=${result.outputs['endpoint-id']} private-link=${result.outputs['private-link']}`)
  for (const check of dataPlaneChecks(result)) console.log(`    ${check.status.padEnd(4)} ${check.id}${check.proof ? ` (${check.proof})` : ''}: ${check.evidence}`)
  if (result.exitCode !== 0) problems.push(`${cloud.name} ${title} exited ${result.exitCode}:\n${result.stdout}`)
  if (expectWrites === 'none' && writes.length) problems.push(`${cloud.name} ${title} made ${writes.length} writes; expected none`)
  return result
}

async function demo(cloud: Cloud): Promise<DistRun> {
  const plan = await phase(cloud, 'plan (fresh world)', 'plan', 'none')
  if (cloud === CLOUDS[0]) console.log(`\n${plan.outputs['plan-markdown']}`)
  const apply = await phase(cloud, 'apply', 'apply', 'some')
  if (apply.outputs['verified'] !== 'true') problems.push(`${cloud.name} apply did not verify the link`)
  const passed = dataPlaneChecks(apply).filter((check) => check.status === 'pass' && check.id !== 'data-plane')
  for (const [level, expected] of [['live', cloud.livePasses], ['analysis', cloud.analysisPasses]] as const) {
    const count = passed.filter((check) => check.proof === level).length
    if (count !== expected) problems.push(`${cloud.name} apply passed ${count} data-plane checks by ${level}; expected ${expected}`)
  }
  const again = await phase(cloud, 're-apply', 'apply', 'none')
  if (again.outputs['has-changes'] !== 'false') problems.push(`${cloud.name} re-apply planned changes`)
  return apply
}

try {
  const applies: DistRun[] = []
  for (const cloud of CLOUDS) applies.push(await demo(cloud))
  console.log('\n=== job summary of the AWS apply\n')
  console.log(applies[0]?.summary)
} finally {
  await Promise.all([emulators.close(), dataPlane.close()])
}

if (problems.length) {
  console.error(`\nDemo failed:\n- ${problems.join('\n- ')}`)
  process.exit(1)
}
console.log(
  '\nDemo passed on AWS, Google Cloud and Azure: plans wrote nothing, applies created and verified each link (on AWS live end to end: DNS, TCP, TLS, HTTPS; on Google Cloud and Azure the DNS by level 1 analysis), re-applies wrote nothing.'
)
