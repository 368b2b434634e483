// VPC firewall rules (global): insert, get, list, patch and delete, and networks.getEffectiveFirewalls.
// Network and direction cannot be patched. A rule allows or denies (exactly one of allowed / denied);
// ingress rules need a source, egress rules a destination or default to every destination
// (cloud.google.com/firewall/docs/firewalls: egress rules with no destination apply to 0.0.0.0/0).
import type { EmulatorRequest, EmulatorResponse } from '../core/service.js'
import { checkName, claimName, startOperation, nowStamp, ok, stringList, type ComputeContext } from './compute-context.js'
import { pathOf, type FirewallRecord } from './compute-model.js'
import { OperationFailure } from './compute-operations.js'
import { firewallView } from './compute-views.js'
import { invalid, jsonBody, notFound, page } from './google-wire.js'

function allowedList(value: unknown, field = 'allowed'): FirewallRecord['allowed'] {
  if (!Array.isArray(value) || !value.length) throw invalid(`Invalid value for field 'resource.${field}': at least one entry is required.`)
  return value.map((entry: unknown) => {
    const e = entry as { IPProtocol?: unknown; ports?: unknown }
    if (typeof e.IPProtocol !== 'string' || !e.IPProtocol) throw invalid("Invalid value for field 'resource.allowed[].IPProtocol'.")
    const ports = stringList(e.ports, 'allowed[].ports')
    if (ports.some((p) => !/^\d{1,5}(?:-\d{1,5})?$/.test(p))) throw invalid(`Invalid value for field 'resource.allowed[].ports': ${ports.join(', ')}.`)
    return { IPProtocol: e.IPProtocol, ...(ports.length ? { ports } : {}) }
  })
}

export function getFirewall(ctx: ComputeContext, name: string): EmulatorResponse {
  const found = ctx.state.firewalls.get(name)
  if (!found) throw notFound(`projects/${ctx.state.project}/global/firewalls/${name}`)
  return ok(firewallView(ctx.state, found))
}

export function listFirewalls(ctx: ComputeContext, req: EmulatorRequest): EmulatorResponse {
  const all = [...ctx.state.firewalls.values()].map((f) => firewallView(ctx.state, f))
  const { items, nextPageToken } = page(all, req.url.searchParams)
  return ok({ kind: 'compute#firewallList', id: `projects/${ctx.state.project}/global/firewalls`, ...(items.length ? { items } : {}), ...(nextPageToken ? { nextPageToken } : {}) })
}

export function insertFirewall(ctx: ComputeContext, req: EmulatorRequest): EmulatorResponse {
  const body = jsonBody(req)
  const name = checkName(body['name'])
  const network = /global\/networks\/([^/]+)$/.exec(pathOf(String(body['network'] ?? '')))?.[1]
  if (!network) throw invalid("Invalid value for field 'resource.network': a firewall rule needs a network.")
  const direction = body['direction'] ?? 'INGRESS'
  if (direction !== 'INGRESS' && direction !== 'EGRESS') throw invalid(`Invalid value for field 'resource.direction': '${String(direction)}'.`)
  const sourceRanges = stringList(body['sourceRanges'], 'sourceRanges')
  if ((body['allowed'] === undefined) === (body['denied'] === undefined)) throw invalid("Invalid value for field 'resource': a firewall rule has exactly one of allowed and denied.")
  if (direction === 'INGRESS' && !sourceRanges.length) throw invalid('At least one of source ranges, source tags or source service accounts must be specified for an ingress rule.')
  const record: FirewallRecord = {
    name,
    id: ctx.state.ids.take(),
    network,
    direction,
    priority: typeof body['priority'] === 'number' ? body['priority'] : 1000,
    sourceRanges,
    destinationRanges: stringList(body['destinationRanges'], 'destinationRanges'),
    allowed: body['allowed'] === undefined ? [] : allowedList(body['allowed']),
    denied: body['denied'] === undefined ? [] : allowedList(body['denied'], 'denied'),
    targetTags: stringList(body['targetTags'], 'targetTags'),
    targetServiceAccounts: stringList(body['targetServiceAccounts'], 'targetServiceAccounts'),
    disabled: body['disabled'] === true,
    description: typeof body['description'] === 'string' ? body['description'] : '',
    creationTimestamp: nowStamp(ctx.now())
  }
  const release = claimName(ctx, `global/firewalls/${name}`, ctx.state.firewalls.has(name))
  return startOperation(ctx, {
    operationType: 'insert',
    targetPath: `global/firewalls/${name}`,
    targetId: record.id,
    complete: () => {
      release()
      if (!ctx.state.networks.has(network)) throw new OperationFailure(404, 'RESOURCE_NOT_FOUND', `The resource 'projects/${ctx.state.project}/global/networks/${network}' was not found`)
      ctx.state.firewalls.set(name, record)
    }
  })
}

