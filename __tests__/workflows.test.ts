// Every workflow and example passes actionlint. What actionlint cannot see is checked here, in them and in
// the workflows the README and docs/workflows.md show: that the action and the reusable workflow are
// called with inputs they declare, the permissions of each job, the gates of the apply job, pinning, and
// that the mirrored examples cannot run by accident.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse } from 'yaml'
import { parseActionInterface } from '../scripts/action-interface.js'
import { formatFinding, lintWorkflows, workflowFiles } from '../scripts/actionlint.js'

interface Step {
  uses?: string
  with?: Record<string, unknown>
}

interface Job {
  uses?: string
  with?: Record<string, unknown>
  secrets?: Record<string, unknown> | string
  permissions?: Record<string, string>
  needs?: string | string[]
  if?: string
  environment?: unknown
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean }
  outputs?: Record<string, string>
  steps?: Step[]
}

interface Workflow {
  on: Record<string, unknown> & { workflow_call?: WorkflowCall }
  permissions?: unknown
  jobs: Record<string, Job>
}

interface WorkflowCall {
  inputs: Record<string, { type: string; description?: string; required?: boolean; default?: unknown }>
  secrets: Record<string, { required?: boolean }>
  outputs: Record<string, { value: string; description?: string }>
}

const ACTION = /^org\/zilliz-private-link@/
const REUSABLE = /^org\/zilliz-private-link\/\.github\/workflows\/private-link\.yml@/
const REUSABLE_PATH = '.github/workflows/private-link.yml'

const read = (file: string) => readFileSync(resolve(file), 'utf8')
const workflowAt = (file: string) => parse(read(file)) as Workflow

/** Workflows shown in documentation: each yaml block with jobs, named after its file and line. */
function workflowSnippets(file: string): { file: string; workflow: Workflow }[] {
  const text = read(file)
  return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)]
    .filter((match) => /^jobs:$/m.test(match[1]!))
    .map((match) => ({ file: `${file}:${text.slice(0, match.index).split('\n').length}`, workflow: parse(match[1]!) as Workflow }))
}

let files: string[]
let documents: { file: string; workflow: Workflow }[]
beforeAll(async () => {
  files = await workflowFiles()
  documents = [
    ...files.map((file) => ({ file, workflow: workflowAt(file) })),
    ...workflowSnippets('README.md'),
    ...workflowSnippets('docs/workflows.md')
  ]
})

const everyJob = () => documents.flatMap(({ file, workflow }) => Object.entries(workflow.jobs).map(([name, job]) => ({ file, name, job })))
const everyStep = () => everyJob().flatMap(({ file, name, job }) => (job.steps ?? []).map((step) => ({ file, job: name, step })))
const where = (file: string, job: string) => `${file} job ${job}`

describe('actionlint', () => {
  it('finds nothing in any workflow or example', async () => {
    const { files: linted, findings } = await lintWorkflows()
    expect(linted).toEqual(expect.arrayContaining([REUSABLE_PATH, 'docs/examples/manual-setup.yml', 'docs/examples/pr-dry-run.yml']))
    expect(findings.map(formatFinding)).toEqual([])
  })
})

describe('workflows shown in documentation', () => {
  it('are read from the README and docs/workflows.md, for the checks below', () => {
    const shown = documents.map(({ file }) => file.replace(/:\d+$/, '')).filter((file) => file.endsWith('.md'))
    expect(shown).toEqual(['README.md', 'README.md', 'README.md', 'docs/workflows.md'])
  })
})

describe('calls of the action', () => {
  const action = parseActionInterface(read('action.yml'))
  const declared = new Set(action.inputs.map((input) => input.name))
  const required = action.inputs.filter((input) => input.required).map((input) => input.name)

  it('pass only inputs that action.yml declares, and every required one', () => {
    const calls = everyStep().filter(({ step }) => ACTION.test(step.uses ?? ''))
    expect(calls.length).toBeGreaterThanOrEqual(10)
    for (const { file, job, step } of calls) {
      const given = Object.keys(step.with ?? {})
      expect({ at: where(file, job), unknown: given.filter((name) => !declared.has(name)) }).toEqual({ at: where(file, job), unknown: [] })
      expect({ at: where(file, job), missing: required.filter((name) => !given.includes(name)) }).toEqual({ at: where(file, job), missing: [] })
    }
  })
})

