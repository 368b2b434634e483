// The lifecycle of proof resources, cloud-neutral: deletes in finally and newest first, deletes started by
// a cancellation before the work notices it, sweeps of expired leftovers only, and what a failed delete says.
// The cloud side of each kind is proven end to end against the emulators (path-analysis-*.test.ts).
import { describe, expect, it } from '@jest/globals'
import { silentLogger } from '../src/base/log.js'
import { EphemeralScope, ephemeralTags, expiryOf, EXPIRES_TAG, PURPOSE_TAG, sweepExpired, withEphemeral, type EphemeralKind, type EphemeralResource } from '../src/engine/ephemeral.js'
import { proofInventory } from '../src/engine/removal.js'
import type { Config } from '../src/config/types.js'

function world() {
  const exists = new Set<string>()
  const deleted: string[] = []
  const make = (name: string, expiresAt?: number, fail?: string): EphemeralResource => {
    exists.add(name)
    return {
      kind: 'test.thing',
      name,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      remove: async () => {
        await Promise.resolve()
        if (fail) throw new Error(fail)
        exists.delete(name)
        deleted.push(name)
      }
    }
  }
  return { exists, deleted, make }
}

describe('a run\'s proof resources', () => {
  it('are deleted in finally, newest first, also when the work throws', async () => {
    const w = world()
    await expect(
      withEphemeral(silentLogger, undefined, async (scope) => {
        await scope.create(async () => w.make('interface'))
        await scope.create(async () => w.make('path'))
        throw new Error('analysis failed')
      })
    ).rejects.toThrow('analysis failed')
    expect(w.deleted).toEqual(['path', 'interface'])
    expect(w.exists.size).toBe(0)
  })

  it('start to go the moment the run is cancelled, and a create in flight goes when it returns', async () => {
    const w = world()
    const abort = new AbortController()
    const scope = new EphemeralScope(silentLogger, abort.signal)
    await scope.create(async () => w.make('interface'))
    let finishCreate: () => void = () => undefined
    const inFlight = scope.create(() => new Promise<EphemeralResource>((resolve) => (finishCreate = () => resolve(w.make('path')))))
    abort.abort()
    // The delete started without anyone calling release: the work has not noticed the cancellation yet.
    await new Promise((r) => setTimeout(r, 0))
    expect(w.deleted).toEqual(['interface'])
    finishCreate()
    await inFlight
    const removals = await scope.release()
    expect(w.deleted).toEqual(['interface', 'path'])
    expect(removals.every((r) => r.deleted)).toBe(true)
    await expect(scope.create(async () => w.make('late'))).rejects.toThrow(/cancelled/)
    expect(w.exists.has('late')).toBe(false)
  })

  it('a failed delete is reported with its expiry, and does not hide the others', async () => {
    const w = world()
    const scope = new EphemeralScope(silentLogger)
    await scope.create(async () => w.make('stuck', Date.UTC(2030, 0, 1), 'DependencyViolation'))
    await scope.create(async () => w.make('fine', Date.UTC(2030, 0, 1)))
    const removals = await scope.release()
    expect(removals).toEqual([
      { kind: 'test.thing', name: 'fine', expiredAt: '2030-01-01T00:00:00.000Z', deleted: true },
      { kind: 'test.thing', name: 'stuck', expiredAt: '2030-01-01T00:00:00.000Z', deleted: false, error: 'DependencyViolation' }
    ])
  })
})

describe('the sweep at the start of a run', () => {
  const now = Date.UTC(2026, 11, 7, 6, 0, 0)

  it('deletes only expired resources of ours, kind by kind, and says which kinds it could not list', async () => {
    const w = world()
    const order: string[] = []
    const kinds: EphemeralKind[] = [
      { kind: 'first', list: async () => (order.push('first'), [w.make('old', now - 1000), w.make('fresh', now + 60_000), w.make('standing')]) },
      { kind: 'denied', list: async () => Promise.reject(new Error('UnauthorizedOperation')) },
      { kind: 'last', list: async () => (order.push('last'), [w.make('old-too', now)]) }
    ]
    const sweep = await sweepExpired(kinds, now, silentLogger)
    expect(order).toEqual(['first', 'last'])
    expect(sweep.removed.map((r) => [r.name, r.deleted])).toEqual([['old', true], ['old-too', true]])
    expect(sweep.unlisted).toEqual([{ kind: 'denied', error: 'UnauthorizedOperation' }])
    expect([...w.exists].sort()).toEqual(['fresh', 'standing'])
  })

  it('lists every kind at once, and deletes a kind only after the kinds before it', async () => {
    const w = world()
    const events: string[] = []
    let answer = () => {}
    const answered = new Promise<void>((resolve) => (answer = resolve))
    const kind = (name: string, made: EphemeralResource): EphemeralKind => ({
      kind: name,
      list: async () => {
        events.push(`list ${name}`)
        // The listings wait for one another: a sweep that lists one kind at a time never gets here twice.
        if (events.filter((e) => e.startsWith('list')).length === 2) answer()
        await answered
        return [{ ...made, remove: async () => (events.push(`delete ${name}`), made.remove()) }]
      }
    })
    const sweep = sweepExpired([kind('path', w.make('p', now - 1)), kind('interface', w.make('i', now - 1))], now, silentLogger)
    await sweep
    expect(events).toEqual(['list path', 'list interface', 'delete path', 'delete interface'])
  })

  it('destroy takes every proof resource, expired or not, into the first removal layer', async () => {
    const w = world()
    const managed = await proofInventory([{ kind: 'test.thing', list: async () => [w.make('fresh', now + 60_000), w.make('standing')] }])
    expect(managed.map((m) => [m.id, m.layer])).toEqual([
      ['proof:test.thing:fresh', 'proof'],
      ['proof:test.thing:standing', 'proof']
    ])
    await Promise.all(managed.map((m) => m.remove({ signal: new AbortController().signal, deadline: now })))
    expect(w.exists.size).toBe(0)
  })
})

describe('the markers a create call carries', () => {
  const config = { zilliz: { projectId: 'proj-1', regionId: 'aws-us-west-2' }, tags: { team: 'search' } } as unknown as Config

  it('ownership, purpose and an expiry in whole seconds a GCP label can hold', () => {
    const tags = ephemeralTags(config, 'path-analysis', Date.UTC(2026, 0, 1), 60 * 60 * 1000, { GITHUB_REPOSITORY: 'octo/repo' })
    expect(tags).toMatchObject({ team: 'search', 'zilliz-private-link:project': 'proj-1', [PURPOSE_TAG]: 'path-analysis', [EXPIRES_TAG]: String(Date.UTC(2026, 0, 1, 1) / 1000) })
    expect(tags[EXPIRES_TAG]).toMatch(/^[0-9]+$/)
    expect(expiryOf(tags[EXPIRES_TAG])).toBe(Date.UTC(2026, 0, 1, 1))
    expect(expiryOf('tomorrow')).toBeUndefined()
    expect(expiryOf(undefined)).toBeUndefined()
  })
})
