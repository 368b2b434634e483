// Cloud Run Admin API v2 jobs, for the job the action runs as its in-network probe, and the Cloud
// Logging v2 entries.list it reads the result back with. Every request is first held to the discovery
// documents (run.v2 and logging.v2 subsets, __tests__/fixtures/specs/gcp); the lifecycle follows the
// Cloud Run documentation: jobs.create, jobs.run and jobs.delete answer long-running operations, the one
// of jobs.run is done when the execution has finished (its error says the task failed), and a task's
// stdout lines become log entries of resource type cloud_run_job, labelled with the execution name,
// readable after an ingestion delay. An execution really runs the container's command (`node …` from a
// Node image) in a process in the client subnetwork (emulators/dataplane/subnet-sandbox.ts): its
// resolver is the network's (private zones bound to it) and the network's egress firewall rules drop
// what they deny (emulators/dataplane/gcp-network.ts).
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Classified, EmulatorRequest, EmulatorResponse, Service } from '../core/service.js'
import { startUnansweredPort, type DeadEnd } from '../dataplane/dead-ends.js'
import { egressAllowed, networkName } from '../dataplane/gcp-network.js'
import { runInSubnet, type DroppedPaths, type SubnetResolver } from '../dataplane/subnet-sandbox.js'
import type { AccessTokens } from './access-tokens.js'
import { pathOf, type ComputeState } from './compute-model.js'
import { GoogleError, answer, findRoute, googleErrorResponse, invalid, json, jsonBody, type Route } from './google-wire.js'

export interface CloudRunOptions {
  project: string
  compute: ComputeState
  /** Service accounts the caller may act as (iam.serviceAccounts.actAs); others are refused on create */
  actAs?: string[]
  /** Time a jobs.create operation stays running */
  createDelayMs?: number
  /** Time before a task's container starts (image pull, network interface in the subnetwork) */
  startDelayMs?: number
  /** Time between a log line's write and its appearing in entries.list */
  logDelayMs?: number
  now?: () => number
}

interface Container {
  image: string
  command: string[]
  args: string[]
  env: { name: string; value: string }[]
}

export interface JobRecord {
  id: string
  name: string
  labels: Record<string, string>
  container: Container
  serviceAccount?: string
  network: string
  subnetwork: string
  region: string
  timeoutSeconds: number
  createdAt: number
  uid: string
  /** The create request as sent, for tests that look for what the job must never hold */
  request: string
}

export interface ExecutionRecord {
  name: string
  job: string
  startedAt: number
  completedAt?: number
  exitCode?: number | null
  timedOut?: boolean
  stdout?: string
  ms?: number
}

interface OperationRecord {
  name: string
  doneAt?: number
  done?: () => boolean
  metadata: Record<string, unknown>
  response?: () => Record<string, unknown>
  error?: () => { code: number; message: string } | undefined
}

export interface LogEntryRecord {
  logName: string
  resource: { type: string; labels: Record<string, string> }
  labels: Record<string, string>
  textPayload: string
  timestamp: string
  /** Epoch ms of the write; readable logDelayMs later */
  writtenAt: number
  insertId: string
}

