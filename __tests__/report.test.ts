import { describe, it, expect } from '@jest/globals'
import { capBytes, escapeHtml, escapeTableCell, fitSections, markdown, table } from '../src/report/markdown.js'
import { mermaidText, topologyDiagram } from '../src/report/mermaid.js'
import type { RunResult } from '../src/report/model.js'
import { buildOutputs, OUTPUT_NAMES, type PlanDocument } from '../src/report/outputs.js'
import { PLAN_MARKDOWN_MAX_CHARS, renderPlanMarkdown, renderSummary, SUMMARY_MAX_BYTES } from '../src/report/summary.js'

const HOSTILE = '<script>alert(1)</script> | `rm -rf /` \n[click](https://evil.example) \\'

function planModeResult(): RunResult {
  return {
    schemaVersion: 1,
    mode: 'plan',
    modeReason: 'pull_request events plan',
    provider: 'aws',
    target: {
      projectId: 'proj-1',
      regionId: 'aws-us-west-2',
      network: 'vpc-0abc (us-west-2)',
      endpointService: 'com.amazonaws.vpce.us-west-2.vpce-svc-0zilliz'
    },
    identity: { principal: 'arn:aws:sts::123456789012:assumed-role/plan/gha', account: '123456789012', method: 'GitHub OIDC → AssumeRoleWithWebIdentity' },
    steps: [
      { id: 'security-group', kind: 'aws.security-group', name: 'zilliz-pl-proj-1', action: 'create', reason: 'not found', dependsOn: [], attributes: { ports: '443,19530' }, status: 'planned' },
      { id: 'endpoint', kind: 'aws.vpc-endpoint', name: 'zilliz-pl-proj-1', action: 'create', reason: 'not found', dependsOn: ['security-group'], status: 'planned' },
      { id: 'zilliz-registration', kind: 'zilliz.private-endpoint', name: 'proj-1', action: 'wait', reason: 'registers once the endpoint exists', dependsOn: ['endpoint'], status: 'planned' },
      { id: 'dns-zone:in01-b', kind: 'aws.route53-zone', name: 'in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com', action: 'keep', reason: 'exists and is associated', dependsOn: [], status: 'planned' }
    ],
    checks: [
      { id: 'service', title: 'Zilliz endpoint service exists', status: 'pass', evidence: 'service=vpce-svc-0zilliz' },
      { id: 'endpoint', title: 'Endpoint available', status: 'skip', evidence: 'plan mode: not created yet' }
    ],
    links: [
      { clusterId: 'in01-b', host: 'in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com', port: 443, url: 'https://in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com:443', confirmed: false },
      { clusterId: 'in01-a', host: 'in01-a-privatelink.aws-us-west-2.vectordb.zillizcloud.com', port: 19530, url: 'https://in01-a-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19530', confirmed: true }
    ],
    resources: { network: 'vpc-0abc', dnsZones: [{ name: 'in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com', id: 'Z0B' }] },
    durationMs: 2300
  }
}

function applyAllKeepResult(): RunResult {
  const base = planModeResult()
  return {
    ...base,
    mode: 'apply',
    modeReason: 'mode input is apply',
    steps: base.steps.map((step) => ({ ...step, action: 'keep', reason: 'already as desired', status: 'done', durationMs: 0 })),
    checks: [
      { id: 'endpoint', title: 'Endpoint available', status: 'pass', evidence: 'state=available' },
      { id: 'tcp', title: 'TCP connect', status: 'skip', evidence: 'GitHub-hosted runner is outside the network' }
    ],
    resources: {
      network: 'vpc-0abc',
      endpointId: 'vpce-0123',
      endpointAddress: '10.0.1.5',
      securityRule: 'sg-0456',
      dnsZones: [
        { name: 'in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com', id: 'Z0B' },
        { name: 'in01-a-privatelink.aws-us-west-2.vectordb.zillizcloud.com', id: 'Z0A' }
      ]
    }
  }
}

