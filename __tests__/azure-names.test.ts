// Every name the action sends to Azure keeps to Microsoft's naming rules for its resource type, so no PUT
// is refused for its name after other writes have happened.
import { describe, expect, it } from '@jest/globals'
import {
  checkAzureDnsLinkName,
  checkAzurePrivateDnsZoneName,
  checkAzurePrivateEndpointName,
  checkAzureSubnetName,
  checkAzureVirtualNetworkName
} from '../src/config/rules.js'
import { linkName } from '../src/providers/azure/dns.js'

const ok = (problem: string | undefined) => problem === undefined

describe('Azure names by resource type', () => {
  it.each([
    ['private endpoint', checkAzurePrivateEndpointName, 2, 64],
    ['virtual network', checkAzureVirtualNetworkName, 2, 64],
    ['subnet', checkAzureSubnetName, 1, 80],
    ['virtual network link', checkAzureDnsLinkName, 1, 80]
  ])('%s names are %i to %i characters', (_kind, rule, min, max) => {
    expect(ok(rule('a'.repeat(min)))).toBe(true)
    expect(ok(rule('a'.repeat(max)))).toBe(true)
    expect(ok(rule('a'.repeat(max + 1)))).toBe(false)
    if (min > 1) expect(rule('a'.repeat(min - 1))).toContain(`${min} to ${max}`)
  })

  it.each([
    ['pe_1', true],
    ['pe.1', true],
    ['1pe', true],
    ['pe_', true],
    ['_pe', false],
    ['.pe', false],
    ['pe.', false],
    ['pe-', false],
    ['pe 1', false],
    ['pé', false]
  ])('first, last and allowed characters: %j is %s', (name, valid) => {
    for (const rule of [checkAzurePrivateEndpointName, checkAzureVirtualNetworkName, checkAzureSubnetName, checkAzureDnsLinkName]) expect(ok(rule(name))).toBe(valid)
  })

  it.each([
    ['in01-abc-privatelink.az-eastus.vectordb.zillizcloud.com', true],
    ['in01_abc.example.com', true],
    ['localhost', false],
    ['-in01.example.com', false],
    ['in01-.example.com', false],
    ['a..example.com', false],
    [`${'a'.repeat(64)}.example.com`, false],
    [Array.from({ length: 35 }, () => 'a').join('.'), false]
  ])('private DNS zone %j is %s', (name, valid) => {
    expect(ok(checkAzurePrivateDnsZoneName(name))).toBe(valid)
  })

  it('builds link names within the link rules from any valid network name', () => {
    for (const vnet of ['v1', 'v'.repeat(64), `a${'.'.repeat(62)}_`]) expect(checkAzureDnsLinkName(linkName(vnet, '0123456789ab'))).toBeUndefined()
  })
})
