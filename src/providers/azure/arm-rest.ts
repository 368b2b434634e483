// Plain ARM requests for the APIs no bundled SDK package covers (DNS private resolver, Container Instances),
// sent through an SDK client's pipeline so they get what every other call gets: the bearer token, the retry
// policy, the ARM gate and the transport. A failed answer becomes a RestError described like the SDK's.
import type { NetworkManagementClient } from '@azure/arm-network'
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline'
import { annotateCloudError } from '../../engine/cloud-error.js'
import { armFailure } from './errors.js'

export type ArmMethod = 'GET' | 'PUT' | 'POST' | 'DELETE'

export interface ArmAnswer<T> {
  status: number
  body: T | undefined
}

/** The pipeline of any ARM client of the run: they share the credential and the policies. */
export type ArmPipeline = Pick<NetworkManagementClient, 'sendRequest' | '$host'>

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
  const url = `${client.$host}${path}?${new URLSearchParams({ 'api-version': apiVersion, ...query }).toString()}`
  return armFetch<T>(client, method, url, principal, body)
}

async function armFetch<T>(client: ArmPipeline, method: ArmMethod, url: string, principal: () => string | undefined, body?: unknown): Promise<ArmAnswer<T>> {
  const request = createPipelineRequest({
    url,
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: createHttpHeaders({ 'content-type': 'application/json' }) })
  })
  const response = await client.sendRequest(request)
  let parsed: (T & { error?: { code?: string; message?: string } }) | undefined
  try {
    parsed = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined
  } catch {
    parsed = undefined
  }
  if (response.status >= 400) {
    const error = new RestError(parsed?.error?.message ?? `HTTP ${response.status}`, { code: parsed?.error?.code, statusCode: response.status, request })
    annotateCloudError(error, armFailure(error, method, url, principal()))
    throw error
  }
  return { status: response.status, body: parsed }
}

/** Every item of an ARM list (following nextLink). */
export async function armList<T>(client: ArmPipeline, method: 'GET' | 'POST', path: string, apiVersion: string, principal: () => string | undefined): Promise<T[]> {
  const items: T[] = []
  let url: string | undefined = `${client.$host}${path}?api-version=${apiVersion}`
  while (url) {
    const page: ArmAnswer<{ value?: T[]; nextLink?: string }> = await armFetch(client, method, url, principal)
    items.push(...(page.body?.value ?? []))
    url = page.body?.nextLink
  }
  return items
}
