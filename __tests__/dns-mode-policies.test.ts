// The smaller policies of dns: none and dns: existing-zone stay in step with the full ones (which
// policies.test.ts, gcp-policies.test.ts and azure-e2e.test.ts hold to the code): each is the full policy
// minus exactly the DNS permissions that mode never uses, and otherwise the same. That they suffice is
// proven end to end in dns-modes-e2e.test.ts (and, for the DNS account's, in aws-topology-e2e.test.ts).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'

type Cloud = 'aws' | 'gcp' | 'azure'
type Mode = 'none' | 'existing-zone'

/**
 * What each mode leaves out: none, every DNS permission (the level 1 DNS analysis reads included: with no
 * zone of the action's there is nothing to analyse); existing-zone, everything that makes, links or deletes a zone.
 */
const LEFT_OUT: Record<Cloud, Record<Mode, (permission: string) => boolean>> = {
  aws: {
    none: (p) => p.startsWith('route53:') || p.startsWith('route53resolver:') || ['ec2:DescribeVpcAttribute', 'ec2:DescribeDhcpOptions'].includes(p),
    'existing-zone': (p) =>
      ['CreateHostedZone', 'AssociateVPCWithHostedZone', 'ChangeTagsForResource', 'DeleteHostedZone', 'DisassociateVPCFromHostedZone', 'ListHostedZonesByName'].map((a) => `route53:${a}`).includes(p)
  },
  gcp: {
    none: (p) => p.startsWith('dns.'),
    'existing-zone': (p) => ['dns.managedZones.create', 'dns.managedZones.delete', 'dns.managedZones.update', 'dns.networks.bindPrivateDNSZone'].includes(p)
  },
  azure: {
    none: (p) => p.includes('/privateDns') || /dnsForwardingRulesets/i.test(p),
    'existing-zone': (p) =>
      ['privateDnsZones/write', 'privateDnsZones/delete', 'privateDnsZones/virtualNetworkLinks/write', 'privateDnsZones/virtualNetworkLinks/delete', 'privateDnsOperationStatuses/read']
        .map((a) => `Microsoft.Network/${a}`)
        .includes(p)
  }
}

interface AwsStatement {
  Action: string | string[]
  [key: string]: unknown
}

const read = (file: string) => JSON.parse(readFileSync(`docs/policies/${file}`, 'utf8')) as Record<string, unknown>

/** The permissions a policy file grants, in each cloud's format. */
function granted(cloud: Cloud, policy: Record<string, unknown>): string[] {
  if (cloud === 'aws') return (policy['Statement'] as AwsStatement[]).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
  return (cloud === 'gcp' ? policy['includedPermissions'] : policy['Actions']) as string[]
}

/** An AWS policy's statements without the left-out actions (and without statements left empty). */
function awsWithout(policy: Record<string, unknown>, leftOut: (p: string) => boolean): AwsStatement[] {
  return (policy['Statement'] as AwsStatement[]).flatMap((s) => {
    const actions = (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a) => !leftOut(a))
    if (!actions.length) return []
    return [{ ...s, Action: Array.isArray(s.Action) ? actions : (actions[0] ?? '') }]
  })
}

// The GCP and Azure plan roles only read, and existing-zone reads what managed reads: they stay as they are.
const CASES = (['aws', 'gcp', 'azure'] as const)
  .flatMap((cloud) => (['plan', 'apply'] as const).flatMap((kind) => (['none', 'existing-zone'] as const).map((mode) => [cloud, kind, mode] as const)))
  .filter(([cloud, kind, mode]) => cloud === 'aws' || kind === 'apply' || mode === 'none')

/** The central DNS account's role (aws-dns-role-arn) with dns: existing-zone: it also never authorizes a VPC. */
const DNS_ACCOUNT_LEFT_OUT = (p: string) =>
  LEFT_OUT.aws['existing-zone'](p) || ['route53:CreateVPCAssociationAuthorization', 'route53:DeleteVPCAssociationAuthorization'].includes(p)

