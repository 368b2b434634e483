// Pure input validators. A check returns what is wrong (naming the exact constraint) or undefined;
// a parser returns the parsed value or that message. No imports from node_modules: this runs before
// any SDK loads.
import type { ProviderName } from './types.js'

export type Rule = (value: string) => string | undefined
export type Parsed<T> = { value: T } | { error: string }

/** Quotes a user value for a message, shortened so a pasted blob cannot flood the log. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)
}

/** The first problem any of the rules finds. */
export function firstProblem(...rules: Rule[]): Rule {
  return (value) => {
    for (const rule of rules) {
      const problem = rule(value)
      if (problem) return problem
    }
    return undefined
  }
}

interface Hint {
  when: (value: string) => boolean
  say: (value: string) => string
}

interface FormatSpec {
  pattern: RegExp
  /** What the value should be, e.g. 'a VPC id' */
  what: string
  /** The exact constraint, e.g. '"vpc-" followed by 8 or 17 lowercase hex digits' */
  expected: string
  /** More specific explanations of common mistakes; the first that applies is added */
  hints?: Hint[]
}

function formatRule(spec: FormatSpec): Rule {
  return (value) => {
    if (spec.pattern.test(value)) return undefined
    const hint = spec.hints?.find((h) => h.when(value))
    return `${quote(value)} is not ${spec.what}: expected ${spec.expected}.${hint ? ` ${hint.say(value)}` : ''}`
  }
}

/** Hint for values that would pass once lowercased. */
function lowercaseHint(pattern: RegExp): Hint {
  return {
    when: (v) => v !== v.toLowerCase() && pattern.test(v.toLowerCase()),
    say: (v) => `Use lowercase: ${v.toLowerCase()}.`
  }
}

/** Hint for resource paths or URLs given where only the last segment, the name, belongs. */
const nameNotPathHint: Hint = {
  when: (v) => v.includes('/'),
  say: (v) => `Give the name only (here probably ${quote(v.replace(/\/+$/, '').split('/').pop() ?? '')}), not a resource path or URL.`
}

function shaped(spec: FormatSpec): Rule {
  return formatRule({ ...spec, hints: [...(spec.hints ?? []), lowercaseHint(spec.pattern)] })
}

// ---- Enumerations --------------------------------------------------------------------------

export function checkOneOf(allowed: readonly string[]): Rule {
  return (value) => {
    if (allowed.includes(value)) return undefined
    const meant = allowed.find((a) => a === value.toLowerCase())
    return `${quote(value)} is not one of ${allowed.join(', ')}.${meant ? ` Did you mean ${meant}?` : ''}`
  }
}

/** A plan-id output: the SHA-256 digest of a plan's changes, 64 lowercase hex digits. */
export function checkPlanId(value: string): string | undefined {
  if (/^[0-9a-f]{64}$/.test(value)) return undefined
  if (/^[0-9a-fA-F]{64}$/.test(value)) return `${quote(value)} has uppercase digits; pass the plan-id output as it is.`
  return `${quote(value)} is not a plan-id: 64 hex digits, as the plan-id output of the plan gives it.`
}

// ---- AWS -----------------------------------------------------------------------------------

const AWS_ID_KINDS = { vpc: 'a VPC id', subnet: 'a subnet id', sg: 'a security group id' } as const
type AwsIdPrefix = keyof typeof AWS_ID_KINDS

