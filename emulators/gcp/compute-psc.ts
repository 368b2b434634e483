// Addresses and Private Service Connect forwarding rules. Only PSC endpoints to published services are
// modelled: an internal address, a forwarding rule with an empty load balancing scheme whose target is
// a service attachment. The connection is PENDING until Zilliz accepts the registration of its name.
import type { EmulatorRequest, EmulatorResponse } from '../core/service.js'
import { checkName, claimName, startOperation, labelsOf, nowStamp, ok, requirePermission, type ComputeContext } from './compute-context.js'
import { inRange, ipToNumber, numberToIp, pathOf, usableHosts, type AddressRecord, type ForwardingRuleRecord } from './compute-model.js'
import { OperationFailure } from './compute-operations.js'
import { addressView, forwardingRuleView, labelFingerprint, pscStatus, ruleFingerprint } from './compute-views.js'
import { GoogleError, invalid, jsonBody, notFound, page } from './google-wire.js'

const IP = /^\d{1,3}(?:\.\d{1,3}){3}$/

// The discovery document on Address.labels and ForwardingRule.labels: "These can only be added or
// modified by the setLabels method." An insert that carries them is refused here, so the action must not
// rely on them being set by the insert.
function refuseLabels(body: Record<string, unknown>): void {
  if (body['labels'] !== undefined) throw invalid("Invalid value for field 'resource.labels': labels can only be added or modified by the setLabels method.")
}

function missing(path: string): OperationFailure {
  return new OperationFailure(404, 'RESOURCE_NOT_FOUND', `The resource '${path}' was not found`)
}

/** Project, region and name of a regional reference given as a URL or a path (without projects/: the caller's project). */
function regional(ctx: ComputeContext, reference: string, collection: string): { project: string; region: string; name: string } | undefined {
  const match = new RegExp(`^(?:projects/([^/]+)/)?regions/([^/]+)/${collection}/([^/]+)$`).exec(pathOf(reference))
  return match ? { project: match[1] ?? ctx.state.project, region: match[2] ?? '', name: match[3] ?? '' } : undefined
}

/** Project and name of a network reference. */
function networkReference(ctx: ComputeContext, reference: string): { project: string; name: string } | undefined {
  const match = /^(?:projects\/([^/]+)\/)?global\/networks\/([^/]+)$/.exec(pathOf(reference))
  return match ? { project: match[1] ?? ctx.state.project, name: match[2] ?? '' } : undefined
}

/**
 * A subnetwork or network of another project may be used only by a service project attached to it as its
 * Shared VPC host; Compute answers anything else with this 400 (as for instance templates and addresses).
 */
function checkCrossProject(ctx: ComputeContext, field: string, reference: string, project: string): void {
  if (!ctx.org.mayUse(ctx.state.project, project))
    throw invalid(`Invalid value for field 'resource.${field}': '${reference}'. Cross-project references for this resource are not allowed.`)
}

// Addresses of a shared subnetwork come from one range, whichever project reserved them.
function freeAddress(ctx: ComputeContext, project: string, region: string, subnetwork: string, cidr: string): string {
  const all = ctx.org.projects.flatMap((p) => [...p.addresses.values()])
  const used = new Set(all.filter((a) => a.subnetworkProject === project && a.region === region && a.subnetwork === subnetwork).map((a) => a.address))
  const { first, last } = usableHosts(cidr)
  for (let n = first; n <= last; n++) if (!used.has(numberToIp(n))) return numberToIp(n)
  throw new OperationFailure(400, 'IP_SPACE_EXHAUSTED', `The subnetwork ${subnetwork} has no free address.`)
}

export function getAddress(ctx: ComputeContext, region: string, name: string): EmulatorResponse {
  const found = ctx.state.addresses.get(`${region}/${name}`)
  if (!found) throw notFound(`projects/${ctx.state.project}/regions/${region}/addresses/${name}`)
  return ok(addressView(ctx.state, found))
}

export function listAddresses(ctx: ComputeContext, region: string, req: EmulatorRequest): EmulatorResponse {
  const all = [...ctx.state.addresses.values()].filter((a) => a.region === region).map((a) => addressView(ctx.state, a))
  const { items, nextPageToken } = page(all, req.url.searchParams)
  return ok({ kind: 'compute#addressList', id: `projects/${ctx.state.project}/regions/${region}/addresses`, ...(items.length ? { items } : {}), ...(nextPageToken ? { nextPageToken } : {}) })
}