describe('dns mode policies', () => {
  it.each(['plan', 'apply'] as const)('aws-dns-account-%s-dns-existing-zone.json is the DNS account\'s full policy minus what existing-zone never calls', (kind) => {
    const full = read(`aws-dns-account-${kind}.json`)
    const small = read(`aws-dns-account-${kind}-dns-existing-zone.json`)
    expect(granted('aws', small)).toEqual(granted('aws', full).filter((p) => !DNS_ACCOUNT_LEFT_OUT(p)))
    expect(granted('aws', small).length).toBeLessThan(granted('aws', full).length)
    expect(small['Statement']).toEqual(awsWithout(full, DNS_ACCOUNT_LEFT_OUT))
  })

  it('the DNS account\'s record statement is the endpoint account\'s: the same record types, names and changes', () => {
    const records = (file: string) => (read(file)['Statement'] as AwsStatement[]).find((s) => s.Action === 'route53:ChangeResourceRecordSets')
    expect(records('aws-dns-account-apply.json')).toEqual(records('aws-apply.json'))
  })

  // The per-scope DNS role of a hub-and-spoke layout has its existing-zone variant too (the endpoint and
  // network roles hold no DNS permission); with dns: none no DNS role is assigned at all.
  it('azure-dns-apply-dns-existing-zone.json is the per-scope DNS role minus what existing-zone never calls', () => {
    const full = read('azure-dns-apply.json')
    const small = read('azure-dns-apply-dns-existing-zone.json')
    expect(granted('azure', small)).toEqual(granted('azure', full).filter((p) => !LEFT_OUT.azure['existing-zone'](p)))
    expect(granted('azure', small).length).toBeLessThan(granted('azure', full).length)
    expect(small['AssignableScopes']).toEqual(full['AssignableScopes'])
    // The network role also lists the network's forwarding rulesets for the DNS analysis: a read on the network, not on a zone.
    for (const part of ['endpoint', 'network']) expect(granted('azure', read(`azure-${part}-apply.json`)).filter((p) => p.includes('/privateDns'))).toEqual([])
  })

  // Likewise the DNS project's role of a Google Cloud Shared VPC or central DNS project.
  it('gcp-dns-apply-dns-existing-zone.json is the DNS project role minus what existing-zone never calls', () => {
    const full = read('gcp-dns-apply.json')
    const small = read('gcp-dns-apply-dns-existing-zone.json')
    expect(granted('gcp', small)).toEqual(granted('gcp', full).filter((p) => !LEFT_OUT.gcp['existing-zone'](p)))
    expect(granted('gcp', small).length).toBeLessThan(granted('gcp', full).length)
    expect(small['stage']).toEqual(full['stage'])
  })

  it.each(CASES)('%s-%s-dns-%s.json is the full policy minus what the mode never calls', (cloud, kind, mode) => {
    const full = read(`${cloud}-${kind}.json`)
    const small = read(`${cloud}-${kind}-dns-${mode}.json`)
    const leftOut = LEFT_OUT[cloud][mode]
    expect(granted(cloud, small)).toEqual(granted(cloud, full).filter((p) => !leftOut(p)))
    // Something is left out, or the file would be pointless; a none policy holds no DNS permission at all.
    expect(granted(cloud, small).length).toBeLessThan(granted(cloud, full).length)
    if (mode === 'none') expect(granted(cloud, small).filter(LEFT_OUT[cloud].none)).toEqual([])
    // Conditions, resources and scopes are those of the full policy.
    if (cloud === 'aws') expect(small['Statement']).toEqual(awsWithout(full, leftOut))
    else for (const key of Object.keys(full).filter((k) => !['includedPermissions', 'Actions', 'title', 'description', 'Name', 'Description'].includes(k))) expect(small[key]).toEqual(full[key])
  })
})
