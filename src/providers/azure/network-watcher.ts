// Network Watcher's own checks from a VM the user names (azure-network-watcher-vm-id), joined to the computed
// verdicts: per port an IP flow verify (the security rules Azure applies to a packet from the VM's address,
// with the rule that decides) and a connectivity check (a TCP connection from the VM, hop by hop; it needs
// the Network Watcher agent extension on the VM). Both are long-running ARM actions on the region's watcher.
// A deny names the rule Network Watcher reports; a check that cannot run leaves the computed verdict as it
// is and says why. The VM is only read; nothing is created.
import { explainFailure } from '../../engine/failure.js'
import type { Blocker, PathAnalysisRun, PortVerdict } from '../../engine/path-model.js'
import { armRequest } from './arm-rest.js'
import { parseResourceId, type AzureClients } from './clients.js'
import type { ConnectivityInformation, ConnectivityIssue, NetworkWatcher, VerificationIPFlowResult } from './network-api.js'

/** The Compute API version of the excerpt in __tests__/fixtures/specs/azure/compute. */
export const COMPUTE_API_VERSION = '2024-11-01'

export interface WatcherInput {
  clients: AzureClients
  vmId: string
  principal(): string | undefined
}

interface Vantage {
  vm: string
  ip: string
  location: string
  watcher?: NetworkWatcher
}

interface VirtualMachine {
  name?: string
  location?: string
  properties?: { networkProfile?: { networkInterfaces?: { id?: string; properties?: { primary?: boolean } }[] } }
}

/** The VM, its primary address and the watcher of its region (undefined when the region has none). */
async function readVantage(input: WatcherInput): Promise<Vantage> {
  const { subscriptionId } = parseResourceId(input.vmId)
  const network = input.clients.network(subscriptionId)
  const vm = (await armRequest<VirtualMachine>(input.clients.arm(subscriptionId), 'GET', input.vmId, COMPUTE_API_VERSION, input.principal)).body ?? {}
  const nics = vm.properties?.networkProfile?.networkInterfaces ?? []
  const nicId = (nics.find((n) => n.properties?.primary) ?? nics[0])?.id
  if (!nicId) throw new Error(`azure-network-watcher-vm-id: ${input.vmId} has no network interface`)
  const nic = parseResourceId(nicId)
  const read = await input.clients.network(nic.subscriptionId).networkInterface(nic.resourceGroup, nic.name)
  const configurations = read.properties?.ipConfigurations ?? []
  const ip = configurations.find((c) => c.properties?.primary)?.properties?.privateIPAddress ?? configurations[0]?.properties?.privateIPAddress ?? ''
  const location = (vm.location ?? '').toLowerCase()
  const watchers = await network.networkWatchers()
  const watcher = watchers.find((w) => (w.location ?? '').toLowerCase().replace(/\s+/g, '') === location)
  return { vm: vm.name ?? parseResourceId(input.vmId).name, ip, location, ...(watcher ? { watcher } : {}) }
}

interface Checks {
  flow?: VerificationIPFlowResult
  connectivity?: ConnectivityInformation
  /** Why the connectivity check did not run, when it did not */
  connectivityError?: string
}

async function checkPort(input: WatcherInput, from: Vantage, watcher: NetworkWatcher, ip: string, port: number, signal?: AbortSignal): Promise<Checks> {
  const { subscriptionId, resourceGroup, name } = parseResourceId(watcher.id ?? '')
  const network = input.clients.network(subscriptionId)
  const [flow, connectivity] = await Promise.all([
    network.verifyIpFlow(
      resourceGroup,
      name,
      { targetResourceId: input.vmId, direction: 'Outbound', protocol: 'TCP', localPort: '*', remotePort: String(port), localIPAddress: from.ip, remoteIPAddress: ip },
      signal
    ),
    network
      .checkConnectivity(resourceGroup, name, { source: { resourceId: input.vmId }, destination: { address: ip, port }, protocol: 'Tcp' }, signal)
      .then((value) => ({ value }))
      .catch((error: unknown) => ({ error: explainFailure(error).message }))
  ])
  return { flow, ...('value' in connectivity ? { connectivity: connectivity.value } : { connectivityError: connectivity.error }) }
}

