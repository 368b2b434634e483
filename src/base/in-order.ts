// Reads sent together and judged in a fixed order. Like Promise.all, but it waits until every read has
// settled (none outlives the caller) and rejects with the failure of the earliest read in the list, not
// the first in time: the error a run reports (say, that a network input is wrong) is the one the same
// reads sent one after another would have reported, whichever answer happened to come back first.
export async function inOrder<T extends readonly unknown[]>(reads: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const settled = await Promise.allSettled(reads)
  for (const s of settled) if (s.status === 'rejected') throw s.reason
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T
}
