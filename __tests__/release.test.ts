// What a release promises: one version everywhere (package.json, the lock file, the user agent, the tag),
// notes in CHANGELOG.md, a release checkout whose workflows name the released action by commit SHA (no
// floating reference), honest runtime claims, and licence notices for everything bundled.
import { describe, expect, it } from '@jest/globals'
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { bundledPackages, licenseProblems, packageDir, renderNotices, type BundledPackage } from '../scripts/notices.js'
import { changelogNotes, floatingReferences, readVersions, stampWorkflow, stampWorkflows, versionProblems } from '../scripts/release.js'
import { USER_AGENT, VERSION } from '../src/version.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
const read = (file: string) => readFileSync(file, 'utf8')
const packageJson = JSON.parse(read('package.json')) as { version: string; engines: { node: string } }

describe('one version', () => {
  it('package.json, the lock file and the user agent agree', () => {
    const versions = readVersions()
    expect(versions).toEqual({ packageJson: packageJson.version, lockFile: packageJson.version, userAgent: packageJson.version })
    expect(VERSION).toBe(packageJson.version)
    expect(USER_AGENT.startsWith(`zilliz-private-link/${packageJson.version}`)).toBe(true)
  })

  it('agrees with the release tag, and names every place that does not', () => {
    expect(versionProblems(`v${packageJson.version}`, readVersions())).toEqual([])
    // In the release workflow the tag is the ref being built.
    if (process.env['GITHUB_REF_TYPE'] === 'tag') expect(versionProblems(process.env['GITHUB_REF_NAME'] ?? '', readVersions())).toEqual([])
    const problems = versionProblems('v9.9.9', { packageJson: '9.9.9', lockFile: '9.9.9', userAgent: '1.0.0' })
    expect(problems).toEqual(['src/version.ts (the user agent) says 1.0.0, the tag v9.9.9'])
    expect(versionProblems('1.0', readVersions())[0]).toContain('not vMAJOR.MINOR.PATCH')
  })

  it('has release notes in CHANGELOG.md', () => {
    const notes = changelogNotes(read('CHANGELOG.md'), packageJson.version)
    expect(notes).toBeDefined()
    expect(notes).not.toMatch(/^## /m)
    expect(changelogNotes('## [1.2.3]\n\nFixed.\n\n## [1.2.2]\n\nOlder.', '1.2.3')).toBe('Fixed.')
    expect(changelogNotes('## [1.2.3]\n', '1.2.4')).toBeUndefined()
  })
})

describe('a release checkout', () => {
  const checkout = () => {
    const root = mkdtempSync(join(tmpdir(), 'zpl-release-'))
    cpSync('.github/workflows', join(root, '.github/workflows'), { recursive: true })
    return root
  }

  it('has floating references to the action before stamping', () => {
    expect(floatingReferences(checkout()).some((ref) => ref.includes('zilliz-private-link@v1'))).toBe(true)
  })

  it('has no floating reference once stamped: the reusable workflow runs the action of its own release', () => {
    const root = checkout()
    const changed = stampWorkflows(root, 'octo-org/zilliz-private-link', SHA, packageJson.version)
    expect(changed).toContain('.github/workflows/private-link.yml')
    expect(floatingReferences(root)).toEqual([])
    const workflow = parse(read(join(root, '.github/workflows/private-link.yml'))) as { jobs: Record<string, { steps?: { uses?: string }[] }> }
    const own = Object.values(workflow.jobs)
      .flatMap((job) => job.steps ?? [])
      .map((step) => step.uses ?? '')
      .filter((uses) => uses.includes('zilliz-private-link'))
    expect(own.length).toBeGreaterThan(0)
    expect(new Set(own)).toEqual(new Set([`octo-org/zilliz-private-link@${SHA}`]))
    // The usage comment at the top is text for readers, not a reference: left as it is.
    expect(read(join(root, '.github/workflows/private-link.yml'))).toContain('#       uses: org/zilliz-private-link/.github/workflows/private-link.yml@v1')
    for (const file of readdirSync(join(root, '.github/workflows'))) expect(read(join(root, '.github/workflows', file))).not.toMatch(/^\s*-?\s*uses:\s*\S+zilliz-private-link\S*@v\d/m)
  })

  it('refuses to stamp anything but a full commit SHA', () => {
    expect(() => stampWorkflow('      - uses: org/zilliz-private-link@v1', 'o/zilliz-private-link', 'v1.0.0', '1.0.0')).toThrow('40-character')
    expect(stampWorkflow('      - uses: org/zilliz-private-link@v1 # latest', 'o/zilliz-private-link', SHA, '1.0.0')).toBe(`      - uses: o/zilliz-private-link@${SHA} # v1.0.0`)
  })

  it('counts a tag or branch of any action as floating, a SHA or a local path not', () => {
    const root = mkdtempSync(join(tmpdir(), 'zpl-floating-'))
    cpSync('.github/workflows/ci.yml', join(root, '.github/workflows/ci.yml'))
    expect(floatingReferences(root)).toEqual([])
  })
})

describe('runtime claims', () => {
  it('runs on node24, and the bundle targets node24', () => {
    expect((parse(read('action.yml')) as { runs: { using: string } }).runs.using).toBe('node24')
    expect(read('scripts/package.ts')).toMatch(/target: 'node24'/)
  })

  it('claims in engines the oldest Node the dependencies accept, and CI tests it and 24', () => {
    const claimed = Number(/^>=(\d+)$/.exec(packageJson.engines.node)?.[1])
    expect(claimed).toBe(22)
    // No installed dependency asks for more than the claim.
    const demands = new Map<string, number>()
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name.startsWith('.')) continue
        if (name.startsWith('@')) {
          walk(join(dir, name))
          continue
        }
        try {
          const manifest = JSON.parse(read(join(dir, name, 'package.json'))) as { name: string; version: string; engines?: { node?: string } }
          const floor = /^>=\s*(\d+)/.exec(manifest.engines?.node ?? '')
          if (floor) demands.set(`${manifest.name}@${manifest.version}`, Number(floor[1]))
        } catch {
          // not a package folder
        }
        try {
          walk(join(dir, name, 'node_modules'))
        } catch {
          // no nested dependencies
        }
      }
    }
    walk('node_modules')
    expect([...demands].filter(([, floor]) => floor > claimed)).toEqual([])
    const ci = parse(read('.github/workflows/ci.yml')) as { jobs: { ci: { strategy: { matrix: { node: number[] } } } } }
    expect(ci.jobs.ci.strategy.matrix.node).toEqual([claimed, 24])
  })
})