function issueBlocker(issue: ConnectivityIssue, from: Vantage, ip: string, port: number): Blocker {
  const context = Object.assign({}, ...(issue.context ?? [])) as Record<string, string>
  const named = context['RuleName'] ?? context['RouteName'] ?? ''
  return {
    component: `Network Watcher connectivity check from ${from.vm}: ${issue.type ?? 'Unknown'} issue (${issue.origin ?? '?'})${named ? ` at ${named}` : ''}`,
    why: `the connection to ${ip}:${port} failed there`,
    fix:
      issue.type === 'NetworkSecurityRule'
        ? `Allow TCP ${port} to ${ip} ahead of ${named || 'the rule'} (a lower priority number), or remove that rule.`
        : issue.type === 'UserDefinedRoute'
          ? `Change route ${named || 'the route'} so ${ip} is not dropped or sent elsewhere.`
          : `Read the connectivity check's hops in Network Watcher (Connection troubleshoot) from ${from.vm}.`
  }
}

/** One port's computed verdict with Network Watcher's findings joined: a deny or failed connection blocks it, a connection proves it. */
function joined(computed: PortVerdict, from: Vantage, ip: string, checks: Checks): PortVerdict {
  const blockers = [...computed.blockers]
  const said: string[] = []
  const flow = checks.flow
  if (flow?.access === 'Deny')
    blockers.push({
      component: `Network Watcher IP flow verify from ${from.vm} (${from.ip}): rule ${flow.ruleName ?? '(unnamed)'}`,
      why: `it denies tcp/${computed.port} to ${ip}`,
      fix: `Allow TCP ${computed.port} to ${ip} ahead of ${flow.ruleName ?? 'that rule'} (a lower priority number) in the group that holds it, or remove the rule.`
    })
  if (flow) said.push(`IP flow verify: ${flow.access ?? '?'}${flow.ruleName ? ` by ${flow.ruleName}` : ''}`)
  const connectivity = checks.connectivity
  if (connectivity) {
    said.push(`connectivity check: ${connectivity.connectionStatus ?? '?'}`)
    if (connectivity.connectionStatus !== 'Connected' && connectivity.connectionStatus !== 'Unknown')
      for (const hop of connectivity.hops ?? []) for (const issue of hop.issues ?? []) if (issue.severity === 'Error') blockers.push(issueBlocker(issue, from, ip, computed.port))
  } else said.push(`connectivity check did not run: ${checks.connectivityError ?? 'no result'}`)
  const connected = connectivity?.connectionStatus === 'Connected'
  const reachable = blockers.length ? false : connected ? true : computed.reachable
  return {
    port: computed.port,
    reachable,
    proofSource: `${computed.proofSource} and Network Watcher from VM ${from.vm}`,
    blockers,
    detail: `Network Watcher from ${from.vm} (${from.ip}): ${said.join(', ')}${computed.detail ? `; ${computed.detail}` : ''}`
  }
}

/** The `watch` step of azurePathAnalyzer: Network Watcher's checks on every port, joined to the computed verdicts. */
export function networkWatcherChecks(input: WatcherInput): (run: PathAnalysisRun, ip: string, computed: PortVerdict[]) => Promise<PortVerdict[]> {
  return async (run, ip, computed) => {
    const unchanged = (why: string) => computed.map((v) => ({ ...v, detail: `Network Watcher not used: ${why}${v.detail ? `; ${v.detail}` : ''}` }))
    let from: Vantage
    try {
      from = await readVantage(input)
    } catch (error) {
      return unchanged(explainFailure(error).message)
    }
    const watcher = from.watcher
    if (!watcher)
      return unchanged(`there is no Network Watcher in ${from.location} in the VM's subscription; enable it (az network watcher configure --locations ${from.location} --enabled true) or leave azure-network-watcher-vm-id unset`)
    try {
      return await Promise.all(computed.map(async (v) => joined(v, from, ip, await checkPort(input, from, watcher, ip, v.port, run.signal))))
    } catch (error) {
      return unchanged(explainFailure(error).message)
    }
  }
}
