// Every Compute and Cloud DNS method the provider calls, with the IAM permissions Google checks for it.
// The error reports and __tests__/gcp-policies.test.ts (which keeps docs/policies/gcp-*.json in step with
// the code) both read it.
import type { DnsMode } from '../../config/types.js'
import type { OperationPermissions } from '../../engine/cloud-error.js'

const read = (...permissions: string[]): OperationPermissions => ({ permissions, write: false })
// Writes, and the reads that only follow a write: granted by the apply role alone.
const write = (...permissions: string[]): OperationPermissions => ({ permissions, write: true })
// The opt-in live probe (gcp-probe-service-account): granted by docs/policies/gcp-probe.json, not the apply role.
const probe = (...permissions: string[]): OperationPermissions => ({ permissions, write: true, policy: 'gcp-probe' })

export const GCP_PERMISSIONS: Record<string, OperationPermissions> = {
  'networks.get': read('compute.networks.get'),
  'subnetworks.get': read('compute.subnetworks.get'),
  'subnetworks.aggregatedList': read('compute.subnetworks.list'),
  'addresses.get': read('compute.addresses.get'),
  // An internal address in a subnetwork; its labels follow through setLabels.
  'addresses.insert': write('compute.addresses.createInternal', 'compute.subnetworks.use'),
  'addresses.setLabels': write('compute.addresses.setLabels'),
  'forwardingRules.get': read('compute.forwardingRules.get'),
  'forwardingRules.list': read('compute.forwardingRules.list'),
  // A PSC endpoint needs the psc* permission besides the general one, and uses the network and the address.
  // The endpoint is registered in Service Directory when it is created; the PSC guide names
  // roles/servicedirectory.editor for it, whose create permissions these are.
  'forwardingRules.insert': write(
    'compute.forwardingRules.create',
    'compute.forwardingRules.pscCreate',
    'compute.networks.use',
    'compute.addresses.use',
    'servicedirectory.namespaces.create',
    'servicedirectory.services.create',
    'servicedirectory.endpoints.create'
  ),
  'forwardingRules.setLabels': write('compute.forwardingRules.setLabels', 'compute.forwardingRules.pscSetLabels'),
  'forwardingRules.patch': write('compute.forwardingRules.update', 'compute.forwardingRules.pscUpdate'),
  // destroy: the endpoint, then the address it held, then the firewall rule (part of the network's policy).
  'forwardingRules.delete': write('compute.forwardingRules.delete', 'compute.forwardingRules.pscDelete'),
  'addresses.delete': write('compute.addresses.deleteInternal'),
  'firewalls.delete': write('compute.firewalls.delete', 'compute.networks.updatePolicy'),
  'firewalls.get': read('compute.firewalls.get'),
  'firewalls.list': read('compute.firewalls.list'),
  // Firewall rules are part of the network's policy.
  'firewalls.insert': write('compute.firewalls.create', 'compute.networks.updatePolicy'),
  'firewalls.patch': write('compute.firewalls.update', 'compute.networks.updatePolicy'),
  // Firewall policies in force on the network (hierarchical and network policies), for the egress path.
  'networks.getEffectiveFirewalls': read('compute.networks.getEffectiveFirewalls'),
  // operations.wait is authorized as a get, on region or global operations.
  'operations.wait': write('compute.regionOperations.get', 'compute.globalOperations.get'),
  'managedZones.list': read('dns.managedZones.list'),
  // Read by the plan: the zone of the action's name, which may serve another host than the allocated one.
  'managedZones.get': read('dns.managedZones.get'),
  // A private zone is bound to the network when it is created or patched.
  'managedZones.create': write('dns.managedZones.create', 'dns.networks.bindPrivateDNSZone'),
  'managedZones.patch': write('dns.managedZones.update', 'dns.networks.bindPrivateDNSZone'),
  'managedZones.delete': write('dns.managedZones.delete'),
  'resourceRecordSets.list': read('dns.resourceRecordSets.list'),
  // Level 1 DNS analysis: server policies (alternative name servers) bound to the network.
  'policies.list': read('dns.policies.list'),
  // A change adds the A record and, when replacing it, deletes the old one.
  'changes.create': write('dns.changes.create', 'dns.resourceRecordSets.create', 'dns.resourceRecordSets.update', 'dns.resourceRecordSets.delete'),
  'changes.get': write('dns.changes.get'),
  // The path analysis (path-analysis.ts): a Connectivity Test per port, read back and deleted. The test
  // reads the network's configuration with the caller's rights, which the reads above already grant.
  'connectivityTests.create': write('networkmanagement.connectivitytests.create'),
  'connectivityTests.get': write('networkmanagement.connectivitytests.get'),
  'connectivityTests.delete': write('networkmanagement.connectivitytests.delete'),
  // Listed by plans too: destroy-plan shows the tests a destroy would remove.
  'connectivityTests.list': read('networkmanagement.connectivitytests.list'),
  'operations.get': write('networkmanagement.operations.get'),
  // A job runs as the probe service account: creating it needs actAs on that account.
  'jobs.create': probe('run.jobs.create', 'iam.serviceAccounts.actAs'),
  'jobs.get': probe('run.jobs.get'),
  'jobs.run': probe('run.jobs.run'),
  'jobs.delete': probe('run.jobs.delete'),
  'jobs.list': probe('run.jobs.list'),
  'runOperations.get': probe('run.operations.get'),
  'entries.list': probe('logging.logEntries.list')
}

