// Self-hosted runners behind a proxy: with HTTPS_PROXY / HTTP_PROXY set (either case), every outbound call of
// the action (GitHub OIDC, Zilliz, and each cloud's identity and resource APIs) goes through a CONNECT tunnel
// of the proxy, and NO_PROXY sends the hosts it lists direct. The GitHub OIDC endpoint is given a name only
// the proxy resolves, so a client that bypassed the proxy could not have reached it; every other call is
// traced to the proxy's sockets by its peer port.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { azureInputs } from '../emulators/azure/index.js'
import { gcpInputs } from '../emulators/gcp/index.js'
import { awsInputs, startEmulators, type Emulators } from '../emulators/index.js'
import { bypassesProxy, proxyFor } from '../src/net/proxy.js'
import { startConnectProxy, PROXIED_DOMAIN, type ConnectProxy } from './support/connect-proxy.js'
import { expectSuccess, visible } from './support/expectations.js'
import { runAction } from './support/run-action.js'

let emulators: Emulators
let proxy: ConnectProxy
beforeAll(async () => {
  emulators = await startEmulators()
  proxy = await startConnectProxy()
})
afterAll(async () => {
  await proxy.close()
  await emulators.close()
})
beforeEach(() => {
  emulators.log.clear()
  proxy.reset()
})

type Cloud = 'aws' | 'gcp' | 'azure'
const CLOUD_SERVICES: Record<Cloud, string[]> = {
  aws: ['oidc', 'sts', 'ec2', 'route53', 'route53resolver', 'zilliz'],
  gcp: ['oidc', 'gcp-sts', 'gcp-iam', 'gcp-compute', 'gcp-dns', 'gcp-networkmanagement', 'zilliz'],
  azure: ['oidc', 'entra', 'arm', 'zilliz']
}
/** Hosts only an apply calls: path analysis does not run on plans. */
const APPLY_ONLY = new Set(['gcp-networkmanagement'])
const inputsOf: Record<Cloud, (overrides: Record<string, string>) => Record<string, string>> = {
  aws: (o) => awsInputs(emulators, o),
  gcp: (o) => gcpInputs(emulators.zillizUrl, o),
  azure: (o) => azureInputs(emulators.zillizUrl, o)
}

