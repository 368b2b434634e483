// Turns the raw action inputs into the typed Config, or into every problem found at once.
// Runs before any SDK loads, so it imports nothing from node_modules.
import { defaultApiUrl } from '../zilliz/base-url.js'
import { parseNetworkReference, parseSubnetworkReference, resolveGcpProjects } from './gcp-layout.js'
import { INPUT_NAMES, inputSpec, type InputName } from './inputs.js'
import {
  checkApiKey,
  checkAwsRegion,
  checkAzureLocation,
  checkAzurePrivateEndpointName,
  checkAzureSubnetName,
  checkAzureSubnetRef,
  checkAzureVmId,
  checkAzureVirtualNetworkName,
  checkCidr,
  checkClusterId,
  checkGcpProjectId,
  checkGcpRegion,
  checkGcpSubnetworkRef,
  headerValueProblem,
  checkGuid,
  checkNamePrefix,
  checkOneOf,
  checkPlanId,
  checkProjectId,
  checkRegionId,
  checkResourceGroupName,
  checkResourceNamePrefix,
  checkRoleArn,
  checkRoleSessionName,
  checkSecurityGroupId,
  checkServiceAccountEmail,
  checkSubnetId,
  checkTags,
  checkVpcId,
  checkWorkloadIdentityProvider,
  DNS_ZONE_ID_EXAMPLES,
  DNS_ZONE_ID_RULES,
  azureVnetId,
  isAzureResourceId,
  parseAzureNetworkId,
  normalizeAzureLocation,
  normalizeWorkloadIdentityProvider,
  parseApiUrl,
  parseBoolean,
  parseDnsServer,
  parseDurationWithin,
  parsePort,
  parseTags,
  parseWholeNumber,
  quote,
  splitList,
  splitRegionId,
  type Parsed,
  type Rule
} from './rules.js'
import type {
  AwsSettings,
  AzureSettings,
  Config,
  DnsMode,
  DnsSettings,
  GcpSettings,
  ClientNetwork,
  InputProblem,
  ModeInput,
  NetworkAnalysisInput,
  ProviderName,
  VerifyInput,
  ZillizSettings
} from './types.js'

const PROVIDERS: readonly ProviderName[] = ['aws', 'gcp', 'azure']
const MODES: readonly ModeInput[] = ['auto', 'plan', 'apply', 'destroy', 'destroy-plan']
const VERIFY_LEVELS: readonly VerifyInput[] = ['auto', 'control-plane', 'full', 'none']
const DNS_MODES: readonly DnsMode[] = ['managed', 'existing-zone', 'none']
const NETWORK_ANALYSIS: readonly NetworkAnalysisInput[] = ['auto', 'off']
const MAX_WAIT_SECONDS = 2 * 3600

/** Zilliz region id prefix → provider; ali- and tc- regions exist but are not automated. */
const PROVIDER_OF_REGION_PREFIX: Record<string, ProviderName> = { aws: 'aws', gcp: 'gcp', az: 'azure' }
const NOT_AUTOMATED_CLOUDS: Record<string, string> = { ali: 'Alibaba Cloud', tc: 'Tencent Cloud' }
const NATIVE_REGION_RULES: Record<ProviderName, Rule> = { aws: checkAwsRegion, gcp: checkGcpRegion, azure: checkAzureLocation }

function asParser(rule: Rule, normalize: (value: string) => string = (v) => v): (text: string) => Parsed<string> {
  return (text) => {
    const value = normalize(text)
    const problem = rule(value)
    return problem ? { error: problem } : { value }
  }
}

function errorOf<T>(parsed: Parsed<T>): string | undefined {
  return 'error' in parsed ? parsed.error : undefined
}

/**
 * Reads inputs through their defaults and records problems instead of throwing. Invalid or missing
 * values come back as placeholders ('' or a fallback); they never leave parseConfig, because any
 * problem discards the config.
 */
class InputReader {
  readonly problems: InputProblem[] = []

  constructor(private readonly read: (name: string) => string) {}

  given(name: InputName): boolean {
    return this.read(name).trim() !== ''
  }

  /** The input's value, or its default when empty. */
  raw(name: InputName): string {
    return this.read(name).trim() || inputSpec(name).default || ''
  }