/**
 * Which of the run's projects Google checks each permission on. With a Shared VPC the network's (host)
 * project authorizes the use of its subnetwork and network, its firewall rules and the binding of zones
 * to its network; the endpoint's project the address, the forwarding rule (and its Service Directory
 * entry) and their regional operations; the DNS project the zones and records.
 */
export type GcpProjectRole = 'network' | 'endpoint' | 'dns'

export const GCP_PERMISSION_PROJECT: Record<string, GcpProjectRole> = {
  'compute.networks.get': 'network',
  'compute.networks.use': 'network',
  'compute.networks.getEffectiveFirewalls': 'network',
  'compute.networks.updatePolicy': 'network',
  'compute.subnetworks.get': 'network',
  'compute.subnetworks.list': 'network',
  'compute.subnetworks.use': 'network',
  'compute.firewalls.get': 'network',
  'compute.firewalls.list': 'network',
  'compute.firewalls.create': 'network',
  'compute.firewalls.update': 'network',
  'compute.firewalls.delete': 'network',
  // Firewall operations are global operations of the network's project.
  'compute.globalOperations.get': 'network',
  'dns.networks.bindPrivateDNSZone': 'network',
  'compute.addresses.get': 'endpoint',
  'compute.addresses.createInternal': 'endpoint',
  'compute.addresses.deleteInternal': 'endpoint',
  'compute.addresses.setLabels': 'endpoint',
  'compute.addresses.use': 'endpoint',
  'compute.forwardingRules.get': 'endpoint',
  'compute.forwardingRules.list': 'endpoint',
  'compute.forwardingRules.create': 'endpoint',
  'compute.forwardingRules.pscCreate': 'endpoint',
  'compute.forwardingRules.setLabels': 'endpoint',
  'compute.forwardingRules.pscSetLabels': 'endpoint',
  'compute.forwardingRules.update': 'endpoint',
  'compute.forwardingRules.pscUpdate': 'endpoint',
  'compute.forwardingRules.delete': 'endpoint',
  'compute.forwardingRules.pscDelete': 'endpoint',
  // Address and forwarding-rule operations are regional operations of the endpoint's project.
  'compute.regionOperations.get': 'endpoint',
  'servicedirectory.namespaces.create': 'endpoint',
  'servicedirectory.services.create': 'endpoint',
  'servicedirectory.endpoints.create': 'endpoint',
  // Connectivity Tests (the path analysis) are made in the endpoint's project.
  'networkmanagement.connectivitytests.create': 'endpoint',
  'networkmanagement.connectivitytests.delete': 'endpoint',
  'networkmanagement.connectivitytests.get': 'endpoint',
  'networkmanagement.connectivitytests.list': 'endpoint',
  'networkmanagement.operations.get': 'endpoint',
  'dns.managedZones.list': 'dns',
  // DNS server policies belong to the network they apply to.
  'dns.policies.list': 'network',
  'dns.managedZones.get': 'dns',
  'dns.managedZones.create': 'dns',
  'dns.managedZones.update': 'dns',
  'dns.managedZones.delete': 'dns',
  'dns.resourceRecordSets.list': 'dns',
  'dns.resourceRecordSets.create': 'dns',
  'dns.resourceRecordSets.update': 'dns',
  'dns.resourceRecordSets.delete': 'dns',
  'dns.changes.create': 'dns',
  'dns.changes.get': 'dns',
  // The live probe's Cloud Run job runs in the endpoint's project (a service project attached to the host
  // may place a job in the host's subnetwork), and its output is read from that project's logs. Granted by
  // gcp-probe.json on that project; iam.serviceAccounts.actAs is checked on the probe service account.
  'run.jobs.create': 'endpoint',
  'run.jobs.get': 'endpoint',
  'run.jobs.run': 'endpoint',
  'run.jobs.delete': 'endpoint',
  'run.jobs.list': 'endpoint',
  'run.operations.get': 'endpoint',
  'logging.logEntries.list': 'endpoint'
}

/** Permissions an opt-in feature's own policy file grants (gcp-probe.json), not the plan or apply roles. */
export const GCP_OPT_IN_PERMISSIONS: ReadonlySet<string> = new Set(Object.values(GCP_PERMISSIONS).flatMap((p) => (p.policy ? p.permissions : [])))

/**
 * The custom role file that grants a permission on its project: one per role in a multi-project layout; with
 * dns: existing-zone the DNS project's apply role is the records-only one.
 */
export function gcpPolicyFile(role: GcpProjectRole, write: boolean, mode: DnsMode = 'managed'): string {
  const variant = role === 'dns' && write && mode === 'existing-zone' ? '-dns-existing-zone' : ''
  return `docs/policies/gcp-${role}-${write ? 'apply' : 'plan'}${variant}.json`
}

/**
 * The single-project file of a DNS mode (docs/policies/gcp-{plan,apply}-dns-{none,existing-zone}.json;
 * existing-zone plans read what managed plans read), or undefined for the default gcp-plan/gcp-apply pair.
 */
export function gcpModePolicyFile(write: boolean, mode: DnsMode): string | undefined {
  if (mode === 'managed' || (mode === 'existing-zone' && !write)) return undefined
  return write ? `docs/policies/gcp-apply-dns-${mode}.json` : `docs/policies/gcp-plan-dns-${mode}.json (and gcp-apply-dns-${mode}.json)`
}