describe('the reusable workflow', () => {
  const workflow = workflowAt(REUSABLE_PATH)
  const call = workflow.on.workflow_call!
  const text = read(REUSABLE_PATH)

  it('is called only through workflow_call, with typed and described inputs', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_call'])
    for (const [name, input] of Object.entries(call.inputs)) {
      expect({ name, typed: ['string', 'boolean', 'number'].includes(input.type), described: Boolean(input.description) }).toEqual({ name, typed: true, described: true })
    }
    expect(call.secrets['zilliz-api-key']?.required).toBe(true)
  })

  it('uses every input it declares', () => {
    // A name followed by neither a word character nor a hyphen, so aws-role-arn is not found in aws-role-arn-x.
    const used = (name: string) => new RegExp(`inputs\\.${name}(?![\\w-])`).test(text)
    expect(Object.keys(call.inputs).filter((name) => !used(name))).toEqual([])
  })

  it('maps its outputs from job outputs that exist', () => {
    for (const [name, output] of Object.entries(call.outputs)) {
      const references = [...output.value.matchAll(/jobs\.([\w-]+)\.outputs\.([\w-]+)/g)].map(([, job, jobOutput]) => `${job}.${jobOutput}`)
      const missing = references.filter((reference) => {
        const [job, jobOutput] = reference.split('.') as [string, string]
        return !(jobOutput in (workflow.jobs[job]?.outputs ?? {}))
      })
      expect({ name, references: references.length > 0, missing }).toEqual({ name, references: true, missing: [] })
    }
  })

  it('is documented: docs/workflows.md names every input and output', () => {
    const docs = read('docs/workflows.md')
    const undocumented = [...Object.keys(call.inputs), ...Object.keys(call.outputs)].filter((name) => !docs.includes(`\`${name}\``))
    expect(undocumented).toEqual([])
  })

  it('plans always, and applies only after the plan, with changes, on an event that may apply, behind an environment', () => {
    expect(workflow.jobs['plan']?.if).toBeUndefined()
    const apply = workflow.jobs['apply']!
    expect(apply.needs).toBe('plan')
    expect(apply.if).toContain("needs.plan.outputs.has-changes == 'true'")
    expect(apply.if).toContain("github.event_name == 'push'")
    expect(apply.if).toContain("github.event_name == 'workflow_dispatch'")
    expect(apply.if).not.toContain('pull_request')
    expect(apply.environment).toBe('${{ inputs.environment }}')
    expect(apply.steps?.find((step) => ACTION.test(step.uses ?? ''))?.with?.['mode']).toBe("${{ inputs.destroy && 'destroy' || 'apply' }}")
  })

  it('destroys only from workflow_dispatch, with the project id typed as confirmation, behind the protected environment', () => {
    const apply = workflow.jobs['apply']!
    expect(apply.if).toContain("inputs.destroy && github.event_name == 'workflow_dispatch' && inputs.confirm-destroy == inputs.zilliz-project-id")
    const step = apply.steps?.find((s) => ACTION.test(s.uses ?? ''))
    expect(step?.with?.['require-protected-environment']).toBe('${{ inputs.destroy || inputs.require-protected-environment }}')
    expect(workflow.jobs['plan']?.steps?.find((s) => ACTION.test(s.uses ?? ''))?.with?.['mode']).toBe("${{ inputs.destroy && 'destroy-plan' || 'plan' }}")
    expect(workflow.jobs['verify']?.if).toContain('!inputs.destroy')
  })

  it('never runs two applies of one target at once', () => {
    const concurrency = workflow.jobs['apply']!.concurrency
    expect(concurrency?.group).toContain('${{ inputs.zilliz-project-id }}')
    expect(concurrency?.group).toContain('${{ inputs.zilliz-region-id }}')
    expect(concurrency?.['cancel-in-progress']).toBe(false)
  })

  it('verifies from a runner inside the network only when asked to', () => {
    const verify = workflow.jobs['verify']!
    expect(verify.if).toContain("inputs.verify-runner != ''")
    const step = verify.steps?.find((s) => ACTION.test(s.uses ?? ''))
    expect(step?.with).toMatchObject({ mode: 'plan', verify: 'full' })
  })

  it('asks for the least: no job requests pull-requests, so only callers with comments grant it', () => {
    expect(workflow.permissions).toBeUndefined()
    expect(workflow.jobs['plan']?.permissions).toBeUndefined()
    expect(workflow.jobs['apply']?.permissions).toEqual({ 'id-token': 'write', contents: 'read', actions: 'read' })
    expect(workflow.jobs['verify']?.permissions).toEqual({ 'id-token': 'write', contents: 'read' })
  })
})

