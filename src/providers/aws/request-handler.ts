// The AWS SDK's Node request handler with the run's proxy-aware agents, when a proxy is configured; the
// SDK builds its NodeHttpHandler from these options. Shared by the STS client and the resource clients.
import { outboundAgents } from '../../net/outbound.js'

export function awsRequestHandler(): { requestHandler?: { httpAgent: unknown; httpsAgent: unknown } } {
  const agents = outboundAgents()
  return agents ? { requestHandler: { httpAgent: agents.http, httpsAgent: agents.https } } : {}
}