type Handler = (params: string[], req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>

const JOB_ID = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/
const MAX_ENV_VALUE = 32_768
const L = '^/v2/projects/([^/]+)/locations/([^/]+)'
const iso = (ms: number) => new Date(ms).toISOString()
const seconds = (duration: unknown, fallback: number) => {
  const match = typeof duration === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(duration) : null
  if (duration !== undefined && !match) throw invalid(`Invalid duration: ${String(duration)}`)
  return match ? Number(match[1]) : fallback
}

export class CloudRunEmulator implements Service {
  readonly name = 'gcp-run'
  readonly jobs = new Map<string, JobRecord>()
  /** Every job ever created, deleted ones included */
  readonly created: JobRecord[] = []
  readonly executions: ExecutionRecord[] = []
  /** What the tasks wrote, as Cloud Logging holds it (LoggingEmulator reads it) */
  readonly logs: LogEntryRecord[] = []
  /** Network name → the resolver a task with Direct VPC egress in it gets */
  readonly resolvers = new Map<string, SubnetResolver>()
  readonly settings: { createDelayMs: number; startDelayMs: number; logDelayMs: number; actAs: Set<string> }
  private readonly operations = new Map<string, OperationRecord>()
  private readonly running = new Set<Promise<void>>()
  private readonly now: () => number
  private hole?: Promise<DeadEnd>
  /** Ends the start delays of executions still waiting when the emulator closes */
  private readonly closing = new AbortController()
  private readonly routes: Route<Handler>[] = [
    { method: 'POST', pattern: new RegExp(`${L}/jobs$`), operation: 'jobs.create', write: true, handler: (p, req) => this.create(p, req) },
    { method: 'GET', pattern: new RegExp(`${L}/jobs$`), operation: 'jobs.list', write: false, handler: (p, req) => this.list(p, req) },
    { method: 'GET', pattern: new RegExp(`${L}/jobs/([^/:]+)$`), operation: 'jobs.get', write: false, handler: (p) => json(200, this.view(this.job(p))) },
    { method: 'DELETE', pattern: new RegExp(`${L}/jobs/([^/:]+)$`), operation: 'jobs.delete', write: true, handler: (p) => this.remove(p) },
    { method: 'POST', pattern: new RegExp(`${L}/jobs/([^/:]+):run$`), operation: 'jobs.run', write: true, handler: (p) => this.run(p) },
    { method: 'GET', pattern: new RegExp(`${L}/operations/([^/:]+)$`), operation: 'operations.get', write: false, handler: (p) => this.operation(p) }
  ]

  constructor(
    private readonly tokens: AccessTokens,
    private readonly options: CloudRunOptions
  ) {
    this.now = options.now ?? Date.now
    this.settings = { createDelayMs: options.createDelayMs ?? 50, startDelayMs: options.startDelayMs ?? 50, logDelayMs: options.logDelayMs ?? 200, actAs: new Set(options.actAs ?? []) }
  }

  classify(req: EmulatorRequest): Classified {
    const found = findRoute(this.routes, req)
    return { operation: found?.route.operation ?? 'unknown', write: found?.route.write ?? req.method !== 'GET' }
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answer(() => {
      const found = findRoute(this.routes, req)
      if (!found) throw new GoogleError(404, 'notFound', `No route for ${req.method} ${req.url.pathname}`)
      this.tokens.authenticate(req)
      const [project = '', region = '', ...params] = found.params
      if (project !== this.options.project) throw new GoogleError(403, 'forbidden', `Permission denied on resource project ${project}.`)
      return found.route.handler([region, ...params], req)
    })
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return googleErrorResponse(status, code, message)
  }

  /** Waits for executions still running (a test's close). */
  async close(): Promise<void> {
    this.closing.abort()
    await Promise.all([...this.running])
    await (await this.hole)?.close()
  }

  private jobName(region: string, id: string): string {
    return `projects/${this.options.project}/locations/${region}/jobs/${id}`
  }

  private job([region = '', id = '']: string[]): JobRecord {
    const job = this.jobs.get(this.jobName(region, id))
    if (!job) throw new GoogleError(404, 'notFound', `Resource '${id}' of kind 'JOB' in region '${region}' in project '${this.options.project}' does not exist.`)
    return job
  }

  private newOperation(region: string, record: Omit<OperationRecord, 'name'>): OperationRecord {
    const op = { name: `projects/${this.options.project}/locations/${region}/operations/${randomUUID()}`, ...record }
    this.operations.set(op.name, op)
    return op
  }

  private operationView(op: OperationRecord): Record<string, unknown> {
    const done = op.done ? op.done() : this.now() >= (op.doneAt ?? 0)
    const error = done ? op.error?.() : undefined
    return { name: op.name, metadata: op.metadata, done, ...(error ? { error } : done && op.response ? { response: op.response() } : {}) }
  }

  private operation([region = '', id = '']: string[]): EmulatorResponse {
    const op = this.operations.get(`projects/${this.options.project}/locations/${region}/operations/${id}`)
    if (!op) throw new GoogleError(404, 'notFound', `Operation ${id} not found.`)
    return json(200, this.operationView(op))
  }

  private view(job: JobRecord): Record<string, unknown> {
    return {
      name: job.name,
      uid: job.uid,
      generation: '1',
      labels: job.labels,
      createTime: iso(job.createdAt),
      updateTime: iso(job.createdAt),
      launchStage: 'GA',
      template: {
        taskCount: 1,
        parallelism: 1,
        template: {
          containers: [{ image: job.container.image, command: job.container.command, args: job.container.args, env: job.container.env }],
          maxRetries: 0,
          timeout: `${job.timeoutSeconds}s`,
          ...(job.serviceAccount ? { serviceAccount: job.serviceAccount } : {}),
          vpcAccess: { egress: 'ALL_TRAFFIC', networkInterfaces: [{ network: job.network, subnetwork: job.subnetwork }] }
        }
      },
      executionCount: this.executions.filter((e) => e.job === job.name).length,
      reconciling: this.now() - job.createdAt < this.settings.createDelayMs
    }
  }

  /** The network and subnetwork of a Direct VPC egress interface, checked against Compute as Cloud Run does. */
  private placement(region: string, vpcAccess: Record<string, unknown> | undefined): { network: string; subnetwork: string } {
    const interfaces = (vpcAccess?.['networkInterfaces'] ?? []) as { network?: string; subnetwork?: string }[]
    if (interfaces.length !== 1) throw invalid('The probe emulator runs jobs with exactly one Direct VPC egress network interface.')
    const given = interfaces[0]!
    const subnetName = given.subnetwork ? (given.subnetwork.split('/').at(-1) ?? '') : ''
    const subnetRegion = given.subnetwork?.includes('/regions/') ? /\/regions\/([^/]+)\//.exec(given.subnetwork)?.[1] : region
    const subnet = this.options.compute.subnetworks.get(`${subnetRegion}/${subnetName}`)
    if (!subnet) throw invalid(`Subnetwork '${given.subnetwork ?? ''}' does not exist in region '${region}'.`)
    if (subnetRegion !== region) throw invalid(`Subnetwork '${given.subnetwork}' is in region '${subnetRegion}', not in the job's region '${region}'.`)
    const network = given.network ? (given.network.split('/').at(-1) ?? '') : subnet.network
    if (!this.options.compute.networks.has(network)) throw invalid(`Network '${given.network}' does not exist.`)
    if (pathOf(this.options.compute.networkLink(subnet.network)) !== pathOf(this.options.compute.networkLink(network)))
      throw invalid(`Subnetwork '${subnetName}' does not belong to network '${network}'.`)
    return { network, subnetwork: subnetName }
  }

  private create([region = '']: string[], req: EmulatorRequest): EmulatorResponse {
    const id = req.url.searchParams.get('jobId') ?? ''
    if (!JOB_ID.test(id)) throw invalid(`Invalid job id '${id}': it must use only lowercase letters, digits and hyphens, start with a letter, not end with a hyphen, and be at most 63 characters.`)
    const body = jsonBody(req)
    const template = ((body['template'] as Record<string, unknown> | undefined)?.['template'] ?? {}) as Record<string, unknown>
    const containers = (template['containers'] ?? []) as Partial<Container>[]
    if (containers.length !== 1) throw invalid('template.template.containers: a job has exactly one container here.')
    const c = containers[0]!
    if (!c.image) throw invalid('template.template.containers[0].image: required.')
    const env = c.env ?? []
    for (const variable of env) if (Buffer.byteLength(variable.value ?? '', 'utf8') > MAX_ENV_VALUE) throw invalid(`The value of environment variable ${variable.name} exceeds ${MAX_ENV_VALUE} bytes.`)
    const serviceAccount = template['serviceAccount'] as string | undefined
    if (serviceAccount && !this.settings.actAs.has(serviceAccount))
      throw new GoogleError(403, 'forbidden', `Permission 'iam.serviceaccounts.actAs' denied on service account ${serviceAccount} (or it may not exist).`)
    const placement = this.placement(region, template['vpcAccess'] as Record<string, unknown> | undefined)
    const name = this.jobName(region, id)
    if (this.jobs.has(name)) throw new GoogleError(409, 'alreadyExists', `Resource '${id}' already exists.`)
    const job: JobRecord = {
      id,
      name,
      labels: (body['labels'] ?? {}) as Record<string, string>,
      container: { image: c.image, command: c.command ?? [], args: c.args ?? [], env: env.map((v) => ({ name: v.name, value: v.value ?? '' })) },
      ...(serviceAccount ? { serviceAccount } : {}),
      ...placement,
      region,
      timeoutSeconds: seconds(template['timeout'], 600),
      createdAt: this.now(),
      uid: randomUUID(),
      request: req.body
    }
    this.jobs.set(name, job)
    this.created.push(job)
    const op = this.newOperation(region, { doneAt: this.now() + this.settings.createDelayMs, metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Job', name }, response: () => ({ '@type': 'type.googleapis.com/google.cloud.run.v2.Job', ...this.view(job) }) })
    return json(200, this.operationView(op))
  }

  private list([region = '']: string[], req: EmulatorRequest): EmulatorResponse {
    const all = [...this.jobs.values()].filter((j) => j.region === region).sort((a, b) => a.name.localeCompare(b.name))
    const size = Math.min(Number(req.url.searchParams.get('pageSize') ?? 100) || 100, 1000)
    const start = Number(req.url.searchParams.get('pageToken') ?? 0) || 0
    const next = start + size < all.length ? String(start + size) : undefined
    return json(200, { jobs: all.slice(start, start + size).map((j) => this.view(j)), ...(next ? { nextPageToken: next } : {}) })
  }

  private remove(params: string[]): EmulatorResponse {
    const job = this.job(params)
    this.jobs.delete(job.name)
    const op = this.newOperation(job.region, { doneAt: this.now(), metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Job', name: job.name }, response: () => this.view(job) })
    return json(200, this.operationView(op))
  }

  private run(params: string[]): EmulatorResponse {
    const job = this.job(params)
    const suffix = randomUUID().replace(/-/g, '').slice(0, 5)
    const execution: ExecutionRecord = { name: `${job.name}/executions/${job.id}-${suffix}`, job: job.name, startedAt: this.now() }
    this.executions.push(execution)
    const task = this.execute(job, execution).finally(() => this.running.delete(task))
    this.running.add(task)
    const view = () => ({
      '@type': 'type.googleapis.com/google.cloud.run.v2.Execution',
      name: execution.name,
      job: job.id,
      taskCount: 1,
      createTime: iso(execution.startedAt),
      ...(execution.completedAt ? { completionTime: iso(execution.completedAt), succeededCount: execution.exitCode === 0 ? 1 : 0, failedCount: execution.exitCode === 0 ? 0 : 1 } : { runningCount: 1 })
    })
    const op = this.newOperation(job.region, {
      done: () => execution.completedAt !== undefined,
      metadata: view(),
      response: view,
      error: () =>
        execution.exitCode === 0 && !execution.timedOut
          ? undefined
          : { code: 9, message: `Task ${execution.name.split('/').at(-1)}-task0 failed: ${execution.timedOut ? 'the task exceeded its timeout' : `the container exited with code ${execution.exitCode}`}. See the logs.` }
    })
    return json(200, this.operationView(op))
  }

  private async droppedPaths(job: JobRecord, env: Record<string, string>): Promise<DroppedPaths | undefined> {
    let asked: number[] = []
    try {
      const request = JSON.parse(Object.values(env).find((v) => v.startsWith('{')) ?? '{}') as { links?: { port?: number }[] }
      asked = (request.links ?? []).flatMap((l) => (typeof l.port === 'number' ? [l.port] : []))
    } catch {
      // not a probe request: only the link ports
    }
    const ports = [...new Set([443, 19530, ...asked])]
    const destinations = [...this.options.compute.forwardingRules.values()]
      .filter((rule) => networkName(rule.network) === job.network)
      .flatMap((rule) => ports.filter((port) => !egressAllowed(this.options.compute, job.network, job.serviceAccount, rule.IPAddress, port)).map((port) => `${rule.IPAddress}:${port}`))
    if (!destinations.length) return undefined
    this.hole ??= startUnansweredPort(['127.0.0.1'])
    return { destinations, hole: { host: '127.0.0.1', port: (await this.hole).port } }
  }

  private async execute(job: JobRecord, execution: ExecutionRecord): Promise<void> {
    await sleep(this.settings.startDelayMs, undefined, { signal: this.closing.signal }).catch(() => undefined)
    // Deleting a job deletes its executions: one not started by then never starts.
    if (this.closing.signal.aborted || !this.jobs.has(job.name)) {
      Object.assign(execution, { completedAt: this.now(), exitCode: null, timedOut: false })
      return
    }
    const resolver = this.resolvers.get(job.network)
    const env = Object.fromEntries(job.container.env.map((v) => [v.name, v.value]))
    let outcome: { exitCode: number | null; stdout: string; stderr: string; timedOut: boolean; ms: number }
    if (!resolver || job.container.command[0] !== 'node') {
      // The emulated world runs Node programs only, and only in a network whose data plane it knows.
      outcome = { exitCode: 127, stdout: '', stderr: resolver ? `exec: ${job.container.command[0] ?? '(image entrypoint)'}: not runnable here` : `emulator setup: no data plane for network ${job.network}`, timedOut: false, ms: 0 }
    } else {
      outcome = await runInSubnet(resolver, {
        args: [...job.container.command.slice(1), ...job.container.args],
        env: { ...env, CLOUD_RUN_JOB: job.id, CLOUD_RUN_EXECUTION: execution.name.split('/').at(-1) ?? '', CLOUD_RUN_TASK_INDEX: '0' },
        timeoutMs: job.timeoutSeconds * 1000,
        dropped: await this.droppedPaths(job, env)
      })
    }
    const at = this.now()
    const write = (stream: 'stdout' | 'stderr', text: string) => {
      for (const line of text.split('\n').filter(Boolean)) {
        this.logs.push({
          logName: `projects/${this.options.project}/logs/run.googleapis.com%2F${stream}`,
          resource: { type: 'cloud_run_job', labels: { job_name: job.id, location: job.region, project_id: this.options.project } },
          labels: { 'run.googleapis.com/execution_name': execution.name.split('/').at(-1) ?? '', 'run.googleapis.com/task_index': '0', 'run.googleapis.com/task_attempt': '0' },
          textPayload: line,
          timestamp: iso(at),
          writtenAt: at,
          insertId: randomUUID().slice(0, 16)
        })
      }
    }
    write('stdout', outcome.stdout)
    write('stderr', outcome.stderr)
    Object.assign(execution, { completedAt: at, exitCode: outcome.exitCode, timedOut: outcome.timedOut, stdout: outcome.stdout, ms: outcome.ms })
  }
}

/** One comparison of a Logging query: field = "value" or field : "value" (has). */
interface Term {
  field: string
  op: '=' | ':'
  value: string
}

const TERM = /^([a-zA-Z_.]+(?:\."[^"]+")?)\s*(=|:)\s*"((?:[^"\\]|\\.)*)"$/

/** The subset of the Logging query language the probe uses: terms joined by AND. Anything else is refused, not guessed. */
export function parseFilter(filter: string): Term[] {
  return filter.split(/\s+AND\s+/).map((text) => {
    const match = TERM.exec(text.trim())
    if (!match) throw new GoogleError(400, 'badRequest', `Unparseable filter: ${text.trim()}`)
    return { field: match[1]!, op: match[2] as '=' | ':', value: match[3]!.replace(/\\(.)/g, '$1') }
  })
}

function fieldOf(entry: LogEntryRecord, field: string): string | undefined {
  const quoted = /^labels\."(.+)"$/.exec(field)
  if (quoted) return entry.labels[quoted[1]!]
  if (field === 'resource.type') return entry.resource.type
  if (field.startsWith('resource.labels.')) return entry.resource.labels[field.slice('resource.labels.'.length)]
  if (field === 'textPayload') return entry.textPayload
  if (field === 'logName') return entry.logName
  throw new GoogleError(400, 'badRequest', `Unsupported filter field in this emulator: ${field}`)
}

const matches = (entry: LogEntryRecord, terms: Term[]) =>
  terms.every((t) => {
    const value = fieldOf(entry, t.field)
    return value !== undefined && (t.op === '=' ? value === t.value : value.toLowerCase().includes(t.value.toLowerCase()))
  })

/** Cloud Logging v2 entries.list over what the Cloud Run emulator's tasks wrote. */
export class LoggingEmulator implements Service {
  readonly name = 'gcp-logging'
  private readonly now: () => number

  constructor(
    private readonly tokens: AccessTokens,
    private readonly run: CloudRunEmulator,
    private readonly project: string,
    now?: () => number
  ) {
    this.now = now ?? Date.now
  }

  classify(req: EmulatorRequest): Classified {
    return req.method === 'POST' && req.url.pathname === '/v2/entries:list' ? { operation: 'entries.list', write: false } : { operation: 'unknown', write: false }
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    return googleErrorResponse(status, code, message)
  }

  handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    return answer(() => {
      if (this.classify(req).operation !== 'entries.list') throw new GoogleError(404, 'notFound', `No route for ${req.method} ${req.url.pathname}`)
      this.tokens.authenticate(req)
      const body = jsonBody(req)
      const names = (body['resourceNames'] ?? []) as string[]
      if (!names.length) throw invalid('resourceNames: at least one resource name is required.')
      const other = names.find((n) => n !== `projects/${this.project}`)
      if (other) throw new GoogleError(403, 'forbidden', `The caller does not have permission to list entries of ${other}.`)
      const terms = parseFilter(String(body['filter'] ?? ''))
      const order = String(body['orderBy'] ?? 'timestamp asc')
      if (!/^timestamp (asc|desc)$/.test(order)) throw invalid(`Invalid orderBy: ${order}`)
      const size = Math.min(Number(body['pageSize'] ?? 50) || 50, 1000)
      const now = this.now()
      const delay = this.run.settings.logDelayMs
      const found = this.run.logs.filter((e) => e.writtenAt + delay <= now && matches(e, terms))
      if (order.endsWith('desc')) found.reverse()
      const entries = found.slice(0, size).map(({ writtenAt, ...entry }) => ({ ...entry, receiveTimestamp: iso(writtenAt + delay) }))
      return json(200, entries.length ? { entries } : {})
    })
  }
}
