// One observation per run: identical reads share the first answer until writes start, a failed read is
// asked again, and while the plan runs every read goes to the cloud.
import { describe, expect, it } from '@jest/globals'
import { Observations } from '../src/base/observations.js'

describe('Observations', () => {
  const counter = () => {
    let n = 0
    return { read: async () => ++n, count: () => n }
  }

  it('answers identical reads once and different reads apart', async () => {
    const o = new Observations()
    const c = counter()
    expect(await Promise.all([o.read('a', c.read), o.read('a', c.read), o.read('b', c.read)])).toEqual([1, 1, 2])
    expect(c.count()).toBe(2)
    expect(o.shared).toBe(1)
  })

  it('does not keep a failed read', async () => {
    const o = new Observations()
    await expect(o.read('a', () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled')
    expect(await o.read('a', async () => 'fresh')).toBe('fresh')
  })

  it('reads through while writing, and forgets what was read before the writes', async () => {
    const o = new Observations()
    const c = counter()
    await o.read('a', c.read)
    o.writing()
    expect([await o.read('a', c.read), await o.read('a', c.read)]).toEqual([2, 3])
    o.written()
    expect([await o.read('a', c.read), await o.read('a', c.read)]).toEqual([4, 4])
  })
})
