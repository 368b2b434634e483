// Reads that need nothing from each other go out together and are awaited in the order their checks
// are made, so the first wrong input still names itself first.
import type { EphemeralKind, EphemeralResource } from '../../engine/ephemeral.js'

/** A read started now and awaited later: its failure is not unhandled while it waits for its turn. */
export function early<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined)
  return read
}

/**
 * Kinds of proof resource whose listings go out together: the sweep lists one kind after another, yet no
 * listing needs another's answer. The first kind asked for starts every listing; each other kind is handed
 * the one already under way when its turn comes (once: a later ask lists afresh).
 */
export function listedTogether(kinds: EphemeralKind[]): EphemeralKind[] {
  const underWay = new Map<EphemeralKind, Promise<EphemeralResource[]>>()
  return kinds.map((kind) => ({
    ...kind,
    list: () => {
      const started = underWay.get(kind)
      if (started) {
        underWay.delete(kind)
        return started
      }
      for (const other of kinds) if (other !== kind && !other.standing && !underWay.has(other)) underWay.set(other, early(other.list()))
      return kind.list()
    }
  }))
}
