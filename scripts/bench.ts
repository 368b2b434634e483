// npm run bench: cold start of the bundle to its first input error (against a bare node and, when
// CAC_DIST points at aws-actions/configure-aws-credentials' dist/index.js, against that action), dist
// size, and per cloud: the whole-process wall time of an apply against the bound its latency model
// implies (scripts/bench/model.ts), how soon a 5-minute acceptance is noticed and at how many polls,
// and fresh apply and re-apply with 1, 10 and 50 clusters under the clouds' documented rate limits.
import { spawnSync } from 'node:child_process'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { cpus, loadavg } from 'node:os'
import { azureInputs } from '../emulators/azure/index.js'
import { gcpInputs } from '../emulators/gcp/index.js'
import { awsInputs } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { simulateAcceptance, worstNotice } from './bench/acceptance.js'
import { CHAINS, chainCalls, chainMs, MODEL } from './bench/model.js'
import { scaleRow, type Inputs, type RunFigures, type ScaleRow } from './bench/scale.js'

const FIVE_MINUTES = 5 * 60_000

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

const CLOUDS: Record<string, { inputs: Inputs; region: string; polled: string[] }> = {
  AWS: { inputs: (e) => awsInputs(e, { mode: 'apply' }), region: ZILLIZ_SEED.regions.aws, polled: ['Zilliz registration', 'EC2 endpoint state'] },
  'Google Cloud': { inputs: (e) => gcpInputs(e.zillizUrl, { mode: 'apply' }), region: ZILLIZ_SEED.regions.gcp, polled: ['Zilliz registration', 'PSC connection'] },
  Azure: { inputs: (e) => azureInputs(e.zillizUrl, { mode: 'apply' }), region: ZILLIZ_SEED.regions.azure, polled: ['Zilliz registration', 'endpoint connection'] }
}
const SIZES = (process.env['BENCH_CLUSTERS'] ?? '1,10,50').split(',').map(Number)
const APPLY_RUNS = Number(process.env['BENCH_APPLY_RUNS'] ?? 3)

