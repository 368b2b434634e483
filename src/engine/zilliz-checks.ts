// Control-plane checks of the Zilliz side, the same for every cloud: the registration is accepted and
// each cluster's privateLinkAddress names the host the DNS records were made for.
import { classifyEndpointStatus } from '../zilliz/status.js'
import type { Cluster, ZillizApi } from '../zilliz/types.js'
import { check, skipped, type Check } from '../base/checks.js'
import { clusterLink, currentClusters } from './target-builder.js'
import type { Target } from './target.js'

export async function zillizChecks(target: Target, endpointId: string | undefined, zilliz: ZillizApi): Promise<Check[]> {
  const { projectId, regionId } = target.config.zilliz
  const checks: Check[] = []
  // The registration and the clusters are read in one round: neither read needs the other's answer.
  const [registrations, current] = await Promise.all([endpointId ? zilliz.listPrivateEndpoints(projectId) : [], currentClusters(zilliz, target)])
  const registration = registrations.find((r) => r.endpointId === endpointId && r.regionId === regionId)
  const title = 'Zilliz accepted the endpoint registration'
  if (!registration) {
    checks.push(
      target.mode === 'plan'
        ? skipped('zilliz-registration', title, 'not registered yet; apply registers it')
        : check('zilliz-registration', title, false, 'not registered', { cause: 'The endpoint is not registered with Zilliz.', fix: 'Re-run in apply mode.' })
    )
  } else {
    const status = classifyEndpointStatus(registration.endpointStatus)
    checks.push(
      check('zilliz-registration', title, status === 'ready', `endpointStatus=${registration.endpointStatus}`, {
        cause: status === 'pending' ? 'Zilliz has not accepted the endpoint yet.' : `Zilliz reports ${registration.endpointStatus}.`,
        fix: status === 'pending' ? 'Wait a few minutes and re-run, or raise wait-timeout.' : 'Re-run in apply mode to register the endpoint again, or contact Zilliz support.'
      })
    )
  }
  for (const [i, planned] of target.clusters.entries()) {
    const fresh = clusterLink(current[i] as Cluster)
    const name = `privateLinkAddress of ${planned.clusterId} names ${planned.host}`
    if (!fresh.confirmed) {
      checks.push(skipped(`private-link:${planned.clusterId}`, name, 'Zilliz has not allocated the private link address yet'))
      continue
    }
    checks.push(
      check(`private-link:${planned.clusterId}`, name, fresh.host === planned.host, `privateLinkAddress host ${fresh.host}:${fresh.port}`, {
        cause: `The DNS records were made for ${planned.host}, but Zilliz allocated ${fresh.host}.`,
        fix: 'Re-run in apply mode: the next plan uses the allocated host.'
      })
    )
  }
  return checks
}
