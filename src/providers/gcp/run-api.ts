// The Cloud Run Admin v2 and Cloud Logging v2 REST calls of the live probe, with typed shapes: a job is
// created, run and deleted through long-running operations (polled with operations.get), and what its
// container printed is read back with entries.list.
import { waitFor } from '../../engine/wait.js'
import { GoogleApiError, type GoogleHttp } from './google-http.js'

export interface RunContainer {
  image: string
  command?: string[]
  args?: string[]
  env?: { name: string; value: string }[]
  resources?: { limits?: Record<string, string> }
}

export interface RunJob {
  name?: string
  labels?: Record<string, string>
  launchStage?: string
  template: {
    taskCount?: number
    parallelism?: number
    template: {
      containers: RunContainer[]
      serviceAccount?: string
      maxRetries?: number
      timeout?: string
      vpcAccess?: { egress?: 'ALL_TRAFFIC' | 'PRIVATE_RANGES_ONLY'; networkInterfaces?: { network?: string; subnetwork?: string }[] }
    }
  }
}

export interface RunOperation {
  name: string
  done?: boolean
  error?: { code?: number; message?: string }
  metadata?: { name?: string; '@type'?: string }
  response?: { name?: string }
}

export interface LogEntry {
  textPayload?: string
  jsonPayload?: Record<string, unknown>
  timestamp?: string
  labels?: Record<string, string>
}

export class RunApi {
  private readonly root: string

  constructor(
    private readonly http: GoogleHttp,
    private readonly baseUrl: string,
    readonly project: string,
    readonly region: string
  ) {
    this.root = `${baseUrl}/v2/projects/${project}/locations/${region}`
  }

  jobPath(jobId: string): string {
    return `projects/${this.project}/locations/${this.region}/jobs/${jobId}`
  }

  createJob(jobId: string, job: RunJob): Promise<RunOperation> {
    return this.http.request<RunOperation>({ method: 'POST', url: `${this.root}/jobs`, query: { jobId }, body: job, what: `jobs.create ${jobId}` })
  }

  getJob(jobId: string): Promise<RunJob & { name: string }> {
    return this.http.request({ method: 'GET', url: `${this.baseUrl}/v2/${this.jobPath(jobId)}`, what: `jobs.get ${jobId}` })
  }

  /** Starts one execution; the operation is done when the execution has finished. */
  runJob(jobId: string): Promise<RunOperation> {
    return this.http.request<RunOperation>({ method: 'POST', url: `${this.baseUrl}/v2/${this.jobPath(jobId)}:run`, body: {}, what: `jobs.run ${jobId}` })
  }

  /** Deletes the job and its executions; a job already gone counts as deleted. */
  async deleteJob(jobId: string): Promise<void> {
    try {
      await this.http.request<RunOperation>({ method: 'DELETE', url: `${this.baseUrl}/v2/${this.jobPath(jobId)}`, what: `jobs.delete ${jobId}`, idempotent: true })
    } catch (error) {
      if (!(error instanceof GoogleApiError && error.status === 404)) throw error
    }
  }

  async listJobs(): Promise<(RunJob & { name: string })[]> {
    const jobs: (RunJob & { name: string })[] = []
    let pageToken: string | undefined
    do {
      const page = await this.http.request<{ jobs?: (RunJob & { name: string })[]; nextPageToken?: string }>({ method: 'GET', url: `${this.root}/jobs`, query: { pageToken }, what: 'jobs.list' })
      jobs.push(...(page.jobs ?? []))
      pageToken = page.nextPageToken
    } while (pageToken)
    return jobs
  }

  /** Polls a Cloud Run operation until it is done; its error, if any, is returned, not thrown. */
  async waitOperation(operation: RunOperation, what: string, deadline: number, signal?: AbortSignal): Promise<RunOperation> {
    let current = operation
    await waitFor({
      what,
      deadline,
      signal,
      poll: async () => {
        if (!current.done) current = await this.http.request<RunOperation>({ method: 'GET', url: `${this.baseUrl}/v2/${current.name}`, what: `runOperations.get ${current.name}` })
        return { done: current.done === true, state: current.done ? 'done' : 'running' }
      }
    })
    return current
  }
}

export class LoggingApi {
  constructor(
    private readonly http: GoogleHttp,
    private readonly baseUrl: string,
    readonly project: string
  ) {}

  /** Entries of the project matching a Logging query, newest first. */
  async list(filter: string, pageSize = 50): Promise<LogEntry[]> {
    const page = await this.http.request<{ entries?: LogEntry[] }>({
      method: 'POST',
      url: `${this.baseUrl}/v2/entries:list`,
      body: { resourceNames: [`projects/${this.project}`], filter, orderBy: 'timestamp desc', pageSize },
      what: `entries.list in ${this.project}`,
      // A read, despite the POST.
      idempotent: true
    })
    return page.entries ?? []
  }
}