  problem(name: InputName, message: string, example: string = inputSpec(name).example): void {
    this.problems.push({ input: name, message, example })
  }

  private missing(name: InputName): void {
    const { provider } = inputSpec(name)
    this.problem(name, `Required${provider ? ` when provider is ${provider}` : ''}, but not given.`)
  }

  parsed<T>(name: InputName, parse: (text: string) => Parsed<T>, fallback: T): T {
    const text = this.raw(name)
    if (!text) {
      if (inputSpec(name).required) this.missing(name)
      return fallback
    }
    const result = parse(text)
    if ('error' in result) {
      this.problem(name, result.error)
      return fallback
    }
    return result.value
  }

  text(name: InputName, rule: Rule = () => undefined, normalize?: (value: string) => string): string {
    return this.parsed(name, asParser(rule, normalize), '')
  }

  optional(name: InputName, rule?: Rule, normalize?: (value: string) => string): string | undefined {
    return this.text(name, rule, normalize) || undefined
  }

  oneOf<T extends string>(name: InputName, allowed: readonly T[]): T {
    return (this.text(name, checkOneOf(allowed)) || allowed[0]) as T
  }

  bool(name: InputName): boolean {
    return this.parsed(name, parseBoolean, false)
  }

  list<T>(name: InputName, parseItem: (item: string) => Parsed<T>): T[] {
    const { items, duplicates } = splitList(this.raw(name))
    if (items.length === 0 && inputSpec(name).required) this.missing(name)
    if (duplicates.length > 0) this.problem(name, `Lists ${duplicates.map(quote).join(', ')} more than once; give each item once.`)
    return items.flatMap((item) => {
      const result = /\s/.test(item)
        ? { error: `${quote(item)} contains a space: separate items with commas or newlines.` }
        : parseItem(item)
      if ('error' in result) {
        this.problem(name, result.error)
        return []
      }
      return [result.value]
    })
  }

  strings(name: InputName, rule: Rule): string[] {
    return this.list(name, asParser(rule))
  }
}

/** What the cloud readers need to know from the common inputs. */
interface CloudContext {
  provider: ProviderName
  regionId: string
  /** The cloud's own region name, when the region id is valid and matches the provider */
  region?: string
  projectId: string
  namePrefix: string
}

export interface ParseOptions {
  /**
   * The run gets no secrets (a fork or Dependabot pull request that only plans): a missing API key is
   * then not a problem, and the plan is made offline.
   */
  secretsWithheld?: boolean
  /** The run is one GitHub gives no secrets (e.g. 'a Dependabot run'), for the message about a missing key */
  withheld?: string | undefined
}

/** An empty key where GitHub would have given one: say why a secret reads as empty, and how to pass it. */
function missingApiKey(inputs: InputReader, options: ParseOptions): void {
  const because = options.withheld
    ? `This is ${options.withheld}, which GitHub gives no secrets, so it can only plan (mode: auto or plan).`
    : 'A secret that does not exist, or that this job cannot see (an environment secret outside that environment, a reusable workflow called without secrets:), reads as empty.'
  inputs.problem(
    'zilliz-api-key',
    `Is empty. ${because} Store the Zilliz API key as a secret (Settings → Secrets and variables → Actions) and pass it: zilliz-api-key: \${{ secrets.ZILLIZ_API_KEY }}, or under secrets: when calling the reusable workflow.`
  )
}

function readZilliz(inputs: InputReader, options: ParseOptions): ZillizSettings {
  const regionId = inputs.text('zilliz-region-id', checkRegionId)
  const apiUrl = inputs.parsed('zilliz-api-url', parseApiUrl, '')
  const keyGiven = inputs.given('zilliz-api-key')
  if (!keyGiven && !options.secretsWithheld) missingApiKey(inputs, options)
  return {
    apiKey: keyGiven ? inputs.text('zilliz-api-key', checkApiKey) : '',
    projectId: inputs.text('zilliz-project-id', checkProjectId),
    regionId,
    apiUrl: apiUrl || (regionId ? defaultApiUrl(regionId) : ''),
    clusterIds: inputs.strings('cluster-ids', checkClusterId)
  }
}