const ms = (x: number) => `${x.toFixed(0)} ms`
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
console.log(`Node ${spawnSync(node, ['--version']).stdout.toString().trim()} on ${cpus().length}× ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
console.log(`${RUNS} paired runs per cold-start variant, medians`)
const cold = coldStart()
const bare = cold['node -e 0'] ?? NaN
const ours = cold['zilliz-private-link (bad input)'] ?? NaN
console.log('\nCold start to the first input error')
for (const [name, value] of Object.entries(cold)) console.log(`  ${name.padEnd(40)} ${ms(value)}  (${(value / bare).toFixed(2)}× bare node)`)
const cac = cold['configure-aws-credentials (bad input)']
if (cac) console.log(`  ours / configure-aws-credentials: ${(ours / cac).toFixed(2)}× (budget ≤ 0.50×)`)
// The issue's reference: configure-aws-credentials took 0.146 s where bare node took 0.048 s.
console.log(`  ours / reference configure-aws-credentials (3.04× bare node scaled to this machine): ${(ours / (bare * (0.146 / 0.048))).toFixed(2)}× (budget ≤ 0.50×)`)

/**
 * What the level 2 probe adds to a run that uses it: loading the Lambda client and the probe's code (their
 * own chunk) after the AWS provider's chunk, paired against the AWS chunk alone. Runs without a probe load neither.
 */
async function probeChunkCost(): Promise<{ aws: number; withProbe: number; probeBytes: number } | undefined> {
  const chunks = await readdir('dist/chunks')
  const aws = chunks.find((c) => c.startsWith('aws-'))
  const probe = chunks.find((c) => c.startsWith('lambda-probe-'))
  if (!aws || !probe) return undefined
  const load = (files: string[]) => () => timeOnce(['--input-type=module', '-e', files.map((f) => `await import('./dist/chunks/${f}')`).join(';')])
  const variants = { aws: load([aws]), withProbe: load([aws, probe]) }
  const samples = { aws: [] as number[], withProbe: [] as number[] }
  for (let i = 0; i < RUNS; i++) for (const key of ['aws', 'withProbe'] as const) samples[key].push(variants[key]())
  return { aws: median(samples.aws), withProbe: median(samples.withProbe), probeBytes: (await stat('dist/probe.mjs')).size }
}

/**
 * What a run loads beyond the bad-input cold start: the toolkit's chunk and the cloud's SDK chunk, paired
 * against a bare node. The model bound does not include it; the benchmark shows it beside the bound.
 */
async function runCodeCost(): Promise<Record<string, number>> {
  const chunks = await readdir('dist/chunks')
  const chunk = (prefix: string) => chunks.find((c) => c.startsWith(prefix))
  const load = (files: (string | undefined)[]) => () => timeOnce(['--input-type=module', '-e', files.map((f) => `await import('./dist/chunks/${f}')`).join(';')])
  const variants: Record<string, () => number> = {
    bare: () => timeOnce(['-e', '0']),
    AWS: load([chunk('execute-'), chunk('aws-')]),
    'Google Cloud': load([chunk('execute-'), chunk('gcp-')]),
    Azure: load([chunk('execute-'), chunk('azure-')])
  }
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
  for (let i = 0; i < RUNS; i++) for (const [name, fn] of Object.entries(variants)) samples[name]?.push(fn())
  const bareMs = median(samples['bare'] ?? [])
  return Object.fromEntries(Object.keys(variants).filter((k) => k !== 'bare').map((k) => [k, median(samples[k] ?? []) - bareMs]))
}
const codeCost = await runCodeCost()

const probeCost = await probeChunkCost()
if (probeCost) {
  console.log(`\nLevel 2 probe (AWS, aws-probe-role-arn): node + AWS chunk ${ms(probeCost.aws)}, + Lambda client and probe chunk ${ms(probeCost.withProbe)} (${(probeCost.withProbe / probeCost.aws).toFixed(2)}×, paid only by runs with a probe); dist/probe.mjs ${kb(probeCost.probeBytes)}`)
}

const size = await distSize()
console.log(`\ndist: ${(size.total / 1024).toFixed(0)} KiB in ${size.files} files; entry chunk ${(size.entry / 1024).toFixed(1)} KiB`)

console.log(`\nLatency model: every call ${MODEL.callMs} ms; Zilliz accepts ${MODEL.acceptanceMs} ms after registration; EC2 endpoint available ${MODEL.awsAvailableMs} ms later; Route 53 changes INSYNC after ${MODEL.route53SyncMs} ms; the clouds' documented rate limits enforced`)
const acceptance = await simulateAcceptance(FIVE_MINUTES, MODEL.callMs)
const worst = await worstNotice(FIVE_MINUTES, MODEL.callMs)
for (const [cloud, { inputs, region, polled }] of Object.entries(CLOUDS)) {
  const chain = CHAINS[cloud] ?? []
  const waits = chain.reduce((sum, s) => sum + (s.waitMs ?? 0), 0)
  const bound = ours + chainMs(chain)
  console.log(`\n${cloud}`)
  console.log(`  cold start ${ms(ours)}; model bound ${ms(bound)} = cold start + ${chainCalls(chain)} dependent calls × ${MODEL.callMs} ms + ${ms(waits)} of cloud waits`)
  const rows: ScaleRow[] = []
  const walls: RunFigures[] = []
  for (const n of SIZES) {
    const row = await scaleRow(inputs, region, n)
    rows.push(row)
    if (n === 1) {
      walls.push(row.fresh)
      for (let i = 1; i < APPLY_RUNS; i++) walls.push((await scaleRow(inputs, region, 1)).fresh)
    }
  }
  if (walls.length) {
    const wall = median(walls.map((r) => r.wallMs))
    console.log(`  whole-process wall of a fresh 1-cluster apply (median of ${walls.length}): ${ms(wall)} = ${(wall / bound).toFixed(2)}× the model bound (goal ≤ 1.15×)`)
    const typical = walls.find((r) => r.wallMs === wall) ?? walls[0]
    console.log(`  where that run's time went: ${(typical?.phases ?? []).map((p) => `${p.name} ${ms(p.ms)}`).join('; ')}`)
    // Two costs the bound leaves out, each measured or simulated apart from the run: loading the toolkit and
    // the cloud's SDKs, and the poll schedule noticing the modelled acceptance after it happened.
    const code = codeCost[cloud] ?? 0
    const modelledNotice = await simulateAcceptance(waits, MODEL.callMs)
    const explained = bound + code + modelledNotice.noticedAfterMs
    console.log(
      `  beside the bound: loading the toolkit and ${cloud} SDK chunks ${ms(code)} (paired against bare node), the poll schedule noticing the modelled ${ms(waits)} wait ${ms(modelledNotice.noticedAfterMs)} after it (virtual clock); bound + both = ${ms(explained)}, wall = ${(wall / explained).toFixed(2)}× that`
    )
  }
  console.log(`  a 5-minute acceptance is noticed ${(acceptance.noticedAfterMs / 1000).toFixed(1)} s after it (worst ${(worst.noticedAfterMs / 1000).toFixed(1)} s; goal ≤ 10 s), ${acceptance.polls} polls of each resource polled meanwhile (${polled.join(', ')}; goal ≤ 40)`)
  console.log('  clusters │ fresh: exit  wall      calls writes throttled │ re-apply: exit  wall      calls writes │ managed │ summary   comment')
  for (const r of rows) {
    const f = r.fresh
    const a = r.again
    console.log(
      `  ${String(r.clusters).padStart(8)} │ ${String(f.exitCode).padStart(11)}  ${ms(f.wallMs).padStart(8)}  ${String(f.calls).padStart(5)} ${String(f.writes).padStart(6)} ${String(f.throttled).padStart(9)} │ ${String(a.exitCode).padStart(14)}  ${ms(a.wallMs).padStart(8)}  ${String(a.calls).padStart(5)} ${String(a.writes).padStart(6)} │ ${String(a.managed).padStart(7)} │ ${kb(f.summaryBytes).padStart(9)} ${String(f.commentChars).padStart(7)}`
    )
  }
  const one = rows.find((r) => r.clusters === 1)
  const most = rows.at(-1)
  if (one && most && most !== one) {
    const added = most.clusters - one.clusters
    console.log(`  per added cluster: fresh ${((most.fresh.calls - one.fresh.calls) / added).toFixed(1)} calls, ${((most.fresh.writes - one.fresh.writes) / added).toFixed(1)} writes; re-apply ${((most.again.calls - one.again.calls) / added).toFixed(1)} calls`)
    console.log(`  ${most.clusters} clusters: fresh wall ${(most.fresh.wallMs / one.fresh.wallMs).toFixed(2)}× the 1-cluster wall (goal ≤ 2×); re-apply ${most.again.writes} writes, ${most.again.calls} calls against managed + 10 = ${most.again.managed + 10}; summary ${kb(most.fresh.summaryBytes)} (limit 1024 KiB), comment ${most.fresh.commentChars} chars (limit 65,536)`)
    const floor = most.fresh.rateFloor
    if (floor.bucket && floor.limit)
      console.log(
        `  ${most.clusters} clusters: the documented rate limits admit that fresh apply's calls no sooner than ${ms(floor.ms)} (${floor.calls} calls in bucket ${floor.bucket}: ${'windowMs' in floor.limit ? `${floor.limit.capacity} per ${floor.limit.windowMs / 1000} s window` : `${floor.limit.capacity} at once, then ${floor.limit.refillPerSecond}/s`}), ${(floor.ms / one.fresh.wallMs).toFixed(2)}× the 1-cluster wall on its own; wall = ${(most.fresh.wallMs / Math.max(1, floor.ms)).toFixed(2)}× that floor`
      )
  }
}
