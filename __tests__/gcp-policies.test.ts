// The published custom roles must grant exactly what the GCP provider calls: the test reads every
// Compute and Cloud DNS method the provider names in its requests and maps each to its IAM permissions.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { GCP_PERMISSIONS } from '../src/providers/gcp/permissions.js'

const GCP_PROVIDER_DIR = resolve('src/providers/gcp')

/** IAM permissions Google checks for each REST method the provider calls: the table its errors name. */
const PERMISSIONS: Record<string, string[]> = Object.fromEntries(Object.entries(GCP_PERMISSIONS).map(([method, { permissions }]) => [method, permissions]))
/** Methods of the opt-in live probe: granted by gcp-probe.json, not by the plan or apply role. */
const PROBE_METHODS = new Set(Object.entries(GCP_PERMISSIONS).filter(([, { policy }]) => policy === 'gcp-probe').map(([method]) => method))

const READ_METHOD = /\.(get|list|aggregatedList|getEffectiveFirewalls)$/
const READ_PERMISSION = /\.(get|list|getEffectiveFirewalls)$/

/** Reads the plan never makes: they only follow a write (the table grants them to the apply role alone). */
const APPLY_ONLY = new Set(Object.entries(GCP_PERMISSIONS).filter(([method, { write, policy }]) => write && !policy && READ_METHOD.test(method)).map(([method]) => method))

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
  const pattern = /[`'](networks|subnetworks|addresses|forwardingRules|firewalls|operations|managedZones|resourceRecordSets|changes|connectivityTests|jobs|runOperations|entries|policies)\.([a-zA-Z]+)/g
  for (const file of typeScriptFiles(GCP_PROVIDER_DIR)) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const method = `${match[1]}.${match[2]}`
      found.set(method, [...(found.get(method) ?? []), file])
    }
  }
  return found
}

const called = calledMethods()
const methods = new Map([...called].filter(([method]) => !PROBE_METHODS.has(method)))
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
    expect([...called.keys()].filter((m) => !PERMISSIONS[m]).map((m) => `${m} (in ${called.get(m)?.join(', ')})`)).toEqual([])
  })

  it('finds every method of the permission table that error reports read', () => {
    expect(Object.keys(GCP_PERMISSIONS).filter((m) => !called.has(m))).toEqual([])
  })

  it('marks exactly the writes and the reads that follow a write as apply-only', () => {
    expect(Object.entries(GCP_PERMISSIONS).filter(([m, { write }]) => !write && !READ_METHOD.test(m))).toEqual([])
    expect([...APPLY_ONLY].sort()).toEqual(['changes.get', 'connectivityTests.get', 'operations.get'])
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

describe('gcp-probe.json', () => {
  const probe = readRole('gcp-probe.json')

  it('is a custom role definition gcloud accepts', () => {
    expect(probe.stage).toBe('GA')
    expect(probe.includedPermissions).toEqual(sorted(probe.includedPermissions))
  })

  it('grants exactly the permissions of the probe methods, none of which the apply role holds', () => {
    expect(PROBE_METHODS.size).toBeGreaterThan(0)
    expect(probe.includedPermissions).toEqual(permissionsOf(PROBE_METHODS))
    expect(probe.includedPermissions.filter((p) => apply.includedPermissions.includes(p))).toEqual([])
  })
})
