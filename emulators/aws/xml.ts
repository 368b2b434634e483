// Wire formats shared by the AWS emulators: XML building, response and error envelopes,
// Query-protocol form parsing (EC2, STS) and REST-XML body parsing (Route 53).
import { randomUUID } from 'node:crypto'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import type { EmulatorResponse } from '../core/service.js'

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/'
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'
export const ROUTE53_NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/'

/** A failure a handler raises; each service renders it in its own error envelope. */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = code
  }
}

// ---------------------------------------------------------------------------------------------
// Building XML

export type XmlValue = string | number | boolean | Date | null | undefined | XmlFields | XmlList
export interface XmlFields {
  readonly [element: string]: XmlValue
}

/** A repeated element: EC2 wraps members in `<item>`, Route 53 names them (`<HostedZone>`). */
export class XmlList {
  constructor(
    readonly values: readonly XmlValue[],
    readonly memberElement = 'item'
  ) {}
}

export const itemSet = (values: readonly XmlValue[]): XmlList => new XmlList(values)
export const listOf = (memberElement: string, values: readonly XmlValue[]): XmlList =>
  new XmlList(values, memberElement)

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (ch) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[ch]};`)
}

/** Renders fields as sibling elements; null/undefined fields are left out, as AWS omits unset members. */
export function renderXml(fields: XmlFields): string {
  return Object.entries(fields)
    .map(([name, value]) => element(name, value))
    .join('')
}

function element(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return ''
  return `<${name}>${content(value)}</${name}>`
}

function content(value: XmlValue): string {
  if (value === undefined || value === null) return ''
  if (value instanceof XmlList) return value.values.map((v) => element(value.memberElement, v)).join('')
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') return renderXml(value)
  return escapeXml(String(value))
}

export function xmlDocument(root: string, namespace: string, fields: XmlFields): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${namespace}">${renderXml(fields)}</${root}>`
}

const XML_HEADERS = { 'content-type': 'text/xml;charset=UTF-8' }

export const newRequestId = (): string => randomUUID()

// ---------------------------------------------------------------------------------------------
// Response envelopes

/** EC2: `<ActionResponse xmlns=…><requestId/>…fields…</ActionResponse>` */
export function ec2Response(action: string, fields: XmlFields): EmulatorResponse {
  return {
    status: 200,
    headers: XML_HEADERS,
    body: xmlDocument(`${action}Response`, EC2_NAMESPACE, { requestId: newRequestId(), ...fields })
  }
}

/** AWS Query services other than EC2 (STS): the result sits in `<ActionResult>` next to ResponseMetadata. */
export function queryResponse(action: string, namespace: string, result: XmlFields): EmulatorResponse {
  return {
    status: 200,
    headers: XML_HEADERS,
    body: xmlDocument(`${action}Response`, namespace, {
      [`${action}Result`]: result,
      ResponseMetadata: { RequestId: newRequestId() }
    })
  }
}

/** REST-XML services (Route 53): the root element carries the fields directly. */
export function restXmlResponse(
  root: string,
  namespace: string,
  fields: XmlFields,
  status = 200,
  headers: Record<string, string> = {}
): EmulatorResponse {
  return {
    status,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': newRequestId(), ...headers },
    body: xmlDocument(root, namespace, fields)
  }
}

// ---------------------------------------------------------------------------------------------
// Error envelopes

