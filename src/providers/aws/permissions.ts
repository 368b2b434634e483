// Every AWS operation the provider calls, with the IAM actions AWS checks for it. The error reports and
// __tests__/policies.test.ts (which keeps docs/policies/aws-*.json in step with the code) both read it.
import type { OperationPermissions } from '../../engine/cloud-error.js'

const read = (...permissions: string[]): OperationPermissions => ({ permissions, write: false })
const write = (...permissions: string[]): OperationPermissions => ({ permissions, write: true })
const probe = (...permissions: string[]): OperationPermissions => ({ permissions, write: true, policy: 'aws-probe' })

/**
 * The path analysis (src/providers/aws/path-analysis.ts). Reachability Analyzer reads the network with the
 * caller's rights and runs its query through the tiros service, so starting an analysis needs those too
 * (AWS: "Required API permissions for Reachability Analyzer"). Insights paths are listed by plans as well
 * (destroy-plan shows leftovers); everything else runs only in runs that may write.
 */
export const AWS_PATH_ANALYSIS_PERMISSIONS: Record<string, OperationPermissions> = {
  'ec2:DescribeNetworkInsightsPaths': read('ec2:DescribeNetworkInsightsPaths'),
  'ec2:CreateNetworkInterface': write('ec2:CreateNetworkInterface', 'ec2:CreateTags'),
  'ec2:CreateNetworkInsightsPath': write('ec2:CreateNetworkInsightsPath', 'ec2:CreateTags'),
  'ec2:StartNetworkInsightsAnalysis': write(
    'ec2:StartNetworkInsightsAnalysis',
    'ec2:CreateTags',
    'ec2:DescribeNetworkAcls',
    'ec2:DescribeRouteTables',
    'tiros:CreateQuery',
    'tiros:GetQueryAnswer',
    'tiros:GetQueryExplanation'
  ),
  'ec2:DescribeNetworkInsightsAnalyses': write('ec2:DescribeNetworkInsightsAnalyses'),
  'ec2:DeleteNetworkInsightsAnalysis': write('ec2:DeleteNetworkInsightsAnalysis'),
  'ec2:DeleteNetworkInsightsPath': write('ec2:DeleteNetworkInsightsPath'),
  'ec2:DeleteNetworkInterface': write('ec2:DeleteNetworkInterface')
}

export const AWS_PERMISSIONS: Record<string, OperationPermissions> = {
  ...AWS_PATH_ANALYSIS_PERMISSIONS,
  'ec2:DescribeVpcs': read('ec2:DescribeVpcs'),
  'ec2:DescribeSubnets': read('ec2:DescribeSubnets'),
  'ec2:DescribeVpcEndpointServices': read('ec2:DescribeVpcEndpointServices'),
  'ec2:DescribeSecurityGroups': read('ec2:DescribeSecurityGroups'),
  'ec2:DescribeVpcEndpoints': read('ec2:DescribeVpcEndpoints'),
  'ec2:DescribeNetworkInterfaces': read('ec2:DescribeNetworkInterfaces'),
  // TagSpecifications: EC2 authorizes tagging on create as ec2:CreateTags.
  'ec2:CreateSecurityGroup': write('ec2:CreateSecurityGroup', 'ec2:CreateTags'),
  'ec2:AuthorizeSecurityGroupIngress': write('ec2:AuthorizeSecurityGroupIngress'),
  'ec2:CreateVpcEndpoint': write('ec2:CreateVpcEndpoint', 'ec2:CreateTags'),
  'ec2:ModifyVpcEndpoint': write('ec2:ModifyVpcEndpoint'),
  // destroy: the policy grants these only on resources carrying the action's tags.
  'ec2:DeleteVpcEndpoints': write('ec2:DeleteVpcEndpoints'),
  'ec2:DeleteSecurityGroup': write('ec2:DeleteSecurityGroup'),
  // Route 53 checks the VPC with EC2 for calls that name one.
  'route53:ListHostedZonesByVPC': read('route53:ListHostedZonesByVPC', 'ec2:DescribeVpcs'),
  'route53:ListHostedZonesByName': read('route53:ListHostedZonesByName'),
  'route53:GetHostedZone': read('route53:GetHostedZone'),
  'route53:ListTagsForResources': read('route53:ListTagsForResources'),
  'route53:ListResourceRecordSets': read('route53:ListResourceRecordSets'),
  'route53:CreateHostedZone': write('route53:CreateHostedZone', 'ec2:DescribeVpcs'),
  'route53:ChangeTagsForResource': write('route53:ChangeTagsForResource'),
  'route53:AssociateVPCWithHostedZone': write('route53:AssociateVPCWithHostedZone', 'ec2:DescribeVpcs'),
  'route53:ChangeResourceRecordSets': write('route53:ChangeResourceRecordSets'),
  // To replace the action's own zone made for a host Zilliz did not allocate, and for destroy and prune.
  'route53:DeleteHostedZone': write('route53:DeleteHostedZone'),
  'route53:DisassociateVPCFromHostedZone': write('route53:DisassociateVPCFromHostedZone', 'ec2:DescribeVpcs'),
  // Only called after a write, so granted by the apply policy alone.
  'route53:GetChange': write('route53:GetChange'),
  // The level 2 probe (aws-probe-role-arn), granted by aws-probe.json: Lambda checks iam:PassRole on the
  // execution role and, for the tags in CreateFunction, lambda:TagResource.
  'lambda:CreateFunction': probe('lambda:CreateFunction', 'lambda:TagResource', 'iam:PassRole'),
  'lambda:GetFunction': probe('lambda:GetFunction'),
  'lambda:Invoke': probe('lambda:InvokeFunction'),
  'lambda:DeleteFunction': probe('lambda:DeleteFunction'),
  'lambda:ListFunctions': probe('lambda:ListFunctions'),
  'lambda:ListTags': probe('lambda:ListTags'),
  // Level 1 DNS analysis: the VPC's DNS attributes, its DHCP option set and the Resolver rules associated with it.
  'ec2:DescribeVpcAttribute': read('ec2:DescribeVpcAttribute'),
  'ec2:DescribeDhcpOptions': read('ec2:DescribeDhcpOptions'),
  'route53resolver:ListResolverRuleAssociations': read('route53resolver:ListResolverRuleAssociations'),
  'route53resolver:ListResolverRules': read('route53resolver:ListResolverRules')
}