export function insertAddress(ctx: ComputeContext, region: string, req: EmulatorRequest): EmulatorResponse {
  const body = jsonBody(req)
  const name = checkName(body['name'])
  const path = `regions/${region}/addresses/${name}`
  if (body['addressType'] !== 'INTERNAL') throw invalid(`Invalid value for field 'resource.addressType': '${String(body['addressType'] ?? '')}'. This emulator models internal addresses only.`)
  const subnetReference = String(body['subnetwork'] ?? '')
  const subnet = regional(ctx, subnetReference, 'subnetworks')
  if (!subnet) throw invalid("Invalid value for field 'resource.subnetwork': an internal address needs a subnetwork.")
  if (subnet.region !== region) throw invalid(`Invalid value for field 'resource.subnetwork': the subnetwork is in ${subnet.region}, not ${region}.`)
  checkCrossProject(ctx, 'subnetwork', subnetReference, subnet.project)
  // Using a subnetwork is authorized on the subnetwork, in its (host) project.
  requirePermission(ctx, 'compute.subnetworks.use', `projects/${subnet.project}/regions/${region}/subnetworks/${subnet.name}`)
  refuseLabels(body)
  const release = claimName(ctx, path, ctx.state.addresses.has(`${region}/${name}`))
  const labels = {}
  const wanted = typeof body['address'] === 'string' ? body['address'] : undefined
  const id = ctx.state.ids.take()
  return startOperation(ctx, {
    region,
    operationType: 'insert',
    targetPath: path,
    targetId: id,
    complete: () => {
      release()
      const record = ctx.org.compute(subnet.project)?.subnetworks.get(`${region}/${subnet.name}`)
      if (!record) throw missing(`projects/${subnet.project}/regions/${region}/subnetworks/${subnet.name}`)
      if (wanted && (!IP.test(wanted) || !inRange(wanted, record.ipCidrRange)))
      throw new OperationFailure(400, 'INVALID_FIELD_VALUE', `Requested internal IP address ${wanted} is outside the subnetwork range ${record.ipCidrRange}.`)
      if (wanted && ctx.org.projects.some((p) => [...p.addresses.values()].some((a) => a.subnetworkProject === subnet.project && a.region === region && a.address === wanted)))
      throw new OperationFailure(400, 'IP_IN_USE_BY_ANOTHER_RESOURCE', `IP '${wanted}' is already being used by another resource.`)
      const address: AddressRecord = {
      name,
      id,
      region,
      address: wanted ?? freeAddress(ctx, subnet.project, region, subnet.name, record.ipCidrRange),
      addressType: 'INTERNAL',
      purpose: typeof body['purpose'] === 'string' ? body['purpose'] : 'GCE_ENDPOINT',
      subnetwork: subnet.name,
      subnetworkProject: subnet.project,
      description: typeof body['description'] === 'string' ? body['description'] : '',
      labels,
      users: [],
      creationTimestamp: nowStamp(ctx.now())
      }
      ctx.state.addresses.set(`${region}/${name}`, address)
    }
  })
}

function ruleView(ctx: ComputeContext, rule: ForwardingRuleRecord) {
  return forwardingRuleView(ctx.state, rule, pscStatus(rule, ctx.settings.acceptanceDelayMs, ctx.now()))
}

export function getForwardingRule(ctx: ComputeContext, region: string, name: string): EmulatorResponse {
  const found = ctx.state.forwardingRules.get(`${region}/${name}`)
  if (!found) throw notFound(`projects/${ctx.state.project}/regions/${region}/forwardingRules/${name}`)
  return ok(ruleView(ctx, found))
}

export function listForwardingRules(ctx: ComputeContext, region: string, req: EmulatorRequest): EmulatorResponse {
  const all = [...ctx.state.forwardingRules.values()].filter((r) => r.region === region).map((r) => ruleView(ctx, r))
  const { items, nextPageToken } = page(all, req.url.searchParams)
  return ok({ kind: 'compute#forwardingRuleList', id: `projects/${ctx.state.project}/regions/${region}/forwardingRules`, ...(items.length ? { items } : {}), ...(nextPageToken ? { nextPageToken } : {}) })
}

/** The address a rule uses: a reference to an address resource, or its IP literal. */
function resolveAddress(ctx: ComputeContext, region: string, reference: string): AddressRecord {
  if (IP.test(reference)) {
    const byIp = [...ctx.state.addresses.values()].find((a) => a.region === region && a.address === reference)
    if (!byIp) throw new OperationFailure(400, 'INVALID_USAGE', `IP ${reference} is not reserved in ${region}; reserve an internal address first.`)
    return byIp
  }
  const ref = regional(ctx, reference, 'addresses')
  const found = ref && ref.region === region ? ctx.state.addresses.get(`${region}/${ref.name}`) : undefined
  if (!found) throw missing(pathOf(reference) || `regions/${region}/addresses/?`)
  return found
}