function awsIdRule(prefix: AwsIdPrefix): Rule {
  const pattern = new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`)
  const others = (Object.keys(AWS_ID_KINDS) as AwsIdPrefix[]).filter((p) => p !== prefix)
  return shaped({
    pattern,
    what: AWS_ID_KINDS[prefix],
    expected: `"${prefix}-" followed by 8 or 17 lowercase hex digits`,
    hints: others.map((other) => ({
      when: (v: string) => v.startsWith(`${other}-`),
      say: () => `That looks like ${AWS_ID_KINDS[other]}.`
    }))
  })
}

export const checkVpcId = awsIdRule('vpc')
export const checkSubnetId = awsIdRule('subnet')
export const checkSecurityGroupId = awsIdRule('sg')

export const checkRoleArn = formatRule({
  pattern: /^arn:aws[-a-z]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
  what: 'an IAM role ARN',
  expected: 'arn:aws:iam::<12-digit account id>:role/<role name>',
  hints: [
    {
      when: (v) => v.includes(':assumed-role/') || v.startsWith('arn:aws:sts:'),
      say: () => 'That is an STS session ARN; give the ARN of the role itself (IAM console → Roles → the role → ARN).'
    },
    { when: (v) => !v.startsWith('arn:'), say: (v) => `Give the full ARN, e.g. arn:aws:iam::123456789012:role/${v}.` },
    { when: (v) => !/:iam::\d{12}:/.test(v), say: () => 'The account id must be exactly 12 digits.' }
  ]
})

export const checkRoleSessionName = formatRule({
  pattern: /^[\w+=,.@-]{2,64}$/,
  what: 'a valid role session name',
  expected: '2 to 64 characters from letters, digits and + = , . @ _ -'
})

/** A native AWS region such as us-west-2. */
export const checkAwsRegion = shaped({
  pattern: /^[a-z]{2}(?:-gov)?-[a-z]{1,16}-\d{1,2}$/,
  what: 'an AWS region',
  expected: 'a region code such as us-west-2'
})

// ---- Zilliz --------------------------------------------------------------------------------

export const checkProjectId = shaped({
  pattern: /^proj-[0-9a-f]{20,32}$/,
  what: 'a Zilliz project id',
  expected: '"proj-" followed by 20 to 32 lowercase hex digits (Zilliz console → project → Project Settings)',
  hints: [
    { when: (v) => /^in\d\d-/.test(v), say: () => 'That is a cluster id; the project id starts with "proj-".' },
    { when: (v) => !v.startsWith('proj-'), say: () => 'Give the project id, not the project name.' }
  ]
})

const CLUSTER_ID = /in\d\d-[0-9a-f]{15}/

export const checkClusterId = shaped({
  pattern: new RegExp(`^${CLUSTER_ID.source}$`),
  what: 'a Zilliz cluster id',
  expected: '"in" and two digits, a hyphen, then 15 lowercase hex digits',
  hints: [
    {
      when: (v) => CLUSTER_ID.test(v),
      say: (v) => `Give the cluster id only, not an address: ${CLUSTER_ID.exec(v)?.[0]}.`
    }
  ]
})

const REGION_ID = /^(aws|gcp|az|ali|tc)-[a-z0-9]+(?:-[a-z0-9]+)*$/
/**
 * The longest region id Zilliz lists is under 30 characters (docs/zilliz-api.md §4, e.g.
 * gcp-northamerica-northeast1); 40 leaves room for new regions while keeping a pasted blob from ever
 * reaching an SDK as a region (it becomes part of a host name, whose labels stop at 63 characters).
 */
export const MAX_REGION_ID_LENGTH = 40

const checkRegionIdFormat = shaped({
  pattern: REGION_ID,
  what: 'a Zilliz region id',
  expected: 'a cloud prefix aws-, gcp-, az-, ali- or tc- followed by the region, such as aws-us-west-2, gcp-us-west1 or az-eastus',
  hints: [
    { when: (v) => v.startsWith('azure-'), say: (v) => `Azure region ids start with "az-": ${v.replace(/^azure-/, 'az-')}.` },
    { when: (v) => /^[a-z]{2}-[a-z]+-\d$/.test(v), say: (v) => `Zilliz region ids carry the cloud prefix: aws-${v}.` }
  ]
})

export const checkRegionId: Rule = firstProblem(
  (v) => (v.length > MAX_REGION_ID_LENGTH ? `Is ${v.length} characters long; a Zilliz region id has at most ${MAX_REGION_ID_LENGTH}, such as aws-us-west-2.` : undefined),
  checkRegionIdFormat
)

/** Splits a Zilliz region id into its cloud prefix and the cloud's own region name. */
export function splitRegionId(regionId: string): { cloud: string; region: string } {
  const dash = regionId.indexOf('-')
  return { cloud: regionId.slice(0, dash), region: regionId.slice(dash + 1) }
}

/**
 * The first character that cannot travel in an HTTP header value as the action sends it (visible ASCII
 * only: fetch refuses anything above U+00FF and servers mangle the rest), by position, never the value.
 */
export function headerValueProblem(value: string): string | undefined {
  const chars = [...value]
  const at = chars.findIndex((c) => c < ' ' || c > '~')
  if (at < 0) return undefined
  const code = (chars[at] ?? '').codePointAt(0) ?? 0
  return `Character ${at + 1} (U+${code.toString(16).toUpperCase().padStart(4, '0')}) cannot be sent in an HTTP header; only visible ASCII characters can. Copy the value again from its source (a typographic quote or dash, or an invisible character, was probably pasted with it).`
}

export function checkApiKey(value: string): string | undefined {
  // Never quotes the value: it is a credential.
  if (/^bearer\b/i.test(value)) return 'The key starts with "Bearer"; give the key alone, the action adds the Authorization header itself.'
  if (/\s/.test(value)) return 'The key contains a space or a line break; copy it again as one line.'
  const notHeader = headerValueProblem(value)
  if (notHeader) return notHeader
  if (/^[^:]+:.+$/.test(value)) {
    return 'The key looks like a cluster credential (user:password); control-plane calls need an API key (Zilliz console → API Keys).'
  }
  return undefined
}

// ---- GCP -----------------------------------------------------------------------------------

const GCP_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export const checkGcpName = shaped({
  pattern: GCP_NAME,
  what: 'a GCP resource name',
  expected: '1 to 63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen',
  hints: [nameNotPathHint]
})

export const checkGcpProjectId = shaped({
  pattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
  what: 'a GCP project id',
  expected: '6 to 30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen',
  hints: [{ when: (v) => /^\d+$/.test(v), say: () => 'That looks like a project number; give the project id, e.g. my-project.' }]
})

/** A native GCP region such as us-west1. */
export const checkGcpRegion = shaped({
  pattern: /^[a-z]{1,16}-[a-z]{1,20}\d{1,2}$/,
  what: 'a GCP region',
  expected: 'a region such as us-west1'
})

const WIF_PROVIDER = /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/

/** Accepts the provider's full resource name too (//iam.googleapis.com/projects/…), as gcloud prints it. */
export function normalizeWorkloadIdentityProvider(value: string): string {
  return value.replace(/^(?:https:)?\/\/iam\.googleapis\.com\//, '')
}

export const checkWorkloadIdentityProvider = formatRule({
  pattern: WIF_PROVIDER,
  what: 'a workload identity provider resource name',
  expected: 'projects/<project number>/locations/global/workloadIdentityPools/<pool id>/providers/<provider id>, ids being 4 to 32 lowercase letters, digits or hyphens',
  hints: [
    {
      when: (v) => /^projects\/[^/]*[^\d/][^/]*\//.test(v),
      say: () => 'The first segment must be the project number, not the project id (gcloud projects describe PROJECT --format="value(projectNumber)").'
    },
    { when: (v) => /\/locations\/(?!global\/)/.test(v), say: () => 'Workload identity pools live in locations/global.' },
    {
      when: (v) => !v.startsWith('projects/'),
      say: () => 'Copy it with: gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool=POOL --location=global --format="value(name)".'
    }
  ]
})

export const checkServiceAccountEmail = shaped({
  pattern: /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/,
  what: 'a GCP service account email',
  expected: 'NAME@PROJECT.iam.gserviceaccount.com',
  hints: [{ when: (v) => !v.includes('@'), say: (v) => `Give the full email, e.g. ${v}@my-project.iam.gserviceaccount.com.` }]
})

// ---- Azure ---------------------------------------------------------------------------------

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const checkGuid = formatRule({
  pattern: GUID,
  what: 'a GUID',
  expected: '8-4-4-4-12 hex digits such as 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  hints: [{ when: (v) => GUID.test(v.replace(/^\{(.*)\}$/, '$1')), say: () => 'Leave out the braces.' }]
})

export const checkResourceGroupName = firstProblem(
  formatRule({
    pattern: /^[\p{L}\p{N}_\-.()]{1,90}$/u,
    what: 'an Azure resource group name',
    expected: '1 to 90 letters, digits, and _ - . ( ) characters',
    hints: [nameNotPathHint]
  }),
  (v) => (v.endsWith('.') ? `${quote(v)} ends with a period, which Azure does not allow in resource group names.` : undefined)
)

// Microsoft's "Naming rules and restrictions for Azure resources" (Microsoft.Network): the same characters for
// each kind below, with different lengths. A name Azure refuses fails at the PUT, after other writes.
// https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules#microsoftnetwork
function azureNameRule(kind: string, min: 1 | 2, max: number): Rule {
  const middle = `[A-Za-z0-9_.-]{0,${max - 2}}`
  const pattern = min === 1 ? new RegExp(`^[A-Za-z0-9](?:${middle}[A-Za-z0-9_])?$`) : new RegExp(`^[A-Za-z0-9]${middle}[A-Za-z0-9_]$`)
  return formatRule({
    pattern,
    what: `a valid ${kind} name`,
    expected: `${min} to ${max} letters, digits, and _ . - characters, starting with a letter or digit and ending with a letter, digit or _ (Azure's naming rules for ${kind}s)`,
    hints: [
      nameNotPathHint,
      { when: (v) => v.length < min || v.length > max, say: (v) => `It has ${v.length} characters.` }
    ]
  })
}

