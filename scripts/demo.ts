// npm run demo: starts the emulated clouds and Zilliz, then runs the bundled action the way GitHub
// runs it: plan, apply, and a re-apply that must make zero writes. Prints each summary.
import { awsInputs, startEmulators } from '../emulators/index.js'
import { runDist, type DistRun } from './run-dist.js'

const emulators = await startEmulators({ aws: { acceptanceDelayMs: 300, changeSyncDelayMs: 200 }, zilliz: { acceptanceDelayMs: 1500 } })
const problems: string[] = []

async function phase(title: string, mode: 'plan' | 'apply', expectWrites: 'none' | 'some'): Promise<DistRun> {
  emulators.log.clear()
  const result = await runDist({ ...emulators.env, ...awsInputs(emulators, { mode }) })
  const writes = emulators.log.writes().map((w) => `${w.service}:${w.operation}`)
  console.log(`\n=== ${title}: exit ${result.exitCode}, ${emulators.log.calls().length} API calls, ${writes.length} writes, ${(result.wallMs / 1000).toFixed(1)} s`)
  if (writes.length) console.log(`    writes: ${writes.join(', ')}`)
  console.log(`    outputs: mode=${result.outputs['mode']} has-changes=${result.outputs['has-changes']} changes-count=${result.outputs['changes-count']} verified=${result.outputs['verified']}`)
  console.log(`    endpoint-id=${result.outputs['endpoint-id']} private-link=${result.outputs['private-link']}`)
  if (result.exitCode !== 0) problems.push(`${title} exited ${result.exitCode}:\n${result.stdout}`)
  if (expectWrites === 'none' && writes.length) problems.push(`${title} made ${writes.length} writes; expected none`)
  return result
}

try {
  const plan = await phase('plan (fresh world)', 'plan', 'none')
  console.log(`\n${plan.outputs['plan-markdown']}`)
  const apply = await phase('apply', 'apply', 'some')
  if (apply.outputs['verified'] !== 'true') problems.push('apply did not verify the link')
  const again = await phase('re-apply', 'apply', 'none')
  if (again.outputs['has-changes'] !== 'false') problems.push('re-apply planned changes')
  console.log('\n=== job summary of the apply\n')
  console.log(apply.summary)
} finally {
  await emulators.close()
}

if (problems.length) {
  console.error(`\nDemo failed:\n- ${problems.join('\n- ')}`)
  process.exit(1)
}
console.log('\nDemo passed: plan wrote nothing, apply created and verified the link, re-apply wrote nothing.')