/** The one provider whose own inputs were given, if exactly one. */
function providerOfGivenInputs(inputs: InputReader): ProviderName | undefined {
  const used = PROVIDERS.filter((p) => INPUT_NAMES.some((name) => inputSpec(name).provider === p && inputs.given(name)))
  return used.length === 1 ? used[0] : undefined
}

/** The provider, from the provider input or the region id prefix, and the native region if consistent. */
function readProvider(inputs: InputReader, regionId: string): { provider?: ProviderName; region?: string; source: string } {
  const explicit = inputs.optional('provider', checkOneOf(PROVIDERS)) as ProviderName | undefined
  if (!regionId) return { provider: explicit, source: 'set by the provider input' }
  const { cloud, region } = splitRegionId(regionId)
  const notAutomated = NOT_AUTOMATED_CLOUDS[cloud]
  if (notAutomated) {
    inputs.problem(
      'zilliz-region-id',
      `${quote(regionId)} is an ${notAutomated} region: there is no private-link automation for Alibaba/Tencent clusters yet; set the link up in the Zilliz Cloud console.`
    )
    return { source: '' }
  }
  const inferred = PROVIDER_OF_REGION_PREFIX[cloud]
  if (explicit && explicit !== inferred) {
    inputs.problem(
      'provider',
      `${quote(explicit)} does not match zilliz-region-id ${quote(regionId)}, which is a ${inferred} region. Leave provider empty to infer it from the region id.`,
      inferred
    )
    // Go on with the cloud whose inputs were given, so one mistake does not flag every other input.
    const meant = providerOfGivenInputs(inputs) ?? explicit
    if (meant !== inferred) return { provider: meant, source: 'set by the provider input' }
  }
  const source = `inferred from zilliz-region-id ${quote(regionId)}`
  const regionProblem = NATIVE_REGION_RULES[inferred](region)
  if (regionProblem) {
    inputs.problem('zilliz-region-id', `${quote(regionId)} does not end in a valid region: ${regionProblem}`)
    return { provider: inferred, source }
  }
  return { provider: inferred, region, source }
}

function rejectOtherProvidersInputs(inputs: InputReader, provider: ProviderName, source: string): void {
  for (const name of INPUT_NAMES) {
    const owner = inputSpec(name).provider
    if (owner && owner !== provider && inputs.given(name)) {
      inputs.problem(name, `Applies to provider ${owner} only, but the provider is ${provider} (${source}).`, `leave ${name} unset when provider is ${provider}`)
    }
  }
}

type CommonSettings = Omit<Config, 'provider' | 'zilliz' | 'dns' | 'aws' | 'gcp' | 'azure'>

/** dns and dns-zone-ids: the zone ids are checked in the format of the provider's cloud. */
function readDns(inputs: InputReader, provider: ProviderName | undefined): DnsSettings {
  const mode = inputs.oneOf('dns', DNS_MODES)
  const example = provider ? DNS_ZONE_ID_EXAMPLES[provider] : inputSpec('dns-zone-ids').example
  if (mode !== 'existing-zone') {
    if (inputs.given('dns-zone-ids')) {
      inputs.problem(
        'dns-zone-ids',
        `Is used only with dns: existing-zone, but dns is ${mode}. Set dns: existing-zone to write the records into these zones, or remove dns-zone-ids.`,
        'dns: existing-zone'
      )
    }
    return { mode, zoneIds: [] }
  }
  if (!inputs.given('dns-zone-ids')) {
    inputs.problem('dns-zone-ids', 'Required when dns is existing-zone: name the private zones the records go into.', example)
    return { mode, zoneIds: [] }
  }
  // Without a valid provider the format is unknown; the provider problem is reported already.
  const rule = provider ? DNS_ZONE_ID_RULES[provider] : { check: () => undefined, normalize: (v: string) => v }
  const before = inputs.problems.length
  const zoneIds = inputs.list<string>('dns-zone-ids', (item) => {
    const value = rule.normalize(item)
    const problem = rule.check(value)
    return problem ? { error: problem } : { value }
  })
  for (const problem of inputs.problems.slice(before)) problem.example = example
  const repeated = zoneIds.filter((id, index) => zoneIds.indexOf(id) !== index)
  if (repeated.length > 0 && inputs.problems.length === before) {
    inputs.problem('dns-zone-ids', `Names ${[...new Set(repeated)].map(quote).join(', ')} more than once; give each zone once.`, example)
  }
  return { mode, zoneIds }
}

