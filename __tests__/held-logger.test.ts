// Work that runs beside another keeps its log and tells it later in one piece, groups included.
import { describe, expect, it } from '@jest/globals'
import { heldLogger, type Logger } from '../src/base/log.js'

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const logger: Logger = {
    info: (m) => void lines.push(`info ${m}`),
    warning: (m) => void lines.push(`warning ${m}`),
    debug: (m) => void lines.push(`debug ${m}`),
    async group(title, body) {
      lines.push(`group ${title}`)
      try {
        return await body()
      } finally {
        lines.push('endgroup')
      }
    }
  }
  return { logger, lines }
}

describe('a held logger', () => {
  it('says nothing until told, then says everything in order, groups as groups', async () => {
    const held = heldLogger()
    const { logger, lines } = recorder()
    held.info('one')
    const value = await held.group('inner', async () => {
      held.warning('two')
      await Promise.resolve()
      held.debug('three')
      return 7
    })
    held.info('four')
    expect(value).toBe(7)
    expect(lines).toEqual([])
    await held.tell(logger)
    expect(lines).toEqual(['info one', 'group inner', 'warning two', 'debug three', 'endgroup', 'info four'])
  })

  it('closes a group whose work failed, and keeps what it said', async () => {
    const held = heldLogger()
    const { logger, lines } = recorder()
    await expect(held.group('failing', async () => {
      held.info('before')
      throw new Error('no')
    })).rejects.toThrow('no')
    held.info('after')
    await held.tell(logger)
    expect(lines).toEqual(['group failing', 'info before', 'endgroup', 'info after'])
  })
})
