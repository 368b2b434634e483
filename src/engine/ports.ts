// Which (port, CIDR) pairs a set of firewall/security-group rules fails to admit; shared by every cloud.

export interface IngressRule {
  protocol: string
  fromPort: number
  toPort: number
  cidrs: string[]
}

export interface PortGrant {
  port: number
  cidr: string
}

function admits(rule: IngressRule, grant: PortGrant): boolean {
  const protocolOk = rule.protocol === 'tcp' || rule.protocol === '-1' || rule.protocol === 'all'
  const portOk = rule.protocol === '-1' || rule.protocol === 'all' || (rule.fromPort <= grant.port && grant.port <= rule.toPort)
  return protocolOk && portOk && (rule.cidrs.includes(grant.cidr) || rule.cidrs.includes('0.0.0.0/0'))
}

export function desiredGrants(ports: number[], cidrs: string[]): PortGrant[] {
  return ports.flatMap((port) => cidrs.map((cidr) => ({ port, cidr })))
}

export function missingGrants(rules: IngressRule[], wanted: PortGrant[]): PortGrant[] {
  return wanted.filter((grant) => !rules.some((rule) => admits(rule, grant)))
}

export function describeGrants(grants: PortGrant[]): string {
  return grants.map((g) => `tcp/${g.port} from ${g.cidr}`).join(', ')
}
