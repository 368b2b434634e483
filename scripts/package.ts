// Bundles the action into dist/: ESM with code splitting, so the entry chunk (input validation) loads
// no SDK and each provider is its own chunk, loaded only when that provider runs. Also writes the
// third-party licence notices of everything bundled (scripts/notices.ts) and fails on a licence that is
// missing or not allowed.
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { bundledPackages, licenseProblems, NOTICES_FILE, renderNotices } from './notices.js'
import { buildProbe } from './probe-bundle.js'
import { bundleRules } from './bundle-rules.js'

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
const result = await build({
  entryPoints: ['src/index.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // action.yml runs the action on node24, the runtime GitHub provides.
  target: 'node24',
  // The AWS SDK's ES builds tree-shake; its CommonJS builds do not.
  mainFields: ['module', 'main'],
  minify: true,
  legalComments: 'eof',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: banner },
  metafile: true,
  plugins: bundleRules,
  logLevel: 'warning'
})
await writeFile('dist/package.json', '{ "type": "module" }\n')
// The in-network probe is deployed apart from the action (Lambda zip, container argument): one file, no chunks.
await buildProbe('dist/probe.mjs')

const project = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string }
const packages = bundledPackages(result.metafile)
const problems = licenseProblems(packages)
if (problems.length) {
  console.error(`Bundled packages without an allowed licence:\n${problems.map((p) => `  ${p}`).join('\n')}`)
  process.exitCode = 1
}
await writeFile(NOTICES_FILE, renderNotices(packages, project))
