// The lifecycle end to end on every cloud: apply → destroy leaves nothing of the action's and no Zilliz
// registration; a second destroy writes nothing; look-alikes are kept and listed; a crash after any delete
// is finished by the next destroy; a destroy plan writes nothing; prune with and without prune: true.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { expectSuccess, planSteps, sortedWrites, verificationChecks } from './support/expectations.js'
import { awsCloud, azureCloud, gcpCloud, secondCluster, type CloudUnderTest } from './support/lifecycle.js'
import { runAction } from './support/run-action.js'

describe.each([awsCloud, gcpCloud, azureCloud])('$name', (cloud: CloudUnderTest) => {
  let emulators: Emulators
  beforeEach(async () => {
    emulators = await startEmulators()
  })
  afterEach(async () => {
    await emulators.close()
  })

  const run = (overrides: Record<string, string> = {}) => runAction({ ...emulators.env, ...cloud.inputs(emulators, overrides) })
  const writes = () => sortedWrites(emulators.log)
  const registrations = () => emulators.zilliz.state.registrations.filter((r) => r.regionId === cloud.regionId)

  async function applied(): Promise<void> {
    expectSuccess(await run({ mode: 'apply' }))
    expect(cloud.leftovers(emulators).length).toBeGreaterThan(0)
    expect(registrations()).toHaveLength(1)
    emulators.log.clear()
  }

  it('destroy removes everything of the action and the registration; a second destroy writes nothing', async () => {
    await applied()
    const destroyed = await run({ mode: 'destroy' })
    expectSuccess(destroyed)
    expect(destroyed.outputs['mode']).toBe('destroy')
    expect(cloud.leftovers(emulators)).toEqual([])
    expect(registrations()).toEqual([])
    expect(verificationChecks(destroyed).find((c) => c.id === 'destroyed')?.status).toBe('pass')
    // Deletes run in reverse dependency order: every record before any zone, the registration before the endpoint.
    const order = emulators.log.writes().map((w) => `${w.service}:${w.operation}`)
    const positions = cloud.deletes.map((d) => order.lastIndexOf(`${d.service}:${d.operation}`)).filter((p) => p >= 0)
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(planSteps(destroyed).filter((s) => s.action === 'delete').every((s) => s.status === 'done')).toBe(true)
    expect(destroyed.summary).toContain('DESTROY')

    emulators.log.clear()
    const again = await run({ mode: 'destroy' })
    expectSuccess(again)
    expect(writes()).toEqual([])
    expect(again.outputs['has-changes']).toBe('false')
    expect(again.summary).toContain('Nothing to destroy')
  })

  it('a destroy plan lists every delete with its reason and writes nothing', async () => {
    await applied()
    const plan = await run({ mode: 'destroy-plan' })
    expectSuccess(plan)
    expect(writes()).toEqual([])
    expect(plan.outputs['mode']).toBe('destroy-plan')
    expect(plan.outputs['has-changes']).toBe('true')
    const deletes = planSteps(plan).filter((s) => s.action === 'delete')
    expect(deletes.length).toBe(Number(plan.outputs['changes-count']))
    expect(deletes.map((s) => s.kind)).toContain('zilliz.private-endpoint')
    for (const step of deletes) expect(step.reason).toMatch(/^destroy/)
    expect(plan.outputs['plan-markdown']).toContain('DESTROY PLAN')
    expect(registrations()).toHaveLength(1)
  })

  it('keeps look-alikes that are not the action\'s and lists them with the reason', async () => {
    await applied()
    const names = await cloud.lookAlikes(emulators)
    emulators.log.clear()
    const destroyed = await run({ mode: 'destroy' })
    expectSuccess(destroyed)
    const kept = planSteps(destroyed).filter((s) => s.action === 'keep')
    for (const name of names) {
      const step = kept.find((s) => s.name.includes(name))
      expect(step?.reason).toMatch(/^kept: /)
    }
    expect(cloud.leftovers(emulators)).toEqual([])
    const log = JSON.stringify(emulators.log.writes())
    for (const name of names) expect(log).not.toContain(name)
  })

  it.each(cloud.deletes.map((d) => [`${d.service}:${d.operation}`, d] as const))('a crash right after %s, then destroy again, converges', async (_label, del) => {
    await applied()
    emulators.switches.inject({ service: del.service, operation: del.operation, status: 400, code: 'InjectedCrash', message: 'the runner died here', times: 1, afterEffect: true })
    await run({ mode: 'destroy' })
    emulators.switches.reset()
    const again = await run({ mode: 'destroy' })
    expectSuccess(again)
    expect(cloud.leftovers(emulators)).toEqual([])
    expect(registrations()).toEqual([])
    emulators.log.clear()
    expectSuccess(await run({ mode: 'destroy' }))
    expect(writes()).toEqual([])
  })

  describe('prune', () => {
    let kept: string | undefined
    let dropped: string
    beforeEach(() => {
      kept = cloud.clusters[0]
      dropped = cloud.clusters[1] ?? secondCluster(emulators, cloud)
    })
    it('without prune: true, a zone of a cluster no longer in scope is a warning and fails a drift check', async () => {
      await applied()
      const plan = await run({ mode: 'plan', 'cluster-ids': kept!, 'fail-on-changes': 'true' })
      expect(plan.exitCode).toBe(1)
      expect(writes()).toEqual([])
      const document = JSON.parse(plan.outputs['plan'] ?? '{}') as { outOfScope?: { host: string }[] }
      expect(document.outOfScope?.map((r) => r.host).join(' ')).toContain(dropped)
      expect(plan.summary).toContain('Out of scope')
      const apply = await run({ mode: 'apply', 'cluster-ids': kept! })
      expectSuccess(apply)
      expect(writes()).toEqual([])
    })

    it('with prune: true, apply deletes the managed DNS of a cluster no longer in scope, and only that', async () => {
      await applied()
      const before = cloud.leftovers(emulators)
      const apply = await run({ mode: 'apply', 'cluster-ids': kept!, prune: 'true' })
      expectSuccess(apply)
      const pruned = planSteps(apply).filter((s) => s.action === 'delete')
      expect(pruned.length).toBeGreaterThan(0)
      expect(pruned.every((s) => s.id.startsWith('prune:') && s.reason.includes(dropped))).toBe(true)
      const after = cloud.leftovers(emulators)
      expect(after.some((r) => r.includes(dropped))).toBe(false)
      expect(after.some((r) => r.includes(kept!))).toBe(true)
      expect(before.length).toBeGreaterThan(after.length)
      expect(registrations()).toHaveLength(1)
      emulators.log.clear()
      expectSuccess(await run({ mode: 'apply', 'cluster-ids': kept!, prune: 'true' }))
      expect(writes()).toEqual([])
    })
  })
})
