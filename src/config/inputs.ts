// Every action input, with its default and an example: the one table parsing reads and a test checks
// against action.yml.
import type { ProviderName } from './types.js'

export interface InputSpec {
  /** Must be given; for a provider's input, only when that provider is selected */
  required?: boolean
  /** Used when the input is empty; action.yml declares the same default (common inputs only) */
  default?: string
  /** The provider the input belongs to; giving it with another provider is a problem */
  provider?: ProviderName
  /** A credential: its value is never quoted in a message */
  secret?: boolean
  /** A right value, shown with every problem about the input */
  example: string
}

// Provider inputs have no default in action.yml: the runner sets every declared default, which would
// make an AWS-only input look given to a GCP user. Their defaults live here only.
export const INPUTS = {
  'zilliz-api-key': { required: true, secret: true, example: '${{ secrets.ZILLIZ_API_KEY }}' },
  'zilliz-project-id': { required: true, example: 'proj-4487580fcfe2c8a4391686' },
  'zilliz-region-id': { required: true, example: 'aws-us-west-2' },
  'zilliz-api-url': { example: 'https://api.cloud.zilliz.com' },
  'cluster-ids': { example: 'in01-108240180a4faf8' },
  provider: { example: 'aws' },
  mode: { default: 'auto', example: 'plan' },
  ports: { example: '19531' },
  'allowed-cidrs': { example: '10.0.0.0/16' },
  'wait-timeout': { default: '15m', example: '30m' },
  tags: { example: '{"team":"search","env":"prod"}' },
  'name-prefix': { default: 'zilliz-pl', example: 'search-pl' },
  verify: { default: 'auto', example: 'full' },
  'dns-server': { example: '10.0.0.2' },
  'fail-on-changes': { default: 'false', example: 'true' },
  prune: { default: 'false', example: 'true' },
  dns: { default: 'managed', example: 'existing-zone' },
  'dns-zone-ids': { example: 'Z0123456789ABCDEFGHIJ' },
  'fail-on-unverified': { default: 'true', example: 'false' },
  'network-analysis': { default: 'auto', example: 'auto' },
  'client-subnet': { example: 'subnet-0a1b2c3d4e5f60718' },
  'client-security-group-ids': { provider: 'aws', example: 'sg-0f1e2d3c4b5a69788' },
  'expected-plan-id': { example: '9c1f5a0e3b7d2468ace13579bdf02468ace13579bdf02468ace13579bdf02468' },
  'require-protected-environment': { default: 'false', example: 'true' },
  'comment-on-pr': { default: 'false', example: 'true' },
  // action.yml defaults it to ${{ github.token }}, which only the runner can evaluate.
  'github-token': { secret: true, example: '${{ secrets.GITHUB_TOKEN }}' },

  'aws-region': { provider: 'aws', example: 'us-west-2' },
  'aws-role-arn': { provider: 'aws', example: 'arn:aws:iam::123456789012:role/zilliz-private-link' },
  'aws-role-session-name': { provider: 'aws', default: 'zilliz-private-link', example: 'zilliz-private-link' },
  'aws-role-duration-seconds': { provider: 'aws', default: '3600', example: '1800' },
  'aws-vpc-id': { provider: 'aws', required: true, example: 'vpc-0a1b2c3d4e5f60718' },
  'aws-subnet-ids': { provider: 'aws', required: true, example: 'subnet-0a1b2c3d4e5f60718, subnet-0f1e2d3c4b5a69788' },
  'aws-security-group-ids': { provider: 'aws', example: 'sg-0a1b2c3d4e5f60718' },
  'aws-dns-vpc-ids': { provider: 'aws', example: 'vpc-0b1c2d3e4f5a60719, vpc-0c2d3e4f5a6b7081a' },
  'aws-dns-role-arn': { provider: 'aws', example: 'arn:aws:iam::210987654321:role/zilliz-private-link-dns' },
  'aws-probe-role-arn': { provider: 'aws', example: 'arn:aws:iam::123456789012:role/zilliz-private-link-probe' },

  'gcp-workload-identity-provider': {
    provider: 'gcp',
    example: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/my-repo'
  },
  'gcp-service-account': { provider: 'gcp', example: 'zilliz-link@my-project.iam.gserviceaccount.com' },
  'gcp-project-id': { provider: 'gcp', required: true, example: 'my-project' },
  'gcp-network-project-id': { provider: 'gcp', example: 'network-host-project' },
  'gcp-endpoint-project-id': { provider: 'gcp', example: 'my-project' },
  'gcp-dns-project-id': { provider: 'gcp', example: 'dns-project' },
  'gcp-network': { provider: 'gcp', required: true, example: 'app-vpc' },
  'gcp-subnetwork': { provider: 'gcp', required: true, example: 'app-subnet-us-west1' },
  'gcp-endpoint-prefix': { provider: 'gcp', example: 'search-psc' },
  'gcp-global-access': { provider: 'gcp', default: 'false', example: 'true' },
  'gcp-probe-service-account': { provider: 'gcp', example: 'zilliz-link-probe@my-project.iam.gserviceaccount.com' },

  'azure-tenant-id': { provider: 'azure', example: '4a1b2c3d-5e6f-4a8b-9c0d-1e2f3a4b5c6d' },
  'azure-client-id': { provider: 'azure', example: '9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e' },
  'azure-subscription-id': { provider: 'azure', required: true, example: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' },
  'azure-resource-group': { provider: 'azure', required: true, example: 'rg-search-prod' },
  'azure-location': { provider: 'azure', example: 'eastus' },
  // Required unless azure-subnet is a full subnet resource id (checked in parse.ts).
  'azure-virtual-network': { provider: 'azure', example: 'vnet-search' },
  'azure-subnet': { provider: 'azure', required: true, example: 'snet-endpoints' },
  'azure-endpoint-name': { provider: 'azure', example: 'pe-zilliz-search' },
  'azure-network-watcher-vm-id': {
    provider: 'azure',
    example: '/subscriptions/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-search-prod/providers/Microsoft.Compute/virtualMachines/vm-client'
  },
  'azure-dns-subscription-id': { provider: 'azure', example: '5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f' },
  'azure-dns-resource-group': { provider: 'azure', example: 'rg-private-dns' },
  'azure-dns-link-vnet-ids': {
    provider: 'azure',
    example: '/subscriptions/5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f/resourceGroups/rg-hub-network/providers/Microsoft.Network/virtualNetworks/vnet-hub'
  },
  'azure-probe-subnet-id': {
    provider: 'azure',
    example: '/subscriptions/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-search-prod/providers/Microsoft.Network/virtualNetworks/vnet-search/subnets/snet-probe'
  }
} as const satisfies Record<string, InputSpec>

export type InputName = keyof typeof INPUTS

export const INPUT_NAMES = Object.keys(INPUTS) as InputName[]

export function inputSpec(name: InputName): InputSpec {
  return INPUTS[name]
}

/** Reads inputs the way @actions/core does (INPUT_<NAME>, trimmed), without loading it. */
export function readInputs(env: NodeJS.ProcessEnv = process.env): (name: string) => string {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}
