// Never a second resource: a create whose earlier attempt landed is recognised as a duplicate and the
// existing resource adopted; among existing candidates, the action's own wins over anyone else's.

export interface CreateOrAdoptOptions<T> {
  create(): Promise<T>
  /** True when the error says the resource already exists (a lost response, a concurrent run) */
  isDuplicate(error: unknown): boolean
  /** Finds the existing resource; undefined throws NotVisibleYetError, which a later attempt can get past */
  find(): Promise<T | undefined>
}

/**
 * The create was refused as a duplicate, yet the resource cannot be read: another create of it (an
 * earlier attempt whose answer was lost) is still running. It appears once that finishes.
 */
export class NotVisibleYetError extends Error {
  constructor(readonly duplicate: unknown) {
    super(`${duplicate instanceof Error ? duplicate.message : String(duplicate)} (but it cannot be read yet: its create is still running)`)
    this.name = 'NotVisibleYetError'
  }
}

export async function createOrAdopt<T>(options: CreateOrAdoptOptions<T>): Promise<T> {
  try {
    return await options.create()
  } catch (error) {
    if (!options.isDuplicate(error)) throw error
    const found = await options.find()
    if (found === undefined) throw new NotVisibleYetError(error)
    return found
  }
}

/** Ours first, then one Zilliz already knows, then the first listed. */
export function pickAdoptable<T>(candidates: T[], owned: (c: T) => boolean, registered: (c: T) => boolean): T | undefined {
  return candidates.find(owned) ?? candidates.find(registered) ?? candidates[0]
}