/** Every user- or cloud-supplied string of the model replaced by a hostile one. */
function hostileResult(): RunResult {
  const base = applyAllKeepResult()
  return {
    ...base,
    modeReason: HOSTILE,
    target: { projectId: HOSTILE, regionId: HOSTILE, network: HOSTILE, endpointService: HOSTILE },
    identity: { principal: HOSTILE, account: HOSTILE, method: HOSTILE },
    steps: [
      { id: HOSTILE, kind: HOSTILE, name: HOSTILE, action: 'create', reason: HOSTILE, dependsOn: [HOSTILE], attributes: { [HOSTILE]: HOSTILE }, status: 'failed', durationMs: 5, error: HOSTILE }
    ],
    checks: [{ id: HOSTILE, title: HOSTILE, status: 'fail', evidence: HOSTILE, cause: HOSTILE, fix: HOSTILE }],
    links: [{ clusterId: HOSTILE, host: HOSTILE, port: 443, url: HOSTILE, confirmed: false }],
    resources: { network: HOSTILE, endpointId: HOSTILE, endpointAddress: HOSTILE, securityRule: HOSTILE, dnsZones: [{ name: HOSTILE, id: HOSTILE }] },
    error: HOSTILE,
    hint: HOSTILE
  }
}

/** The markdown tables of a document: runs of lines that start with '|'. */
function tablesIn(text: string): string[][] {
  const tables: string[][] = []
  let current: string[] | undefined
  for (const line of text.split('\n')) {
    if (line.startsWith('|')) (current ??= []).push(line)
    else if (current) {
      tables.push(current)
      current = undefined
    }
  }
  if (current) tables.push(current)
  return tables
}

/** Cell separators: pipes not escaped with a backslash. */
function cellCount(row: string): number {
  return row.split(/(?<!\\)\|/).length - 2
}

function expectWellFormedTables(text: string, expectedTables: number): void {
  const tables = tablesIn(text)
  expect(tables).toHaveLength(expectedTables)
  for (const rows of tables) {
    const columns = cellCount(rows[0])
    for (const row of rows) {
      expect(row.endsWith('|')).toBe(true)
      expect(cellCount(row)).toBe(columns)
      expect(row).not.toMatch(/<script|`|\[click\]/)
    }
  }
}

describe('markdown helpers', () => {
  it('escape HTML and markdown table syntax', () => {
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;')
    expect(escapeTableCell('a | b\nc `d` [e](f) \\')).toBe('a \\| b<br>c &#96;d&#96; &#91;e&#93;(f) &#92;')
  })

  it('table() escapes plain cells and inserts trusted markdown as is', () => {
    expect(table(['A', 'B'], [['x|y', markdown('**bold**')]])).toBe('| A | B |\n| --- | --- |\n| x\\|y | **bold** |')
  })

  it('capBytes cuts on a line boundary, stays under the cap in bytes and appends the note', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i} — ünïcödé ✓`).join('\n')
    const capped = capBytes(text, 500, 'NOTE: truncated')
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(500)
    expect(capped.endsWith('\n\nNOTE: truncated')).toBe(true)
    const kept = capped.slice(0, capped.indexOf('\n\nNOTE'))
    expect(text.startsWith(kept + '\n')).toBe(true)
    expect(capBytes('short', 500, 'NOTE')).toBe('short')
  })

  it('fitSections drops a section that cannot be split instead of cutting into it', () => {
    const fitted = fitSections([{ text: 'head' }, { text: '```\n' + 'x\n'.repeat(100) + '```' }, { text: 'tail' }], 60, 'NOTE')
    expect(fitted).toBe('head\n\nNOTE')
  })
})

describe('escaping in the summary and plan markdown', () => {
  it('escapes hostile strings in every table of the summary, and nowhere leaves raw HTML', () => {
    const summary = renderSummary(hostileResult())
    // context, plan, verification, private links
    expectWellFormedTables(summary, 4)
    expect(summary).not.toContain('<script')
    expect(summary).toContain('&lt;script&gt;')
    // Outside code blocks (where markdown is inert) no link or code span can be injected.
    const prose = summary.replace(/^```[a-z]*\n[\s\S]*?\n```$/gm, '')
    expect(prose).not.toContain('[click](')
    expect(prose).not.toContain('`rm')
  })

  it('escapes the failure callout, error and hint included', () => {
    const summary = renderSummary(hostileResult())
    const callout = summary.split('\n\n').find((block) => block.startsWith('> [!CAUTION]')) as string
    expect(callout).toContain('**The run failed:** &lt;script&gt;')
    expect(callout).toContain('**What to do:** &lt;script&gt;')
    expect(callout.split('\n').every((line) => line.startsWith('>'))).toBe(true)
    expect(callout).not.toContain('`')
  })

  it('keeps the plan JSON parseable and free of raw angle brackets', () => {
    const summary = renderSummary(hostileResult())
    const json = summary.slice(summary.indexOf('```json\n') + 8, summary.lastIndexOf('\n```'))
    expect(json).not.toMatch(/[<>]/)
    expect((JSON.parse(json) as PlanDocument).steps[0].name).toBe(HOSTILE)
  })

  it('escapes hostile strings in the plan markdown tables', () => {
    const planMarkdown = renderPlanMarkdown(hostileResult())
    // plan table, failed checks table
    expectWellFormedTables(planMarkdown, 2)
    expect(planMarkdown).not.toContain('<script')
  })
})

