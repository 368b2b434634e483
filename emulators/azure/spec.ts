// The Azure REST API descriptions the ARM emulator holds requests to: OpenAPI 2.0 excerpts of
// Azure/azure-rest-api-specs (Microsoft.Network 2025-05-01, private DNS 2020-06-01, DNS private resolver 2022-07-01, Container Instances 2023-05-01), copied with their
// provenance into __tests__/fixtures/specs/azure (see SOURCES.md there), turned into operation contracts
// for the vendor-neutral checker in emulators/core/spec-check.ts.
import { readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SpecCatalog, type OperationContract, type ParameterContract, type SchemaNode } from '../core/spec-check.js'

export const AZURE_SPEC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '__tests__', 'fixtures', 'specs', 'azure')

/** The documents the action's calls are described in, relative to AZURE_SPEC_DIR. */
export const AZURE_SPEC_FILES = [
  'network/privateEndpoint.json',
  'network/virtualNetwork.json',
  'network/networkInterface.json',
  'network/network.json',
  'network/privateLinkService.json',
  'network/networkSecurityGroup.json',
  'network/routeTable.json',
  'network/networkWatcher.json',
  'compute/virtualMachine.json',
  'privatedns/privatedns.json',
  'dnsresolver/dnsresolver.json',
  'containerinstance/containerInstance.json'
]

// Headers any ARM request may carry, whatever the operation: HTTP transport headers, and the client
// request headers of the ARM resource provider contract ("Common API details", Client request headers:
// https://github.com/cloud-and-ai-microsoft/resource-provider-contract/blob/master/v1.0/common-api-details.md).
// Anything else (If-Match, If-None-Match, …) must be declared by the operation.
export const ARM_COMMON_HEADERS = [
  'host',
  'connection',
  'content-length',
  'content-type',
  'transfer-encoding',
  'accept',
  'accept-encoding',
  'user-agent',
  'authorization',
  'accept-language',
  'x-ms-client-request-id',
  'x-ms-return-client-request-id',
  'traceparent',
  'tracestate'
]

// Where ARM's long-running operations are polled is not in the OpenAPI files but in the guide: the client
// GETs the Azure-AsyncOperation (or Location) URL as given, with no headers of the original request.
// https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/async-operations
const ASYNC_GUIDE = 'https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/async-operations'

type Json = Record<string, unknown>

interface SwaggerParameter {
  name: string
  in: string
  required?: boolean
  schema?: SchemaNode
  [keyword: string]: unknown
}

interface Swagger {
  info: { version: string }
  paths: Record<string, Record<string, { operationId: string; parameters?: SwaggerParameter[] }>>
  parameters?: Record<string, SwaggerParameter>
}

/** Rewrites every $ref to '<file>#<pointer>' relative to the spec folder, so one resolver serves all files. */
function absoluteRefs(node: unknown, file: string): unknown {
  if (Array.isArray(node)) return node.map((n) => absoluteRefs(n, file))
  if (!node || typeof node !== 'object') return node
  const out: Json = {}
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$ref' && typeof v === 'string') {
      const [target, pointer = ''] = v.split('#')
      out[k] = `${target ? normalize(join(dirname(file), target)) : file}#${pointer}`
    } else out[k] = absoluteRefs(v, file)
  }
  return out
}

export class AzureSpecs {
  readonly documents = new Map<string, Swagger>()

  constructor(dir: string = AZURE_SPEC_DIR, files: string[] = AZURE_SPEC_FILES) {
    for (const file of files) this.documents.set(file, absoluteRefs(JSON.parse(readFileSync(join(dir, file), 'utf8')), file) as Swagger)
  }

  /** A $ref target; one outside the excerpts (a field the action never sends) accepts anything. */
  readonly resolve = (ref: string): SchemaNode => {
    const [file = '', pointer = ''] = ref.split('#')
    let node: unknown = this.documents.get(file)
    for (const part of pointer.split('/').filter(Boolean)) node = (node as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')]
    return (node as SchemaNode | undefined) ?? {}
  }

  contracts(): OperationContract[] {
    const out: OperationContract[] = []
    for (const [file, doc] of this.documents) {
      for (const [path, methods] of Object.entries(doc.paths ?? {})) {
        for (const [method, op] of Object.entries(methods)) {
          if (method === 'parameters') continue
          const parameters = (op.parameters ?? []).map((p) => ('$ref' in p ? (this.resolve(p['$ref'] as string) as unknown as SwaggerParameter) : p))
          const body = parameters.find((p) => p.in === 'body')
          out.push({
            id: op.operationId,
            method: method.toUpperCase(),
            path,
            parameters: parameters.filter((p) => p.in !== 'body').map((p) => parameterContract(p, doc.info.version)),
            ...(body ? { body: { required: Boolean(body.required), schema: body.schema ?? {} } } : {}),
            source: `${file} (api-version ${doc.info.version})`
          })
        }
      }
    }
    return [...out, ...pollContracts()]
  }

  catalog(): SpecCatalog {
    return new SpecCatalog(this.contracts(), { resolve: this.resolve, commonHeaders: ARM_COMMON_HEADERS, caseInsensitivePaths: true })
  }
}

function parameterContract(p: SwaggerParameter, apiVersion: string): ParameterContract {
  const { name, in: where, required, schema, ...keywords } = p
  const own = (schema ?? keywords) as SchemaNode
  // The document's version is the only api-version its operations are described for.
  const checked = name === 'api-version' ? { ...own, enum: [apiVersion] } : own
  return { name, in: where as ParameterContract['in'], required: Boolean(required), schema: checked }
}

const apiVersionOnly = (): ParameterContract[] => [{ name: 'api-version', in: 'query', required: true, schema: { type: 'string' } }]
const pathParam = (name: string): ParameterContract => ({ name, in: 'path', required: true, schema: { type: 'string' } })

/** The status and result URLs the emulator hands out in Azure-AsyncOperation and Location (see ASYNC_GUIDE). */
function pollContracts(): OperationContract[] {
  const network = '/subscriptions/{subscriptionId}/providers/Microsoft.Network/locations/{location}'
  const dns = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network'
  const poll = (id: string, path: string, params: string[]): OperationContract => ({
    id,
    method: 'GET',
    path,
    parameters: [...params.map(pathParam), ...apiVersionOnly()],
    source: ASYNC_GUIDE
  })
  return [
    poll('NetworkOperationStatus_Get', `${network}/operations/{operationId}`, ['subscriptionId', 'location', 'operationId']),
    poll('NetworkOperationResult_Get', `${network}/operationResults/{operationId}`, ['subscriptionId', 'location', 'operationId']),
    poll('PrivateDnsOperationStatus_Get', `${dns}/privateDnsOperationStatuses/{operationId}`, ['subscriptionId', 'resourceGroupName', 'operationId']),
    poll('PrivateDnsOperationResult_Get', `${dns}/privateDnsOperationResults/{operationId}`, ['subscriptionId', 'resourceGroupName', 'operationId'])
  ]
}

let shared: SpecCatalog | undefined
/** One catalog per process: the documents never change during a test run. */
export function azureSpecCatalog(): SpecCatalog {
  shared ??= new AzureSpecs().catalog()
  return shared
}
