// The Network Management v1 REST calls the path analysis makes: Connectivity Tests (global) and the
// long-running operations their create and delete answer with. Shapes are the subset of the discovery
// document's ConnectivityTest, ReachabilityDetails, Step and Operation the action reads.
import type { GoogleHttp } from './google-http.js'

export interface TestEndpoint {
  ipAddress?: string
  port?: number
  network?: string
  projectId?: string
  networkType?: 'GCP_NETWORK'
  forwardingRule?: string
}

export interface FirewallInfo {
  displayName?: string
  uri?: string
  direction?: string
  action?: string
  priority?: number
  policy?: string
  policyUri?: string
  firewallRuleType?: string
  targetTags?: string[]
}

export interface Step {
  description?: string
  state?: string
  causesDrop?: boolean
  projectId?: string
  firewall?: FirewallInfo
  route?: { displayName?: string; uri?: string; destIpRange?: string; routeType?: string; nextHopType?: string }
  forwardingRule?: { displayName?: string; uri?: string; vip?: string; pscServiceAttachmentUri?: string }
  drop?: { cause?: string; resourceUri?: string; sourceIp?: string; destinationIp?: string }
  abort?: { cause?: string; resourceUri?: string; ipAddress?: string; projectsMissingPermission?: string[] }
  deliver?: { target?: string; resourceUri?: string; ipAddress?: string }
}

export interface ReachabilityDetails {
  /** REACHABLE, UNREACHABLE, AMBIGUOUS, UNDETERMINED */
  result?: string
  verifyTime?: string
  error?: { code?: number; message?: string }
  traces?: { steps?: Step[] }[]
}

export interface ConnectivityTest {
  name: string
  source?: TestEndpoint
  destination?: TestEndpoint
  protocol?: string
  description?: string
  labels?: Record<string, string>
  reachabilityDetails?: ReachabilityDetails
}

export interface LongRunning {
  name: string
  done?: boolean
  error?: { code?: number; message?: string }
  response?: ConnectivityTest
}

export class NetworkManagementApi {
  private readonly root: string

  constructor(
    private readonly http: GoogleHttp,
    baseUrl: string,
    private readonly project: string
  ) {
    this.root = `${baseUrl}/v1/projects/${project}/locations/global`
  }

  /** Starts the test and its analysis; the operation completes when the analysis has run. */
  createTest(testId: string, test: Omit<ConnectivityTest, 'name'>): Promise<LongRunning> {
    // Not repeated on a lost answer: a repeat of an accepted create is a 409 on a test that exists (and is ours to delete).
    return this.http.request<LongRunning>({ method: 'POST', url: `${this.root}/connectivityTests`, query: { testId }, body: test, what: `connectivityTests.create ${testId}` })
  }

  getTest(name: string): Promise<ConnectivityTest> {
    return this.http.request<ConnectivityTest>({ method: 'GET', url: `${this.root}/connectivityTests/${lastSegment(name)}`, what: `connectivityTests.get ${lastSegment(name)}` })
  }

  deleteTest(name: string): Promise<LongRunning> {
    return this.http.request<LongRunning>({ method: 'DELETE', url: `${this.root}/connectivityTests/${lastSegment(name)}`, what: `connectivityTests.delete ${lastSegment(name)}`, idempotent: true })
  }

  /** Every test whose labels hold all of these (the API filters; the caller checks again). */
  async listTests(labels: Record<string, string>): Promise<ConnectivityTest[]> {
    const filter = Object.entries(labels)
      .map(([key, value]) => `labels.${key} = "${value}"`)
      .join(' AND ')
    const found: ConnectivityTest[] = []
    let pageToken: string | undefined
    do {
      const page = await this.http.request<{ resources?: ConnectivityTest[]; nextPageToken?: string }>({
        method: 'GET',
        url: `${this.root}/connectivityTests`,
        query: { filter, pageSize: '100', pageToken },
        what: 'connectivityTests.list'
      })
      found.push(...(page.resources ?? []))
      pageToken = page.nextPageToken
    } while (pageToken)
    return found
  }

  getOperation(name: string): Promise<LongRunning> {
    return this.http.request<LongRunning>({ method: 'GET', url: `${this.root}/operations/${lastSegment(name)}`, what: `operations.get ${lastSegment(name)}` })
  }

  get projectId(): string {
    return this.project
  }
}

const lastSegment = (name: string) => name.slice(name.lastIndexOf('/') + 1)
