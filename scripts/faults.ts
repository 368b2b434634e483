// npm run faults: the seeded fault suite at scale. Per cloud, FAULT_RUNS applies (default 100) against
// fresh emulators with FAULT_RATE (default 0.2) of calls and operations failing transiently, each
// followed by a fault-free apply. Prints first-run convergence, duplicates, orphans and re-apply writes
// per cloud, and every run that fell short. FAULT_CLOUDS=aws,gcp limits the clouds; FAULT_SEED the first seed;
// FAULT_EXEMPT=oidc,entra keeps those services free of faults. First runs that failed fetching the GitHub ID
// token are counted apart, to tell GitHub's endpoint from the clouds' when one falls short.
import { CLOUDS, describeShortfall, failedOnGithubToken, faultRun, type Cloud, type FaultRun } from '../__tests__/support/fault-suite.js'

const runs = Number(process.env['FAULT_RUNS'] ?? 100)
const rate = Number(process.env['FAULT_RATE'] ?? 0.2)
const firstSeed = Number(process.env['FAULT_SEED'] ?? 1)
const clouds = (process.env['FAULT_CLOUDS']?.split(',') ?? CLOUDS) as Cloud[]
const exempt = process.env['FAULT_EXEMPT']?.split(',').filter(Boolean) ?? []

// Logs of the runs go to stdout through @actions/core; the report goes to stderr so it stays readable.
const say = (line: string) => process.stderr.write(`${line}\n`)

say(`Fault suite: ${runs} runs per cloud, ${Math.round(rate * 100)}% transient faults${exempt.length ? ` (none on ${exempt.join(', ')})` : ''}, seeds ${firstSeed}..${firstSeed + runs - 1}`)
const failed: string[] = []
for (const cloud of clouds) {
  const results: FaultRun[] = []
  for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
    const result = await faultRun(cloud, seed, { rate, exempt })
    results.push(result)
    const shortfall = describeShortfall(result)
    if (shortfall) failed.push(shortfall)
  }
  const converged = results.filter((r) => r.converged).length
  const faults = results.reduce((sum, r) => sum + r.faults.error + r.faults.lost + r.faults.operation, 0)
  const sum = (pick: (r: FaultRun) => number) => results.reduce((total, r) => total + pick(r), 0)
  const median = [...results.map((r) => r.wallMs)].sort((a, b) => a - b)[Math.floor(results.length / 2)] ?? 0
  say(
    `${cloud.padEnd(5)} first-run convergence ${converged}/${results.length} (${((100 * converged) / results.length).toFixed(1)}%), ` +
      `duplicates ${sum((r) => r.duplicates.length)}, orphans ${sum((r) => r.orphans.length)}, ` +
      `re-apply writes ${sum((r) => (r.converged ? r.reapplyWrites.length : 0))}, re-apply failures ${results.filter((r) => r.reapplyExit !== 0).length}; ` +
      `first runs that failed on the GitHub ID token ${results.filter(failedOnGithubToken).length}; ` +
      `${faults} faults injected (error ${sum((r) => r.faults.error)}, lost ${sum((r) => r.faults.lost)}, operation ${sum((r) => r.faults.operation)}); median first run ${median} ms`
  )
}
for (const line of failed) say(`  ${line}`)
process.exitCode = failed.length ? 1 : 0
