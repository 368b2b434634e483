// The record/zone decisions of dns: existing-zone, the same on every cloud: which named zone a host goes
// in, the TXT ownership marker, whose a found record is, and which zones are wider than their hosts.
import { describe, expect, it } from '@jest/globals'
import {
  hostOfOwnerRecord,
  judgeExistingRecord,
  NETWORK_TAG,
  ownerRecordName,
  ownerTxt,
  parseOwnerTxt,
  placeLinks,
  recordOwnership,
  relativeName,
  widerZones,
  type NamedZone
} from '../src/engine/dns-placement.js'
import { InputError } from '../src/engine/input-error.js'
import { MANAGED_BY_TAG, PROJECT_TAG, REGION_TAG, REPOSITORY_TAG } from '../src/engine/ownership.js'
import type { ClusterLink } from '../src/engine/target.js'

const REGION = 'aws-us-west-2.vectordb.zillizcloud.com'
const hostOf = (id: string) => `${id}-privatelink.${REGION}`
// placeLinks and widerZones read only the cluster id and host.
const link = (id: string) => ({ clusterId: id, host: hostOf(id) }) as ClusterLink
const A = link('in01-000000000000a01')
const B = link('in01-000000000000b02')
const regionZone: NamedZone = { id: 'ZREGION', name: REGION }
const ownZoneOfA: NamedZone = { id: 'ZHOSTA', name: hostOf(A.clusterId) }
const parent: NamedZone = { id: 'ZPARENT', name: 'vectordb.zillizcloud.com' }

const OURS = {
  [MANAGED_BY_TAG]: 'zilliz-private-link',
  [PROJECT_TAG]: 'proj-1',
  [REGION_TAG]: 'aws-us-west-2',
  [REPOSITORY_TAG]: 'acme/search',
  [NETWORK_TAG]: 'vpc-0aaa'
}

describe('placing hosts in named zones', () => {
  it('puts each host in the most specific zone that serves it', () => {
    const placed = placeLinks([A, B], [parent, regionZone, ownZoneOfA])
    expect(placed.get(A.clusterId)).toBe(ownZoneOfA)
    expect(placed.get(B.clusterId)).toBe(regionZone)
  })

  it('refuses a host no named zone serves, naming dns-zone-ids, the host and the zones', () => {
    const other: NamedZone = { id: 'ZOTHER', name: 'gcp-us-west1.vectordb.zillizcloud.com' }
    // A zone whose name is only a string suffix (no dot boundary) does not serve the host.
    const lookalike: NamedZone = { id: 'ZLOOK', name: `privatelink.${REGION}` }
    let error: unknown
    try {
      placeLinks([A], [other, lookalike])
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).message).toContain(`no named zone serves ${hostOf(A.clusterId)} (${A.clusterId})`)
    expect((error as InputError).message).toContain('gcp-us-west1.vectordb.zillizcloud.com (ZOTHER)')
  })

  it('names the zones wider than the hosts they get, with those hosts; a zone per host is not wider', () => {
    const placed = placeLinks([A, B], [regionZone, ownZoneOfA])
    expect(widerZones([A, B], placed)).toEqual([{ zone: regionZone, hosts: [hostOf(B.clusterId)] }])
    expect(widerZones([A], placeLinks([A], [ownZoneOfA]))).toEqual([])
  })

  it('writes record names relative to the zone, @ at the apex', () => {
    expect(relativeName(hostOf(A.clusterId), REGION)).toBe(`${A.clusterId}-privatelink`)
    expect(relativeName(`${hostOf(A.clusterId)}.`, hostOf(A.clusterId).toUpperCase())).toBe('@')
  })
})

describe('the TXT ownership marker', () => {
  it('sits beside the host under a name no client asks for, and is read back to its host', () => {
    expect(ownerRecordName(`${hostOf(A.clusterId).toUpperCase()}.`)).toBe(`_zilliz-private-link.${hostOf(A.clusterId)}`)
    expect(hostOfOwnerRecord(`_zilliz-private-link.${hostOf(A.clusterId)}.`)).toBe(hostOf(A.clusterId))
    expect(hostOfOwnerRecord(hostOf(A.clusterId))).toBeUndefined()
  })

  it('round-trips the tags, one character-string each, under the 255-character limit', () => {
    const txt = ownerTxt(OURS)
    expect(txt.match(/"[^"]*"/g)).toHaveLength(Object.keys(OURS).length)
    for (const part of txt.match(/"[^"]*"/g) ?? []) expect(part.length - 2).toBeLessThanOrEqual(255)
    expect(parseOwnerTxt([txt])).toEqual(OURS)
  })

  it('drops quotes and backslashes that would break the string, and reads no tags from other TXT text', () => {
    expect(ownerTxt({ [REPOSITORY_TAG]: 'acme/"x\\' })).toBe(`"${REPOSITORY_TAG}=acme/x"`)
    expect(parseOwnerTxt(['"v=spf1 include:example.com ~all"', 'google-site-verification=abc'])).toEqual({})
  })
})

describe('whose a found record is', () => {
  it('is ours only for the same project, region, repository and network', () => {
    expect(recordOwnership(OURS, OURS)).toEqual({ owned: true })
    expect(recordOwnership({ ...OURS, [NETWORK_TAG]: 'vpc-0bbb' }, OURS)).toEqual({ owned: false, reason: expect.stringContaining('another network (vpc-0bbb, not vpc-0aaa)') })
    expect(recordOwnership({ ...OURS, [REPOSITORY_TAG]: 'acme/other' }, OURS)).toMatchObject({ owned: false, reason: expect.stringContaining('another repository') })
    expect(recordOwnership(undefined, OURS)).toMatchObject({ owned: false })
  })

  const judge = (exists: boolean, pointsAtEndpoint: boolean, owned: boolean) =>
    judgeExistingRecord({
      host: hostOf(A.clusterId),
      zone: regionZone,
      exists,
      pointsAtEndpoint,
      holds: 'A 10.9.9.9',
      ownership: owned ? { owned: true } : { owned: false, reason: 'no ownership marker' },
      deleteHint: 'aws route53 change-resource-record-sets …'
    })

  it('creates a missing record, keeps ours in place, updates ours that points elsewhere', () => {
    expect(judge(false, false, true).action).toBe('create')
    expect(judge(true, true, true)).toMatchObject({ action: 'keep', owned: true })
    expect(judge(true, false, true)).toMatchObject({ action: 'update', owned: true })
  })

  it('uses a record of someone else that points at the endpoint as it is, and never overwrites one that does not', () => {
    expect(judge(true, true, false)).toMatchObject({ action: 'keep', owned: false })
    expect(() => judge(true, false, false)).toThrow(InputError)
    expect(() => judge(true, false, false)).toThrow(/never overwrites a record it does not own: delete it \(aws route53 change-resource-record-sets …\)/)
  })
})
