// Whether an address can only be reached from inside some network: a private link's DNS answer must be
// one of these, and a public answer means the private zone does not apply where the lookup was made.
import { isIPv4, isIPv6 } from 'node:net'

/** IPv4 ranges no public DNS answer points at: RFC 1918, shared address space, loopback, link-local. */
const NON_PUBLIC_IPV4: readonly [string, number][] = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16]
]

const toNumber = (ip: string): number => ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0)

function inRange(ip: string, [base, bits]: readonly [string, number]): boolean {
  const size = 2 ** (32 - bits)
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size)
}

/** True for private, shared, loopback and link-local addresses (IPv6: ULA, link-local, loopback). */
export function isNonPublicAddress(ip: string): boolean {
  if (isIPv4(ip)) return NON_PUBLIC_IPV4.some((range) => inRange(ip, range))
  if (isIPv6(ip)) return ip === '::1' || /^f[cd]/i.test(ip) || /^fe[89ab]/i.test(ip)
  return false
}

export const isPublicAddress = (ip: string): boolean => !isNonPublicAddress(ip)