export const checkAzurePrivateEndpointName = azureNameRule('private endpoint', 2, 64)
export const checkAzureVirtualNetworkName = azureNameRule('virtual network', 2, 64)
export const checkAzureSubnetName = azureNameRule('subnet', 1, 80)
export const checkAzureDnsLinkName = azureNameRule('private DNS zone virtual network link', 1, 80)

const DNS_ZONE_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/

/** A private DNS zone name: 2 to 34 labels of 1 to 63 letters, digits, _ and - (a hyphen neither first nor last, as in any DNS label). */
export function checkAzurePrivateDnsZoneName(value: string): string | undefined {
  const labels = value.replace(/\.$/, '').split('.')
  const bad = labels.find((label) => !DNS_ZONE_LABEL.test(label))
  if (labels.length >= 2 && labels.length <= 34 && bad === undefined) return undefined
  const why = bad !== undefined ? `the label ${quote(bad)} is not 1 to 63 letters, digits, _ and - that neither start nor end with -` : `it has ${labels.length} labels`
  return `${quote(value)} is not a valid private DNS zone name: ${why}; Azure wants 2 to 34 labels.`
}

/** The parts of an Azure network resource id: subscription, resource group, virtual network and (for a subnet id) subnet. */
export interface AzureNetworkRef {
  subscriptionId: string
  resourceGroup: string
  virtualNetwork: string
  subnet?: string
}

