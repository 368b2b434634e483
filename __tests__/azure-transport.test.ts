// ZILLIZ_PL_AZURE_ENDPOINTS: how the action's Azure hosts are sent elsewhere, and how a bad value is reported.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline'
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline'
import { startEmulators, type Emulators } from '../emulators/index.js'
import { azureInputs } from '../emulators/azure/index.js'
import { AZURE_ENDPOINTS_ENV, AzureEndpointsError, parseEndpointOverrides, redirect, redirectingHttpClient } from '../src/providers/azure/transport.js'
import { runAction } from './support/run-action.js'

/** Records what the transport would send, instead of sending it. */
/** Records where each request went and whether plain http was allowed, as they were when sent. */
function recordingClient(): HttpClient & { sent: Pick<PipelineRequest, 'url' | 'allowInsecureConnection'>[] } {
  const sent: Pick<PipelineRequest, 'url' | 'allowInsecureConnection'>[] = []
  return {
    sent,
    sendRequest: async (request) => {
      sent.push({ url: request.url, allowInsecureConnection: request.allowInsecureConnection })
      return { request, status: 200, headers: createHttpHeaders() } as PipelineResponse
    }
  }
}

describe('parseEndpointOverrides', () => {
  it('maps real hosts, case-insensitively, to base URLs; unset means no override', () => {
    const overrides = parseEndpointOverrides('{"Management.Azure.com":"http://127.0.0.1:8443","login.microsoftonline.com":"https://proxy.example.com/entra"}')
    expect([...overrides.keys()]).toEqual(['management.azure.com', 'login.microsoftonline.com'])
    expect(parseEndpointOverrides(undefined).size).toBe(0)
    expect(parseEndpointOverrides('  ').size).toBe(0)
  })

  it.each([
    ['not JSON', '{management.azure.com', /not valid JSON/],
    ['an array', '["http://127.0.0.1:1"]', /JSON object/],
    ['a value that is no URL', '{"management.azure.com":"127.0.0.1:8443"}', /is not a URL/],
    ['plain http to another machine', '{"management.azure.com":"http://10.1.2.3:8443"}', /must use https, or http on a loopback address/],
    ['a query string', '{"management.azure.com":"https://proxy.example.com/?x=1"}', /query/]
  ])('refuses %s, naming the variable', (_name, text, message) => {
    expect(() => parseEndpointOverrides(text)).toThrow(AzureEndpointsError)
    expect(() => parseEndpointOverrides(text)).toThrow(new RegExp(`^${AZURE_ENDPOINTS_ENV}: .*${message.source}`))
  })
})

describe('the redirecting client', () => {
  const overrides = parseEndpointOverrides('{"management.azure.com":"http://127.0.0.1:8443","login.microsoftonline.com":"https://proxy.example.com/entra/"}')

  it('keeps path and query, prefixes the base path, and leaves other hosts alone', () => {
    expect(redirect('https://management.azure.com:443/subscriptions/s/providers/x?api-version=2025-05-01', overrides)?.href).toBe(
      'http://127.0.0.1:8443/subscriptions/s/providers/x?api-version=2025-05-01'
    )
    expect(redirect('https://login.microsoftonline.com/tenant/oauth2/v2.0/token', overrides)?.href).toBe('https://proxy.example.com/entra/tenant/oauth2/v2.0/token')
    expect(redirect('https://graph.microsoft.com/v1.0/me', overrides)).toBeUndefined()
  })

  it('allows plain http only towards loopback', async () => {
    const inner = recordingClient()
    const client = redirectingHttpClient(overrides, inner)
    await client.sendRequest(createPipelineRequest({ url: 'https://management.azure.com/subscriptions?api-version=2022-12-01' }))
    await client.sendRequest(createPipelineRequest({ url: 'https://login.microsoftonline.com/t/oauth2/v2.0/token' }))
    await client.sendRequest(createPipelineRequest({ url: 'https://graph.microsoft.com/v1.0/me' }))
    expect(inner.sent.map((r) => [r.url, Boolean(r.allowInsecureConnection)])).toEqual([
      ['http://127.0.0.1:8443/subscriptions?api-version=2022-12-01', true],
      ['https://proxy.example.com/entra/t/oauth2/v2.0/token', false],
      ['https://graph.microsoft.com/v1.0/me', false]
    ])
  })

  it('leaves the request its real URL once sent, so a retry passes the bearer policy\'s https check again', async () => {
    const inner = recordingClient()
    const client = redirectingHttpClient(overrides, inner)
    const request = createPipelineRequest({ url: 'https://management.azure.com/subscriptions?api-version=2022-12-01' })
    await client.sendRequest(request)
    await client.sendRequest(request)
    expect(request.url).toBe('https://management.azure.com/subscriptions?api-version=2022-12-01')
    expect(Boolean(request.allowInsecureConnection)).toBe(false)
    expect(inner.sent.map((r) => r.url)).toEqual(['http://127.0.0.1:8443/subscriptions?api-version=2022-12-01', 'http://127.0.0.1:8443/subscriptions?api-version=2022-12-01'])
  })

  it('is the inner client itself when nothing is overridden', () => {
    const inner = recordingClient()
    expect(redirectingHttpClient(new Map(), inner)).toBe(inner)
  })
})

describe('a bad override in a run', () => {
  let emulators: Emulators
  beforeAll(async () => {
    emulators = await startEmulators()
  })
  afterAll(async () => {
    await emulators.close()
  })

  it('fails naming the variable, before any Azure call', async () => {
    const result = await runAction({ ...emulators.env, ...azureInputs(emulators.zillizUrl, { mode: 'plan' }), [AZURE_ENDPOINTS_ENV]: '{"management.azure.com":"http://10.0.0.1"}' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toMatch(/::error::ZILLIZ_PL_AZURE_ENDPOINTS: http:\/\/10\.0\.0\.1 \(for management\.azure\.com\) must use https/)
    expect(emulators.log.calls('arm')).toEqual([])
    expect(emulators.log.calls('entra')).toEqual([])
  })
})
