// Plain ARM requests, sent through the run's ARM pipeline (clients.ts) so they get what every call gets: the
// bearer token, the retry policy, the ARM gate and the transport. A failed answer becomes a RestError
// described like the SDK's. Used for Microsoft.Network (network-api.ts), the DNS private resolver and
// Container Instances.
import { createHttpHeaders, createPipelineRequest, RestError, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline'
import { annotateCloudError } from '../../engine/cloud-error.js'
import { armFailure } from './errors.js'

export type ArmMethod = 'GET' | 'PUT' | 'POST' | 'DELETE'

export interface ArmAnswer<T> {
  status: number
  body: T | undefined
  /** Response headers, names in lower case */
  headers: Record<string, string>
}

/** The run's pipeline to ARM for one subscription; `$host` is ARM's base URL. */
export interface ArmPipeline {
  readonly $host: string
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>
}

export interface ArmSendOptions {
  body?: unknown
  /** Accept: application/json, as the generated SDK clients send it */
  acceptJson?: boolean
  abortSignal?: AbortSignal
}

/** One request to `${$host}${path}?api-version=…` (path: /subscriptions/…); 4xx and 5xx answers throw. */
export async function armRequest<T>(
  client: ArmPipeline,
  method: ArmMethod,
  path: string,
  apiVersion: string,
  principal: () => string | undefined,
  body?: unknown,
  query: Record<string, string> = {}
): Promise<ArmAnswer<T>> {
  return armSend<T>(client, method, armUrl(client, path, apiVersion, query), principal, body === undefined ? {} : { body })
}

export function armUrl(client: ArmPipeline, path: string, apiVersion: string, query: Record<string, string> = {}): string {
  return `${client.$host}${path}?${new URLSearchParams({ 'api-version': apiVersion, ...query }).toString()}`
}

/** One request to an absolute URL (a nextLink, a long-running operation's status URL); 4xx and 5xx answers throw. */
export async function armSend<T>(client: ArmPipeline, method: ArmMethod, url: string, principal: () => string | undefined, options: ArmSendOptions = {}): Promise<ArmAnswer<T>> {
  const headers = createHttpHeaders(options.acceptJson ? { accept: 'application/json' } : {})
  if (options.body !== undefined) headers.set('content-type', 'application/json')
  const request = createPipelineRequest({
    url,
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {})
  })
  const response = await client.sendRequest(request)
  let parsed: (T & { error?: { code?: string; message?: string } }) | undefined
  try {
    parsed = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined
  } catch {
    parsed = undefined
  }
  if (response.status >= 400) {
    const error = new RestError(parsed?.error?.message ?? `HTTP ${response.status}`, { code: parsed?.error?.code, statusCode: response.status, request, response })
    annotateCloudError(error, armFailure(error, method, url, principal()))
    throw error
  }
  return { status: response.status, body: parsed, headers: response.headers.toJSON() }
}

/** Every item of an ARM list (following nextLink as ARM gives it). */
export async function armList<T>(client: ArmPipeline, method: 'GET' | 'POST', path: string, apiVersion: string, principal: () => string | undefined, options: Pick<ArmSendOptions, 'acceptJson'> = {}): Promise<T[]> {
  const items: T[] = []
  let url: string | undefined = `${client.$host}${path}?api-version=${apiVersion}`
  while (url) {
    const page: ArmAnswer<{ value?: T[]; nextLink?: string }> = await armSend(client, method, url, principal, options)
    items.push(...(page.body?.value ?? []))
    url = page.body?.nextLink ?? undefined
  }
  return items
}