// ARM ids compare case-insensitively; the names keep the case given.
const VNET_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)(?:\/subnets\/([^/]+))?\/?$/i

/** Whether a value is meant as a resource id rather than a name. */
export const isAzureResourceId = (value: string): boolean => value.startsWith('/')

/**
 * A virtual network id (`kind: 'vnet'`) or subnet id (`kind: 'subnet'`):
 * /subscriptions/S/resourceGroups/G/providers/Microsoft.Network/virtualNetworks/V[/subnets/N], each part
 * held to its own rule.
 */
export function parseAzureNetworkId(value: string, kind: 'vnet' | 'subnet'): Parsed<AzureNetworkRef> {
  const shape = `/subscriptions/<subscription id>/resourceGroups/<resource group>/providers/Microsoft.Network/virtualNetworks/<network>${kind === 'subnet' ? '/subnets/<subnet>' : ''}`
  const match = VNET_ID.exec(value)
  if (!match || Boolean(match[4]) !== (kind === 'subnet'))
    return { error: `${quote(value)} is not ${kind === 'subnet' ? 'a subnet' : 'a virtual network'} resource id: expected ${shape}.` }
  const [, subscriptionId = '', resourceGroup = '', virtualNetwork = '', subnet] = match
  const problem =
    checkGuid(subscriptionId) ?? checkResourceGroupName(resourceGroup) ?? checkAzureVirtualNetworkName(virtualNetwork) ?? (subnet === undefined ? undefined : checkAzureSubnetName(subnet))
  if (problem) return { error: `In ${quote(value)}: ${problem}` }
  return { value: { subscriptionId: subscriptionId.toLowerCase(), resourceGroup, virtualNetwork, ...(subnet === undefined ? {} : { subnet }) } }
}

