// Builds the in-network probe (src/probe/main.ts) into one self-contained ES module: Node built-ins only,
// so it runs as a Lambda function, as `node` in any public Node image, or from a shell.
import { build } from 'esbuild'

/** Lambda's oldest supported Node runtime the probe is deployed on is nodejs20.x; the images are node:22. */
export const PROBE_TARGET = 'node20'

export async function buildProbe(outfile: string): Promise<{ bytes: number }> {
  const result = await build({
    entryPoints: ['src/probe/main.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: PROBE_TARGET,
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning'
  })
  const output = Object.values(result.metafile.outputs)[0]
  return { bytes: output?.bytes ?? 0 }
}