export function patchFirewall(ctx: ComputeContext, name: string, req: EmulatorRequest): EmulatorResponse {
  const body = jsonBody(req)
  const rule = ctx.state.firewalls.get(name)
  if (!rule) throw notFound(`projects/${ctx.state.project}/global/firewalls/${name}`)
  if (body['network'] !== undefined && pathOf(String(body['network'])) !== `projects/${ctx.state.project}/global/networks/${rule.network}`)
    throw invalid("Invalid value for field 'resource.network': the network of a firewall rule cannot be changed.")
  if (body['direction'] !== undefined && body['direction'] !== rule.direction) throw invalid("Invalid value for field 'resource.direction': the direction of a firewall rule cannot be changed.")
  if (body['name'] !== name) throw invalid(`Invalid value for field 'resource.name': '${String(body['name'] ?? '')}'. The body must name the rule being patched.`)
  if (rule.denied.length && body['allowed'] !== undefined) throw invalid("Invalid value for field 'resource.allowed': a deny rule cannot become an allow rule.")
  const patch: Partial<FirewallRecord> = {
    ...(body['allowed'] !== undefined ? { allowed: allowedList(body['allowed']) } : {}),
    ...(body['sourceRanges'] !== undefined ? { sourceRanges: stringList(body['sourceRanges'], 'sourceRanges') } : {}),
    ...(body['destinationRanges'] !== undefined ? { destinationRanges: stringList(body['destinationRanges'], 'destinationRanges') } : {}),
    ...(typeof body['disabled'] === 'boolean' ? { disabled: body['disabled'] } : {}),
    ...(typeof body['priority'] === 'number' ? { priority: body['priority'] } : {}),
    ...(typeof body['description'] === 'string' ? { description: body['description'] } : {})
  }
  return startOperation(ctx, {
    operationType: 'patch',
    targetPath: `global/firewalls/${name}`,
    targetId: rule.id,
    complete: () => {
      Object.assign(rule, patch)
    }
  })
}

export function deleteFirewall(ctx: ComputeContext, name: string): EmulatorResponse {
  const found = ctx.state.firewalls.get(name)
  if (!found) throw notFound(`projects/${ctx.state.project}/global/firewalls/${name}`)
  return startOperation(ctx, {
    operationType: 'delete',
    targetPath: `global/firewalls/${name}`,
    targetId: found.id,
    complete: () => {
      if (!ctx.state.firewalls.delete(name)) throw new OperationFailure(404, 'RESOURCE_NOT_FOUND', `The resource 'projects/${ctx.state.project}/global/firewalls/${name}' was not found`)
    }
  })
}

/** The network's VPC rules and the firewall policies associated with it. */
export function effectiveFirewalls(ctx: ComputeContext, network: string): EmulatorResponse {
  if (!ctx.state.networks.has(network)) throw notFound(`projects/${ctx.state.project}/global/networks/${network}`)
  const firewalls = [...ctx.state.firewalls.values()].filter((f) => f.network === network).map((f) => firewallView(ctx.state, f))
  const firewallPolicys = ctx.state.firewallPolicies.map((p) => ({
    name: p.name,
    ...(p.shortName ? { shortName: p.shortName } : {}),
    type: p.type,
    rules: p.rules.map((r) => ({ kind: 'compute#firewallPolicyRule', ...r }))
  }))
  return ok({ firewalls, firewallPolicys })
}
