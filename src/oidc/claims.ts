// Decodes (never verifies) a GitHub ID token so users can see what the cloud's trust policy is matched against.

const SHOWN_CLAIMS = ['sub', 'aud', 'iss', 'job_workflow_ref', 'repository', 'ref', 'environment', 'event_name'] as const

export type ShownClaims = Partial<Record<(typeof SHOWN_CLAIMS)[number], string>>

export function decodeClaims(jwt: string): ShownClaims {
  const payload = jwt.split('.')[1]
  if (!payload) return {}
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
    const shown: ShownClaims = {}
    for (const name of SHOWN_CLAIMS) {
      const value = parsed[name]
      if (typeof value === 'string') shown[name] = value
      else if (Array.isArray(value)) shown[name] = value.join(',')
    }
    return shown
  } catch {
    return {}
  }
}

export function formatClaims(claims: ShownClaims): string[] {
  return Object.entries(claims).map(([name, value]) => `${name}: ${value}`)
}