describe('summary content', () => {
  it('shows the mode badge, provider, context, plan, links, diagram and plan JSON', () => {
    const summary = renderSummary(planModeResult())
    expect(summary.split('\n')[0]).toBe('## 📝 `PLAN` Zilliz Cloud private link · AWS')
    expect(summary).toContain('**Plan:** 2 to create. Nothing was changed.')
    expect(summary).toContain('| Identity | arn:aws:sts::123456789012:assumed-role/plan/gha |')
    expect(summary).toContain('| Mode | plan: pull_request events plan |')
    expect(summary).toContain('| ➕ create | aws.vpc-endpoint | zilliz-pl-proj-1 | not found | 📝 planned |  |')
    expect(summary).toContain('| ⏳ wait | zilliz.private-endpoint |')
    expect(summary).toContain('✅ 1 passed · ❌ 0 failed · ⏭️ 1 skipped')
    // links sorted by cluster id
    expect(summary.indexOf('| in01-a |')).toBeLessThan(summary.indexOf('| in01-b |'))
    expect(summary).toContain('```mermaid\nflowchart LR')
    expect(summary).toContain('<details>\n<summary>Plan JSON</summary>')
    expect(summary).not.toContain('[!CAUTION]')
  })

  it('says "no changes" when every step is keep', () => {
    const summary = renderSummary(applyAllKeepResult())
    expect(summary.split('\n')[0]).toContain('🚀 `APPLY`')
    expect(summary).toContain('**No changes:** every resource is already in place.')
  })

  it('shows the failure callout first, and cause and fix for a failed check', () => {
    const failed: RunResult = {
      ...applyAllKeepResult(),
      error: 'Zilliz rejected the endpoint',
      hint: 'Check the whitelist',
      checks: [{ id: 'accepted', title: 'Endpoint accepted', status: 'fail', evidence: 'state=rejected', cause: 'not whitelisted', fix: 'ask support' }]
    }
    const blocks = renderSummary(failed).split('\n\n')
    expect(blocks[1]).toBe('> [!CAUTION]\n> **The run failed:** Zilliz rejected the endpoint\n>\n> **What to do:** Check the whitelist')
    expect(blocks.join('\n\n')).toContain('| ❌ fail | Endpoint accepted | state=rejected | **Cause:** not whitelisted<br>**Fix:** ask support |')
  })
})

describe('size caps', () => {
  function hugeResult(): RunResult {
    const base = planModeResult()
    const steps = Array.from({ length: 3000 }, (_, i) => ({ ...base.steps[0], id: `step-${i}`, reason: `reason ${i} ${'é'.repeat(400)}` }))
    return { ...base, steps }
  }

  it('keeps the summary under the byte cap and says it was truncated', () => {
    const summary = renderSummary(hugeResult())
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES)
    expect(summary).toContain('This summary was truncated')
    // the plan table was cut between rows, not inside one
    expectWellFormedTables(summary, 2)
  })

  it('honours a smaller maxBytes', () => {
    const summary = renderSummary(hugeResult(), { maxBytes: 20_000 })
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(20_000)
    expect(summary.trimEnd().endsWith('the job log.')).toBe(true)
  })

  it('does not add the note when everything fits', () => {
    expect(renderSummary(planModeResult())).not.toContain('truncated')
  })

  it('caps the plan markdown at 65,536 characters with a note', () => {
    const planMarkdown = renderPlanMarkdown(hugeResult())
    expect(planMarkdown.length).toBeLessThanOrEqual(PLAN_MARKDOWN_MAX_CHARS)
    expect(planMarkdown).toContain('Truncated to fit a comment')
  })
})

