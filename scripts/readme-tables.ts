// Keeps the README's input and output tables in sync with action.yml.
//   npx tsx scripts/readme-tables.ts          rewrite the tables in README.md
//   npx tsx scripts/readme-tables.ts --check  exit 1 when README.md is out of date
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { readActionInterface, type ActionInput, type ActionInterface, type ActionOutput } from './action-interface.js'

export interface Region {
  name: 'inputs' | 'outputs'
  start: string
  end: string
}

export const REGIONS: readonly Region[] = [
  { name: 'inputs', start: '<!-- inputs:start -->', end: '<!-- inputs:end -->' },
  { name: 'outputs', start: '<!-- outputs:start -->', end: '<!-- outputs:end -->' }
]

const EXAMPLE_PREFIX = 'Example:'

/**
 * Plain text for a table cell: `|` would end the cell, and `<`/`>` would be read as HTML tags and
 * vanish (descriptions use placeholders such as <name>).
 */
export function escapeCellText(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A code span inside a table cell; GitHub unescapes `\|` inside code spans in tables too. */
export function codeCell(value: string): string {
  const fence = value.includes('`') ? '``' : '`'
  const padded = value.startsWith('`') || value.endsWith('`') ? ` ${value} ` : value
  return `${fence}${padded.replace(/\|/g, '\\|')}${fence}`
}

/** A description as one cell: wrapped prose joined into one line, the Example line as code. */
export function describeCell(description: string): string {
  const lines = description.split('\n').map((line) => line.trim()).filter(Boolean)
  const prose = lines.filter((line) => !line.startsWith(EXAMPLE_PREFIX)).join(' ')
  const examples = lines.filter((line) => line.startsWith(EXAMPLE_PREFIX)).map((line) => line.slice(EXAMPLE_PREFIX.length).trim())
  return [escapeCellText(prose), ...examples.map((example) => `Example: ${codeCell(example)}`)].filter(Boolean).join('<br>')
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export function renderInputsTable(inputs: ActionInput[]): string {
  return table(
    ['Input', 'Required', 'Default', 'Description'],
    inputs.map((input) => [
      codeCell(input.name),
      input.required ? 'yes' : 'no',
      input.default === undefined || input.default === '' ? '' : codeCell(input.default),
      describeCell(input.description)
    ])
  )
}

export function renderOutputsTable(outputs: ActionOutput[]): string {
  return table(
    ['Output', 'Description'],
    outputs.map((output) => [codeCell(output.name), describeCell(output.description)])
  )
}

export function renderRegion(region: Region, action: ActionInterface): string {
  return region.name === 'inputs' ? renderInputsTable(action.inputs) : renderOutputsTable(action.outputs)
}

function locate(readme: string, region: Region): { from: number; to: number } {
  const startAt = readme.indexOf(region.start)
  const endAt = readme.indexOf(region.end)
  if (startAt < 0 || endAt < 0 || endAt < startAt)
    throw new Error(`README.md needs the markers ${region.start} and ${region.end}, in that order, around the ${region.name} table`)
  return { from: startAt + region.start.length, to: endAt }
}

/** The text between a region's markers, as committed. */
export function committedRegion(readme: string, region: Region): string {
  const { from, to } = locate(readme, region)
  return readme.slice(from, to).trim()
}

/** The README with every region replaced by the table rendered from action.yml. */
export function updateReadme(readme: string, action: ActionInterface): string {
  return REGIONS.reduce((text, region) => {
    const { from, to } = locate(text, region)
    return `${text.slice(0, from)}\n\n${renderRegion(region, action)}\n\n${text.slice(to)}`
  }, readme)
}

export interface StaleRegion {
  region: Region['name']
  line: number
  expected: string
  found: string
}

/** Regions whose committed table differs from the rendered one, with the first line that differs. */
export function staleRegions(readme: string, action: ActionInterface): StaleRegion[] {
  return REGIONS.flatMap((region) => {
    const expected = renderRegion(region, action).split('\n')
    const found = committedRegion(readme, region).split('\n')
    const index = expected.findIndex((line, i) => line !== found[i])
    const at = index >= 0 ? index : expected.length < found.length ? expected.length : -1
    return at < 0 ? [] : [{ region: region.name, line: at + 1, expected: expected[at] ?? '(nothing)', found: found[at] ?? '(nothing)' }]
  })
}

function formatStale(stale: StaleRegion[]): string {
  const details = stale.map((s) => `  ${s.region} table, row ${s.line}:\n    expected: ${s.expected}\n    found:    ${s.found}`)
  return ['README.md is out of date with action.yml:', ...details, 'Run `npx tsx scripts/readme-tables.ts` and commit README.md.'].join('\n')
}

async function main(args: string[]): Promise<number> {
  const root = new URL('../', import.meta.url)
  const readmePath = fileURLToPath(new URL('README.md', root))
  const [action, readme] = await Promise.all([readActionInterface(fileURLToPath(new URL('action.yml', root))), readFile(readmePath, 'utf8')])
  if (args.includes('--check')) {
    const stale = staleRegions(readme, action)
    if (!stale.length) return 0
    console.error(formatStale(stale))
    return 1
  }
  const updated = updateReadme(readme, action)
  if (updated !== readme) await writeFile(readmePath, updated)
  console.log(updated === readme ? 'README.md tables are up to date.' : 'README.md tables rewritten from action.yml.')
  return 0
}

// Runs only as a script, so tests can import the renderer.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error((error as Error).message)
      process.exitCode = 1
    }
  )
}