/** EC2's own envelope: `<Response><Errors><Error>…</Error></Errors><RequestID/></Response>` */
export function ec2ErrorResponse(status: number, code: string, message: string): EmulatorResponse {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Response>${renderXml({ Errors: { Error: { Code: code, Message: message } }, RequestID: newRequestId() })}</Response>`
  return { status, headers: XML_HEADERS, body }
}

/** The standard `<ErrorResponse>` used by STS and Route 53; `Type` follows the status class. */
export function awsErrorResponse(namespace: string, status: number, code: string, message: string): EmulatorResponse {
  return {
    status,
    headers: XML_HEADERS,
    body: xmlDocument('ErrorResponse', namespace, {
      Error: { Type: status < 500 ? 'Sender' : 'Receiver', Code: code, Message: message },
      RequestId: newRequestId()
    })
  }
}

/** Runs a handler and turns an AwsError into the service's envelope (anything else is a real bug). */
export async function answerOrError(
  work: () => EmulatorResponse | Promise<EmulatorResponse>,
  errorResponse: (status: number, code: string, message: string) => EmulatorResponse
): Promise<EmulatorResponse> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof AwsError) return errorResponse(error.status, error.code, error.message)
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// Query-protocol form bodies (EC2 `SubnetId.1`, `Filter.1.Value.1`, `IpPermissions.1.IpRanges.1.CidrIp`)

export interface QueryFilter {
  name: string
  values: string[]
}

export class QueryParams {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  static parse(body: string): QueryParams {
    return new QueryParams(new Map(new URLSearchParams(body)))
  }

  get(name: string): string | undefined {
    return this.values.get(name)
  }

  has(name: string): boolean {
    return this.values.has(name)
  }

  require(name: string): string {
    const value = this.values.get(name)
    if (value === undefined || value === '') {
      throw new AwsError(400, 'MissingParameter', `The request must contain the parameter ${name}`)
    }
    return value
  }

  bool(name: string): boolean | undefined {
    const value = this.values.get(name)
    if (value === undefined) return undefined
    if (value !== 'true' && value !== 'false') {
      throw new AwsError(400, 'InvalidParameterValue', `Value (${value}) for parameter ${name} is invalid. Expected a boolean.`)
    }
    return value === 'true'
  }

  int(name: string): number | undefined {
    const value = this.values.get(name)
    if (value === undefined) return undefined
    if (!/^-?\d+$/.test(value)) {
      throw new AwsError(400, 'InvalidParameterValue', `Value (${value}) for parameter ${name} is invalid. Expected an integer.`)
    }
    return Number(value)
  }

  /** Values of `prefix.1`, `prefix.2`, … in index order. */
  list(prefix: string): string[] {
    return this.indexed(prefix)
      .filter(([, rest]) => rest === '')
      .map(([, , value]) => value)
  }

  /** One scoped QueryParams per `prefix.N.*` member, in index order. */
  members(prefix: string): QueryParams[] {
    const byIndex = new Map<number, Map<string, string>>()
    for (const [index, rest, value] of this.indexed(prefix)) {
      if (!rest.startsWith('.')) continue
      const member = byIndex.get(index) ?? new Map<string, string>()
      member.set(rest.slice(1), value)
      byIndex.set(index, member)
    }
    return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, member]) => new QueryParams(member))
  }

  filters(): QueryFilter[] {
    return this.members('Filter').map((f) => ({ name: f.require('Name'), values: f.list('Value') }))
  }

  /** Every key=value pair except the listed ones, sorted: a stable fingerprint of a request. */
  fingerprint(ignore: readonly string[]): string {
    return [...this.values.entries()]
      .filter(([key]) => !ignore.includes(key))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `${key}=${value}`)
      .join('&')
  }

  /** [index, remainder after the index, value] for every key under `prefix.N`. */
  private indexed(prefix: string): Array<[number, string, string]> {
    const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)(.*)$`)
    const out: Array<[number, string, string]> = []
    for (const [key, value] of this.values) {
      const match = pattern.exec(key)
      if (match) out.push([Number(match[1]), match[2]!, value])
    }
    return out.sort(([a], [b]) => a - b)
  }
}

// ---------------------------------------------------------------------------------------------
// REST-XML request bodies

/** Read-only view over a parsed XML element; lists are declared up front so one member stays a list. */
export class XmlNode {
  constructor(private readonly value: unknown) {}

  /**
   * Parses a request body. `listPaths` are dotted element paths (suffixes such as `Changes.Change`)
   * that are always lists. Malformed XML is Route 53's `InvalidInput`.
   */
  static parse(body: string, listPaths: readonly string[] = []): XmlNode {
    const valid = XMLValidator.validate(body)
    if (valid !== true) throw new AwsError(400, 'InvalidInput', `Invalid XML ; ${valid.err.msg}`)
    const parser = new XMLParser({
      ignoreAttributes: true,
      ignoreDeclaration: true,
      removeNSPrefix: true,
      parseTagValue: false,
      jPath: true,
      isArray: (_name, jPath) => listPaths.some((p) => String(jPath).endsWith(p))
    })
    return new XmlNode(parser.parse(body))
  }

  child(name: string): XmlNode | undefined {
    const value = this.record()?.[name]
    return value === undefined ? undefined : new XmlNode(value)
  }

  children(name: string): XmlNode[] {
    const value = this.record()?.[name]
    if (value === undefined) return []
    return (Array.isArray(value) ? value : [value]).map((v) => new XmlNode(v))
  }

  text(name?: string): string | undefined {
    const value = name === undefined ? this.value : this.record()?.[name]
    if (value === undefined || value === null) return undefined
    return typeof value === 'object' ? '' : String(value)
  }

  private record(): Record<string, unknown> | undefined {
    return typeof this.value === 'object' && this.value !== null ? (this.value as Record<string, unknown>) : undefined
  }
}
