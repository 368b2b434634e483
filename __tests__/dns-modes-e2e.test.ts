// dns: existing-zone and dns: none end to end on every cloud, through the real SDKs against the emulators:
// plan with zero writes, apply, re-apply with zero writes, destroy (the zone stays, only our records go,
// a foreign record is untouched), the warning of a zone wider than the hosts, a missing zone named.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { awsDns, azureDns, gcpDns, policyGrants, type DnsModeCloud } from './support/dns-modes.js'
import { errorLine, expectNamedError, expectSuccess, planSteps, sortedWrites, verificationChecks } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
beforeEach(async () => {
  emulators = await startEmulators()
})
afterEach(async () => {
  await emulators.close()
})

const CLOUDS: DnsModeCloud[] = [awsDns, gcpDns, azureDns]
const FOREIGN = '10.9.9.9'

describe.each(CLOUDS)('$cloud.name', (dns) => {
  const run = (overrides: Record<string, string>) => runAction({ ...emulators.env, ...dns.cloud.inputs(emulators, overrides) })
  const dnsWrites = () => emulators.log.writes().filter((c) => dns.isDnsCall(c))
  /** Every DNS call of the runs so far is granted by the mode's apply policy (Azure refuses the others itself). */
  const expectGrantedBy = (policyFile: string) => {
    const granted = new Set(policyGrants(policyFile))
    const needed = emulators.log.calls().filter((c) => dns.isDnsCall(c) && c.status < 400).flatMap((c) => dns.permissionsOf?.(c) ?? [])
    expect([...new Set(needed)].filter((p) => !granted.has(p))).toEqual([])
  }
  const hosts = () => dns.cloud.clusters.map((id) => `${id}-privatelink.${dns.cloud.regionId}.vectordb.zillizcloud.com`)

  describe('dns: existing-zone', () => {
    /** A central zone for the region's subdomain, linked to the network, holding a record of someone else's. */
    function centralZone(): { zoneId: string; foreign: string } {
      const zoneId = dns.makeZone(emulators, dns.regionZone, true)
      const foreign = `in01-0000000000000aa-privatelink.${dns.regionZone}`
      dns.addForeignRecord(emulators, zoneId, foreign, FOREIGN)
      return { zoneId, foreign }
    }

    it('plans with zero writes, applies only its records, re-applies with zero writes, destroys only its records', async () => {
      const { zoneId, foreign } = centralZone()
      const inputs = { dns: 'existing-zone', 'dns-zone-ids': zoneId }
      const policy = `${dns.cloud.name}-apply-dns-existing-zone.json`
      dns.grant?.(emulators, policy)

      const plan = await run({ ...inputs, mode: 'plan' })
      expectSuccess(plan)
      expect(sortedWrites(emulators.log)).toEqual([])
      const recordSteps = planSteps(plan).filter((s) => s.id.startsWith('dns-'))
      expect(recordSteps.map((s) => `${s.action} ${s.id}`)).toEqual(dns.cloud.clusters.map((id) => `create dns-record:${id}`))
      // The region's zone hides every other name under it: the plan says which, and that the zone stays wide.
      const warnings = JSON.parse(plan.outputs['plan'] ?? '{}').warnings as string[]
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(`Zone ${dns.regionZone}`)
      expect(warnings[0]).toContain(`${dns.cloud.clusters[0]}.${dns.cloud.regionId}.vectordb.zillizcloud.com (public address of ${dns.cloud.clusters[0]})`)
      expect(plan.summary).toContain('[!WARNING]')

      emulators.log.clear()
      const apply = await run({ ...inputs, mode: 'apply' })
      expectSuccess(apply)
      expect(apply.outputs['verified']).toBe('true')
      expect(dns.records(emulators, zoneId)).toEqual(
        [`${foreign} A`, ...hosts().flatMap((h) => [`${h} A`, ...(dns.cloud.name === 'azure' ? [] : [`_zilliz-private-link.${h} TXT`])])].sort()
      )
      expect(dnsWrites().length).toBeGreaterThan(0)
      expect(dnsWrites().filter((c) => dns.isZoneWrite(c))).toEqual([])
      expectGrantedBy(policy)
      const records = JSON.parse(apply.outputs['dns-records'] ?? '[]') as { name: string; zone: string; zoneId?: string; values: string[] }[]
      expect(records.map((r) => [r.name, r.zone, r.zoneId])).toEqual(hosts().map((h) => [h, dns.regionZone, zoneId]).sort())

      emulators.log.clear()
      const again = await run({ ...inputs, mode: 'apply' })
      expectSuccess(again)
      expect(sortedWrites(emulators.log)).toEqual([])
      expect(again.outputs['has-changes']).toBe('false')
      expect(planSteps(again).every((s) => s.action === 'keep')).toBe(true)

      emulators.log.clear()
      const destroy = await run({ ...inputs, mode: 'destroy' })
      expectSuccess(destroy)
      expect(dns.zoneExists(emulators, zoneId)).toBe(true)
      expect(dns.records(emulators, zoneId)).toEqual([`${foreign} A`])
      expect(dnsWrites().filter((c) => dns.isZoneWrite(c))).toEqual([])
      expectGrantedBy(policy)
      expect(planSteps(destroy).some((s) => s.action === 'keep' && s.reason.includes('named in dns-zone-ids'))).toBe(true)
    })

    it('gives a zone per host no warning', async () => {
      const zoneIds = hosts().map((h) => dns.makeZone(emulators, h, true))
      const plan = await run({ dns: 'existing-zone', 'dns-zone-ids': zoneIds.join(','), mode: 'plan' })
      expectSuccess(plan)
      expect(JSON.parse(plan.outputs['plan'] ?? '{}').warnings).toBeUndefined()
    })

    it('names a missing zone and one not linked to the network, before any write', async () => {
      const unlinked = dns.makeZone(emulators, dns.regionZone, false)
      const result = await run({ dns: 'existing-zone', 'dns-zone-ids': `${dns.missingZoneId},${unlinked}`, mode: 'apply' })
      expectNamedError(result, 'dns-zone-ids', dns.missingZoneId)
      expect(errorLine(result)).toMatch(/does not exist/)
      expect(errorLine(result)).toMatch(/not (associated|bound|linked)/)
      expect(dnsWrites()).toEqual([])
    })

    it('refuses to overwrite a record it did not make, before any write', async () => {
      const zoneId = dns.makeZone(emulators, dns.regionZone, true)
      const [host] = hosts()
      dns.addForeignRecord(emulators, zoneId, host!, FOREIGN)
      const result = await run({ dns: 'existing-zone', 'dns-zone-ids': zoneId, mode: 'apply' })
      expectNamedError(result, 'dns-zone-ids', `already holds an A record for ${host}`)
      expect(emulators.log.writes()).toEqual([])
      expect(dns.records(emulators, zoneId)).toEqual([`${host} A`])
    })
  })

  describe('dns: none', () => {
    it('makes no DNS call, hands over the records, and re-applies and destroys without DNS', async () => {
      dns.grant?.(emulators, `${dns.cloud.name}-apply-dns-none.json`)
      const plan = await run({ dns: 'none', mode: 'plan' })
      expectSuccess(plan)
      expect(sortedWrites(emulators.log)).toEqual([])
      expect(planSteps(plan).filter((s) => s.id.startsWith('dns-'))).toEqual([])

      const apply = await run({ dns: 'none', mode: 'apply' })
      expectSuccess(apply)
      const records = JSON.parse(apply.outputs['dns-records'] ?? '[]') as { name: string; zone: string; type: string; values: string[] }[]
      expect(records.map((r) => [r.name, r.zone, r.type])).toEqual(hosts().map((h) => [h, h, 'A']).sort())
      expect(records.every((r) => r.values.length > 0)).toBe(true)
      expect(apply.summary).toContain('DNS records for your DNS team')
      // Unknown, not failed: nothing here resolves the hosts, and the action reads no DNS.
      const dnsChecks = verificationChecks(apply).filter((c) => c.id.startsWith('dns-record:'))
      expect(dnsChecks.map((c) => c.status)).toEqual(dns.cloud.clusters.map(() => 'skip'))
      expect(apply.outputs['verified']).toBe('true')
      expect(emulators.log.calls().filter((c) => dns.isDnsCall(c))).toEqual([])

      emulators.log.clear()
      const again = await run({ dns: 'none', mode: 'apply' })
      expectSuccess(again)
      expect(sortedWrites(emulators.log)).toEqual([])
      expect(again.outputs['has-changes']).toBe('false')

      const destroy = await run({ dns: 'none', mode: 'destroy' })
      expectSuccess(destroy)
      expect(emulators.log.calls().filter((c) => dns.isDnsCall(c))).toEqual([])
    })
  })
})
