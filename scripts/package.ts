// Bundles the action into dist/: ESM with code splitting, so the entry chunk (input validation) loads
// no SDK and each provider is its own chunk, loaded only when that provider runs.
import { build } from 'esbuild'
import { rm, writeFile } from 'node:fs/promises'

// Some SDK dependencies are CommonJS and call require() or read __dirname at load time.
const banner = [
  "import { createRequire as __zplCreateRequire } from 'node:module';",
  "import { fileURLToPath as __zplFileURLToPath } from 'node:url';",
  "import { dirname as __zplDirname } from 'node:path';",
  'const require = __zplCreateRequire(import.meta.url);',
  'const __filename = __zplFileURLToPath(import.meta.url);',
  'const __dirname = __zplDirname(__filename);'
].join('\n')

await rm('dist', { recursive: true, force: true })
await build({
  entryPoints: ['src/index.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The AWS SDK's ES builds tree-shake; its CommonJS builds do not.
  mainFields: ['module', 'main'],
  minify: true,
  legalComments: 'eof',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: banner },
  logLevel: 'warning'
})
await writeFile('dist/package.json', '{ "type": "module" }\n')
