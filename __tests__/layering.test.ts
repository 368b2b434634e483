// The module layering holds: no import circles in src/, and the ground floor imports nothing above it.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const SRC = resolve('src')
/** Folders of the ground floor: they may import each other, never the floors above. */
const GROUND_FLOOR = ['base', 'config', 'zilliz']

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Relative imports of one file (static, dynamic and type-only), as paths under src/. */
function projectImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!)
  return specifiers.map((s) => relative(SRC, resolve(dirname(file), s.replace(/\.js$/, '.ts'))))
}

const graph = new Map(sourceFiles(SRC).map((file) => [relative(SRC, file), projectImports(file)]))

function findCycle(): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node]
    state.set(node, 'open')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next)
      if (cycle) return cycle
    }
    stack.pop()
    state.set(node, 'done')
    return undefined
  }
  for (const node of graph.keys()) {
    const cycle = visit(node)
    if (cycle) return cycle
  }
  return undefined
}

describe('module layering', () => {
  it('reads the source tree', () => {
    expect(graph.size).toBeGreaterThan(50)
    expect(graph.get('base/retry.ts')).toEqual(['base/timing.ts'])
  })

  it('has no import circles', () => {
    expect(findCycle()).toBeUndefined()
  })

  it('keeps the ground floor free of imports from the floors above', () => {
    const upward = [...graph].flatMap(([file, imports]) =>
      GROUND_FLOOR.includes(file.split('/')[0]!)
        ? imports.filter((target) => !GROUND_FLOOR.includes(target.split('/')[0]!)).map((target) => `${file} -> ${target}`)
        : []
    )
    expect(upward).toEqual([])
  })

  it('keeps the data-plane proof out of the engine: src/execute.ts composes the two', () => {
    const engineToVerify = [...graph].flatMap(([file, imports]) =>
      file.startsWith('engine/') ? imports.filter((target) => target.startsWith('verify/')).map((target) => `${file} -> ${target}`) : []
    )
    expect(engineToVerify).toEqual([])
    expect(graph.get('execute.ts')).toEqual(expect.arrayContaining(['engine/reconcile.ts', 'verify/in-network-proof.ts']))
  })
})
