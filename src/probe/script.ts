// The bundled probe the action deploys, read from beside the action's own bundle (dist/probe.mjs; the
// code calling this may sit in dist/chunks/). ZILLIZ_PRIVATE_LINK_PROBE_SCRIPT names another build of
// it, which is how the tests run the action from source with a probe built from the same source.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export const PROBE_SCRIPT_VARIABLE = 'ZILLIZ_PRIVATE_LINK_PROBE_SCRIPT'
export const PROBE_FILE = 'probe.mjs'

export interface ProbeScript {
  source: string
  /** The handler Lambda calls: <file without extension>.<export> */
  handler: string
  fileName: string
}

async function firstReadable(paths: string[]): Promise<string> {
  for (const path of paths) {
    try {
      return await readFile(path, 'utf8')
    } catch {
      // not there: try the next place
    }
  }
  throw new Error(`The in-network probe script is missing (looked in ${paths.join(', ')}); rebuild the action with npm run package.`)
}

export async function probeScript(env: NodeJS.ProcessEnv = process.env): Promise<ProbeScript> {
  const override = env[PROBE_SCRIPT_VARIABLE]
  const beside = [new URL(PROBE_FILE, import.meta.url), new URL(`../${PROBE_FILE}`, import.meta.url)].map((url) => fileURLToPath(url))
  const source = await firstReadable(override ? [override] : beside)
  return { source, handler: 'probe.handler', fileName: PROBE_FILE }
}
