// The published custom roles must grant exactly what the GCP provider calls: the test reads every
// Compute and Cloud DNS method the provider names in its requests and maps each to its IAM permissions.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const GCP_PROVIDER_DIR = resolve('src/providers/gcp')

/** IAM permissions Google checks for each REST method the provider calls. */
const PERMISSIONS: Record<string, string[]> = {
  'networks.get': ['compute.networks.get'],
  'subnetworks.get': ['compute.subnetworks.get'],
  'subnetworks.aggregatedList': ['compute.subnetworks.list'],
  'addresses.get': ['compute.addresses.get'],
  // An internal address in a subnetwork; the labels are set in the same call.
  'addresses.insert': ['compute.addresses.createInternal', 'compute.subnetworks.use', 'compute.addresses.setLabels'],
  'forwardingRules.get': ['compute.forwardingRules.get'],
  'forwardingRules.list': ['compute.forwardingRules.list'],
  // A PSC endpoint needs the psc* permission besides the general one, and uses the network and the address.
  'forwardingRules.insert': ['compute.forwardingRules.create', 'compute.forwardingRules.pscCreate', 'compute.networks.use', 'compute.addresses.use', 'compute.forwardingRules.pscSetLabels'],
  'forwardingRules.patch': ['compute.forwardingRules.update', 'compute.forwardingRules.pscUpdate'],
  'firewalls.get': ['compute.firewalls.get'],
  'firewalls.list': ['compute.firewalls.list'],
  // Firewall rules are part of the network's policy.
  'firewalls.insert': ['compute.firewalls.create', 'compute.networks.updatePolicy'],
  'firewalls.patch': ['compute.firewalls.update', 'compute.networks.updatePolicy'],
  // operations.wait is authorized as a get, on region or global operations.
  'operations.wait': ['compute.regionOperations.get', 'compute.globalOperations.get'],
  'managedZones.list': ['dns.managedZones.list'],
  'managedZones.get': ['dns.managedZones.get'],
  // A private zone is bound to the network when it is created or patched.
  'managedZones.create': ['dns.managedZones.create', 'dns.networks.bindPrivateDNSZone'],
  'managedZones.patch': ['dns.managedZones.update', 'dns.networks.bindPrivateDNSZone'],
  'resourceRecordSets.list': ['dns.resourceRecordSets.list'],
  // A change adds the A record and, when replacing it, deletes the old one.
  'changes.create': ['dns.changes.create', 'dns.resourceRecordSets.create', 'dns.resourceRecordSets.update', 'dns.resourceRecordSets.delete'],
  'changes.get': ['dns.changes.get']
}

/** Reads the plan never makes: they only follow a write. */
const APPLY_ONLY = new Set(['operations.wait', 'changes.get', 'managedZones.get'])

const READ_METHOD = /\.(get|list|aggregatedList)$/
const READ_PERMISSION = /\.(get|list)$/

interface CustomRole {
  title: string
  description: string
  stage: string
  includedPermissions: string[]
}

const readRole = (name: string) => JSON.parse(readFileSync(resolve('docs/policies', name), 'utf8')) as CustomRole

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return typeScriptFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Every API method the provider names in a request description (`what: 'networks.get …'`). */
function calledMethods(): Map<string, string[]> {
  const found = new Map<string, string[]>()
  const pattern = /[`'](networks|subnetworks|addresses|forwardingRules|firewalls|operations|managedZones|resourceRecordSets|changes)\.([a-zA-Z]+)/g
  for (const file of typeScriptFiles(GCP_PROVIDER_DIR)) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const method = `${match[1]}.${match[2]}`
      found.set(method, [...(found.get(method) ?? []), file])
    }
  }
  return found
}

const methods = calledMethods()
const sorted = (items: Iterable<string>) => [...new Set(items)].sort()
const permissionsOf = (names: Iterable<string>) => sorted([...names].flatMap((m) => PERMISSIONS[m] ?? []))

const apply = readRole('gcp-apply.json')
const plan = readRole('gcp-plan.json')

describe('the scan of src/providers/gcp', () => {
  // Guards the pattern: a scan that found nothing would make every check below pass.
  it('finds the calls the provider is known to make', () => {
    for (const known of ['networks.get', 'forwardingRules.insert', 'firewalls.patch', 'operations.wait', 'managedZones.create', 'changes.create'])
      expect([...methods.keys()]).toContain(known)
  })

  it('knows the permissions of every method the provider calls', () => {
    expect([...methods.keys()].filter((m) => !PERMISSIONS[m]).map((m) => `${m} (in ${methods.get(m)?.join(', ')})`)).toEqual([])
  })
})

describe.each([
  ['gcp-plan.json', plan],
  ['gcp-apply.json', apply]
])('%s', (_name, role) => {
  it('is a custom role definition gcloud accepts', () => {
    expect(role.title.length).toBeLessThanOrEqual(100)
    expect(role.stage).toBe('GA')
    expect(role.includedPermissions).toEqual(sorted(role.includedPermissions))
    for (const permission of role.includedPermissions) expect(permission).toMatch(/^[a-z]+\.[a-zA-Z]+\.[a-zA-Z]+$/)
  })
})

describe('gcp-apply.json', () => {
  it('grants exactly the permissions of the methods the provider calls', () => {
    expect(apply.includedPermissions).toEqual(permissionsOf(methods.keys()))
  })
})

describe('gcp-plan.json', () => {
  it('grants exactly the reads a plan makes', () => {
    const reads = [...methods.keys()].filter((m) => READ_METHOD.test(m) && !APPLY_ONLY.has(m))
    expect(plan.includedPermissions).toEqual(permissionsOf(reads))
  })

  it('holds only get and list permissions, all of them in the apply role', () => {
    expect(plan.includedPermissions.filter((p) => !READ_PERMISSION.test(p))).toEqual([])
    expect(plan.includedPermissions.filter((p) => !apply.includedPermissions.includes(p))).toEqual([])
  })
})
