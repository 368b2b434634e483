// Where the AWS probe sits: the security groups its Lambda function gets. They are the client's own
// groups (the client-security-group-ids input) or the VPC's default group, never the group the action
// manages for the endpoint: Lambda keeps its VPC interfaces in a function's groups for minutes after the
// function is deleted, and a destroy must be able to delete the managed group at once.
import { DescribeSecurityGroupsCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { InputError } from '../../engine/input-error.js'

/** The kind of proof resource the AWS probe is, in logs, the summary and destroy */
export const PROBE_FUNCTION_KIND = 'aws.lambda-function'

export interface ProbeGroupsInput {
  vpcId: string
  /** The name of the group the action manages (baseName) */
  managedGroupName: string
  /** The client's groups, as given; empty: the VPC's default group */
  chosen: string[]
}

export async function probeSecurityGroups(ec2: EC2Client, input: ProbeGroupsInput): Promise<string[]> {
  const filters = input.chosen.length
    ? { GroupIds: input.chosen }
    : { Filters: [{ Name: 'vpc-id', Values: [input.vpcId] }, { Name: 'group-name', Values: ['default'] }] }
  const { SecurityGroups: groups = [] } = await ec2.send(new DescribeSecurityGroupsCommand(filters))
  const managed = groups.filter((g) => g.GroupName === input.managedGroupName)
  if (managed.length) {
    throw new InputError('client-security-group-ids', `${managed.map((g) => g.GroupId).join(', ')} is the security group the action manages for the endpoint; the probe never runs in it (destroy deletes it). Name the groups your clients use.`)
  }
  const ids = groups.map((g) => g.GroupId ?? '').filter(Boolean)
  if (!ids.length) throw new Error(`${input.vpcId} has no default security group to run the probe in; give client-security-group-ids.`)
  return ids
}