describe('callers of the reusable workflow', () => {
  const call = workflowAt(REUSABLE_PATH).on.workflow_call!
  const callers = () => everyJob().filter(({ job }) => REUSABLE.test(job.uses ?? ''))

  it('pass declared inputs and every required one, and the secret by name', () => {
    expect(callers().length).toBeGreaterThanOrEqual(5)
    const required = Object.entries(call.inputs).filter(([, input]) => input.required).map(([name]) => name)
    for (const { file, name, job } of callers()) {
      const given = Object.keys(job.with ?? {})
      expect({ at: where(file, name), unknown: given.filter((input) => !(input in call.inputs)), missing: required.filter((input) => !given.includes(input)) }).toEqual({
        at: where(file, name),
        unknown: [],
        missing: []
      })
      expect({ at: where(file, name), secrets: job.secrets }).toEqual({ at: where(file, name), secrets: { 'zilliz-api-key': '${{ secrets.ZILLIZ_API_KEY }}' } })
    }
  })

  it('grant id-token, contents and actions: read, and pull-requests: write exactly when comments are on', () => {
    for (const { file, name, job } of callers()) {
      const comments = job.with?.['comment-on-pr'] === true
      expect({ at: where(file, name), permissions: job.permissions }).toEqual({
        at: where(file, name),
        permissions: { 'id-token': 'write', contents: 'read', actions: 'read', ...(comments ? { 'pull-requests': 'write' } : {}) }
      })
    }
  })
})

describe('every workflow', () => {
  it('pins third-party actions to a full commit SHA, and never passes secrets: inherit', () => {
    for (const { file, job, step } of everyStep()) {
      const uses = step.uses ?? ''
      if (!uses || uses.startsWith('./') || ACTION.test(uses)) continue
      expect({ at: where(file, job), uses, pinned: /@[0-9a-f]{40}$/.test(uses) }).toEqual({ at: where(file, job), uses, pinned: true })
    }
    for (const { file, name, job } of everyJob()) expect({ at: where(file, name), secrets: job.secrets }).not.toEqual({ at: where(file, name), secrets: 'inherit' })
  })

  it('mirrors only examples that run on purpose: identical to docs/examples, workflow_dispatch only', () => {
    const mirrors = files.filter((file) => file.startsWith('.github/workflows/example-'))
    expect(mirrors.length).toBeGreaterThan(0)
    for (const mirror of mirrors) {
      const original = `docs/examples/${mirror.slice('.github/workflows/example-'.length)}`
      expect({ mirror, same: read(mirror) === read(original) }).toEqual({ mirror, same: true })
      expect({ mirror, triggers: Object.keys(workflowAt(mirror).on) }).toEqual({ mirror, triggers: ['workflow_dispatch'] })
    }
  })
})