function readCommon(inputs: InputReader, provider: ProviderName | undefined): CommonSettings {
  const verify = inputs.oneOf('verify', VERIFY_LEVELS)
  const dnsServer = inputs.optional('dns-server', (v) => errorOf(parseDnsServer(v)))
  if (dnsServer && (verify === 'none' || verify === 'control-plane')) {
    inputs.problem(
      'dns-server',
      `Is used only by the data-plane checks, but verify is ${verify}. Remove dns-server, or set verify to auto or full.`,
      'leave dns-server unset, or set verify: full'
    )
  }
  const commentOnPr = inputs.bool('comment-on-pr')
  const githubToken = inputs.optional('github-token', headerValueProblem)
  if (commentOnPr && !githubToken) {
    inputs.problem('github-token', 'Is empty, but comment-on-pr is true: posting a comment needs a token with pull-requests: write.')
  }
  const mode = inputs.oneOf('mode', MODES)
  const expectedPlanId = inputs.optional('expected-plan-id', checkPlanId)
  if (expectedPlanId && mode === 'plan') {
    inputs.problem('expected-plan-id', 'Is checked only before an apply, but mode is plan. Remove expected-plan-id, or set mode to apply or auto.', 'leave expected-plan-id unset with mode: plan')
  }
  const requireProtected = inputs.bool('require-protected-environment')
  if (requireProtected && !githubToken) {
    inputs.problem('github-token', 'Is empty, but require-protected-environment is true: reading the environment needs a token (the default github.token does).')
  }
  const tags = inputs.parsed('tags', parseTags, {})
  for (const message of checkTags(tags, provider)) inputs.problem('tags', message)
  const networkAnalysis = inputs.oneOf('network-analysis', NETWORK_ANALYSIS)
  return {
    mode,
    ports: inputs.list('ports', parsePort),
    allowedCidrs: inputs.strings('allowed-cidrs', checkCidr),
    waitTimeoutSeconds: inputs.parsed('wait-timeout', (text) => parseDurationWithin(text, 1, MAX_WAIT_SECONDS), 0),
    namePrefix: inputs.text('name-prefix', checkNamePrefix),
    tags,
    verify,
    ...(dnsServer ? { dnsServer } : {}),
    failOnChanges: inputs.bool('fail-on-changes'),
    prune: inputs.bool('prune'),
    failOnUnverified: inputs.bool('fail-on-unverified'),
    networkAnalysis,
    client: readClient(inputs, provider, verify),
    ...(expectedPlanId ? { expectedPlanId } : {}),
    ...(requireProtected && githubToken ? { protectedEnvironment: { githubToken } } : {}),
    ...(commentOnPr && githubToken ? { prComment: { githubToken } } : {})
  }
}

/** The client subnet is spelt the way the provider names subnets; an unknown provider leaves it unchecked. */
const CLIENT_SUBNET_RULES: Record<ProviderName, Rule> = { aws: checkSubnetId, gcp: checkGcpSubnetworkRef, azure: checkAzureSubnetRef }

function readClient(inputs: InputReader, provider: ProviderName | undefined, verify: VerifyInput): ClientNetwork {
  const subnet = provider ? inputs.optional('client-subnet', CLIENT_SUBNET_RULES[provider]) : undefined
  const securityGroupIds = inputs.strings('client-security-group-ids', checkSecurityGroupId)
  // The client network matters only to data-plane proofs; with verify none or control-plane none runs.
  if (verify === 'none' || verify === 'control-plane') {
    for (const name of ['client-subnet', 'client-security-group-ids'] as const) {
      if (inputs.given(name)) inputs.problem(name, `Is used only by the data-plane proofs, but verify is ${verify}. Remove ${name}, or set verify to auto or full.`, `leave ${name} unset, or set verify: auto`)
    }
  }
  return { ...(subnet ? { subnet } : {}), securityGroupIds }
}

/** A region input may only repeat the region of the region id: a link cannot cross regions here. */
function mustMatchRegion(inputs: InputReader, name: InputName, given: string | undefined, ctx: CloudContext): void {
  if (given && ctx.region && given !== ctx.region) {
    inputs.problem(
      name,
      `${quote(given)} differs from ${ctx.region}, the region of zilliz-region-id ${quote(ctx.regionId)}; the endpoint has to be in the cluster's region. Leave ${name} empty, or set it to ${ctx.region}.`,
      ctx.region
    )
  }
}