/** The canonical id of a virtual network (subscription id lower case, names as given). */
export function azureVnetId(ref: AzureNetworkRef): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${ref.virtualNetwork}`
}

/** A native Azure location such as eastus. */
export const checkAzureLocation = shaped({
  pattern: /^[a-z]{1,32}\d?$/,
  what: 'an Azure location',
  expected: 'a location name such as eastus'
})

/** 'East US' → 'eastus': the display name and the name Azure APIs use. */
export function normalizeAzureLocation(value: string): string {
  return value.toLowerCase().replace(/\s+/g, '')
}

// ---- DNS zones the user names (dns: existing-zone) ------------------------------------------

/** Route 53 prints hosted zone ids as /hostedzone/Z…; the id is the last segment. */
export function normalizeHostedZoneId(value: string): string {
  return value.replace(/^\/?hostedzone\//, '')
}

export const checkHostedZoneId = formatRule({
  pattern: /^Z[0-9A-Z]{1,32}$/,
  what: 'a Route 53 hosted zone id',
  expected: '"Z" followed by up to 32 uppercase letters and digits (Route 53 console → Hosted zones → Hosted zone ID)',
  hints: [
    { when: (v) => /^z[0-9a-z]+$/.test(v), say: (v) => `Use uppercase: ${v.toUpperCase()}.` },
    { when: (v) => v.includes('.'), say: () => 'Give the zone id, not the zone name.' }
  ]
})

const GCP_ZONE_PATH = /^projects\/([^/]+)\/managedZones\/([^/]+)$/

/** Accepts the zone's API URL too (https://dns.googleapis.com/dns/v1/projects/…), as some tools print it. */
export function normalizeGcpManagedZone(value: string): string {
  return value.replace(/^https:\/\/(?:www|dns)\.googleapis\.com\/dns\/v1(?:beta2)?\//, '')
}

/** projects/P/managedZones/Z, or Z alone (a zone in gcp-dns-project-id, by default the endpoint's project). */
export function checkGcpManagedZone(value: string): string | undefined {
  const path = GCP_ZONE_PATH.exec(value)
  if (!path) {
    if (value.includes('/')) {
      return `${quote(value)} is not a Cloud DNS managed zone: expected projects/PROJECT/managedZones/ZONE or the zone name alone (gcloud dns managed-zones list --format="value(name)").`
    }
    return checkGcpName(value)?.replace('a GCP resource name', 'a Cloud DNS managed zone name')
  }
  const [, project, zone] = path
  return checkGcpProjectId(project) ?? checkGcpName(zone)?.replace('a GCP resource name', 'a Cloud DNS managed zone name')
}

const AZURE_PRIVATE_ZONE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)$/i

/** /subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/privateDnsZones/ZONE, as the portal's JSON view shows it. */
export function checkAzurePrivateZoneId(value: string): string | undefined {
  const match = AZURE_PRIVATE_ZONE_ID.exec(value)
  if (!match) {
    const hint = /\/dnszones\//i.test(value)
      ? ' That is a public DNS zone (Microsoft.Network/dnsZones); name a private DNS zone.'
      : value.includes('/')
        ? ''
        : ' Give the full resource id (portal → the private DNS zone → JSON View → Resource ID), not the zone name.'
    return `${quote(value)} is not a private DNS zone resource id: expected /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Network/privateDnsZones/<zone name>.${hint}`
  }
  const [, subscription, group, zone] = match
  return checkGuid(subscription) ?? checkResourceGroupName(group) ?? checkAzurePrivateDnsZoneName(zone)
}

/** A right dns-zone-ids value per cloud, for messages (the input table's example is AWS's). */
export const DNS_ZONE_ID_EXAMPLES: Record<ProviderName, string> = {
  aws: 'Z0123456789ABCDEFGHIJ',
  gcp: 'projects/network-hub/managedZones/zilliz-aws-us-west-2',
  azure:
    '/subscriptions/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-dns-hub/providers/Microsoft.Network/privateDnsZones/az-eastus.vectordb.zillizcloud.com'
}

/** The rule and normalisation of one dns-zone-ids item for a cloud. */
export const DNS_ZONE_ID_RULES: Record<ProviderName, { check: Rule; normalize: (value: string) => string }> = {
  aws: { check: checkHostedZoneId, normalize: normalizeHostedZoneId },
  gcp: { check: checkGcpManagedZone, normalize: normalizeGcpManagedZone },
  azure: { check: checkAzurePrivateZoneId, normalize: (v) => v }
}

// ---- Names the action gives its own resources ----------------------------------------------

/** A prefix the action builds resource names from; short enough to leave room for a suffix. */
export const checkResourceNamePrefix = shaped({
  pattern: /^[a-z](?:[a-z0-9-]{0,28}[a-z0-9])?$/,
  what: 'a usable name prefix',
  expected: 'a lowercase letter, then lowercase letters, digits or hyphens, at most 30 characters, not ending with a hyphen, so that names built from it are valid in AWS, GCP and Azure'
})

/** name-prefix also names AWS security groups, which must not start with sg-. */
export const checkNamePrefix = firstProblem(checkResourceNamePrefix, (v) =>
  v.startsWith('sg-') ? `${quote(v)} starts with "sg-", which AWS does not allow at the start of security group names.` : undefined
)

// ---- Networks ------------------------------------------------------------------------------

function dotted(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.')
}

export function checkCidr(value: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(value)
  if (!match) {
    const ipv6 = value.includes(':') ? ' IPv6 ranges are not supported yet.' : ''
    return `${quote(value)} is not an IPv4 CIDR block: expected a.b.c.d/n such as 10.0.0.0/16.${ipv6}`
  }
  const octets = match.slice(1, 5)
  if (octets.some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) {
    return `${quote(value)} is not an IPv4 CIDR block: each of the four numbers must be 0 to 255, without leading zeros.`
  }
  if (match[5] === undefined) return `${quote(value)} has no prefix length: did you mean ${value}/32 (this one address)?`
  const prefix = Number(match[5])
  if (prefix > 32) return `${quote(value)} has prefix length /${prefix}; IPv4 prefix lengths are 0 to 32.`
  const address = octets.reduce((acc, o) => acc * 256 + Number(o), 0)
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  const network = (address & mask) >>> 0
  if (network !== address) {
    return `${quote(value)} has host bits set after the /${prefix} prefix: did you mean ${dotted(network)}/${prefix}?`
  }
  return undefined
}

interface NumberSpec {
  min: number
  max: number
  /** What the number is, e.g. 'a TCP port' */
  what: string
  hints?: Hint[]
}

/** A whole number within [min, max], written in plain decimal digits. */
export function parseWholeNumber(text: string, spec: NumberSpec): Parsed<number> {
  const value = Number(text)
  if (/^\d+$/.test(text) && value >= spec.min && value <= spec.max) return { value }
  const hint = spec.hints?.find((h) => h.when(text))
  return { error: `${quote(text)} is not ${spec.what}: expected a whole number from ${spec.min} to ${spec.max}.${hint ? ` ${hint.say(text)}` : ''}` }
}

export function parsePort(text: string): Parsed<number> {
  return parseWholeNumber(text, {
    min: 1,
    max: 65535,
    what: 'a TCP port',
    hints: [{ when: (v) => /^\d+\s*-\s*\d+$/.test(v), say: () => 'Port ranges are not supported; list each port.' }]
  })
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

/** 4, 6 or 0 like node:net's isIP, without loading node:net on the validation path (cold start). */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (IPV4.test(text)) return 4
  if (!text.includes(':') || /[^0-9a-fA-F:.]/.test(text)) return 0
  try {
    // The WHATWG URL parser is a complete IPv6 parser and is always loaded.
    new URL(`http://[${text}]/`)
    return 6
  } catch {
    return 0
  }
}

