// Zilliz does not document endpoint status values; they mirror the clouds' own connection states
// (AWS pendingAcceptance/available, GCP PENDING/ACCEPTED, Azure Pending/Approved), so match loosely.

export type EndpointReadiness = 'ready' | 'pending' | 'failed' | 'unknown'

const READY = new Set(['accepted', 'available', 'approved', 'active'])
const FAILED = new Set(['rejected', 'failed', 'expired', 'deleted'])

/** Unknown values are reported as 'unknown' so callers keep polling and log them rather than fail. */
export function classifyEndpointStatus(status: string): EndpointReadiness {
  const normalized = status.trim().toLowerCase()
  if (READY.has(normalized)) return 'ready'
  if (normalized.startsWith('pending')) return 'pending'
  if (FAILED.has(normalized)) return 'failed'
  return 'unknown'
}
