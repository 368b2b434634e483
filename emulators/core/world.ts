// State shared across emulators: who STS issued credentials to, and Zilliz's acceptance of endpoints,
// which the cloud emulators observe (an AWS endpoint stays pendingAcceptance until Zilliz accepts it).

export interface IssuedCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  /** Epoch ms */
  expiresAt: number
  principal: string
}

type AcceptanceListener = (cloudId: string, endpointId: string, accepted: boolean) => void

export class World {
  /** Ambient credentials that exist without STS (like keys set by configure-aws-credentials) */
  readonly credentials = new Map<string, IssuedCredentials>()
  private readonly listeners: AcceptanceListener[] = []
  /** AWS account id the emulated cloud belongs to */
  awsAccountId = '123456789012'
  /** Endpoints the cloud emulators created (cloudId 'aws' | 'gcp' | 'azure') */
  readonly endpoints = new CloudEndpoints()

  issue(creds: IssuedCredentials): void {
    this.credentials.set(creds.accessKeyId, creds)
  }

  /** Returns the credentials for an access key if they exist and have not expired. */
  lookup(accessKeyId: string, now = Date.now()): IssuedCredentials | undefined {
    const found = this.credentials.get(accessKeyId)
    return found && found.expiresAt > now ? found : undefined
  }

  onAcceptance(listener: AcceptanceListener): void {
    this.listeners.push(listener)
  }

  /** Called by the Zilliz emulator when it accepts (or drops) an endpoint registration. */
  setAccepted(cloudId: string, endpointId: string, accepted: boolean): void {
    for (const listener of this.listeners) listener(cloudId, endpointId, accepted)
  }
}

/** Endpoints that exist in an emulated cloud; Zilliz only accepts registrations of real endpoints. */
export class CloudEndpoints {
  /** endpoint → the cloud account that owns it (an Azure subscription), when the cloud says */
  private readonly owners = new Map<string, string | undefined>()
  add(cloudId: string, endpointId: string, owner?: string): void {
    this.owners.set(`${cloudId}/${endpointId}`, owner)
  }
  remove(cloudId: string, endpointId: string): void {
    this.owners.delete(`${cloudId}/${endpointId}`)
  }
  has(cloudId: string, endpointId: string): boolean {
    return this.owners.has(`${cloudId}/${endpointId}`)
  }
  owner(cloudId: string, endpointId: string): string | undefined {
    return this.owners.get(`${cloudId}/${endpointId}`)
  }
}