/** Inputs that only mean something next to another input. */
function onlyWith(inputs: InputReader, anchor: InputName, dependents: InputName[], why: string): void {
  if (inputs.given(anchor)) return
  for (const name of dependents.filter((d) => inputs.given(d))) {
    inputs.problem(name, `Has no effect without ${anchor}: ${why}. Set ${anchor}, or remove ${name}.`, `${anchor}: ${inputSpec(anchor).example}`)
  }
}

/** Inputs that must be given together or not at all. */
function together(inputs: InputReader, names: InputName[], why: string): void {
  const given = names.filter((name) => inputs.given(name))
  if (given.length === 0 || given.length === names.length) return
  for (const name of names.filter((n) => !given.includes(n))) {
    inputs.problem(name, `Required when ${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} given: ${why}.`)
  }
}

const lowercase = (value: string): string => value.toLowerCase()

/** Inputs that place, share or link the action's zones mean nothing when it writes no DNS. */
function withoutDns(inputs: InputReader, mode: DnsMode, names: InputName[]): void {
  if (mode !== 'none') return
  for (const name of names.filter((n) => inputs.given(n)))
    inputs.problem(name, `Says where the action puts or shares its private DNS zones, but dns is none, so it writes no DNS. Remove ${name}, or set dns: managed.`, `leave ${name} unset with dns: none`)
}

/** Per cloud, the inputs that say where the zones live or which further networks they serve. */
const ZONE_PLACEMENT_INPUTS: Record<ProviderName, InputName[]> = {
  aws: ['aws-dns-vpc-ids', 'aws-dns-role-arn'],
  gcp: [],
  // Azure's are refused with existing-zone too (azureZonesOnlyWhenManaged).
  azure: []
}

/** VPCs aws-dns-vpc-ids may list: their ids must fit one Route 53 tag value (see zone-vpcs.ts). */
const MAX_DNS_VPCS = 10

function readAws(inputs: InputReader, ctx: CloudContext): AwsSettings {
  const region = inputs.optional('aws-region', checkAwsRegion)
  mustMatchRegion(inputs, 'aws-region', region, ctx)
  onlyWith(
    inputs,
    'aws-role-arn',
    ['aws-role-session-name', 'aws-role-duration-seconds'],
    'without a role the credentials already on the runner are used as they are'
  )
  const roleArn = inputs.optional('aws-role-arn', checkRoleArn)
  const vpcId = inputs.text('aws-vpc-id', checkVpcId)
  const dnsVpcIds = inputs.strings('aws-dns-vpc-ids', checkVpcId)
  if (vpcId && dnsVpcIds.includes(vpcId))
    inputs.problem('aws-dns-vpc-ids', `Lists ${quote(vpcId)}, the endpoint's VPC (aws-vpc-id), which the zones are always associated with. List only the other VPCs.`)
  // One tag value (256 characters) records the VPCs the action associated; each id takes 22 of them.
  if (dnsVpcIds.length > MAX_DNS_VPCS)
    inputs.problem('aws-dns-vpc-ids', `Lists ${dnsVpcIds.length} VPCs; the action associates at most ${MAX_DNS_VPCS} besides aws-vpc-id. Associate more by hand, or share one zone through fewer VPCs.`)
  const dnsRoleArn = inputs.optional('aws-dns-role-arn', checkRoleArn)
  if (dnsRoleArn && roleArn === dnsRoleArn)
    inputs.problem('aws-dns-role-arn', 'Is aws-role-arn itself. Leave it empty when the zones live in the endpoint\'s account, or give the role of the account that holds them.')
  const probeRoleArn = inputs.optional('aws-probe-role-arn', checkRoleArn)
  return {
    region: ctx.region ?? region ?? '',
    ...(roleArn ? { roleArn } : {}),
    roleSessionName: inputs.text('aws-role-session-name', checkRoleSessionName),
    roleDurationSeconds: inputs.parsed(
      'aws-role-duration-seconds',
      (text) =>
        parseWholeNumber(text, {
          min: 900,
          max: 43200,
          what: 'a role session duration in seconds',
          hints: [{ when: (v) => /^\d+[hms]$/.test(v), say: () => 'Give seconds, e.g. 3600 for one hour.' }]
        }),
      0
    ),
    vpcId,
    subnetIds: inputs.strings('aws-subnet-ids', checkSubnetId),
    securityGroupIds: inputs.strings('aws-security-group-ids', checkSecurityGroupId),
    dnsVpcIds,
    ...(dnsRoleArn ? { dnsRoleArn } : {}),
    ...(probeRoleArn ? { probeRoleArn } : {})
  }
}

