// Where the emulated clouds run the compute they host (a Lambda function, a Cloud Run job, a container
// group): a Node child process that meets the network as a process in the subnet would. Its system
// resolver is the subnet's resolver (a preload points every new dns.Resolver at it, since a process in a
// VPC gets that server from the platform, not from the code), and it trusts the emulated world's CA, as
// a real one trusts the public CAs that sign the clusters' certificates. It gets only the environment
// the cloud would give it, never the test process's.
import { spawn } from 'node:child_process'
import { TEST_CA_PATH } from './certificates.js'

export interface SubnetResolver {
  host: string
  port: number
}

/** Where the network drops a connection (a security group, a firewall rule): 'ip:port' → an address that never answers */
export interface DroppedPaths {
  destinations: string[]
  /** A loopback port whose SYNs are never answered (startUnansweredPort) */
  hole: { host: string; port: number }
}

export interface SandboxCommand {
  /** Arguments to `node`, as a container's command after `node` or a runtime's bootstrap */
  args: string[]
  env?: Record<string, string>
  cwd?: string
  timeoutMs: number
  dropped?: DroppedPaths
  /** Kills the process (a container stopped or deleted while it runs) */
  signal?: AbortSignal
}

export interface SandboxOutcome {
  exitCode: number | null
  stdout: string
  stderr: string
  timedOut: boolean
  ms: number
}

function resolverPreload(resolver: SubnetResolver, dropped: DroppedPaths | undefined): string {
  const server = JSON.stringify(`${resolver.host}:${resolver.port}`)
  // The platform's network drops these: a connect to one of them goes where nothing ever answers.
  const drops = dropped?.destinations.length
    ? [
        "import net from 'node:net';",
        `const dropped = new Set(${JSON.stringify(dropped.destinations)});`,
        `const hole = ${JSON.stringify(dropped.hole)};`,
        'const connect = net.Socket.prototype.connect;',
        'const redirect = (o) => (o && typeof o === "object" && dropped.has(`${o.host}:${o.port}`) ? { ...o, host: hole.host, port: hole.port } : o);',
        'net.Socket.prototype.connect = function (...args) {',
        '  if (Array.isArray(args[0])) args[0][0] = redirect(args[0][0]);',
        '  else args[0] = redirect(args[0]);',
        '  return connect.apply(this, args);',
        '};'
      ]
    : []
  const code = [
    ...drops,
    "import dns from 'node:dns';",
    "import { syncBuiltinESMExports } from 'node:module';",
    `const servers = [${server}];`,
    'const Base = dns.Resolver;',
    'dns.Resolver = class extends Base { constructor(options) { super(options); this.setServers(servers) } };',
    'dns.setServers(servers);',
    'syncBuiltinESMExports();'
  ].join('\n')
  return `data:text/javascript,${encodeURIComponent(code)}`
}

export function runInSubnet(resolver: SubnetResolver, command: SandboxCommand): Promise<SandboxOutcome> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', resolverPreload(resolver, command.dropped), ...command.args], {
      cwd: command.cwd,
      env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: TEST_CA_PATH, ...command.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, command.timeoutMs)
    const kill = () => child.kill('SIGKILL')
    command.signal?.addEventListener('abort', kill, { once: true })
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      command.signal?.removeEventListener('abort', kill)
      resolve({ exitCode, stdout, stderr, timedOut, ms: Math.round(performance.now() - started) })
    })
  })
}
