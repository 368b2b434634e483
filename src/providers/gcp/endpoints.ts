// Google API base URLs. Each can be pointed elsewhere (a Private Service Connect endpoint for Google APIs,
// a proxy, an emulator) through an environment variable, as AWS_ENDPOINT_URL_* does for the AWS SDK.

export interface GcpEndpoints {
  /** Compute Engine; paths /compute/v1/… are appended */
  compute: string
  /** Cloud DNS; paths /dns/v1/… are appended */
  dns: string
  /** Security Token Service; /v1/token is appended */
  sts: string
  /** IAM Service Account Credentials; /v1/projects/-/serviceAccounts/…:generateAccessToken is appended */
  iamCredentials: string
  /** Network Management (Connectivity Tests); paths /v1/projects/… are appended */
  networkManagement: string
  /** Cloud Run Admin v2 (the live probe's job); /v2/projects/… is appended */
  run: string
  /** Cloud Logging v2 (the probe job's output); /v2/entries:list is appended */
  logging: string
}

export const GCP_ENDPOINT_VARIABLES: Record<keyof GcpEndpoints, string> = {
  compute: 'ZILLIZ_PL_GCP_COMPUTE_URL',
  dns: 'ZILLIZ_PL_GCP_DNS_URL',
  sts: 'ZILLIZ_PL_GCP_STS_URL',
  iamCredentials: 'ZILLIZ_PL_GCP_IAM_CREDENTIALS_URL',
  networkManagement: 'ZILLIZ_PL_GCP_NETWORK_MANAGEMENT_URL',
  run: 'ZILLIZ_PL_GCP_RUN_URL',
  logging: 'ZILLIZ_PL_GCP_LOGGING_URL'
}

const DEFAULT_ENDPOINTS: GcpEndpoints = {
  compute: 'https://compute.googleapis.com',
  dns: 'https://dns.googleapis.com',
  sts: 'https://sts.googleapis.com',
  iamCredentials: 'https://iamcredentials.googleapis.com',
  networkManagement: 'https://networkmanagement.googleapis.com',
  run: 'https://run.googleapis.com',
  logging: 'https://logging.googleapis.com'
}

function baseUrl(variable: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`${variable} is not a URL: ${JSON.stringify(value)}. Give a base URL such as https://compute.googleapis.com, or unset it.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${variable} must be an http(s) URL, not ${url.protocol}`)
  return value.replace(/\/+$/, '')
}

export function gcpEndpoints(env: NodeJS.ProcessEnv = process.env): GcpEndpoints {
  const pick = (key: keyof GcpEndpoints) => {
    const variable = GCP_ENDPOINT_VARIABLES[key]
    const value = env[variable]?.trim()
    return value ? baseUrl(variable, value) : DEFAULT_ENDPOINTS[key]
  }
  return { compute: pick('compute'), dns: pick('dns'), sts: pick('sts'), iamCredentials: pick('iamCredentials'), networkManagement: pick('networkManagement'), run: pick('run'), logging: pick('logging') }
}