/** Host and port text of 10.0.0.2, 10.0.0.2:53, fd00::2 or [fd00::2]:53; nothing when the shape is wrong. */
function splitHostPort(text: string): { host?: string; port?: string } {
  if (ipVersion(text)) return { host: text }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracketed) return ipVersion(bracketed[1]) === 6 ? { host: bracketed[1], port: bracketed[2] } : {}
  const withPort = /^([^:]+):(\d+)$/.exec(text)
  return withPort ? { host: withPort[1], port: withPort[2] } : {}
}

/** An IP address with an optional port (53 by default). */
export function parseDnsServer(text: string): Parsed<{ host: string; port: number }> {
  const { host, port } = splitHostPort(text)
  if (!host || !ipVersion(host)) {
    return {
      error: `${quote(text)} is not a DNS server address: expected an IP address with an optional port, such as 10.0.0.2, 10.0.0.2:53 or [fd00::2]:53 (a host name would itself need DNS).`
    }
  }
  if (port === undefined) return { value: { host, port: 53 } }
  const parsed = parsePort(port)
  return 'error' in parsed ? { error: `${quote(text)} has an invalid port: ${parsed.error}` } : { value: { host, port: parsed.value } }
}

export function parseApiUrl(text: string): Parsed<string> {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { error: `${quote(text)} is not a URL: expected a base URL such as https://api.cloud.zilliz.com.` }
  }
  // Not quoted: a URL with user info carries a credential.
  if (url.username || url.password) return { error: 'The URL contains a user name or password; put the API key in zilliz-api-key instead.' }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return { error: `${quote(text)} must use https:// (http:// is accepted only for 127.0.0.1, localhost or [::1], as used by local emulators).` }
  }
  if (url.search || url.hash) return { error: `${quote(text)} has a query or fragment; give the base URL only.` }
  const base = `${url.origin}${url.pathname}`.replace(/\/+$/, '')
  if (/\/v\d+$/.test(base)) {
    return { error: `${quote(text)} ends with an API version; give the base URL only (the action adds /v2/… itself).` }
  }
  return { value: base }
}