export function insertForwardingRule(ctx: ComputeContext, region: string, req: EmulatorRequest): EmulatorResponse {
  const body = jsonBody(req)
  const name = checkName(body['name'])
  const path = `regions/${region}/forwardingRules/${name}`
  const target = pathOf(String(body['target'] ?? ''))
  if (!/^projects\/[^/]+\/regions\/[^/]+\/serviceAttachments\/[^/]+$/.test(target))
    throw invalid(`Invalid value for field 'resource.target': '${String(body['target'] ?? '')}'. This emulator models Private Service Connect endpoints to service attachments only.`)
  // The discovery enum has no value for a PSC endpoint; Google's REST example for one omits the field.
  const scheme = body['loadBalancingScheme']
  if (scheme !== undefined) throw invalid(`Invalid value for field 'resource.loadBalancingScheme': '${String(scheme)}'. A Private Service Connect endpoint must not set a load balancing scheme.`)
  const networkText = String(body['network'] ?? '')
  const networkRef = networkReference(ctx, networkText)
  if (!networkRef) throw invalid("Invalid value for field 'resource.network': a Private Service Connect endpoint needs a network.")
  const { project: networkProject, name: network } = networkRef
  const addressReference = String(body['IPAddress'] ?? '')
  if (!addressReference) throw invalid("Invalid value for field 'resource.IPAddress': a Private Service Connect endpoint needs a reserved internal address.")
  checkCrossProject(ctx, 'network', networkText, networkProject)
  requirePermission(ctx, 'compute.networks.use', `projects/${networkProject}/global/networks/${network}`)
  const addressRef = IP.test(addressReference) ? undefined : regional(ctx, addressReference, 'addresses')
  if (addressRef) requirePermission(ctx, 'compute.addresses.use', `projects/${addressRef.project}/regions/${addressRef.region}/addresses/${addressRef.name}`)
  refuseLabels(body)
  const release = claimName(ctx, path, ctx.state.forwardingRules.has(`${region}/${name}`))
  const labels = {}
  const id = ctx.state.ids.take()
  return startOperation(ctx, {
    region,
    operationType: 'insert',
    targetPath: path,
    targetId: id,
    complete: () => {
      release()
      if (!ctx.org.compute(networkProject)?.networks.has(network)) throw missing(`projects/${networkProject}/global/networks/${network}`)
      if (!ctx.state.serviceAttachments.has(target)) throw missing(target)
      if (!target.includes(`/regions/${region}/`)) throw new OperationFailure(400, 'INVALID_USAGE', `The service attachment ${target} is not in ${region}.`)
      const address = resolveAddress(ctx, region, addressReference)
      const subnet = ctx.org.compute(address.subnetworkProject)?.subnetworks.get(`${region}/${address.subnetwork}`)
      if (address.subnetworkProject !== networkProject || subnet?.network !== network) throw new OperationFailure(400, 'INVALID_USAGE', `The address ${address.name} is not in network ${network}.`)
      if (address.users.length) throw new OperationFailure(400, 'IP_IN_USE_BY_ANOTHER_RESOURCE', `IP '${address.address}' is already being used by another resource.`)
      address.users.push(name)
      ctx.state.forwardingRules.set(`${region}/${name}`, {
      name,
      id,
      region,
      IPAddress: address.address,
      addressName: address.name,
      target,
      network,
      networkProject,
      loadBalancingScheme: '',
      allowPscGlobalAccess: body['allowPscGlobalAccess'] === true,
      pscConnectionId: String(ipToNumber(address.address) * 1000 + Number(id.slice(-3))),
      ...(ctx.accepted.has(name) ? { acceptedAt: ctx.now() } : {}),
      description: typeof body['description'] === 'string' ? body['description'] : '',
      labels,
      creationTimestamp: nowStamp(ctx.now())
      })
      // Zilliz accepts only registrations of endpoints that exist, by the project that owns the rule.
      ctx.world.endpoints.add('gcp', name, ctx.state.project)
    }
  })
}