function readGcp(inputs: InputReader, ctx: CloudContext): GcpSettings {
  const projectId = inputs.text('gcp-project-id', checkGcpProjectId)
  const network = inputs.parsed('gcp-network', parseNetworkReference, { name: '' })
  const subnetwork = inputs.parsed('gcp-subnetwork', parseSubnetworkReference, { name: '' })
  const networkProjectId = inputs.optional('gcp-network-project-id', checkGcpProjectId)
  const endpointProjectId = inputs.optional('gcp-endpoint-project-id', checkGcpProjectId)
  const dnsProjectId = inputs.optional('gcp-dns-project-id', checkGcpProjectId)
  const layout = resolveGcpProjects({
    projectId,
    network,
    subnetwork,
    ...(networkProjectId ? { networkProjectId } : {}),
    ...(endpointProjectId ? { endpointProjectId } : {}),
    ...(dnsProjectId ? { dnsProjectId } : {}),
    ...(ctx.region ? { region: ctx.region } : {})
  })
  for (const problem of layout.problems) inputs.problem(problem.input, problem.message)
  const workloadIdentityProvider = inputs.optional(
    'gcp-workload-identity-provider',
    checkWorkloadIdentityProvider,
    normalizeWorkloadIdentityProvider
  )
  const serviceAccount = inputs.optional('gcp-service-account', checkServiceAccountEmail)
  const probeServiceAccount = inputs.optional('gcp-probe-service-account', checkServiceAccountEmail)
  return {
    ...(workloadIdentityProvider ? { workloadIdentityProvider } : {}),
    ...(serviceAccount ? { serviceAccount } : {}),
    projectId,
    ...layout.projects,
    region: ctx.region ?? '',
    network: network.name,
    subnetwork: subnetwork.name,
    endpointPrefix: inputs.optional('gcp-endpoint-prefix', checkResourceNamePrefix) ?? ctx.namePrefix,
    globalAccess: inputs.bool('gcp-global-access'),
    ...(probeServiceAccount ? { probeServiceAccount } : {})
  }
}

function readAzure(inputs: InputReader, ctx: CloudContext): AzureSettings {
  together(
    inputs,
    ['azure-tenant-id', 'azure-client-id'],
    'OIDC login needs both; leave both empty to use credentials already on the runner'
  )
  const tenantId = inputs.optional('azure-tenant-id', checkGuid, lowercase)
  const clientId = inputs.optional('azure-client-id', checkGuid, lowercase)
  const location = inputs.optional('azure-location', checkAzureLocation, normalizeAzureLocation)
  mustMatchRegion(inputs, 'azure-location', location, ctx)
  const networkWatcherVmId = inputs.optional('azure-network-watcher-vm-id', checkAzureVmId)
  if (networkWatcherVmId && inputs.raw('network-analysis') === 'off') {
    inputs.problem('azure-network-watcher-vm-id', 'Is used only by the path analysis, but network-analysis is off. Remove it, or set network-analysis to auto.', 'leave azure-network-watcher-vm-id unset with network-analysis: off')
  }
  const subscriptionId = inputs.text('azure-subscription-id', checkGuid, lowercase)
  const resourceGroup = inputs.text('azure-resource-group', checkResourceGroupName)
  const dnsSubscriptionId = inputs.optional('azure-dns-subscription-id', checkGuid, lowercase)
  const dnsResourceGroup = inputs.optional('azure-dns-resource-group', checkResourceGroupName)
  return {
    ...(tenantId ? { tenantId } : {}),
    ...(clientId ? { clientId } : {}),
    subscriptionId,
    resourceGroup,
    location: ctx.region ?? location ?? '',
    ...readAzureNetwork(inputs, subscriptionId, resourceGroup),
    dnsSubscriptionId: dnsSubscriptionId ?? subscriptionId,
    dnsResourceGroup: dnsResourceGroup ?? resourceGroup,
    dnsLinkVnetIds: inputs.list('azure-dns-link-vnet-ids', (item) => {
      const parsed = parseAzureNetworkId(item, 'vnet')
      return 'error' in parsed ? parsed : { value: azureVnetId(parsed.value) }
    }),
    // Same shape as the action's other resource names, so it is stable per project and region.
    endpointName: inputs.optional('azure-endpoint-name', checkAzurePrivateEndpointName),
    ...(networkWatcherVmId ? { networkWatcherVmId } : {}),
    ...readAzureProbeSubnet(inputs)
  }
}