/** The OIDC endpoint under a name only the proxy resolves (the toolkit never proxies loopback). */
function oidcThroughProxy(): { url: string; host: string } {
  const url = new URL(emulators.env['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '')
  url.hostname = `oidc.${PROXIED_DOMAIN}`
  return { url: url.href, host: url.host }
}

const run = (cloud: Cloud, env: Record<string, string>, mode = 'apply') =>
  runAction({ ...emulators.env, ...inputsOf[cloud]({ mode }), ACTIONS_ID_TOKEN_REQUEST_URL: oidcThroughProxy().url, ...env })

/** Services whose every call came through one of the proxy's tunnels, and those that came direct. */
function routes(): { tunnelled: Set<string>; direct: Set<string> } {
  const tunnelled = new Set<string>()
  const direct = new Set<string>()
  for (const call of emulators.log.calls()) (call.peerPort !== undefined && proxy.upstreamPorts.has(call.peerPort) ? tunnelled : direct).add(call.service)
  return { tunnelled, direct }
}

describe.each(['aws', 'gcp', 'azure'] as Cloud[])('%s behind a proxy', (cloud) => {
  it('sends every call through CONNECT tunnels (HTTPS_PROXY, HTTP_PROXY), counted per host', async () => {
    const result = await run(cloud, { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url })
    expectSuccess(result)
    const { tunnelled, direct } = routes()
    expect([...direct]).toEqual([])
    expect([...tunnelled].sort()).toEqual([...CLOUD_SERVICES[cloud]].sort())
    expect(proxy.tunnels.get(oidcThroughProxy().host)).toBeGreaterThanOrEqual(1)
    // One tunnel per host the action talks to (kept alive and reused), never plain forwarding.
    expect(proxy.tunnels.size).toBe(CLOUD_SERVICES[cloud].length)
    expect(proxy.forwarded).toEqual([])
  }, 60_000)

  it('goes direct to the hosts NO_PROXY lists (lower-case variables)', async () => {
    const result = await run(cloud, { https_proxy: proxy.url, http_proxy: proxy.url, no_proxy: 'localhost, 127.0.0.1' }, 'plan')
    expectSuccess(result)
    const { tunnelled, direct } = routes()
    expect([...tunnelled]).toEqual(['oidc'])
    expect([...direct].sort()).toEqual(CLOUD_SERVICES[cloud].filter((s) => s !== 'oidc' && !APPLY_ONLY.has(s)).sort())
    expect([...proxy.tunnels.keys()]).toEqual([oidcThroughProxy().host])
  }, 60_000)
})

describe('proxy details', () => {
  it('bypasses one host:port only, authenticates to the proxy, and shows its password nowhere', async () => {
    const zillizPort = new URL(emulators.zillizUrl).port
    const password = 'proxy-pass-0f9e8d7c6b5a'
    const withCredentials = proxy.url.replace('http://', `http://runner:${password}@`)
    const result = await run('aws', { HTTPS_PROXY: withCredentials, HTTP_PROXY: withCredentials, NO_PROXY: `127.0.0.1:${zillizPort}` }, 'plan')
    expectSuccess(result)
    const { tunnelled, direct } = routes()
    expect([...direct]).toEqual(['zilliz'])
    expect([...tunnelled].sort()).toEqual(['ec2', 'oidc', 'route53', 'route53resolver', 'sts'])
    expect(proxy.authorizations.length).toBeGreaterThan(0)
    expect(new Set(proxy.authorizations)).toEqual(new Set([`Basic ${Buffer.from(`runner:${password}`).toString('base64')}`]))
    expect(visible(result)).not.toContain(password)
  }, 60_000)

  it('fails before any call when a proxy variable is not a URL, naming it', async () => {
    const result = await run('aws', { HTTPS_PROXY: 'http://[bad', HTTP_PROXY: proxy.url }, 'plan')
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('HTTPS_PROXY is not a URL')
    expect(emulators.log.calls()).toEqual([])
  })
})

describe('the proxy rule', () => {
  const env = { HTTPS_PROXY: 'http://proxy.internal:3128', http_proxy: 'proxy.internal:8080' }
  it.each([
    ['https://sts.us-west-2.amazonaws.com', {}, 'http://proxy.internal:3128/'],
    ['http://127.0.0.1:8080/x', {}, 'http://proxy.internal:8080/'],
    ['https://api.cloud.zilliz.com', { NO_PROXY: '.zilliz.com' }, undefined],
    ['https://api.cloud.zilliz.com', { no_proxy: 'zilliz.com' }, undefined],
    ['https://notzilliz.com', { no_proxy: 'zilliz.com' }, 'http://proxy.internal:3128/'],
    ['https://management.azure.com', { no_proxy: '*' }, undefined],
    ['https://10.1.2.3', { no_proxy: '10.0.0.0/8' }, undefined],
    ['https://11.1.2.3', { no_proxy: '10.0.0.0/8' }, 'http://proxy.internal:3128/'],
    ['https://login.microsoftonline.com', { no_proxy: 'login.microsoftonline.com:8443' }, 'http://proxy.internal:3128/'],
    ['https://[::1]:9000', { no_proxy: '::1' }, undefined]
  ])('%s with %j goes through %s', (url, extra, expected) => {
    expect(proxyFor(url, { ...env, ...extra })?.href).toBe(expected)
  })

  it('reads lower case before upper case, as curl does', () => {
    expect(proxyFor('https://x.example', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })?.host).toBe('lower:1')
    expect(bypassesProxy('x.example', 443, { no_proxy: 'x.example', NO_PROXY: 'other' })).toBe(true)
  })
})