describe('topologyDiagram', () => {
  it('draws network → endpoint → service → clusters, DNS records to the endpoint and the security rule', () => {
    const diagram = topologyDiagram(applyAllKeepResult())
    expect(diagram).toBe(
      [
        '```mermaid',
        'flowchart LR',
        '  network["Your network<br/>vpc-0abc"]',
        '  endpoint(["Private endpoint<br/>vpce-0123<br/>10.0.1.5"])',
        '  service["Zilliz endpoint service<br/>com.amazonaws.vpce.us-west-2.vpce-svc-0zilliz"]',
        '  network --> endpoint',
        '  endpoint --> service',
        '  cluster0["Cluster in01-a<br/>in01-a-privatelink.aws-us-west-2.vectordb.zillizcloud.com#58;19530"]',
        '  service --> cluster0',
        '  cluster1["Cluster in01-b<br/>in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com#58;443<br/>#40;derived address#41;"]',
        '  service --> cluster1',
        '  subgraph dns["Private DNS"]',
        '  zone0[("Zone in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com<br/>Z0B")]',
        '  zone1[("Zone in01-a-privatelink.aws-us-west-2.vectordb.zillizcloud.com<br/>Z0A")]',
        '  record0["A in01-a-privatelink.aws-us-west-2.vectordb.zillizcloud.com"]',
        '  record1["A in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com"]',
        '  end',
        '  zone0 --- record1',
        '  zone1 --- record0',
        '  record0 -. resolves to .-> endpoint',
        '  record1 -. resolves to .-> endpoint',
        '  rule{{"Security rule<br/>sg-0456"}}',
        '  rule -.- endpoint',
        '```'
      ].join('\n')
    )
  })

  it('works on a plan with nothing created yet', () => {
    const result: RunResult = { ...planModeResult(), resources: undefined, links: [] }
    const diagram = topologyDiagram(result)
    expect(diagram).toContain('endpoint(["Private endpoint<br/>#40;to be created#41;"])')
    expect(diagram).toContain('network["Your network<br/>vpc-0abc #40;us-west-2#41;"]')
    expect(diagram).not.toContain('subgraph')
    expect(diagram).not.toContain('rule')
  })

  it('sanitises labels: no quotes, brackets, markup or newlines from user strings', () => {
    expect(mermaidText('a"b[c]<d>&#e;\n`f`|g')).toBe('a#34;b#91;c#93;#60;d#62;#38;#35;e#59; #96;f#96;#124;g')
    const diagram = topologyDiagram(hostileResult())
    const body = diagram.split('\n').slice(1, -1)
    for (const line of body.map((text) => text.replaceAll('<br/>', ' '))) {
      // Every line is a node with one quoted label, an edge between safe ids, or subgraph syntax.
      expect(line).toMatch(/^ {2}(\w+(\[|\(\[|\[\(|\{\{)"[^"`<>[\]]*"(\]|\]\)|\)\]|\}\})|\w+ (-->|---|-\.-|-\. resolves to \.->) \w+|subgraph dns\["Private DNS"\]|end)$|^flowchart LR$/)
    }
    expect(diagram).not.toMatch(/<script|<\/script/)
  })
})

describe('buildOutputs', () => {
  it('produces exactly the documented outputs for a plan with creates', () => {
    const result = planModeResult()
    const outputs = buildOutputs(result)

    expect(Object.keys(outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
    expect(outputs).toMatchObject({
      mode: 'plan',
      'has-changes': 'true',
      'changes-count': '2',
      verified: 'true',
      'private-link': 'in01-a-privatelink.aws-us-west-2.vectordb.zillizcloud.com',
      'private-link-url': 'https://in01-a-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19530',
      'private-links':
        '{"in01-a":"https://in01-a-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19530","in01-b":"https://in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com:443"}',
      'endpoint-id': '',
      'dns-zone-ids': '["Z0B"]'
    })
    expect(outputs['plan-markdown']).toBe(renderPlanMarkdown(result))
    expect(JSON.parse(outputs.verification)).toEqual({
      schemaVersion: 1,
      verified: true,
      checks: [
        { id: 'service', title: 'Zilliz endpoint service exists', status: 'pass', evidence: 'service=vpce-svc-0zilliz' },
        { id: 'endpoint', title: 'Endpoint available', status: 'skip', evidence: 'plan mode: not created yet' }
      ]
    })
  })

  it('writes the plan JSON with schemaVersion 1 and every step', () => {
    const plan = JSON.parse(buildOutputs(planModeResult()).plan) as PlanDocument
    expect(plan).toEqual({
      schemaVersion: 1,
      mode: 'plan',
      provider: 'aws',
      target: {
        projectId: 'proj-1',
        regionId: 'aws-us-west-2',
        network: 'vpc-0abc (us-west-2)',
        endpointService: 'com.amazonaws.vpce.us-west-2.vpce-svc-0zilliz'
      },
      hasChanges: true,
      changesCount: 2,
      state: 'changes',
      planId: expect.stringMatching(/^[0-9a-f]{64}$/),
      steps: [
        { id: 'security-group', kind: 'aws.security-group', name: 'zilliz-pl-proj-1', action: 'create', reason: 'not found', dependsOn: [], attributes: { ports: '443,19530' }, status: 'planned' },
        { id: 'endpoint', kind: 'aws.vpc-endpoint', name: 'zilliz-pl-proj-1', action: 'create', reason: 'not found', dependsOn: ['security-group'], attributes: {}, status: 'planned' },
        { id: 'zilliz-registration', kind: 'zilliz.private-endpoint', name: 'proj-1', action: 'wait', reason: 'registers once the endpoint exists', dependsOn: ['endpoint'], attributes: {}, status: 'planned' },
        { id: 'dns-zone:in01-b', kind: 'aws.route53-zone', name: 'in01-b-privatelink.aws-us-west-2.vectordb.zillizcloud.com', action: 'keep', reason: 'exists and is associated', dependsOn: [], attributes: {}, status: 'planned' }
      ]
    })
  })

  it('reports no changes for an apply where everything is kept', () => {
    const outputs = buildOutputs(applyAllKeepResult())
    expect(outputs).toMatchObject({
      mode: 'apply',
      'has-changes': 'false',
      'changes-count': '0',
      verified: 'true',
      'endpoint-id': 'vpce-0123',
      'dns-zone-ids': '["Z0B","Z0A"]'
    })
    expect(JSON.parse(outputs.plan)).toMatchObject({ schemaVersion: 1, hasChanges: false, changesCount: 0 })
  })

  it('is not verified when a check failed or none passed', () => {
    const withChecks = (statuses: ('pass' | 'fail' | 'skip')[]) =>
      buildOutputs({ ...planModeResult(), checks: statuses.map((status, i) => ({ id: `c${i}`, title: 't', status, evidence: 'e' })) }).verified
    expect(withChecks(['pass', 'fail'])).toBe('false')
    expect(withChecks(['skip'])).toBe('false')
    expect(withChecks([])).toBe('false')
    expect(withChecks(['pass', 'skip'])).toBe('true')
  })

  it('has empty link outputs when there are no clusters', () => {
    const outputs = buildOutputs({ ...planModeResult(), links: [], resources: undefined })
    expect(outputs['private-link']).toBe('')
    expect(outputs['private-link-url']).toBe('')
    expect(outputs['private-links']).toBe('{}')
    expect(outputs['dns-zone-ids']).toBe('[]')
  })
})

describe('secrets', () => {
  it('never renders a value that is not a model field, wherever it is attached', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.SECRET-ID-TOKEN.signature'
    const result = applyAllKeepResult()
    // Extra properties the renderers must not pick up: only the model's own fields are reported.
    Object.assign(result, { idToken: token, credentials: { secretAccessKey: token } })
    Object.assign(result.target, { apiKey: token })
    Object.assign(result.identity as object, { token })
    Object.assign(result.steps[0], { run: () => token, secret: token })
    Object.assign(result.checks[0], { rawResponse: token })
    Object.assign(result.links[0], { apiKey: token })
    Object.assign(result.resources as object, { sessionToken: token })

    const rendered = [renderSummary(result), renderPlanMarkdown(result), topologyDiagram(result), ...Object.values(buildOutputs(result))]
    for (const text of rendered) expect(text).not.toContain('SECRET-ID-TOKEN')
  })

  it('keeps the identity out of the plan markdown and the JSON outputs', () => {
    const outputs = buildOutputs(planModeResult())
    for (const name of ['plan', 'plan-markdown', 'verification'] as const) {
      expect(outputs[name]).not.toContain('123456789012')
    }
  })
})

describe('a run that failed before it could plan', () => {
  it('says there is no plan instead of claiming nothing needs to change', () => {
    const result: RunResult = { ...planModeResult(), steps: [], checks: [], error: 'Could not assume the role', hint: 'Check the trust policy.' }
    const summary = renderSummary(result)
    expect(summary).toContain('**No plan:**')
    expect(summary).not.toContain('No changes')
    expect(summary).toContain('Check the trust policy.')
  })
})
