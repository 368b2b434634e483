// Services that echo what they were sent must not turn the action into a leak: every service answers with an
// error that repeats the request (headers and body, as sent and base64-encoded, and the authorization in a
// response header), and no sink (log, job summary, outputs with the plan JSON and markdown, pull request
// comment) may hold a secret the run handled, in any encoding.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { azureInputs } from '../emulators/azure/index.js'
import { gcpInputs } from '../emulators/gcp/index.js'
import { startGitHubApi, type GitHubApi } from '../emulators/github/index.js'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { ZILLIZ_SEED } from '../emulators/zilliz.js'
import { unmaskedLog } from './support/expectations.js'
import { runAction, type ActionRun } from './support/run-action.js'

const GITHUB_TOKEN = 'ghs_echo0000000000000000000000000000000'
const REPOSITORY = 'octo-org/octo-repo'
const PR = 7

let emulators: Emulators
let github: GitHubApi
let eventEnv: Record<string, string>
beforeAll(async () => {
  emulators = await startEmulators()
  github = await startGitHubApi({ log: emulators.log, switches: emulators.switches })
  github.api.grant(GITHUB_TOKEN)
  github.api.openPullRequest(REPOSITORY, PR)
  const eventPath = join(await mkdtemp(join(tmpdir(), 'zpl-echo-')), 'event.json')
  await writeFile(eventPath, JSON.stringify({ pull_request: { number: PR, head: { sha: 'a'.repeat(40) } }, repository: { full_name: REPOSITORY } }))
  eventEnv = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath, GITHUB_API_URL: github.url, GITHUB_REPOSITORY: REPOSITORY }
})
afterAll(async () => {
  await github.close()
  await emulators.close()
})
beforeEach(() => {
  emulators.switches.reset()
  emulators.log.clear()
})

/** Every secret the emulated world handed out or was given. */
function allSecrets(): string[] {
  const aws = [...emulators.world.credentials.values()].flatMap((c) => [c.secretAccessKey, c.sessionToken ?? ''])
  return [
    ZILLIZ_SEED.apiKey,
    GITHUB_TOKEN,
    emulators.aws.oidc.requestToken,
    ...emulators.aws.oidc.tokens,
    ...aws,
    ...emulators.gcp.tokens.issued.map((t) => t.token),
    ...emulators.azure.tokens.all()
  ].filter((secret) => secret.length >= 16)
}

/**
 * Pieces of 16 characters: any leak of 32 contiguous characters contains one whole. A JWT's header and
 * claims encode public facts (the repository, the audience) that other text may encode the same way, so of
 * a JWT only the signature is cut into pieces, besides the whole token.
 */
function pieces(secret: string): string[] {
  const parts = secret.split('.')
  const text = parts.length === 3 ? (parts[2] ?? '') : secret
  return [secret, ...Array.from({ length: Math.floor(text.length / 16) }, (_, i) => text.slice(i * 16, i * 16 + 16))]
}

/** What base64 runs in the text decode to, at every character offset (a redaction can cut a run anywhere). */
function decodedRuns(text: string): string {
  const runs = text.match(/[A-Za-z0-9+/_-]{16,}/g) ?? []
  return runs
    .flatMap((run) => [0, 1, 2, 3].map((offset) => run.slice(offset, offset + Math.floor((run.length - offset) / 4) * 4)))
    .flatMap((run) => [Buffer.from(run, 'base64').toString('latin1'), Buffer.from(run, 'base64url').toString('latin1')])
    .join('\n')
}

function expectNoSecretBytes(sinks: Record<string, string>, secrets: string[]): void {
  for (const [sink, text] of Object.entries(sinks)) {
    const encoded = `${text}\n${decodeURIComponentSafe(text)}\n${decodedRuns(text)}`
    for (const secret of secrets) {
      const leaked = pieces(secret).find((piece) => encoded.includes(piece))
      if (leaked) throw new Error(`${sink} holds part of a secret (${secret.slice(0, 6)}…): ${leaked}`)
    }
  }
}

