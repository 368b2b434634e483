// Starts the AWS side of the emulated world (GitHub OIDC, STS, EC2, Route 53, Route 53 Resolver) on loopback ports
// around one World, CallLog and Switches, and reports the environment the action needs to use them.
import { randomBytes } from 'node:crypto'
import { CallLog, Switches, startService, type Running, type Service } from '../core/service.js'
import { World } from '../core/world.js'
import { OidcEmulator, type OidcOptions } from '../oidc.js'
import { Ec2Emulator } from './ec2.js'
import { LambdaEmulator, type ExecutionRole } from './lambda.js'
import type { AwsTopology } from './ec2-model.js'
import { IamPolicies } from './iam.js'
import { Route53Emulator } from './route53.js'
import { PROBE_ROLE_ARN, ROLE_ARN, ROLE_TRUSTED_SUBJECT, seedTopology } from './seed.js'
import { Route53ResolverEmulator } from './route53resolver.js'
import { StsEmulator } from './sts.js'

export interface AwsEmulatorOptions {
  world?: World
  log?: CallLog
  switches?: Switches
  topology?: AwsTopology
  oidc?: OidcOptions
  /** roleArn → allowed `sub` pattern; defaults to ROLE_ARN trusting the default repository. */
  trust?: Record<string, string>
  /** More accounts in the same region (a DNS account, a network account), each with its own EC2 resources */
  accounts?: AwsTopology[]
  /** Delay between Zilliz's acceptance and the endpoint turning `available`. */
  acceptanceDelayMs?: number
  /** Delay before a Route 53 change reports INSYNC. */
  changeSyncDelayMs?: number
  /** Lambda execution roles; default PROBE_ROLE_ARN with VPC access */
  executionRoles?: Record<string, ExecutionRole>
  /** How long a new Lambda function stays Pending */
  lambdaActivationDelayMs?: number
}

/** Environment variables that point the action (SDKs and @actions/core) at the emulators. */
export interface AwsEnvironment {
  AWS_ENDPOINT_URL_EC2: string
  AWS_ENDPOINT_URL_ROUTE_53: string
  AWS_ENDPOINT_URL_STS: string
  AWS_ENDPOINT_URL_LAMBDA: string
  AWS_ENDPOINT_URL_ROUTE53RESOLVER: string
  ACTIONS_ID_TOKEN_REQUEST_URL: string
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: string
  AWS_REGION: string
  [name: string]: string
}

export interface AwsEmulators {
  world: World
  log: CallLog
  switches: Switches
  oidc: OidcEmulator
  sts: StsEmulator
  ec2: Ec2Emulator
  /** EC2 of each account, the first one's included, by account id */
  ec2ByAccount: Map<string, Ec2Emulator>
  route53: Route53Emulator
  /** The permission policies of the roles of every account (by default a role may do everything) */
  iam: IamPolicies
  lambda: LambdaEmulator
  resolver: Route53ResolverEmulator
  urls: { oidc: string; sts: string; ec2: string; route53: string; lambda: string; resolver: string }
  env: AwsEnvironment
  region: string
  close(): Promise<void>
}

export async function startAwsEmulators(options: AwsEmulatorOptions = {}): Promise<AwsEmulators> {
  const world = options.world ?? new World()
  const log = options.log ?? new CallLog()
  const switches = options.switches ?? new Switches()
  const topology = options.topology ?? seedTopology({ accountId: world.awsAccountId })

  const oidc = new OidcEmulator(options.oidc)
  const sts = new StsEmulator(world, oidc, { trust: options.trust ?? { [ROLE_ARN]: ROLE_TRUSTED_SUBJECT } })
  const iam = new IamPolicies()
  const ec2 = new Ec2Emulator(world, { topology, iam, acceptanceDelayMs: options.acceptanceDelayMs ?? 0 })
  const ec2ByAccount = new Map([[topology.accountId, ec2]])
  // One EC2 endpoint serves every account, each request with the resources of the account that signed it.
  for (const other of options.accounts ?? []) {
    const peer = new Ec2Emulator(world, { topology: other, iam, acceptanceDelayMs: options.acceptanceDelayMs ?? 0 })
    ec2.addAccount(peer)
    ec2ByAccount.set(other.accountId, peer)
  }
  const route53 = new Route53Emulator(world, {
    accountId: topology.accountId,
    networks: [...ec2ByAccount.values()],
    iam,
    changeSyncDelayMs: options.changeSyncDelayMs ?? 0
  })
  const lambda = new LambdaEmulator(world, {
    ec2,
    executionRoles: options.executionRoles ?? { [PROBE_ROLE_ARN]: { vpcAccess: true } },
    activationDelayMs: options.lambdaActivationDelayMs ?? 0
  })

  const resolver = new Route53ResolverEmulator(world, topology.accountId, topology.region)

  const running: Running[] = []
  const start = async (service: Service): Promise<string> => {
    const server = await startService(service, log, switches)
    running.push(server)
    return server.url
  }
  const urls = {
    oidc: await start(oidc),
    sts: await start(sts),
    ec2: await start(ec2),
    route53: await start(route53),
    lambda: await start(lambda),
    resolver: await start(resolver)
  }

  return {
    world,
    log,
    switches,
    oidc,
    sts,
    ec2,
    ec2ByAccount,
    route53,
    iam,
    lambda,
    resolver,
    urls,
    region: topology.region,
    env: {
      AWS_ENDPOINT_URL_EC2: urls.ec2,
      AWS_ENDPOINT_URL_ROUTE_53: urls.route53,
      AWS_ENDPOINT_URL_STS: urls.sts,
      AWS_ENDPOINT_URL_LAMBDA: urls.lambda,
      AWS_ENDPOINT_URL_ROUTE53RESOLVER: urls.resolver,
      // @actions/core appends `&audience=…`, so the URL must already carry a query string.
      ACTIONS_ID_TOKEN_REQUEST_URL: `${urls.oidc}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
      AWS_REGION: topology.region
    },
    close: async () => {
      await Promise.all([...running.map((server) => server.close()), lambda.close()])
    }
  }
}

export interface AmbientCredentialsOptions {
  accessKeyId?: string
  secretAccessKey?: string
  sessionToken?: string
  /** IAM ARN GetCallerIdentity reports; defaults to an IAM user in the World's account. */
  principal?: string
  /** Epoch ms; long-term keys never expire. */
  expiresAt?: number
}

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** Registers keys that exist without STS, like those aws-actions/configure-aws-credentials exports. */
export function registerAmbientCredentials(world: World, options: AmbientCredentialsOptions = {}): AwsCredentials {
  const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const accessKeyId =
    options.accessKeyId ?? `${options.sessionToken ? 'ASIA' : 'AKIA'}${Array.from(randomBytes(16), (b) => upper[b % 32]).join('')}`
  const secretAccessKey = options.secretAccessKey ?? randomBytes(30).toString('base64')
  world.issue({
    accessKeyId,
    secretAccessKey,
    ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    expiresAt: options.expiresAt ?? Number.MAX_SAFE_INTEGER,
    principal: options.principal ?? `arn:aws:iam::${world.awsAccountId}:user/ci-deployer`
  })
  return { accessKeyId, secretAccessKey, ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}) }
}

export { Ec2Emulator } from './ec2.js'
export { IamPolicies, accountOf, roleOf } from './iam.js'
export { LambdaEmulator } from './lambda.js'
export { Route53Emulator } from './route53.js'
export { StsEmulator, STS_AUDIENCE } from './sts.js'
export * from './seed.js'
