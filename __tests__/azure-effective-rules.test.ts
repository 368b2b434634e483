// The rule arithmetic of the Azure path analysis, as Microsoft documents it: security rules in priority
// order over a range of client addresses (a rule may decide for part of it), rules whose match cannot be
// known, and the route the client subnet takes to a private endpoint's /32.
import { describe, expect, it } from '@jest/globals'
import { cidrSpan } from '../src/base/ip.js'
import { chooseRoute, DEFAULT_SECURITY_RULES, evaluateGroup, spanWords, type SecurityRuleView } from '../src/providers/azure/effective-rules.js'

const tags = { virtualNetwork: ['10.20.0.0/16'] }
const flow = (port = 19530) => ({ direction: 'Outbound' as const, sources: [cidrSpan('10.20.3.0/24')], destination: '10.20.1.4', port })
const rule = (r: Partial<SecurityRuleView>): SecurityRuleView => ({ direction: 'Outbound', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*', access: 'Allow', ...r })

describe('a network security group applied to the client range', () => {
  it('is decided by the default rules when it has none of its own: AllowVnetOutBound', () => {
    const outcome = evaluateGroup(DEFAULT_SECURITY_RULES, flow(), tags)
    expect(outcome.denied).toEqual([])
    expect(outcome.allowed.map((a) => a.rule.name)).toEqual(['AllowVnetOutBound'])
  })

  it('lets the lowest priority number decide, and a rule decide for the part of the range it covers', () => {
    const rules = [rule({ name: 'allow-half', priority: 100, sourceAddressPrefix: '10.20.3.0/25', destinationPortRange: '19530' }), rule({ name: 'deny-rest', priority: 200, access: 'Deny', destinationPortRange: '19000-20000' }), ...DEFAULT_SECURITY_RULES]
    const outcome = evaluateGroup(rules, flow(), tags)
    expect(outcome.allowed.map((a) => [a.rule.name, spanWords(a.spans)])).toEqual([['allow-half', '10.20.3.0-10.20.3.127']])
    expect(outcome.denied.map((a) => [a.rule.name, spanWords(a.spans)])).toEqual([['deny-rest', '10.20.3.128-10.20.3.255']])
    // Another port is not theirs.
    expect(evaluateGroup(rules, flow(443), tags).denied).toEqual([])
  })

  it('reports a rule whose match cannot be known only when it would change the outcome', () => {
    const asg = rule({ name: 'deny-asg', priority: 100, access: 'Deny', destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: [{ id: 'asg' }] })
    expect(evaluateGroup([asg, ...DEFAULT_SECURITY_RULES], flow(), tags).undecided.map((u) => u.rule.name)).toEqual(['deny-asg'])
    const allowAsg = { ...asg, name: 'allow-asg', access: 'Allow' }
    expect(evaluateGroup([allowAsg, ...DEFAULT_SECURITY_RULES], flow(), tags).undecided).toEqual([])
  })

  it('does not match the network\'s own addresses with the Internet tag', () => {
    const outcome = evaluateGroup([rule({ name: 'no-internet', priority: 100, access: 'Deny', destinationAddressPrefix: 'Internet' }), ...DEFAULT_SECURITY_RULES], flow(), tags)
    expect(outcome.denied).toEqual([])
    expect(outcome.undecided).toEqual([])
  })
})

describe('the route to a private endpoint', () => {
  const base = { destination: '10.20.1.4', localSpaces: ['10.20.0.0/16'], peeredSpaces: [], endpointRouteVisible: true, endpointSpaceLength: 16 }
  const udr = (addressPrefix: string, nextHopType = 'VirtualAppliance') => ({ name: `r-${addressPrefix}`, addressPrefix, nextHopType, nextHopIpAddress: '10.20.0.4' })

  it('is the /32 system route while the endpoint subnet does not enable route table policies', () => {
    expect(chooseRoute({ ...base, userRoutes: [udr('10.20.0.0/16')], routePoliciesOnEndpointSubnet: false })).toMatchObject({ nextHopType: 'InterfaceEndpoint', origin: 'system' })
  })

  it('is a user route as long as the network\'s space or longer once they are enabled, never 0.0.0.0/0', () => {
    expect(chooseRoute({ ...base, userRoutes: [udr('10.20.0.0/16')], routePoliciesOnEndpointSubnet: true })).toMatchObject({ nextHopType: 'VirtualAppliance', origin: 'user' })
    expect(chooseRoute({ ...base, userRoutes: [udr('0.0.0.0/0')], routePoliciesOnEndpointSubnet: true })).toMatchObject({ nextHopType: 'InterfaceEndpoint' })
    expect(chooseRoute({ ...base, userRoutes: [udr('10.0.0.0/8')], routePoliciesOnEndpointSubnet: true })).toMatchObject({ nextHopType: 'InterfaceEndpoint' })
  })

  it('goes nowhere from a network neither the endpoint\'s nor peered with it', () => {
    expect(chooseRoute({ ...base, localSpaces: ['10.30.0.0/16'], endpointRouteVisible: false, userRoutes: [], routePoliciesOnEndpointSubnet: false })).toMatchObject({ nextHopType: 'None', origin: 'system', prefix: '10.0.0.0/8' })
  })
})
