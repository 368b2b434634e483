// What the reusable workflow and the documented workflows hand to the action, computed rather than read:
// each workflow is parsed with the yaml package, its `${{ }}` expressions are evaluated for every
// combination of the reusable workflow's documented inputs, and what each job passes must be declared in
// action.yml and pass the action's own input validation. Also: job timeouts above the longest wait the job
// can be given, applies gated on has-changes and the reviewed plan-id, no fork code on a runner inside the
// network, and outputs reaching run: scripts only through env:.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { parseConfig, formatProblems } from '../src/config/parse.js'
import { parseDurationWithin } from '../src/config/rules.js'
import { parseActionInterface } from '../scripts/action-interface.js'
import { evaluateCondition, evaluateValue, asString, type Contexts, type Value } from './support/expressions.js'

interface Step {
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
}

interface Job {
  uses?: string
  if?: unknown
  needs?: string | string[]
  'timeout-minutes'?: unknown
  with?: Record<string, unknown>
  steps?: Step[]
}

interface Workflow {
  on: { workflow_call?: { inputs: Record<string, { type: string; default?: unknown; required?: boolean }> } }
  jobs: Record<string, Job>
}

const ACTION = /^org\/zilliz-private-link@/
const REUSABLE_PATH = '.github/workflows/private-link.yml'
const PLAN_ID = '9c1f5a0e3b7d2468ace13579bdf02468ace13579bdf02468ace13579bdf02468'
/** The action's own cap on wait-timeout (src/config/parse.ts). */
const MAX_WAIT_MINUTES = 120
/** GitHub's default job timeout. */
const DEFAULT_TIMEOUT_MINUTES = 360

const read = (file: string) => readFileSync(file, 'utf8')
const reusable = parse(read(REUSABLE_PATH)) as Workflow
const declared = new Set(parseActionInterface(read('action.yml')).inputs.map((input) => input.name))

const CLOUDS: Record<string, Record<string, Value>> = {
  aws: {
    'zilliz-region-id': 'aws-us-west-2',
    'aws-role-arn': 'arn:aws:iam::123456789012:role/zilliz-private-link-plan',
    'aws-apply-role-arn': 'arn:aws:iam::123456789012:role/zilliz-private-link-apply',
    'aws-vpc-id': 'vpc-0a1b2c3d4e5f60718',
    'aws-subnet-ids': 'subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788'
  },
  gcp: {
    'zilliz-region-id': 'gcp-us-west1',
    'gcp-workload-identity-provider': 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/my-repo',
    'gcp-service-account': 'zilliz-link-plan@my-project.iam.gserviceaccount.com',
    'gcp-apply-service-account': 'zilliz-link-apply@my-project.iam.gserviceaccount.com',
    'gcp-project-id': 'my-project',
    'gcp-network': 'app-vpc',
    'gcp-subnetwork': 'app-subnet-us-west1'
  },
  // A Shared VPC: the network in a host project, the endpoint in the service project, the zones in a DNS project.
  'gcp-shared-vpc': {
    'zilliz-region-id': 'gcp-us-west1',
    'gcp-workload-identity-provider': 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/my-repo',
    'gcp-service-account': 'zilliz-link-plan@my-project.iam.gserviceaccount.com',
    'gcp-project-id': 'my-project',
    'gcp-network-project-id': 'net-host',
    'gcp-network': 'shared-vpc',
    'gcp-subnetwork': 'https://www.googleapis.com/compute/v1/projects/net-host/regions/us-west1/subnetworks/shared-us-west1',
    'gcp-dns-project-id': 'dns-hub'
  },
  azure: {
    'zilliz-region-id': 'az-eastus',
    'azure-tenant-id': '4a1b2c3d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
    'azure-client-id': '9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e',
    'azure-apply-client-id': '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
    'azure-subscription-id': '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
    'azure-resource-group': 'rg-search-prod',
    'azure-virtual-network': 'vnet-search',
    'azure-subnet': 'snet-endpoints'
  }
}

/** Every combination of the documented choices: clouds, verify levels, dns-server, modes and switches. */
function combinations(): Record<string, Value>[] {
  const out: Record<string, Value>[] = []
  for (const cloud of Object.keys(CLOUDS))
    for (const verify of ['auto', 'control-plane', 'full', 'none'])
      for (const dnsServer of ['', '10.0.0.2:53'])
        for (const mode of ['auto', 'plan', 'apply'])
          for (const flags of [0, 1, 2, 3, 4, 5, 6, 7])
            for (const waitTimeout of ['15m', '2h'])
              out.push({
                'zilliz-project-id': 'proj-4487580fcfe2c8a4391686',
                ...CLOUDS[cloud],
                verify,
                'dns-server': dnsServer,
                mode,
                'wait-timeout': waitTimeout,
                'comment-on-pr': Boolean(flags & 1),
                'fail-on-changes': Boolean(flags & 2),
                'require-protected-environment': Boolean(flags & 4),
                'fail-on-unverified': !(flags & 1),
                ...(cloud.startsWith('gcp') ? { 'gcp-global-access': Boolean(flags & 2) } : {}),
                'verify-runner': flags & 4 ? '["self-hosted","vpc-search"]' : ''
              })
  return out
}

