// Things a user does outside the action, for tests and demos: calls as a project admin (resources made
// by hand), and the credentials file google-github-actions/auth writes for Application Default Credentials.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { GcpEmulators } from './index.js'
import { GCP_PROJECT_ID, GCP_SERVICE_ACCOUNT, WORKLOAD_IDENTITY_PROVIDER } from './seed.js'

export interface AdminClient {
  /** JSON request to the Compute emulator, path relative to /compute/v1/projects/<project>/ */
  compute<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>
  /** JSON request to the Cloud DNS emulator, path relative to /dns/v1/projects/<project>/ */
  dns<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>
}

/** A project owner with a token of their own; errors throw with Google's message. */
export function adminClient(gcp: GcpEmulators, project = GCP_PROJECT_ID): AdminClient {
  const token = gcp.tokens.issue({ id: 'user:owner@example.com', kind: 'service-account', attributes: {} }, 3600).token
  const call = async <T>(url: string, method: string, body: unknown): Promise<T> => {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const parsed = (await response.json()) as T & { error?: { message?: string } }
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${parsed.error?.message ?? ''}`)
    return parsed
  }
  return {
    compute: (method, path, body) => call(`${gcp.urls.compute}/compute/v1/projects/${project}/${path}`, method, body),
    dns: (method, path, body) => call(`${gcp.urls.dns}/dns/v1/projects/${project}/${path}`, method, body)
  }
}

/** Runs an insert or patch and waits for its operation, as a hand-made change would. */
export async function adminOperation(admin: AdminClient, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const op = await admin.compute<{ name: string; status: string; selfLink: string }>(method, path, body)
  const scope = /projects\/[^/]+\/(.+)\/operations\//.exec(op.selfLink)?.[1] ?? 'global'
  let current = op as { status: string; error?: unknown }
  while (current.status !== 'DONE') current = await admin.compute(`POST`, `${scope}/operations/${op.name}/wait`)
  if (current.error) throw new Error(`operation ${op.name} failed: ${JSON.stringify(current.error)}`)
  return current as Record<string, unknown>
}

export interface ExternalAccountOptions {
  provider?: string
  serviceAccount?: string
  /** ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN of the run */
  idTokenRequestUrl: string
  idTokenRequestToken: string
}

/** Writes the external_account file google-github-actions/auth exports as GOOGLE_APPLICATION_CREDENTIALS. */
export async function writeExternalAccountCredentials(gcp: GcpEmulators, dir: string, options: ExternalAccountOptions): Promise<string> {
  const provider = options.provider ?? WORKLOAD_IDENTITY_PROVIDER
  const account = options.serviceAccount ?? GCP_SERVICE_ACCOUNT
  const file = join(dir, `gha-creds-${Date.now()}.json`)
  const credentials = {
    type: 'external_account',
    audience: `//iam.googleapis.com/${provider}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${gcp.urls.sts}/v1/token`,
    service_account_impersonation_url: `${gcp.urls.iam}/v1/projects/-/serviceAccounts/${account}:generateAccessToken`,
    credential_source: {
      url: `${options.idTokenRequestUrl}&audience=${encodeURIComponent(`https://iam.googleapis.com/${provider}`)}`,
      headers: { Authorization: `Bearer ${options.idTokenRequestToken}` },
      format: { type: 'json', subject_token_field_name: 'value' }
    }
  }
  await writeFile(file, JSON.stringify(credentials, null, 2))
  return file
}
