// The Google Cloud in-network probe: a Cloud Run job with Direct VPC egress in the client subnetwork,
// running dist/probe.mjs with `node` from a public Node image as the user's probe service account. The
// create call carries the ownership, purpose and expiry labels; the job is run once (the operation ends
// when the execution has), the result is read back from the execution's stdout in Cloud Logging, and the
// run's ephemeral scope deletes the job. A job a killed run left behind is found again by its name
// prefix and labels and deleted by the next run's sweep.
import type { Config } from '../../config/types.js'
import { EXPIRES_TAG, expiryOf, PURPOSE_TAG, type EphemeralKind, type EphemeralResource, type EphemeralScope } from '../../engine/ephemeral.js'
import { baseName, ownershipOf, ownershipTags } from '../../engine/ownership.js'
import { waitFor } from '../../engine/wait.js'
import { PROBE_NODE_IMAGE } from '../../probe/image.js'
import { parseProbeResult, REQUEST_VARIABLE, RESULT_MARKER, type ProbeRequest, type ProbeResult } from '../../probe/protocol.js'
import { probeScript } from '../../probe/script.js'
import { probeRunToken, type InNetworkProbe } from '../../verify/live-probe.js'
import { isAlreadyExists } from './google-http.js'
import { labelKey, toLabels } from './labels.js'
import { lastSegment } from './names.js'
import type { LoggingApi, RunApi, RunJob } from './run-api.js'

/** The kind of proof resource the GCP probe is, in logs, the summary and destroy */
export const PROBE_JOB_KIND = 'gcp.cloud-run-job'
/** A public image with the Node runtime the probe is built for (src/probe/image.ts) */
export const PROBE_IMAGE = PROBE_NODE_IMAGE
/** Four steps of at most the probe timeout each, the links in parallel */
export const PROBE_TASK_TIMEOUT = '60s'
/** Cloud Logging makes an entry readable within seconds of its write; this bounds the wait for it */
export const LOG_WAIT_MS = 60_000

export interface CloudRunProbeSettings {
  run: RunApi
  logging: LoggingApi
  config: Config
  /** The job's identity (gcp-probe-service-account) */
  serviceAccount: string
  /** projects/P/global/networks/N */
  networkPath: string
  /** projects/P/regions/R/subnetworks/S */
  subnetworkPath: string
  scope: EphemeralScope
  /** Tags for the create call (ephemeralTags), written as labels */
  tags: Record<string, string>
  /** The run's deadline (epoch ms) for the operations and the log read */
  deadline: number
}

/** The job id prefix of every probe job of this project and region; the run token makes each unique. */
export function probeJobPrefix(config: Config): string {
  return `${baseName(config)}-probe-`.toLowerCase()
}

/** Job ids: lowercase letters, digits and hyphens, at most 63, starting with a letter, not ending with a hyphen. */
const jobId = (config: Config) => `${probeJobPrefix(config)}${probeRunToken()}`.slice(0, 63).replace(/-+$/, '')

function jobResource(s: Pick<CloudRunProbeSettings, 'run'>, id: string, labels: Record<string, string> | undefined): EphemeralResource {
  return { kind: PROBE_JOB_KIND, name: id, expiresAt: expiryOf(labels?.[labelKey(EXPIRES_TAG)]), remove: () => s.run.deleteJob(id) }
}

function jobSpec(s: CloudRunProbeSettings, source: string, request: ProbeRequest): RunJob {
  return {
    labels: toLabels(s.tags),
    template: {
      taskCount: 1,
      parallelism: 1,
      template: {
        containers: [
          {
            image: PROBE_IMAGE,
            command: ['node'],
            // The bundled probe itself is the program: nothing is built or pushed for it.
            args: ['--input-type=module', '--eval', source],
            // Host names, ports and the endpoint's IPs only: never a credential.
            env: [{ name: REQUEST_VARIABLE, value: JSON.stringify(request) }]
          }
        ],
        serviceAccount: s.serviceAccount,
        maxRetries: 0,
        timeout: PROBE_TASK_TIMEOUT,
        // Direct VPC egress: the task gets an address in the client subnetwork; all its traffic, DNS
        // included, goes through the network, so its private zones and firewall rules apply.
        vpcAccess: { egress: 'ALL_TRAFFIC', networkInterfaces: [{ network: s.networkPath, subnetwork: s.subnetworkPath }] }
      }
    }
  }
}