function readAzureProbeSubnet(inputs: InputReader): Pick<AzureSettings, 'probeSubnetId'> {
  if (!inputs.given('azure-probe-subnet-id')) return {}
  const ref = inputs.parsed('azure-probe-subnet-id', (text) => parseAzureNetworkId(text, 'subnet'), undefined)
  return ref ? { probeSubnetId: `${azureVnetId(ref)}/subnets/${ref.subnet ?? ''}` } : {}
}

/**
 * The probe proves what a client of its subnet meets. With dns: managed the zones the action makes are
 * linked to the endpoint's network and azure-dns-link-vnet-ids only, so a probe in any other network would
 * not resolve them (a network whose DNS servers forward to a linked one is listed there too). With
 * existing-zone or none the zones' links are their owners': the probe's own answer says what it meets.
 */
function azureProbeInLinkedNetwork(inputs: InputReader, azure: AzureSettings | undefined, mode: DnsMode): void {
  const subnetId = azure?.probeSubnetId
  if (!azure || !subnetId || mode !== 'managed') return
  const probeVnet = subnetId.replace(/\/subnets\/[^/]+$/, '')
  const endpointVnet = azureVnetId({ subscriptionId: azure.networkSubscriptionId, resourceGroup: azure.networkResourceGroup, virtualNetwork: azure.virtualNetwork })
  if ([endpointVnet, ...azure.dnsLinkVnetIds].some((id) => id.toLowerCase() === probeVnet.toLowerCase())) return
  inputs.problem(
    'azure-probe-subnet-id',
    `Is a subnet of ${probeVnet}, a network the private zones are not linked to (they are linked to ${azure.virtualNetwork}${azure.dnsLinkVnetIds.length ? ' and azure-dns-link-vnet-ids' : ''}), so a probe there would not resolve the private-link hosts. Choose a subnet of ${azure.virtualNetwork} delegated to Microsoft.ContainerInstance/containerGroups, or add ${probeVnet} to azure-dns-link-vnet-ids.`
  )
}

/**
 * Where new zones go, and which networks they are linked to, means nothing when the action makes no zone:
 * dns: none writes no DNS, and with dns: existing-zone each zone id names its own subscription and resource
 * group, and the zone's links are its owner's (the plan checks the endpoint's network is linked).
 */
function azureZonesOnlyWhenManaged(inputs: InputReader, mode: DnsMode): void {
  if (mode === 'managed') return
  const why = mode === 'none' ? 'dns is none, so it writes no DNS' : 'dns is existing-zone: the zones of dns-zone-ids say their own subscription and resource group, and the action never links a zone it does not own (link further networks to them yourself)'
  for (const name of ['azure-dns-subscription-id', 'azure-dns-resource-group', 'azure-dns-link-vnet-ids'] as const)
    if (inputs.given(name)) inputs.problem(name, `Says where the action puts or links its private DNS zones, but ${why}. Remove ${name}, or set dns: managed.`, `leave ${name} unset with dns: ${mode}`)
}

/**
 * azure-subnet is a subnet name in azure-virtual-network (which sits with the endpoint), or a full subnet
 * resource id: then the network may be in another resource group or subscription, and azure-virtual-network,
 * if given, must name the same network.
 */
