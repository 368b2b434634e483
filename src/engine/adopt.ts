// Never a second resource: a create whose earlier attempt landed is recognised as a duplicate and the
// existing resource adopted; among existing candidates, the action's own wins over anyone else's.

export interface CreateOrAdoptOptions<T> {
  create(): Promise<T>
  /** True when the error says the resource already exists (a lost response, a concurrent run) */
  isDuplicate(error: unknown): boolean
  /** Finds the existing resource; undefined rethrows the duplicate error */
  find(): Promise<T | undefined>
}

export async function createOrAdopt<T>(options: CreateOrAdoptOptions<T>): Promise<T> {
  try {
    return await options.create()
  } catch (error) {
    if (!options.isDuplicate(error)) throw error
    const found = await options.find()
    if (found === undefined) throw error
    return found
  }
}

/** Ours first, then one Zilliz already knows, then the first listed. */
export function pickAdoptable<T>(candidates: T[], owned: (c: T) => boolean, registered: (c: T) => boolean): T | undefined {
  return candidates.find(owned) ?? candidates.find(registered) ?? candidates[0]
}
