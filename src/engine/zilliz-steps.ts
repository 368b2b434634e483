// The Zilliz side of every link, identical for all clouds: whitelist the account when the region's
// service requires it, register the cloud endpoint, then wait until Zilliz accepts it and allocates
// each cluster's privateLinkAddress.
import { classifyEndpointStatus } from '../zilliz/status.js'
import type { PrivateEndpoint, ZillizApi } from '../zilliz/types.js'
import type { PlannedStep, StepContext } from './plan.js'
import { REGISTRATION_STEP, type RegistrationSpec } from './provider.js'
import { isStuckCluster } from './prewrite.js'
import { clusterLink, currentClusters } from './target-builder.js'
import type { ClusterLink, Target } from './target.js'
import { waitFor } from './wait.js'

export const WHITELIST_STEP = 'zilliz-whitelist'
export const PRIVATE_LINKS_STEP = 'zilliz-private-links'

export interface ZillizStepsInput {
  target: Target
  spec: RegistrationSpec
  zilliz: ZillizApi
  /** Receives the links as Zilliz confirms them */
  onLinks(links: ClusterLink[]): void
}

function findRegistration(target: Target, endpointId: string | undefined): PrivateEndpoint | undefined {
  return endpointId ? target.registrations.find((r) => r.endpointId === endpointId) : undefined
}

async function registered(zilliz: ZillizApi, target: Target, endpointId: string): Promise<PrivateEndpoint | undefined> {
  const all = await zilliz.listPrivateEndpoints(target.config.zilliz.projectId)
  return all.find((r) => r.endpointId === endpointId && r.regionId === target.config.zilliz.regionId)
}

function whitelistStep({ target, spec, zilliz }: ZillizStepsInput, existing: PrivateEndpoint | undefined): PlannedStep[] {
  const account = spec.whitelistAccount
  if (!target.service.whitelistRequired || !account) return []
  const base = { id: WHITELIST_STEP, kind: 'zilliz.whitelist', name: account, dependsOn: [] }
  // Zilliz has no API to list whitelist entries; an existing registration proves the entry exists.
  if (existing) return [{ ...base, action: 'keep', reason: 'the endpoint is registered, so the account is whitelisted' }]
  return [
    {
      ...base,
      action: 'create',
      reason: `${target.config.zilliz.regionId} requires the cloud account to be whitelisted`,
      run: () => zilliz.addWhitelistEntry(target.config.zilliz.projectId, target.config.zilliz.regionId, account)
    }
  ]
}

function registrationStep({ target, spec, zilliz }: ZillizStepsInput, existing: PrivateEndpoint | undefined, after: string[]): PlannedStep {
  const { projectId, regionId } = target.config.zilliz
  const base = {
    id: REGISTRATION_STEP,
    kind: 'zilliz.private-endpoint',
    name: spec.endpointId() ?? 'the new endpoint',
    dependsOn: [spec.endpointStep, ...after],
    attributes: { project: projectId, region: regionId, ...(spec.gcpProjectId ? { gcpProject: spec.gcpProjectId } : {}) }
  }
  const register = async () => {
    const endpointId = spec.endpointId()
    if (!endpointId) throw new Error('The cloud endpoint id is unknown; the endpoint step did not record it')
    try {
      await zilliz.registerPrivateEndpoint(projectId, { regionId, endpointId, gcpProjectId: spec.gcpProjectId })
    } catch (error) {
      // A registration whose response was lost makes the retry fail as a duplicate: it is there.
      if (!(await registered(zilliz, target, endpointId))) throw error
    }
  }
  if (!existing) return { ...base, action: 'create', reason: 'the endpoint is not registered with Zilliz', run: register }
  const status = classifyEndpointStatus(existing.endpointStatus)
  if (status !== 'failed') return { ...base, action: 'keep', reason: `registered; Zilliz status ${existing.endpointStatus}` }
  return {
    ...base,
    action: 'update',
    reason: `Zilliz reports the registration ${existing.endpointStatus}; register it again`,
    run: async () => {
      await zilliz.deletePrivateEndpoint(projectId, existing.endpointId, regionId, existing.gcpProjectId ?? undefined)
      await register()
    }
  }
}

function privateLinksStep({ target, spec, zilliz, onLinks }: ZillizStepsInput, existing: PrivateEndpoint | undefined): PlannedStep {
  const base = { id: PRIVATE_LINKS_STEP, kind: 'zilliz.private-link', name: target.clusters.map((c) => c.clusterId).join(', '), dependsOn: [REGISTRATION_STEP] }
  const ready = existing && classifyEndpointStatus(existing.endpointStatus) === 'ready' && target.clusters.every((c) => c.confirmed)
  if (ready) return { ...base, action: 'keep', reason: 'Zilliz accepted the endpoint and allocated every private link' }
  return {
    ...base,
    action: 'wait',
    reason: 'Zilliz accepts the endpoint and allocates each privateLinkAddress after registration (about 5 minutes)',
    run: async (ctx: StepContext) => {
      const endpointId = spec.endpointId() as string
      // Each poll reads the registration and the clusters together: the poll that sees the endpoint accepted
      // mostly sees the addresses allocated too, so no further round trip follows the acceptance.
      const links = await waitFor({
        what: `Zilliz to accept endpoint ${endpointId} and allocate the privateLinkAddress of ${base.name}`,
        deadline: ctx.deadline,
        signal: ctx.signal,
        poll: async () => {
          const [registration, clusters] = await Promise.all([registered(zilliz, target, endpointId), currentClusters(zilliz, target)])
          const status = registration?.endpointStatus ?? 'missing'
          const kind = classifyEndpointStatus(status)
          if (kind !== 'ready') return { done: false, state: `endpointStatus=${status}`, failed: kind === 'failed' ? `Zilliz reports ${status}` : undefined }
          const fresh = clusters.map(clusterLink)
          const pending = fresh.filter((l) => !l.confirmed).map((l) => l.clusterId)
          // A cluster that stopped running gets no address until someone resumes it: waiting cannot help.
          const stuck = fresh.filter((l) => !l.confirmed && isStuckCluster(l.cluster)).map((l) => `${l.clusterId} is ${l.cluster.status}`)
          return {
            done: pending.length === 0,
            value: fresh,
            state: pending.length ? `endpointStatus=${status}; no privateLinkAddress yet for ${pending.join(', ')}` : 'allocated',
            failed: stuck.length ? `${stuck.join(', ')}; resume it and re-run` : undefined
          }
        }
      })
      onLinks(links)
    }
  }
}

export function zillizSteps(input: ZillizStepsInput): PlannedStep[] {
  const existing = findRegistration(input.target, input.spec.endpointId())
  const whitelist = whitelistStep(input, existing)
  return [...whitelist, registrationStep(input, existing, whitelist.map((s) => s.id)), privateLinksStep(input, existing)]
}