// gcloud compute forwarding-rules update --allow-psc-global-access sends the rule's name and current
// fingerprint with the one field (cloud.google.com/vpc/docs/manage-endpoints-published-services: global
// access is the field that can change after creation). A stale fingerprint is 412 conditionNotMet.
export function patchForwardingRule(ctx: ComputeContext, region: string, name: string, req: EmulatorRequest): EmulatorResponse {
  const body = jsonBody(req)
  const rule = ctx.state.forwardingRules.get(`${region}/${name}`)
  if (!rule) throw notFound(`projects/${ctx.state.project}/regions/${region}/forwardingRules/${name}`)
  const unsupported = Object.keys(body).filter((k) => !['allowPscGlobalAccess', 'name', 'fingerprint'].includes(k))
  if (unsupported.length) throw new GoogleError(400, 'invalid', `Invalid value for field 'resource': only allowPscGlobalAccess can be patched on a Private Service Connect endpoint, not ${unsupported.join(', ')}.`)
  if (body['name'] !== undefined && body['name'] !== name) throw invalid(`Invalid value for field 'resource.name': '${String(body['name'])}'. The name of a forwarding rule cannot be changed.`)
  if (body['fingerprint'] === undefined) throw invalid("Required field 'resource.fingerprint' not specified: send the forwarding rule's current fingerprint with the change.")
  if (body['fingerprint'] !== ruleFingerprint(rule)) throw new GoogleError(412, 'conditionNotMet', "Invalid fingerprint: the forwarding rule changed since it was read. Read it again (get) and retry with its current fingerprint.")
  return startOperation(ctx, {
    region,
    operationType: 'patch',
    targetPath: `regions/${region}/forwardingRules/${name}`,
    targetId: rule.id,
    complete: () => {
      if (typeof body['allowPscGlobalAccess'] === 'boolean') rule.allowPscGlobalAccess = body['allowPscGlobalAccess']
    }
  })
}

/** addresses.delete: refused at once while a forwarding rule uses the address, as Compute does. */
export function deleteAddress(ctx: ComputeContext, region: string, name: string): EmulatorResponse {
  const address = ctx.state.addresses.get(`${region}/${name}`)
  const path = `projects/${ctx.state.project}/regions/${region}/addresses/${name}`
  if (!address) throw notFound(path)
  if (address.users.length)
    throw new GoogleError(400, 'resourceInUseByAnotherResource', `The address resource '${path}' is already being used by '${ctx.state.link(`regions/${region}/forwardingRules/${address.users[0]}`)}'`)
  return startOperation(ctx, {
    region,
    operationType: 'delete',
    targetPath: `regions/${region}/addresses/${name}`,
    targetId: address.id,
    complete: () => {
      ctx.state.addresses.delete(`${region}/${name}`)
    }
  })
}

/** forwardingRules.delete: the operation frees the address and ends the PSC connection. */
export function deleteForwardingRule(ctx: ComputeContext, region: string, name: string): EmulatorResponse {
  const rule = ctx.state.forwardingRules.get(`${region}/${name}`)
  if (!rule) throw notFound(`projects/${ctx.state.project}/regions/${region}/forwardingRules/${name}`)
  return startOperation(ctx, {
    region,
    operationType: 'delete',
    targetPath: `regions/${region}/forwardingRules/${name}`,
    targetId: rule.id,
    complete: () => {
      if (!ctx.state.forwardingRules.delete(`${region}/${name}`)) throw missing(`projects/${ctx.state.project}/regions/${region}/forwardingRules/${name}`)
      const address = ctx.state.addresses.get(`${region}/${rule.addressName}`)
      if (address) address.users = address.users.filter((u) => u !== name)
      ctx.world.endpoints.remove('gcp', name)
    }
  })
}

/**
 * addresses.setLabels and forwardingRules.setLabels: the whole label set replaced, guarded by the
 * labelFingerprint the caller read ("You must always provide an up-to-date fingerprint hash in order to
 * update or change labels, otherwise the request will fail with error 412 conditionNotMet").
 */
export function setLabels(ctx: ComputeContext, collection: 'addresses' | 'forwardingRules', region: string, name: string, req: EmulatorRequest): EmulatorResponse {
  const body = jsonBody(req)
  const record = collection === 'addresses' ? ctx.state.addresses.get(`${region}/${name}`) : ctx.state.forwardingRules.get(`${region}/${name}`)
  if (!record) throw notFound(`projects/${ctx.state.project}/regions/${region}/${collection}/${name}`)
  const labels = labelsOf(body['labels'])
  if (body['labelFingerprint'] !== labelFingerprint(record.labels))
    throw new GoogleError(412, 'conditionNotMet', "Labels fingerprint either invalid or resource labels have changed")
  return startOperation(ctx, {
    region,
    operationType: 'setLabels',
    targetPath: `regions/${region}/${collection}/${name}`,
    targetId: record.id,
    complete: () => {
      record.labels = { ...labels }
    }
  })
}
