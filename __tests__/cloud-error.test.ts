// The one report of a denied call, for every cloud: where each missing permission is checked and which file
// grants it there (a GCP project of a Shared VPC, an Azure scope, another AWS account's role files), said
// once when every missing permission shares it and beside each one when they differ.
import { describe, expect, it } from '@jest/globals'
import { describeCloudFailure, type CloudCallFailure } from '../src/engine/cloud-error.js'

const denial = (over: Partial<CloudCallFailure>): CloudCallFailure => ({
  cloud: 'gcp',
  operation: 'compute.forwardingRules.insert',
  code: 'forbidden',
  status: 403,
  detail: 'Required permission',
  denied: true,
  required: { permissions: ['compute.forwardingRules.create', 'compute.networks.use'], write: true },
  principal: 'sa@p.iam.gserviceaccount.com',
  ...over
})

describe('describeCloudFailure', () => {
  it('names the cloud\'s one apply file when the permissions have no place of their own', () => {
    expect(describeCloudFailure(denial({}))).toContain(
      'lacks one or more of the IAM permissions compute.forwardingRules.create, compute.networks.use (the call needs all of them); grant it as docs/policies/gcp-apply.json does.'
    )
  })

  it('names each permission with its project and each project\'s file when they differ (a Shared VPC)', () => {
    const text = describeCloudFailure(
      denial({
        places: {
          'compute.forwardingRules.create': { scope: 'project app', policy: 'docs/policies/gcp-endpoint-apply.json' },
          'compute.networks.use': { scope: 'project host', policy: 'docs/policies/gcp-network-apply.json' }
        }
      })
    )
    expect(text).toContain(
      'lacks one or more of the IAM permissions compute.forwardingRules.create on project app, compute.networks.use on project host (the call needs all of them); grant it as docs/policies/gcp-endpoint-apply.json and docs/policies/gcp-network-apply.json do.'
    )
  })

  it('says a scope every missing permission shares once, and the grant note after the file (Azure)', () => {
    const scope = 'scope /subscriptions/s/resourceGroups/g (resource group g of subscription s)'
    const policy = 'docs/policies/azure-endpoint-apply.json'
    const text = describeCloudFailure(
      denial({
        cloud: 'azure',
        operation: 'PrivateEndpoints_CreateOrUpdate',
        required: { permissions: ['Microsoft.Network/privateEndpoints/write', 'Microsoft.Network/virtualNetworks/subnets/join/action'], write: true },
        places: { 'Microsoft.Network/privateEndpoints/write': { scope, policy }, 'Microsoft.Network/virtualNetworks/subnets/join/action': { scope, policy } },
        grantNote: 'assigned on that scope'
      })
    )
    expect(text).toContain(`(the call needs all of them) on ${scope}; grant it as ${policy} does, assigned on that scope.`)
  })

  it('keeps to the permission the cloud refused: its place and file only', () => {
    const text = describeCloudFailure(
      denial({
        refused: ['compute.networks.use'],
        places: {
          'compute.forwardingRules.create': { scope: 'project app', policy: 'docs/policies/gcp-endpoint-apply.json' },
          'compute.networks.use': { scope: 'project host', policy: 'docs/policies/gcp-network-apply.json' }
        }
      })
    )
    expect(text).toContain('lacks the IAM permission compute.networks.use on project host; grant it as docs/policies/gcp-network-apply.json does.')
    expect(text).not.toContain('gcp-endpoint-apply.json')
  })

  it('names another role\'s files without a scope (AWS: the DNS account\'s role)', () => {
    const text = describeCloudFailure(
      denial({
        cloud: 'aws',
        operation: 'route53:ChangeResourceRecordSets',
        required: { permissions: ['route53:ChangeResourceRecordSets'], write: true },
        places: { 'route53:ChangeResourceRecordSets': { policy: 'docs/policies/aws-dns-account-apply.json' } }
      })
    )
    expect(text).toContain('lacks the IAM action route53:ChangeResourceRecordSets; grant it as docs/policies/aws-dns-account-apply.json does.')
  })
})
