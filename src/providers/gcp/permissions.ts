// Every Compute and Cloud DNS method the provider calls, with the IAM permissions Google checks for it.
// The error reports and __tests__/gcp-policies.test.ts (which keeps docs/policies/gcp-*.json in step with
// the code) both read it.
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
