// The plan-id digests what an apply would write, and nothing else.
import { describe, expect, it } from '@jest/globals'
import { planId, type PlanIdStep } from '../src/engine/plan-id.js'

const TARGET = { provider: 'aws', projectId: 'proj-1', regionId: 'aws-us-west-2', network: 'vpc-0abc (us-west-2)' }
const STEPS: PlanIdStep[] = [
  { id: 'security-group', kind: 'aws.security-group', name: 'zilliz-pl-1', action: 'create', attributes: { vpc: 'vpc-0abc', ingress: '443, 19530' } },
  { id: 'endpoint', kind: 'aws.vpc-endpoint', name: 'zilliz-pl-1', action: 'create', attributes: { service: 'svc' } },
  { id: 'zilliz-registration', kind: 'zilliz.private-endpoint', name: 'the new endpoint', action: 'wait' },
  { id: 'dns-zone:in01-a', kind: 'aws.route53-private-zone', name: 'Z0A', action: 'keep' }
]

describe('planId', () => {
  it('is 64 hex digits and does not depend on step or attribute order', () => {
    const id = planId(TARGET, STEPS)
    expect(id).toMatch(/^[0-9a-f]{64}$/)
    const reordered = [...STEPS].reverse().map((s) => ({ ...s, attributes: s.attributes && Object.fromEntries(Object.entries(s.attributes).reverse()) }))
    expect(planId(TARGET, reordered)).toBe(id)
  })

  it('ignores steps that write nothing', () => {
    expect(planId(TARGET, STEPS.filter((s) => s.action === 'create'))).toBe(planId(TARGET, STEPS))
  })

  it('changes with any change to what would be written, or where', () => {
    const id = planId(TARGET, STEPS)
    const variants: PlanIdStep[][] = [
      STEPS.map((s) => (s.id === 'security-group' ? { ...s, attributes: { ...s.attributes, ingress: '443, 19530, 19531' } } : s)),
      STEPS.map((s) => (s.id === 'endpoint' ? { ...s, action: 'update' as const } : s)),
      STEPS.map((s) => (s.id === 'endpoint' ? { ...s, name: 'zilliz-pl-2' } : s)),
      STEPS.filter((s) => s.id !== 'endpoint')
    ]
    for (const steps of variants) expect(planId(TARGET, steps)).not.toBe(id)
    expect(planId({ ...TARGET, regionId: 'aws-us-east-1' }, STEPS)).not.toBe(id)
  })
})
