// The README's input and output tables are generated from action.yml; this keeps them from drifting.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseActionInterface, type ActionInterface } from '../scripts/action-interface.js'
import {
  committedRegion,
  describeCell,
  REGIONS,
  renderInputsTable,
  renderOutputsTable,
  renderRegion,
  staleRegions,
  updateReadme
} from '../scripts/readme-tables.js'

const actionYml = readFileSync(resolve('action.yml'), 'utf8')
const readme = readFileSync(resolve('README.md'), 'utf8')
const action = parseActionInterface(actionYml)

/** Splits a markdown table row into cells, honouring `\|` escapes. */
function cells(row: string): string[] {
  return row
    .replace(/^\|\s?/, '')
    .replace(/\s?\|$/, '')
    .split(/\s\|\s/)
}

describe('action.yml as read by the script', () => {
  it('lists every input and output in file order', () => {
    const names = [...actionYml.matchAll(/^ {2}([a-z0-9-]+):\s*$/gm)].map((m) => m[1])
    expect([...action.inputs.map((i) => i.name), ...action.outputs.map((o) => o.name)]).toEqual(names)
  })

  it('keeps required flags and declared defaults', () => {
    const byName = new Map(action.inputs.map((i) => [i.name, i]))
    expect(byName.get('zilliz-api-key')).toMatchObject({ required: true })
    expect(byName.get('zilliz-api-key')?.default).toBeUndefined()
    expect(byName.get('mode')).toMatchObject({ required: false, default: 'auto' })
    expect(byName.get('fail-on-changes')?.default).toBe('false')
  })
})

describe('the committed README', () => {
  it.each(REGIONS.map((r) => [r.name, r] as const))('has the %s table rendered from action.yml', (_name, region) => {
    expect(committedRegion(readme, region)).toBe(renderRegion(region, action))
  })

  it('needs no rewrite', () => {
    expect(staleRegions(readme, action)).toEqual([])
    expect(updateReadme(readme, action)).toBe(readme)
  })
})

describe('the renderer', () => {
  const piped: ActionInterface = {
    inputs: [{ name: 'separator', description: 'Either a|b or c.\nExample: a|b', required: false, default: 'x|y' }],
    outputs: [{ name: 'choice', description: 'One of left|right.' }]
  }

  it('escapes | so a description cannot split its row', () => {
    const [, , row] = renderInputsTable(piped.inputs).split('\n')
    expect(row).toBe('| `separator` | no | `x\\|y` | Either a\\|b or c.<br>Example: `a\\|b` |')
    expect(cells(row as string)).toHaveLength(4)
    expect(renderOutputsTable(piped.outputs).split('\n')[2]).toBe('| `choice` | One of left\\|right. |')
  })

  it('escapes angle brackets, which GitHub would drop as HTML tags', () => {
    expect(describeCell('arn:aws:iam::<account>:role/<name>')).toBe('arn:aws:iam::&lt;account&gt;:role/&lt;name&gt;')
  })

  it('joins wrapped lines and sets the example apart as code', () => {
    expect(describeCell('First line\ncontinues here.\nExample: 10.0.0.0/16')).toBe('First line continues here.<br>Example: `10.0.0.0/16`')
  })

  it('replaces only the text between the markers', () => {
    const stale = readme.replace(/\| `mode` \| no \|/, '| `mode` | yes |')
    expect(staleRegions(stale, action)).toEqual([expect.objectContaining({ region: 'inputs', found: expect.stringContaining('| `mode` | yes |') })])
    expect(updateReadme(stale, action)).toBe(readme)
  })

  it('names the missing marker', () => {
    expect(() => updateReadme('# No tables here\n', action)).toThrow('<!-- inputs:start -->')
  })
})