// ---- Durations and booleans ----------------------------------------------------------------

const SECONDS_PER_UNIT = { h: 3600, m: 60, s: 1 } as const

/** Whole seconds ("900") or units h, m, s in that order ("15m", "1h30m", "90s"). */
export function parseDuration(text: string): Parsed<number> {
  if (/^\d+$/.test(text)) return { value: Number(text) }
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)
  if (!text || !match) {
    return { error: `${quote(text)} is not a duration: expected seconds (900) or a number with unit h, m or s, such as 15m, 900s, 1h or 1h30m.` }
  }
  const [hours, minutes, seconds] = match.slice(1).map((n) => Number(n ?? 0))
  return { value: hours * SECONDS_PER_UNIT.h + minutes * SECONDS_PER_UNIT.m + seconds * SECONDS_PER_UNIT.s }
}

/** 5400 → '1h30m', for messages. */
export function formatDuration(seconds: number): string {
  const parts = (Object.entries(SECONDS_PER_UNIT) as [string, number][]).map(([unit, size]) => {
    const count = Math.floor(seconds / size)
    seconds -= count * size
    return count ? `${count}${unit}` : ''
  })
  return parts.join('') || '0s'
}

export function parseDurationWithin(text: string, minSeconds: number, maxSeconds: number): Parsed<number> {
  const parsed = parseDuration(text)
  if ('error' in parsed) return parsed
  if (parsed.value > maxSeconds) return { error: `${quote(text)} is longer than the maximum of ${formatDuration(maxSeconds)}.` }
  if (parsed.value < minSeconds) return { error: `${quote(text)} is shorter than the minimum of ${formatDuration(minSeconds)}.` }
  return parsed
}

const YAML_BOOLEANS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false }
const YAML_1_1_BOOLEANS = /^(?:y|yes|n|no|on|off)$/i

/** YAML 1.2 core schema booleans only, as configure-aws-credentials does. */
export function parseBoolean(text: string): Parsed<boolean> {
  if (text in YAML_BOOLEANS) return { value: YAML_BOOLEANS[text] }
  const why = YAML_1_1_BOOLEANS.test(text)
    ? ' Words like yes, no, on and off were booleans only in YAML 1.1.'
    : /^\d+$/.test(text)
      ? ' Numbers are not booleans.'
      : ''
  return { error: `${quote(text)} is not a boolean: expected true or false (YAML 1.2: true, True, TRUE, false, False, FALSE).${why}` }
}

// ---- Lists ---------------------------------------------------------------------------------

/** Items separated by commas or newlines, trimmed, empty ones dropped; repeats listed once each. */
export function splitList(text: string): { items: string[]; duplicates: string[] } {
  const items = text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '')
  const duplicates = [...new Set(items.filter((item, index) => items.indexOf(item) !== index))]
  return { items, duplicates }
}

// ---- Tags ----------------------------------------------------------------------------------

/** Keys the action writes on every resource it creates, to find and own them later. */
export const RESERVED_TAG_PREFIX = 'zilliz-private-link:'
/** How many ownership tags the action adds to every resource. */
export const OWNERSHIP_TAG_COUNT = 5
/** AWS (and Azure) allow 50 tags per resource. */
export const MAX_TAGS_PER_RESOURCE = 50
export const MAX_USER_TAGS = MAX_TAGS_PER_RESOURCE - OWNERSHIP_TAG_COUNT

