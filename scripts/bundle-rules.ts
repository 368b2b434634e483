// Two esbuild rules that keep code the action never runs out of the chunks every run loads. Each was
// measured: loading is CPU on the critical path before the first cloud call (README, Performance).
import { readFile } from 'node:fs/promises'
import type { Plugin } from 'esbuild'

/** An AWS SDK client's generated schema module (one per client, every shape of the service). */
const AWS_SCHEMAS = /@aws-sdk[/\\]client-[a-z0-9-]+[/\\]dist-es[/\\]schemas[/\\]schemas_0\.js$/
/** Top-level string constants of a schema module: `const _eQN = "ec2QueryName";` */
const STRING_CONSTANT = /^const (_[A-Za-z0-9_]+) = ("(?:[^"\\\n]|\\.)*");$/gm
/** A computed object key naming one of those constants: `{ [_eQN]: …` or `, [_xN]: …` */
const COMPUTED_KEY = /([{,]\s*)\[(_[A-Za-z0-9_]+)\]:/g

/**
 * The schema module with each computed key that names a string constant written as that string. The
 * values are the same; what changes is that esbuild can now see each shape's object literal has no side
 * effects, so the shapes no operation we call reaches are dropped (EC2: 552 KB of schemas become ~3 KB).
 */
export function literalSchemaKeys(source: string): { source: string; replaced: number } {
  const constants = new Map<string, string>()
  for (const [, name, value] of source.matchAll(STRING_CONSTANT)) constants.set(name!, value!)
  let replaced = 0
  const rewritten = source.replace(COMPUTED_KEY, (whole, before: string, name: string) => {
    const value = constants.get(name)
    if (value === undefined) return whole
    replaced++
    return `${before}${value}:`
  })
  return { source: rewritten, replaced }
}

export const awsSchemasTreeShakable: Plugin = {
  name: 'aws-schemas-tree-shakable',
  setup(build) {
    build.onLoad({ filter: AWS_SCHEMAS }, async (args) => ({ contents: literalSchemaKeys(await readFile(args.path, 'utf8')).source, loader: 'js' }))
  }
}

/**
 * @actions/core imports @actions/http-client (and with it the npm undici, 405 KB) only for getIDToken,
 * which the action does not call: it asks GitHub for ID tokens itself (src/oidc). Marking the import
 * side-effect free lets esbuild drop it from core's graph; @actions/github still bundles its own copy
 * in the pull-request comment's chunk.
 */
export const toolkitHttpClientDroppable: Plugin = {
  name: 'toolkit-http-client-droppable',
  setup(build) {
    build.onResolve({ filter: /^@actions\/http-client$/ }, async (args) => {
      if (args.pluginData === 'resolving' || !/@actions[/\\]core[/\\]/.test(args.importer)) return undefined
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' })
      return resolved.errors.length ? undefined : { path: resolved.path, sideEffects: false }
    })
  }
}

export const bundleRules: Plugin[] = [awsSchemasTreeShakable, toolkitHttpClientDroppable]
