// The whole emulated world in one call: GitHub OIDC, STS, EC2, Route 53 and Zilliz on loopback ports,
// sharing one World (credentials, acceptance), one CallLog and one set of Switches.
import { CallLog, Switches, startService } from './core/service.js'
import { NO_DNS_SERVER } from './core/loopback.js'
import { World } from './core/world.js'

export { NO_DNS_SERVER }
import { startAwsEmulators, ROLE_ARN, SUBNET_A, SUBNET_B, SUBNET_C, VPC_ID, type AwsEmulatorOptions, type AwsEmulators } from './aws/index.js'
import { startAzureEmulators, type AzureEmulatorOptions, type AzureEmulators } from './azure/index.js'
import { startGcpEmulators, type GcpEmulatorOptions, type GcpEmulators } from './gcp/index.js'
import { ZillizEmulator, ZILLIZ_SEED, type ZillizEmulatorOptions } from './zilliz.js'

export interface EmulatorOptions {
  aws?: Omit<AwsEmulatorOptions, 'world' | 'log' | 'switches'>
  zilliz?: Omit<ZillizEmulatorOptions, 'world'>
  gcp?: Omit<GcpEmulatorOptions, 'world' | 'log' | 'switches' | 'oidc'>
  azure?: Omit<AzureEmulatorOptions, 'world' | 'log' | 'switches' | 'oidc'>
}

export interface Emulators {
  world: World
  log: CallLog
  switches: Switches
  aws: AwsEmulators
  gcp: GcpEmulators
  azure: AzureEmulators
  zilliz: ZillizEmulator
  zillizUrl: string
  /** Variables that point the action (SDKs, @actions/core) at the emulators */
  env: Record<string, string>
  close(): Promise<void>
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const world = new World()
  const log = new CallLog()
  const switches = new Switches()
  const aws = await startAwsEmulators({ ...options.aws, world, log, switches })
  const azure = await startAzureEmulators({ ...options.azure, world, log, switches, oidc: aws.oidc })
  const gcp = await startGcpEmulators({ ...options.gcp, world, log, switches, oidc: aws.oidc })
  const zilliz = new ZillizEmulator({ ...options.zilliz, world })
  const running = await startService(zilliz, log, switches)
  return {
    world,
    log,
    switches,
    aws,
    gcp,
    azure,
    zilliz,
    zillizUrl: running.url,
    env: { ...aws.env, ...azure.env, ...gcp.env },
    close: async () => {
      await Promise.all([aws.close(), running.close(), azure.close(), gcp.close()])
    }
  }
}

/** The inputs of an AWS run against the seeded world, as the runner passes them (INPUT_*). */
export function awsInputs(emulators: Emulators, overrides: Record<string, string> = {}): Record<string, string> {
  const inputs: Record<string, string> = {
    'zilliz-api-key': ZILLIZ_SEED.apiKey,
    'zilliz-project-id': ZILLIZ_SEED.projectId,
    'zilliz-region-id': ZILLIZ_SEED.regions.aws,
    'zilliz-api-url': emulators.zillizUrl,
    'aws-role-arn': ROLE_ARN,
    'aws-vpc-id': VPC_ID,
    'aws-subnet-ids': [SUBNET_A, SUBNET_B, SUBNET_C].join(','),
    'wait-timeout': '2m',
    'dns-server': NO_DNS_SERVER,
    // The paid path analysis is proven in its own tests (path-analysis-aws.test.ts); link tests leave it out.
    'network-analysis': 'off',
    ...overrides
  }
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]))
}