function contextsFor(inputs: Record<string, Value>, github: Record<string, Value> = {}): Contexts {
  const call = reusable.on.workflow_call!
  const withDefaults = Object.fromEntries(Object.entries(call.inputs).map(([name, input]) => [name, (inputs[name] ?? input.default ?? (input.type === 'boolean' ? false : '')) as Value]))
  return {
    inputs: withDefaults,
    secrets: { 'zilliz-api-key': 'zk-0123456789abcdef0123456789abcdef' },
    needs: {
      plan: { result: 'success', outputs: { 'plan-id': PLAN_ID, 'has-changes': 'true' } },
      apply: { result: 'success', outputs: {} }
    },
    github: { event_name: 'push', repository: 'octo-org/octo-repo', actor: 'octocat', token: 'ghs_job_token', event: {}, ...github }
  }
}

/** What a job's action step receives, as the runner would hand it over (github-token defaults to the job token). */
function actionInputs(step: Step, contexts: Contexts): Record<string, string> {
  const given = Object.fromEntries(Object.entries(step.with ?? {}).map(([name, value]) => [name, asString(evaluateValue(value, contexts))]))
  return { 'github-token': 'ghs_job_token', ...given }
}

const actionSteps = (job: Job) => (job.steps ?? []).filter((step) => ACTION.test(step.uses ?? ''))

describe('the reusable workflow hands the action valid inputs', () => {
  const all = combinations()

  it(`for each of ${all.length} combinations of its documented inputs, in every job`, () => {
    expect(all.length).toBeGreaterThan(1000)
    const failures: string[] = []
    for (const inputs of all) {
      const contexts = contextsFor(inputs)
      for (const [name, job] of Object.entries(reusable.jobs)) {
        for (const step of actionSteps(job)) {
          const values = actionInputs(step, contexts)
          const unknown = Object.keys(values).filter((input) => !declared.has(input))
          const parsed = parseConfig((input) => (values[input] ?? '').trim())
          if (unknown.length) failures.push(`${name}: undeclared ${unknown.join(', ')}`)
          if ('problems' in parsed) failures.push(`${name} with ${JSON.stringify(inputs)}:\n${formatProblems(parsed.problems)}`)
        }
      }
    }
    expect(failures.slice(0, 3)).toEqual([])
  })

  it('passes the plan job\'s plan-id to the apply, and the environment check as its input says', () => {
    const apply = reusable.jobs['apply']!
    for (const required of [true, false]) {
      const values = actionInputs(actionSteps(apply)[0]!, contextsFor({ ...CLOUDS['aws'], 'require-protected-environment': required }))
      expect(values).toMatchObject({ mode: 'apply', 'expected-plan-id': PLAN_ID, 'require-protected-environment': String(required) })
    }
    expect(reusable.on.workflow_call!.inputs['require-protected-environment']).toMatchObject({ type: 'boolean', default: true })
  })

  it('passes dns-server to the plan and apply only where the checks use it, and always to the verify job', () => {
    const jobs = reusable.jobs
    const given = (job: string, verify: string) => actionInputs(actionSteps(jobs[job]!)[0]!, contextsFor({ ...CLOUDS['aws'], verify, 'dns-server': '10.0.0.2' }))['dns-server']
    expect(['auto', 'full', 'control-plane', 'none'].map((verify) => given('plan', verify))).toEqual(['10.0.0.2', '10.0.0.2', '', ''])
    expect(['auto', 'full', 'control-plane', 'none'].map((verify) => given('apply', verify))).toEqual(['10.0.0.2', '10.0.0.2', '', ''])
    expect(given('verify', 'none')).toBe('10.0.0.2')
  })

  it('passes the Shared VPC projects to every job', () => {
    const contexts = contextsFor(CLOUDS['gcp-shared-vpc']!)
    for (const [name, job] of Object.entries(reusable.jobs))
      for (const step of actionSteps(job)) {
        const values = actionInputs(step, contexts)
        expect([name, values['gcp-network-project-id'], values['gcp-dns-project-id'], values['gcp-endpoint-project-id']]).toEqual([name, 'net-host', 'dns-hub', ''])
      }
  })

  it('applies only when the plan has changes: never on false or unknown', () => {
    const apply = reusable.jobs['apply']!
    const runs = (hasChanges: string, event: string) =>
      evaluateCondition(apply.if, { ...contextsFor({ mode: 'auto' }, { event_name: event }), needs: { plan: { result: 'success', outputs: { 'has-changes': hasChanges } } } })
    expect([runs('true', 'push'), runs('false', 'push'), runs('unknown', 'push'), runs('true', 'pull_request')]).toEqual([true, false, false, false])
  })

  it('never verifies a fork pull request or a Dependabot run on the runner inside the network', () => {
    const verify = reusable.jobs['verify']!
    const runs = (github: Record<string, Value>) =>
      evaluateCondition(verify.if, {
        ...contextsFor({ 'verify-runner': 'self-hosted' }, github),
        needs: { plan: { result: 'success', outputs: { 'has-changes': 'false' } }, apply: { result: 'skipped' } }
      })
    const pr = (head: string) => ({ event_name: 'pull_request', event: { pull_request: { head: { repo: { full_name: head } } } } })
    expect(runs(pr('octo-org/octo-repo'))).toBe(true)
    expect(runs({ event_name: 'push' })).toBe(true)
    expect(runs(pr('someone/octo-repo'))).toBe(false)
    expect(runs({ ...pr('octo-org/octo-repo'), actor: 'dependabot[bot]' })).toBe(false)
  })
})