/** Creates the job; a create whose answer was lost is found again by its id and our labels, never made twice. */
async function createJob(s: CloudRunProbeSettings, id: string, request: ProbeRequest, signal?: AbortSignal): Promise<EphemeralResource> {
  const script = await probeScript()
  try {
    const operation = await s.run.createJob(id, jobSpec(s, script.source, request))
    const done = await s.run.waitOperation(operation, `Cloud Run job ${id} to be created`, s.deadline, signal)
    if (done.error) throw new Error(`Cloud Run did not create job ${id}: ${done.error.message ?? `code ${done.error.code}`}`)
  } catch (error) {
    if (!isAlreadyExists(error)) throw error
    const existing = await s.run.getJob(id)
    const owned = ownershipOf(existing.labels, toLabels(ownershipTags(s.config)))
    if (!owned.owned) throw new Error(`A Cloud Run job named ${id} exists and is not this action's probe (${owned.reason}); delete or rename it.`)
  }
  return jobResource(s, id, toLabels(s.tags))
}

/** The execution's result line from its stdout, waiting for Cloud Logging to make it readable. */
async function readResult(s: CloudRunProbeSettings, id: string, execution: string, signal?: AbortSignal): Promise<ProbeResult> {
  const filter = [
    'resource.type="cloud_run_job"',
    `resource.labels.job_name="${id}"`,
    `labels."run.googleapis.com/execution_name"="${execution}"`,
    `textPayload:"${RESULT_MARKER.trim()}"`
  ].join(' AND ')
  return waitFor({
    what: `the probe's result in the logs of execution ${execution}`,
    deadline: Math.min(s.deadline, Date.now() + LOG_WAIT_MS),
    signal,
    minDelayMs: 1000,
    poll: async () => {
      const line = (await s.logging.list(filter, 5)).map((e) => e.textPayload ?? '').find((text) => text.includes(RESULT_MARKER))
      const value = line === undefined ? undefined : parseProbeResult(line)
      if (line !== undefined && !value) return { done: false, state: 'unreadable', failed: `the result line is not a probe result: ${line.slice(0, 200)}` }
      return value ? { done: true, state: 'found', value } : { done: false, state: 'not logged yet' }
    }
  })
}

async function runOnce(s: CloudRunProbeSettings, id: string, signal?: AbortSignal): Promise<ProbeResult> {
  const started = await s.run.runJob(id)
  const done = await s.run.waitOperation(started, `execution of Cloud Run job ${id}`, s.deadline, signal)
  const execution = lastSegment(done.metadata?.name ?? done.response?.name ?? started.metadata?.name)
  if (done.error) throw new Error(`the Cloud Run execution ${execution || id} failed: ${done.error.message ?? `code ${done.error.code}`}`)
  if (!execution) throw new Error(`Cloud Run ran job ${id} without naming the execution`)
  return readResult(s, id, execution, signal)
}

export function cloudRunProbe(s: CloudRunProbeSettings): InNetworkProbe {
  return {
    source: `Cloud Run job in ${lastSegment(s.subnetworkPath)} (Direct VPC egress) as ${s.serviceAccount}`,
    run: async (request, signal) => {
      const job = await s.scope.create(() => createJob(s, jobId(s.config), request, signal))
      return runOnce(s, job.name, signal)
    }
  }
}

/** Probe jobs of ours (id prefix, ownership and purpose labels), for the sweep and for destroy. */
export function cloudRunProbeKind(run: RunApi, config: Config): EphemeralKind {
  return {
    kind: PROBE_JOB_KIND,
    list: async () => {
      const prefix = probeJobPrefix(config)
      const wanted = toLabels(ownershipTags(config))
      return (await run.listJobs())
        .filter((job) => lastSegment(job.name).startsWith(prefix) && ownershipOf(job.labels, wanted).owned && job.labels?.[labelKey(PURPOSE_TAG)] === 'probe')
        .map((job) => jobResource({ run }, lastSegment(job.name), job.labels))
    }
  }
}