function decodeURIComponentSafe(text: string): string {
  return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run
    }
  })
}

function sinksOf(result: ActionRun): Record<string, string> {
  const comment = github.api.commentsOn(REPOSITORY, PR).map((c) => c.body).join('\n')
  return {
    log: unmaskedLog(result),
    summary: result.summary,
    ...Object.fromEntries(Object.entries(result.outputs).map(([name, value]) => [`output ${name}`, value])),
    'pull request comment': comment
  }
}

type Cloud = 'aws' | 'gcp' | 'azure'
const inputsOf: Record<Cloud, (overrides: Record<string, string>) => Record<string, string>> = {
  aws: (o) => awsInputs(emulators, o),
  gcp: (o) => gcpInputs(emulators.zillizUrl, o),
  azure: (o) => azureInputs(emulators.zillizUrl, o)
}

// Each service of each cloud, with an error code it might send back. The first answer is a retryable 503 (so
// the echo reaches the retry warning), the next a refusal that ends the run (so it reaches the error). The
// GitHub ID token is asked for again on every attempt of the exchange, so its refusal is repeated.
const SERVICES: [Cloud, string, string, number?][] = [
  ['aws', 'oidc', 'Unauthorized', 4],
  ['gcp', 'oidc', 'Unauthorized', 4],
  ['azure', 'oidc', 'Unauthorized', 4],
  ['aws', 'sts', 'ValidationError'],
  ['aws', 'ec2', 'InvalidParameterValue'],
  ['aws', 'route53', 'InvalidInput'],
  ['aws', 'zilliz', '1000'],
  ['gcp', 'gcp-sts', 'invalid_request'],
  ['gcp', 'gcp-iam', 'badRequest'],
  ['gcp', 'gcp-compute', 'badRequest'],
  ['gcp', 'gcp-dns', 'badRequest'],
  ['gcp', 'zilliz', '1000'],
  ['azure', 'entra', 'invalid_request'],
  ['azure', 'arm', 'InvalidRequestContent'],
  ['azure', 'zilliz', '1000']
]

async function runWithEchoes(cloud: Cloud, service: string, code: string, refusals: number, mode: string): Promise<void> {
  emulators.switches.inject({ service, operation: '*', status: 503, code: 'ServiceUnavailable', message: 'Echoed outage', times: 1, echo: true })
  emulators.switches.inject({ service, operation: '*', status: 400, code, message: 'Echoed refusal', times: refusals, echo: true })
  const inputs = inputsOf[cloud]({ mode, 'comment-on-pr': 'true', 'github-token': GITHUB_TOKEN })
  const result = await runAction({ ...emulators.env, ...inputs, ...(mode === 'plan' ? eventEnv : {}) })
  const sinks = sinksOf(result)
  // The echo did reach the action (the faults were used), so the absence of secrets means something.
  expect(emulators.log.calls(service).filter((c) => c.status === 503)).toHaveLength(1)
  expect(Object.values(sinks).join('\n')).toContain('you sent')
  const secrets = allSecrets()
  expect(secrets.length).toBeGreaterThanOrEqual(3)
  expectNoSecretBytes(sinks, secrets)
}

describe.each(SERVICES)('%s: %s echoes the request in its errors', (cloud, service, code, refusals = 1) => {
  it.each(['plan', 'apply'])('no secret reaches any sink in %s', (mode) => runWithEchoes(cloud, service, code, refusals, mode), 60_000)
})

describe('the GitHub API echoes the request in its errors', () => {
  it.each(['aws', 'gcp', 'azure'] as Cloud[])('no secret reaches any sink of a %s plan with a pull request comment', (cloud) => runWithEchoes(cloud, 'github', 'BadRequest', 1, 'plan'), 60_000)
})