/** Every workflow this repository ships or shows: files, and yaml blocks with jobs in the README and docs. */
function documentedWorkflows(): { file: string; workflow: Workflow }[] {
  const files = ['.github/workflows/private-link.yml', ...['manual-setup', 'multi-region', 'nightly-drift-check', 'pr-dry-run', 'azure-hub-and-spoke', 'gcp-shared-vpc'].map((name) => `docs/examples/${name}.yml`)]
  const snippets = ['README.md', 'docs/workflows.md', 'docs/forks-and-dependabot.md'].flatMap((file) => {
    const text = read(file)
    return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)]
      .filter((match) => /^jobs:$/m.test(match[1]!))
      .map((match) => ({ file: `${file}:${text.slice(0, match.index).split('\n').length}`, workflow: parse(match[1]!) as Workflow }))
  })
  return [...files.map((file) => ({ file, workflow: parse(read(file)) as Workflow })), ...snippets]
}

/** Every yaml block in the docs, whole workflows or a few steps, for the checks that apply to any step. */
function everyYamlBlock(): { file: string; value: unknown }[] {
  return ['README.md', 'docs/workflows.md', 'docs/forks-and-dependabot.md', 'docs/aws.md', 'docs/gcp.md', 'docs/azure.md', 'docs/TROUBLESHOOTING.md'].flatMap((file) => {
    const text = read(file)
    return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => ({ file: `${file}:${text.slice(0, match.index).split('\n').length}`, value: parse(match[1]!) as unknown }))
  })
}

function runScripts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(runScripts)
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => (key === 'run' && typeof inner === 'string' ? [inner] : runScripts(inner)))
  }
  return []
}

describe('documented workflows', () => {
  const documents = documentedWorkflows()

  it('are found: the reusable workflow, the examples and the README and docs snippets', () => {
    expect(documents.length).toBeGreaterThanOrEqual(9)
  })

  it('give every job that runs the action more time than the longest wait it can be given', () => {
    for (const { file, workflow } of documents) {
      for (const [name, job] of Object.entries(workflow.jobs)) {
        for (const step of actionSteps(job)) {
          const wait = step.with?.['wait-timeout']
          const waitMinutes =
            wait === undefined ? 15 : /\$\{\{/.test(String(wait)) ? MAX_WAIT_MINUTES : (parseDurationWithin(String(wait), 1, MAX_WAIT_MINUTES * 60) as { value: number }).value / 60
          const timeout = job['timeout-minutes'] === undefined ? DEFAULT_TIMEOUT_MINUTES : Number(job['timeout-minutes'])
          expect({ at: `${file} job ${name}`, timeoutAboveWait: timeout > waitMinutes }).toEqual({ at: `${file} job ${name}`, timeoutAboveWait: true })
        }
      }
    }
  })

  it('apply (and destroy) only after a plan of the same run, when it has changes, with its plan-id', () => {
    const applies = documents.flatMap(({ file, workflow }) =>
      Object.entries(workflow.jobs).flatMap(([name, job]) => actionSteps(job).filter((step) => /^apply$|'apply' \}\}$/.test(String(step.with?.['mode']))).map((step) => ({ at: `${file} job ${name}`, job, step })))
    )
    expect(applies.length).toBeGreaterThanOrEqual(4)
    for (const { at, job, step } of applies) {
      const needs = [job.needs ?? []].flat()
      expect({ at, needsPlan: needs.length > 0, gated: /needs\.[\w-]+\.outputs\.has-changes == 'true'/.test(String(job.if)) }).toEqual({ at, needsPlan: true, gated: true })
      expect({ at, expected: String(step.with?.['expected-plan-id']) }).toEqual({ at, expected: expect.stringMatching(/^\$\{\{ needs\.[\w-]+\.outputs\.plan-id \}\}$/) })
    }
  })

  it('pass outputs and inputs to run: scripts through env:, never as ${{ }} inside the script', () => {
    const scripts = [...documents.map(({ file, workflow }) => ({ file, value: workflow as unknown })), ...everyYamlBlock()].flatMap(({ file, value }) => runScripts(value).map((script) => ({ file, script })))
    expect(scripts.length).toBeGreaterThanOrEqual(5)
    expect(scripts.filter(({ script }) => script.includes('${{'))).toEqual([])
  })
})
