// The probe built from source once per test process, the same way the package step builds dist/probe.mjs,
// and made the one the action deploys (ZILLIZ_PRIVATE_LINK_PROBE_SCRIPT).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildProbe } from '../../scripts/probe-bundle.js'
import { PROBE_SCRIPT_VARIABLE } from '../../src/probe/script.js'

let built: Promise<string> | undefined

export function builtProbe(): Promise<string> {
  built ??= (async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'zpl-probe-')), 'probe.mjs')
    await buildProbe(path)
    process.env[PROBE_SCRIPT_VARIABLE] = path
    return path
  })()
  return built
}