describe('licence notices', () => {
  it('finds the package of a bundled file, scoped, nested or not', () => {
    expect(packageDir('node_modules/@azure/identity/dist/esm/index.js')).toBe('node_modules/@azure/identity')
    expect(packageDir('node_modules/a/node_modules/@s/b/lib/x.js')).toBe('node_modules/a/node_modules/@s/b')
    expect(packageDir('src/main.ts')).toBeUndefined()
  })

  it('lists every package esbuild put bytes of into the bundle, with its licence text', () => {
    const metafile = {
      inputs: {},
      outputs: {
        'dist/index.js': {
          bytes: 1,
          imports: [],
          exports: [],
          inputs: { 'node_modules/yaml/dist/index.js': { bytesInOutput: 10 }, 'node_modules/ajv/dist/ajv.js': { bytesInOutput: 0 }, 'src/main.ts': { bytesInOutput: 5 } }
        }
      }
    }
    const packages = bundledPackages(metafile)
    expect(packages.map((p) => p.name)).toEqual(['yaml'])
    expect(packages[0]?.licenseText).toContain('Permission to use')
    expect(renderNotices(packages, { name: 'zilliz-private-link', version: '1.0.0' })).toContain('yaml@')
  })

  it('stops on a licence that is missing or not on the allowed list', () => {
    const base: BundledPackage = { name: 'p', version: '1.0.0', license: 'MIT', dir: 'node_modules/p' }
    expect(licenseProblems([base, { ...base, license: '(MIT OR GPL-3.0)' }])).toEqual([])
    expect(licenseProblems([{ ...base, license: 'GPL-3.0' }])[0]).toContain('not on the allowed list')
    expect(licenseProblems([{ ...base, license: '' }])[0]).toContain('declares no licence')
  })
})
