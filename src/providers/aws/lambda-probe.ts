// The AWS in-network probe: a Lambda function in the client subnet with the client security groups,
// running dist/probe.mjs under the user's execution role. Created with the ownership, purpose and expiry
// tags in the CreateFunction call itself, waited for until Active (Lambda sets up its VPC interfaces while
// Pending), invoked synchronously once, deleted by the run's ephemeral scope; a function a killed run
// left behind is found again by its name prefix and tags and deleted by the next run's sweep.
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  ListTagsCommand,
  paginateListFunctions,
  type LambdaClient
} from '@aws-sdk/client-lambda'
import type { Config } from '../../config/types.js'
import { EXPIRES_TAG, expiryOf, PURPOSE_TAG, type EphemeralKind, type EphemeralResource, type EphemeralScope } from '../../engine/ephemeral.js'
import { baseName, ownershipOf, ownershipTags } from '../../engine/ownership.js'
import { waitFor } from '../../engine/wait.js'
import { parseProbeResult, type ProbeRequest, type ProbeResult } from '../../probe/protocol.js'
import { probeScript } from '../../probe/script.js'
import { zipOneFile } from '../../probe/zip.js'
import { probeRunToken, type InNetworkProbe } from '../../verify/live-probe.js'
import { PROBE_FUNCTION_KIND } from './probe-network.js'

/** The Node runtime the probe is built for (scripts/probe-bundle.ts targets node20 and up) */
export const PROBE_RUNTIME = 'nodejs22.x'
/** Lambda's smallest size: the probe is four network round trips per link */
export const PROBE_MEMORY_MB = 128
/** Four steps of at most the probe timeout each, the links in parallel, and a cold start */
export const PROBE_TIMEOUT_SECONDS = 60

export interface LambdaProbeSettings {
  lambda: LambdaClient
  config: Config
  /** The user's execution role (aws-probe-role-arn) */
  roleArn: string
  subnetId: string
  securityGroupIds: string[]
  /** The groups as the proof names them, e.g. 'sg-0a1… (the VPC's default group)' */
  groupsSaid?: string
  /** The run's proof resources: the function is created through it and deleted when it is released */
  scope: EphemeralScope
  /** Tags for the create call: ownership, purpose and expiry (ephemeralTags) */
  tags: Record<string, string>
  /** The run's deadline (epoch ms) for the Pending → Active wait */
  deadline: number
}

/** The name prefix of every probe function of this project and region; the run attempt makes each one unique. */
export function probeFunctionPrefix(config: Config): string {
  return `${baseName(config)}-probe-`
}

const isNotFound = (error: unknown) => (error as Error).name === 'ResourceNotFoundException'

function functionResource(lambda: LambdaClient, name: string, tags: Record<string, string> | undefined): EphemeralResource {
  return {
    kind: PROBE_FUNCTION_KIND,
    name,
    expiresAt: expiryOf(tags?.[EXPIRES_TAG]),
    remove: async () => {
      try {
        await lambda.send(new DeleteFunctionCommand({ FunctionName: name }))
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
    }
  }
}

/** Creates the function; a create whose answer was lost is found again by its name and our tags, never made twice. */
async function createFunction(s: LambdaProbeSettings, name: string): Promise<EphemeralResource> {
  const script = await probeScript()
  try {
    await s.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Description: 'zilliz-private-link in-network probe: DNS, TCP, TLS and HTTPS to the private link; deleted after one run',
        Runtime: PROBE_RUNTIME,
        Role: s.roleArn,
        Handler: script.handler,
        Code: { ZipFile: zipOneFile(script.fileName, script.source) },
        Timeout: PROBE_TIMEOUT_SECONDS,
        MemorySize: PROBE_MEMORY_MB,
        VpcConfig: { SubnetIds: [s.subnetId], SecurityGroupIds: s.securityGroupIds },
        Tags: s.tags
      })
    )
  } catch (error) {
    if ((error as Error).name !== 'ResourceConflictException') throw error
    const existing = await s.lambda.send(new GetFunctionCommand({ FunctionName: name }))
    const owned = ownershipOf(existing.Tags, ownershipTags(s.config))
    if (!owned.owned) throw new Error(`A Lambda function named ${name} exists and is not this action's probe (${owned.reason}); delete or rename it.`)
  }
  return functionResource(s.lambda, name, s.tags)
}

async function waitUntilActive(s: LambdaProbeSettings, name: string, signal?: AbortSignal): Promise<void> {
  await waitFor({
    what: `Lambda function ${name} to become Active`,
    deadline: s.deadline,
    signal,
    poll: async () => {
      const { Configuration: c } = await s.lambda.send(new GetFunctionCommand({ FunctionName: name }), { abortSignal: signal })
      const state = c?.State ?? 'unknown'
      if (state === 'Failed') return { done: false, state, failed: `${c?.StateReasonCode ?? 'Failed'}: ${c?.StateReason ?? 'no reason given'}` }
      return { done: state === 'Active', state: `State=${state}` }
    }
  })
}

async function invoke(s: LambdaProbeSettings, name: string, request: ProbeRequest, signal?: AbortSignal): Promise<ProbeResult> {
  const out = await s.lambda.send(
    new InvokeCommand({ FunctionName: name, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(request)) }),
    { abortSignal: signal }
  )
  const payload = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8')
  if (out.FunctionError) {
    const { errorType, errorMessage } = (JSON.parse(payload || '{}') ?? {}) as { errorType?: string; errorMessage?: string }
    throw new Error(`the function failed (${out.FunctionError}): ${errorType ?? 'Error'}: ${errorMessage ?? payload}`)
  }
  const result = parseProbeResult(payload)
  if (!result) throw new Error(`the function answered without a probe result: ${payload.slice(0, 200)}`)
  return result
}

export function lambdaProbe(s: LambdaProbeSettings): InNetworkProbe {
  return {
    source: `Lambda probe in ${s.subnetId} with ${s.groupsSaid ?? s.securityGroupIds.join(', ')}`,
    run: async (request, signal) => {
      const fn = await s.scope.create(() => createFunction(s, `${probeFunctionPrefix(s.config)}${probeRunToken()}`.slice(0, 64)))
      await waitUntilActive(s, fn.name, signal)
      return invoke(s, fn.name, request, signal)
    }
  }
}

/** Probe functions of ours (name prefix, ownership and purpose tags), for the sweep and for destroy. */
export function lambdaProbeKind(lambda: LambdaClient, config: Config): EphemeralKind {
  return {
    kind: PROBE_FUNCTION_KIND,
    list: async () => {
      const prefix = probeFunctionPrefix(config)
      const found: EphemeralResource[] = []
      for await (const page of paginateListFunctions({ client: lambda }, {})) {
        for (const fn of page.Functions ?? []) {
          if (!fn.FunctionName?.startsWith(prefix) || !fn.FunctionArn) continue
          const { Tags } = await lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn }))
          if (ownershipOf(Tags, ownershipTags(config)).owned && Tags?.[PURPOSE_TAG] === 'probe') found.push(functionResource(lambda, fn.FunctionName, Tags))
        }
      }
      return found
    }
  }
}
