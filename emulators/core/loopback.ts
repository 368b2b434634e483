/**
 * A DNS server on a closed loopback port: with verify auto, the private-link hosts then do not resolve,
 * the data-plane checks are skipped at once, and no query leaves the machine's loopback.
 */
export const NO_DNS_SERVER = '127.0.0.1:9'
