// IPv4 addresses and CIDR ranges as numbers, for the range arithmetic the providers and the path analyses do.

export function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
}

/** First and last address of a range; a bare address is its own /32. */
export function cidrSpan(cidr: string): [number, number] {
  const [network = '0.0.0.0', bits = '32'] = cidr.includes('/') ? cidr.split('/') : [cidr, '32']
  const size = 2 ** (32 - Number(bits))
  const start = Math.floor(ipToNumber(network) / size) * size
  return [start, start + size - 1]
}

export function cidrContains(outer: string, inner: string): boolean {
  const [a, b] = cidrSpan(outer)
  const [c, d] = cidrSpan(inner)
  return a <= c && d <= b
}

export function cidrOverlaps(x: string, y: string): boolean {
  const [a, b] = cidrSpan(x)
  const [c, d] = cidrSpan(y)
  return a <= d && c <= b
}
