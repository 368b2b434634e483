// npm run bench: cold start of the bundle to its first input error (against a bare node and, when
// CAC_DIST points at aws-actions/configure-aws-credentials' dist/index.js, against that action), the
// apply's wall time next to its critical-path bound under a latency model, call counts, dist size.
import { spawnSync } from 'node:child_process'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { criticalPathMs } from '../src/engine/dag.js'
import type { PlannedStep } from '../src/engine/plan.js'
import type { PlanDocument } from '../src/report/outputs.js'
import { azureInputs } from '../emulators/azure/index.js'
import { gcpInputs } from '../emulators/gcp/index.js'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { runDist } from './run-dist.js'

const RUNS = Number(process.env['BENCH_RUNS'] ?? 15)
const node = process.env['DEMO_NODE'] || process.execPath
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const env = Object.fromEntries(Object.entries(process.env).filter(([n]) => !/^(INPUT_|GITHUB_|ACTIONS_)/.test(n)))

function timeOnce(args: string[], extraEnv: Record<string, string> = {}): number {
  const started = performance.now()
  spawnSync(node, args, { env: { ...env, ...extraEnv }, stdio: 'ignore' })
  return performance.now() - started
}

/** Paired, alternating runs so machine noise hits every variant alike; medians in ms. */
function coldStart(): Record<string, number> {
  const variants: Record<string, () => number> = {
    'node -e 0': () => timeOnce(['-e', '0']),
    'zilliz-private-link (bad input)': () => timeOnce(['dist/index.js'])
  }
  const cac = process.env['CAC_DIST']
  if (cac) variants['configure-aws-credentials (bad input)'] = () => timeOnce([cac], { 'INPUT_AWS-REGION': 'not a region' })
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
  for (const fn of Object.values(variants)) fn() // warm the file cache
  for (let i = 0; i < RUNS; i++) for (const [name, fn] of Object.entries(variants)) samples[name]?.push(fn())
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))
}

async function distSize(): Promise<{ total: number; entry: number; files: number }> {
  let total = 0
  let files = 0
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else {
        total += (await stat(path)).size
        files++
      }
    }
  }
  await walk('dist')
  return { total, entry: (await stat('dist/index.js')).size, files }
}

type Inputs = (emulators: Emulators) => Record<string, string>
const CLOUDS: Record<string, Inputs> = {
  AWS: (e) => awsInputs(e, { mode: 'apply' }),
  'Google Cloud': (e) => gcpInputs(e.zillizUrl, { mode: 'apply' }),
  Azure: (e) => azureInputs(e.zillizUrl, { mode: 'apply' })
}

async function applyUnderLatency(inputs: Inputs) {
  // Latency model: every API call 40 ms, Route 53 changes sync in 400 ms, Zilliz accepts after 1.5 s.
  const emulators = await startEmulators({ aws: { acceptanceDelayMs: 200, changeSyncDelayMs: 400 }, zilliz: { acceptanceDelayMs: 1500 } })
  emulators.switches.latency['*'] = 40
  try {
    const fresh = await runDist({ ...emulators.env, ...inputs(emulators) })
    const freshCalls = emulators.log.calls().length
    const freshWrites = emulators.log.writes().length
    emulators.log.clear()
    const again = await runDist({ ...emulators.env, ...inputs(emulators) })
    const plan = JSON.parse(fresh.outputs['plan'] ?? '{}') as PlanDocument
    const steps = plan.steps.filter((s) => s.startMs !== undefined)
    const wall = Math.max(...steps.map((s) => (s.startMs ?? 0) + (s.durationMs ?? 0)))
    const durations = new Map(plan.steps.map((s) => [s.id, s.durationMs ?? 0]))
    const critical = criticalPathMs({ steps: plan.steps.map((s) => ({ ...s }) as PlannedStep) }, durations)
    const serial = [...durations.values()].reduce((a, b) => a + b, 0)
    return { fresh, again, wall, critical, serial, freshCalls, freshWrites, againCalls: emulators.log.calls().length, againWrites: emulators.log.writes().length }
  } finally {
    await emulators.close()
  }
}

const ms = (x: number) => `${x.toFixed(0)} ms`
console.log(`Node ${spawnSync(node, ['--version']).stdout.toString().trim()}, ${RUNS} paired runs per variant, medians`)
const cold = coldStart()
const bare = cold['node -e 0'] ?? NaN
const ours = cold['zilliz-private-link (bad input)'] ?? NaN
console.log('\nCold start to the first input error')
for (const [name, value] of Object.entries(cold)) console.log(`  ${name.padEnd(40)} ${ms(value)}  (${(value / bare).toFixed(2)}× bare node)`)
const cac = cold['configure-aws-credentials (bad input)']
if (cac) console.log(`  ours / configure-aws-credentials: ${(ours / cac).toFixed(2)}× (budget ≤ 0.50×)`)
// The reference: configure-aws-credentials took 0.146 s where bare node took 0.048 s.
console.log(`  ours / reference configure-aws-credentials (3.04× bare node scaled to this machine): ${(ours / (bare * (0.146 / 0.048))).toFixed(2)}× (budget ≤ 0.50×)`)

const size = await distSize()
console.log(`\ndist: ${(size.total / 1024).toFixed(0)} KiB in ${size.files} files; entry chunk ${(size.entry / 1024).toFixed(1)} KiB`)

console.log('\nApply against the emulators with a latency model (40 ms per call, acceptance 1.5 s, Route 53 sync 0.4 s)')
for (const [cloud, inputs] of Object.entries(CLOUDS)) {
  const apply = await applyUnderLatency(inputs)
  console.log(`  ${cloud}`)
  console.log(`    fresh apply: exit ${apply.fresh.exitCode}, ${apply.freshCalls} calls, ${apply.freshWrites} writes, process ${ms(apply.fresh.wallMs)}`)
  console.log(`    DAG wall ${ms(apply.wall)}, critical-path bound ${ms(apply.critical)} (${(apply.wall / apply.critical).toFixed(2)}× bound), serial sum ${ms(apply.serial)} (${(apply.serial / apply.wall).toFixed(2)}× the wall)`)
  console.log(`    re-apply: exit ${apply.again.exitCode}, ${apply.againCalls} calls, ${apply.againWrites} writes, process ${ms(apply.again.wallMs)}`)
}
