// The default Google Cloud world used by tests and the demo: one project with a workload network whose
// subnetwork is in the Zilliz region, a second subnetwork in another region and a second network (for
// error cases), Zilliz's service attachment, and workload identity set up for the default repository.
import { ZILLIZ_SEED } from '../zilliz.js'
import type { ComputeTopology } from './compute-model.js'
import type { ServiceAccountConfig } from './iam-credentials.js'
import type { WorkloadIdentityProviderConfig } from './sts.js'

export const GCP_PROJECT_ID = 'my-gcp-project'
export const GCP_PROJECT_NUMBER = '481516234200'
export const GCP_REGION = 'us-west1'

export const GCP_NETWORK = 'zilliz-vpc'
export const GCP_SUBNETWORK = 'zilliz-subnet'
export const GCP_SUBNETWORK_CIDR = '10.10.0.0/20'
/** In us-east1: exists, but not in the Zilliz region */
export const GCP_EAST_SUBNETWORK = 'zilliz-subnet-east'
export const GCP_EAST_SUBNETWORK_CIDR = '10.20.0.0/20'
/** A second network with a subnetwork in us-west1 */
export const GCP_OTHER_NETWORK = 'other-vpc'
export const GCP_OTHER_SUBNETWORK = 'other-subnet'
export const GCP_OTHER_SUBNETWORK_CIDR = '10.30.0.0/20'

export const ZILLIZ_SERVICE_ATTACHMENT = ZILLIZ_SEED.endpointServices.gcp

export const WORKLOAD_IDENTITY_POOL = `projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/github`
export const WORKLOAD_IDENTITY_PROVIDER = `${WORKLOAD_IDENTITY_POOL}/providers/github-actions`
/** Admits tokens of the default repository's owner, as Google's GitHub setup guide recommends. */
export const ATTRIBUTE_CONDITION = "assertion.repository_owner == 'octo-org'"

export const GCP_SERVICE_ACCOUNT = `zilliz-link@${GCP_PROJECT_ID}.iam.gserviceaccount.com`
/** The identity of the live probe's Cloud Run job: the seeded caller may act as it */
export const GCP_PROBE_SERVICE_ACCOUNT = `zilliz-link-probe@${GCP_PROJECT_ID}.iam.gserviceaccount.com`
/** The repository allowed to impersonate the service account */
export const SERVICE_ACCOUNT_MEMBER = `principalSet://iam.googleapis.com/${WORKLOAD_IDENTITY_POOL}/attribute.repository/octo-org/octo-repo`

export function seedComputeTopology(): ComputeTopology {
  return {
    project: GCP_PROJECT_ID,
    networks: [{ name: GCP_NETWORK }, { name: GCP_OTHER_NETWORK }],
    subnetworks: [
      { name: GCP_SUBNETWORK, region: GCP_REGION, network: GCP_NETWORK, ipCidrRange: GCP_SUBNETWORK_CIDR, secondaryIpRanges: [] },
      { name: GCP_EAST_SUBNETWORK, region: 'us-east1', network: GCP_NETWORK, ipCidrRange: GCP_EAST_SUBNETWORK_CIDR, secondaryIpRanges: [] },
      { name: GCP_OTHER_SUBNETWORK, region: GCP_REGION, network: GCP_OTHER_NETWORK, ipCidrRange: GCP_OTHER_SUBNETWORK_CIDR, secondaryIpRanges: [] }
    ],
    serviceAttachments: [ZILLIZ_SERVICE_ATTACHMENT]
  }
}

export function seedProviders(): WorkloadIdentityProviderConfig[] {
  return [{ name: WORKLOAD_IDENTITY_PROVIDER, attributeCondition: ATTRIBUTE_CONDITION }]
}

export function seedServiceAccounts(): ServiceAccountConfig[] {
  return [{ email: GCP_SERVICE_ACCOUNT, members: [SERVICE_ACCOUNT_MEMBER] }]
}