function readAzureNetwork(
  inputs: InputReader,
  subscriptionId: string,
  resourceGroup: string
): Pick<AzureSettings, 'virtualNetwork' | 'subnet' | 'networkSubscriptionId' | 'networkResourceGroup'> {
  const rawSubnet = inputs.raw('azure-subnet')
  if (!isAzureResourceId(rawSubnet)) {
    if (!inputs.given('azure-virtual-network'))
      inputs.problem('azure-virtual-network', 'Required when provider is azure, unless azure-subnet is a full subnet resource id (/subscriptions/…/virtualNetworks/<network>/subnets/<subnet>).')
    return {
      virtualNetwork: inputs.optional('azure-virtual-network', checkAzureVirtualNetworkName) ?? '',
      subnet: inputs.text('azure-subnet', checkAzureSubnetName),
      networkSubscriptionId: subscriptionId,
      networkResourceGroup: resourceGroup
    }
  }
  const ref = inputs.parsed('azure-subnet', (text) => parseAzureNetworkId(text, 'subnet'), undefined)
  const named = inputs.optional('azure-virtual-network', checkAzureVirtualNetworkName)
  if (ref && named && named.toLowerCase() !== ref.virtualNetwork.toLowerCase())
    inputs.problem(
      'azure-virtual-network',
      `${quote(named)} differs from ${quote(ref.virtualNetwork)}, the virtual network of the subnet id in azure-subnet. Leave azure-virtual-network empty (the subnet id names the network), or make the two agree.`,
      ref.virtualNetwork
    )
  return {
    virtualNetwork: ref?.virtualNetwork ?? '',
    subnet: ref?.subnet ?? '',
    networkSubscriptionId: ref?.subscriptionId ?? '',
    networkResourceGroup: ref?.resourceGroup ?? ''
  }
}

const CLOUD_READERS: { [P in ProviderName]: (inputs: InputReader, ctx: CloudContext) => Pick<Config, P> } = {
  aws: (inputs, ctx) => ({ aws: readAws(inputs, ctx) }),
  gcp: (inputs, ctx) => ({ gcp: readGcp(inputs, ctx) }),
  azure: (inputs, ctx) => ({ azure: readAzure(inputs, ctx) })
}

/** Replaces credential values wherever a message might repeat them (e.g. a key pasted into the wrong input). */
function redact(problems: InputProblem[], secrets: string[]): InputProblem[] {
  const hide = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text)
  return problems.map((p) => ({ ...p, message: hide(p.message), example: hide(p.example) }))
}

function inActionYmlOrder(problems: InputProblem[]): InputProblem[] {
  const position = (p: InputProblem) => INPUT_NAMES.indexOf(p.input as InputName)
  return [...problems].sort((a, b) => position(a) - position(b))
}

export function parseConfig(read: (name: string) => string, options: ParseOptions = {}): { config: Config } | { problems: InputProblem[] } {
  const inputs = new InputReader(read)
  const zilliz = readZilliz(inputs, options)
  const { provider, region, source } = readProvider(inputs, zilliz.regionId)
  if (provider) rejectOtherProvidersInputs(inputs, provider, source)
  const common = readCommon(inputs, provider)
  const dns = readDns(inputs, provider)
  const ctx = provider && { provider, regionId: zilliz.regionId, region, projectId: zilliz.projectId, namePrefix: common.namePrefix }
  const cloud = ctx ? CLOUD_READERS[ctx.provider](inputs, ctx) : {}
  if (provider) withoutDns(inputs, dns.mode, ZONE_PLACEMENT_INPUTS[provider])
  if (provider === 'azure') {
    azureZonesOnlyWhenManaged(inputs, dns.mode)
    azureProbeInLinkedNetwork(inputs, (cloud as Partial<Pick<Config, 'azure'>>).azure, dns.mode)
  }

  if (inputs.problems.length > 0 || !provider) {
    const secrets = INPUT_NAMES.filter((name) => inputSpec(name).secret)
      .map((name) => read(name).trim())
      .filter((value) => value.length >= 4)
    return { problems: redact(inActionYmlOrder(inputs.problems), secrets) }
  }
  return { config: { provider, zilliz, ...common, dns, ...cloud } }
}

/** One readable message for the log and the summary. */
export function formatProblems(problems: InputProblem[]): string {
  const count = new Set(problems.map((p) => p.input)).size
  const header = `${count} input${count === 1 ? ' needs' : 's need'} fixing before anything was called:`
  return [header, ...problems.map((p) => `• ${p.input}: ${p.message} Example: ${p.example}`)].join('\n')
}
