// Where an AWS API is, as the SDK picks it: the service's AWS_ENDPOINT_URL_<SERVICE> variable, else
// AWS_ENDPOINT_URL, else the regional host of the region's partition. For the calls the action speaks
// without an SDK client, so an emulator or a VPC interface endpoint stands in for them as for the rest.

/** `variable` is the SDK's service id in upper case (STS, ROUTE53RESOLVER); `host` the endpoint prefix. */
export function awsEndpointUrl(variable: string, host: string, region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const configured = env[`AWS_ENDPOINT_URL_${variable}`] ?? env['AWS_ENDPOINT_URL']
  if (configured) return new URL(configured)
  return new URL(`https://${host}.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`)
}