/** A JSON object whose values are all strings. Limits are checked by checkTags. */
export function parseTags(text: string): Parsed<Record<string, string>> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return { error: `Not valid JSON (${(error as Error).message}); expected an object such as {"team":"search"}.` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`
    return { error: `Got ${kind}; expected a JSON object of tag names to values, such as {"team":"search"}.` }
  }
  const notStrings = Object.entries(parsed).filter(([, value]) => typeof value !== 'string')
  if (notStrings.length > 0) {
    const keys = notStrings.map(([key]) => quote(key)).join(', ')
    return { error: `Tag values must be strings, but those of ${keys} are not; quote them, e.g. {"cost-center":"42"}.` }
  }
  return { value: parsed as Record<string, string> }
}

interface TagRule {
  /** Providers the rule applies to; every provider when absent */
  providers?: ProviderName[]
  check: (key: string, value: string) => string | undefined
}

const GCP_LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/
const GCP_LABEL_VALUE = /^[a-z0-9_-]{0,63}$/

const TAG_RULES: TagRule[] = [
  { check: (key) => (key === '' ? 'A tag name is empty.' : undefined) },
  { check: (key) => (key.length > 128 ? `Tag name ${quote(key)} is ${key.length} characters; the limit is 128.` : undefined) },
  {
    check: (key, value) =>
      value.length > 256 ? `The value of ${quote(key)} is ${value.length} characters; the limit is 256.` : undefined
  },
  { check: (key) => (/^aws:/i.test(key) ? `Tag name ${quote(key)} starts with "aws:", which AWS reserves for itself.` : undefined) },
  {
    check: (key) =>
      key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)
        ? `Tag name ${quote(key)} starts with "${RESERVED_TAG_PREFIX}", which the action reserves for its ownership tags.`
        : undefined
  },
  {
    providers: ['gcp'],
    check: (key) =>
      GCP_LABEL_KEY.test(key)
        ? undefined
        : `Tag name ${quote(key)} is not a valid GCP label key: 1 to 63 lowercase letters, digits, _ or -, starting with a letter.`
  },
  {
    providers: ['gcp'],
    check: (key, value) =>
      GCP_LABEL_VALUE.test(value)
        ? undefined
        : `The value of ${quote(key)} is not a valid GCP label value: at most 63 lowercase letters, digits, _ or -.`
  },
  {
    providers: ['azure'],
    check: (key) => (/[<>%&\\?/]/.test(key) ? `Tag name ${quote(key)} contains one of < > % & \\ ? /, which Azure does not allow.` : undefined)
  }
]

/** Every limit the tags break, at most one message per tag, plus the count limit. */
export function checkTags(tags: Record<string, string>, provider?: ProviderName): string[] {
  const rules = TAG_RULES.filter((rule) => !rule.providers || (provider && rule.providers.includes(provider)))
  const problems = Object.entries(tags).flatMap(([key, value]) => {
    const found = rules.map((rule) => rule.check(key, value)).find((message) => message)
    return found ? [found] : []
  })
  const count = Object.keys(tags).length
  if (count > MAX_USER_TAGS) {
    problems.push(
      `${count} tags given; at most ${MAX_USER_TAGS} are allowed, since resources take ${MAX_TAGS_PER_RESOURCE} tags and the action adds ${OWNERSHIP_TAG_COUNT} of its own.`
    )
  }
  return problems
}

// ---- Client network (in-network proof) ------------------------------------------------------

const GCP_SUBNETWORK_PATH = /^(?:https:\/\/(?:www|compute)\.googleapis\.com\/compute\/v1\/)?projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/regions\/[a-z]{1,16}-[a-z]{1,20}\d{1,2}\/subnetworks\/[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** A GCP subnetwork by name (in the network's project and the link's region), by path or by URL. */
export function checkGcpSubnetworkRef(value: string): string | undefined {
  if (GCP_SUBNETWORK_PATH.test(value) || GCP_NAME.test(value)) return undefined
  return `${quote(value)} is not a GCP subnetwork: expected its name (1 to 63 lowercase letters, digits or hyphens, starting with a letter), projects/PROJECT/regions/REGION/subnetworks/NAME, or that path as a https://www.googleapis.com/compute/v1/ URL.`
}

const AZURE_SEGMENT = '[^/]+'
const AZURE_SUBNET_ID = new RegExp(
  `^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/${AZURE_SEGMENT}/providers/Microsoft\\.Network/virtualNetworks/${AZURE_SEGMENT}/subnets/${AZURE_SEGMENT}$`,
  'i'
)

/** An Azure subnet by name (in azure-virtual-network) or by its full resource id. */
export function checkAzureSubnetRef(value: string): string | undefined {
  if (value.startsWith('/')) {
    return AZURE_SUBNET_ID.test(value)
      ? undefined
      : `${quote(value)} is not a subnet resource id: expected /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<network>/subnets/<subnet>.`
  }
  return checkAzureSubnetName(value)
}

export const checkAzureVmId = formatRule({
  pattern: new RegExp(`^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/${AZURE_SEGMENT}/providers/Microsoft\\.Compute/virtualMachines/${AZURE_SEGMENT}$`, 'i'),
  what: 'a virtual machine resource id',
  expected: '/subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>',
  hints: [{ when: (v) => !v.includes('/'), say: () => 'Give the full resource id (az vm show --query id), not the name.' }]
})
