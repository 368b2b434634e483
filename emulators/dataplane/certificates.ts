// The test-only TLS material in __tests__/fixtures/tls (made by generate.sh there): a test CA, a
// certificate for the emulated private-link hosts, one for another name, and a self-signed one.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export type CertificateKind = 'link' | 'wrong-name' | 'self-signed'

const FIXTURES = fileURLToPath(new URL('../../__tests__/fixtures/tls/', import.meta.url))

/** Path of the test CA, for NODE_EXTRA_CA_CERTS of a child process. */
export const TEST_CA_PATH = `${FIXTURES}ca.pem`

export function testCa(): string {
  return readFileSync(TEST_CA_PATH, 'utf8')
}

export function testCertificate(kind: CertificateKind): { cert: string; key: string } {
  return { cert: readFileSync(`${FIXTURES}${kind}.pem`, 'utf8'), key: readFileSync(`${FIXTURES}${kind}-key.pem`, 'utf8') }
}
