// npm run emulators: starts the emulated clouds and Zilliz and writes .env.emulators with the
// variables and inputs an AWS run against them needs, e.g. for `npm run local` or a manual
// `node dist/index.js`. Runs until interrupted.
import { writeFile } from 'node:fs/promises'
import { registerAmbientCredentials } from '../emulators/aws/index.js'
import { awsInputs, startEmulators } from '../emulators/index.js'

const emulators = await startEmulators({ zilliz: { acceptanceDelayMs: 1500 } })
// Ambient keys, not OIDC: @github/local-action cannot mint GitHub ID tokens.
const keys = registerAmbientCredentials(emulators.world)
const env = {
  ...emulators.env,
  ...awsInputs(emulators, { mode: 'apply', 'aws-role-arn': '' }),
  AWS_ACCESS_KEY_ID: keys.accessKeyId,
  AWS_SECRET_ACCESS_KEY: keys.secretAccessKey
}
const lines = Object.entries(env).map(([name, value]) => `${name}=${value}`)
await writeFile('.env.emulators', `${lines.join('\n')}\n`)
console.log(`Emulators listening; wrote .env.emulators:\n${lines.join('\n')}\n\nTry: cp .env.emulators .env && npm run local, or: set -a; . ./.env.emulators; node dist/index.js`)
const stop = async () => {
  await emulators.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
