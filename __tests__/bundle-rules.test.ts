import { describe, expect, it } from '@jest/globals'
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { awsSchemasTreeShakable, literalSchemaKeys, toolkitHttpClientDroppable } from '../scripts/bundle-rules.js'

const require = createRequire(import.meta.url)
const ec2Schemas = require.resolve('@aws-sdk/client-ec2').replace(/dist-cjs[/\\]index\.js$/, 'dist-es/schemas/schemas_0.js')

/** Evaluates a module body of plain declarations (no imports) and returns the named bindings. */
function evaluate(source: string, names: string[]): Record<string, unknown> {
  return new Function(`${source}\nreturn { ${names.join(', ')} }`)() as Record<string, unknown>
}

describe('AWS schema modules made tree-shakable', () => {
  const sample = [
    'const _eQN = "ec2QueryName";',
    'const _xN = "xmlName";',
    'const _q = "quoted \\"key\\"";',
    'var Shape$ = [3, "ns", "Shape", 0, ["A", "B"], [[0, { [_eQN]: `A`, [_xN]: _xN }], [0, {\n  [_q]: 1 }]]];',
    'var Other$ = [3, "ns", "Other", 0, [], [], { [unknownName]: 1 }];',
    'const guarded = flag ? [_eQN] : [_xN];'
  ].join('\n')

  it('writes each computed key that names a string constant as that string, and leaves the rest', () => {
    const { source, replaced } = literalSchemaKeys(sample)
    expect(replaced).toBe(3)
    expect(source).toContain('{ "ec2QueryName": `A`, "xmlName": _xN }')
    expect(source).toContain('"quoted \\"key\\"": 1')
    expect(source).toContain('{ [unknownName]: 1 }')
    expect(source).toContain('flag ? [_eQN] : [_xN]')
  })

  it('changes no value: the shapes are deep-equal before and after', () => {
    const prelude = 'const unknownName = "u"; const flag = true;\n'
    const names = ['Shape$', 'Other$', 'guarded']
    expect(evaluate(prelude + literalSchemaKeys(sample).source, names)).toEqual(evaluate(prelude + sample, names))
  })

  it('leaves no computed constant key in the real EC2 schema module', () => {
    const { source, replaced } = literalSchemaKeys(readFileSync(ec2Schemas, 'utf8'))
    expect(replaced).toBeGreaterThan(1000)
    expect(source).not.toMatch(/[{,]\s*\[_[A-Za-z0-9_]+\]:/)
  })

  it('lets a bundle that calls one EC2 operation drop the shapes of the others', async () => {
    const bundle = async (plugins: typeof awsSchemasTreeShakable[]) => {
      const result = await build({
        stdin: { contents: "import { DescribeVpcsCommand } from '@aws-sdk/client-ec2'\nexport { DescribeVpcsCommand }", resolveDir: process.cwd(), loader: 'ts' },
        bundle: true, format: 'esm', platform: 'node', mainFields: ['module', 'main'], minify: true, write: false, plugins, logLevel: 'silent'
      })
      return result.outputFiles[0]!.text
    }
    const [plain, shaken] = await Promise.all([bundle([]), bundle([awsSchemasTreeShakable])])
    expect(plain).toContain('"RunInstancesRequest"')
    expect(shaken).not.toContain('"RunInstancesRequest"')
    expect(shaken).toContain('"DescribeVpcsRequest"')
    expect(shaken.length).toBeLessThan(plain.length / 2)
  })
})

describe('the toolkit without its HTTP client', () => {
  const bundle = async (contents: string) => {
    const result = await build({
      stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true, format: 'esm', platform: 'node', minify: true, write: false, plugins: [toolkitHttpClientDroppable], logLevel: 'silent'
    })
    return result.outputFiles[0]!.text
  }
  // undici's own symbol names survive minification.
  const UNDICI = 'kDispatch'

  it('leaves @actions/http-client and undici out when nothing calls getIDToken', async () => {
    const shaken = await bundle("import * as core from '@actions/core'\nexport const used = [core.setOutput, core.setSecret, core.summary]")
    expect(shaken).not.toContain(UNDICI)
    expect(shaken.length).toBeLessThan(60_000)
  })

  it('keeps them when getIDToken is called', async () => {
    expect(await bundle("import * as core from '@actions/core'\nexport const used = core.getIDToken")).toContain(UNDICI)
  })
})
