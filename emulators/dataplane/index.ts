// The data plane of the emulated world: a DNS server, the private link's TLS endpoint, and the
// network failures the data-plane checks diagnose, all on loopback.
export { recordsFrom, startDnsServer, type Answerer, type DnsAnswer, type EmulatedDnsServer } from './dns-server.js'
export { PrivateLinkServer, startPrivateLinkServer, type PrivateLinkServerOptions } from './link-server.js'
export { refusingPort, startSilentServer, startUnansweredPort, type DeadEnd } from './dead-ends.js'
export { TEST_CA_PATH, testCa, testCertificate, type CertificateKind } from './certificates.js'
export { vpcResolver, type VpcNetwork } from './vpc-resolver.js'
export { startDataPlane, startVpcDataPlane, type VpcDataPlane } from './vpc-data-plane.js'
export { egressAllowed, gcpNetworkResolver, type GcpNetworkWorld } from './gcp-network.js'
export { azureEgressAllowed, azureVnetResolver } from './azure-network.js'
export { runInSubnet, type DroppedPaths, type SandboxCommand, type SandboxOutcome, type SubnetResolver } from './subnet-sandbox.js'
