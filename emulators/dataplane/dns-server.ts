// A DNS server on UDP speaking the real wire format (RFC 1035) for A queries: answers from a function
// or a map, NXDOMAIN for unknown names, NODATA for names without addresses, and a switch that makes it
// never answer, as an unreachable or firewalled resolver does.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'

/** Addresses for a name; [] for a name without A records (NODATA); undefined for no such name (NXDOMAIN). */
export type DnsAnswer = string[] | undefined
export type Answerer = (name: string) => DnsAnswer | Promise<DnsAnswer>

export interface DnsServerOptions {
  answer: Answerer
  host?: string
  /** 0 (the default): any free port */
  port?: number
  ttl?: number
}

export interface EmulatedDnsServer {
  host: string
  port: number
  /** host:port, as the dns-server input takes it */
  address: string
  /** When true, queries are read and never answered */
  silent: boolean
  /** Every name asked, in order */
  readonly queries: string[]
  close(): Promise<void>
}

const TYPE_A = 1
const CLASS_IN = 1
const RCODE_SERVFAIL = 2
const RCODE_NXDOMAIN = 3
const HEADER_BYTES = 12

/** A case-insensitive answerer over fixed records. */
export function recordsFrom(records: Record<string, string[]>): Answerer {
  const byName = new Map(Object.entries(records).map(([name, ips]) => [canonical(name), ips]))
  return (name) => byName.get(canonical(name))
}

const canonical = (name: string) => name.toLowerCase().replace(/\.$/, '')

interface Question {
  id: number
  /** Opcode and RD of the query, echoed in the answer */
  flags: number
  name: string
  type: number
  /** The question section as sent, echoed in the answer */
  section: Buffer
}

function readQuestion(message: Buffer): Question | undefined {
  if (message.length < HEADER_BYTES || message.readUInt16BE(4) !== 1) return undefined
  const labels: string[] = []
  let offset = HEADER_BYTES
  while (offset < message.length && message[offset] !== 0) {
    const length = message[offset]!
    // Compression pointers never appear in a question; anything else malformed is dropped too.
    if (length > 63 || offset + 1 + length > message.length) return undefined
    labels.push(message.toString('latin1', offset + 1, offset + 1 + length))
    offset += 1 + length
  }
  const end = offset + 5
  if (end > message.length) return undefined
  return {
    id: message.readUInt16BE(0),
    flags: message.readUInt16BE(2),
    name: labels.join('.'),
    type: message.readUInt16BE(offset + 1),
    section: message.subarray(HEADER_BYTES, end)
  }
}

function ipBytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number))
}

function buildAnswer(question: Question, answer: DnsAnswer, ttl: number, rcode = answer === undefined ? RCODE_NXDOMAIN : 0): Buffer {
  const addresses = question.type === TYPE_A ? (answer ?? []) : []
  const header = Buffer.alloc(HEADER_BYTES)
  header.writeUInt16BE(question.id, 0)
  const echoed = question.flags & 0x7900 // opcode and RD
  header.writeUInt16BE(0x8000 | echoed | 0x0400 | 0x0080 | rcode, 2) // QR, AA, RA
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(addresses.length, 6)
  const records = addresses.map((ip) => {
    const record = Buffer.alloc(16)
    record.writeUInt16BE(0xc00c, 0) // the name: a pointer to the question's
    record.writeUInt16BE(TYPE_A, 2)
    record.writeUInt16BE(CLASS_IN, 4)
    record.writeUInt32BE(ttl, 6)
    record.writeUInt16BE(4, 10)
    ipBytes(ip).copy(record, 12)
    return record
  })
  return Buffer.concat([header, question.section, ...records])
}

export async function startDnsServer(options: DnsServerOptions): Promise<EmulatedDnsServer> {
  const host = options.host ?? '127.0.0.1'
  const ttl = options.ttl ?? 60
  const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4')
  let closed = false
  const server: EmulatedDnsServer = {
    host,
    port: 0,
    address: '',
    silent: false,
    queries: [],
    close: () => {
      closed = true
      return new Promise((resolve) => socket.close(() => resolve()))
    }
  }
  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    const question = readQuestion(message)
    if (!question) return
    server.queries.push(question.name)
    if (server.silent) return
    const reply = (bytes: Buffer) => {
      if (!closed) socket.send(bytes, peer.port, peer.address)
    }
    // An answerer that fails is a resolver whose backend failed: SERVFAIL, as real ones say.
    Promise.resolve()
      .then(() => options.answer(question.name))
      .then(
        (answer) => reply(buildAnswer(question, answer, ttl)),
        () => reply(buildAnswer(question, [], ttl, RCODE_SERVFAIL))
      )
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(options.port ?? 0, host, () => resolve())
  })
  server.port = socket.address().port
  server.address = host.includes(':') ? `[${host}]:${server.port}` : `${host}:${server.port}`
  return server
}