/** Calls authorized somewhere other than the role's permission policy. */
export const AWS_OUTSIDE_PERMISSION_POLICY: Record<string, string> = {
  'sts:AssumeRoleWithWebIdentity': 'authorized by the role trust policy',
  'sts:GetCallerIdentity': 'needs no permission'
}

/**
 * The calls made with the role of the account that holds the zones (aws-dns-role-arn): it finds, creates,
 * tags and fills the zones, associates its own VPCs, and authorizes VPCs of the endpoint's account, which
 * that account then associates itself. docs/policies/aws-dns-account-*.json grant exactly these.
 */
export const AWS_DNS_PERMISSIONS: Record<string, OperationPermissions> = {
  'ec2:DescribeVpcs': read('ec2:DescribeVpcs'),
  'route53:ListHostedZonesByVPC': read('route53:ListHostedZonesByVPC', 'ec2:DescribeVpcs'),
  'route53:ListHostedZonesByName': read('route53:ListHostedZonesByName'),
  'route53:GetHostedZone': read('route53:GetHostedZone'),
  'route53:ListTagsForResources': read('route53:ListTagsForResources'),
  'route53:ListResourceRecordSets': read('route53:ListResourceRecordSets'),
  'route53:ListVPCAssociationAuthorizations': read('route53:ListVPCAssociationAuthorizations'),
  'route53:CreateHostedZone': write('route53:CreateHostedZone', 'ec2:DescribeVpcs'),
  'route53:ChangeTagsForResource': write('route53:ChangeTagsForResource'),
  'route53:AssociateVPCWithHostedZone': write('route53:AssociateVPCWithHostedZone', 'ec2:DescribeVpcs'),
  'route53:CreateVPCAssociationAuthorization': write('route53:CreateVPCAssociationAuthorization'),
  'route53:DeleteVPCAssociationAuthorization': write('route53:DeleteVPCAssociationAuthorization'),
  'route53:ChangeResourceRecordSets': write('route53:ChangeResourceRecordSets'),
  'route53:DeleteHostedZone': write('route53:DeleteHostedZone'),
  'route53:DisassociateVPCFromHostedZone': write('route53:DisassociateVPCFromHostedZone', 'ec2:DescribeVpcs'),
  'route53:GetChange': write('route53:GetChange')
}

/** The policy files of each role: the endpoint's role (aws-apply/plan.json) and the DNS account's. */
export const AWS_POLICY_FILES = { endpoint: 'aws', dns: 'aws-dns-account' } as const
