// Reads that do not depend on each other go out together. When several fail, the run reports the failure a
// sequential run would have met first, so an input error names the same input whichever answer came first.

type Values<T extends readonly unknown[]> = { -readonly [K in keyof T]: Awaited<T[K]> }

/** Every promise's value, once all have settled; else the first rejection in the order given. */
export async function allInOrder<T extends readonly unknown[]>(work: readonly [...T]): Promise<Values<T>> {
  const settled = await Promise.allSettled(work)
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as Values<T>
}

/** A read started now and awaited later: its failure is not unhandled while it waits for its turn. */
export function early<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined)
  return read
}
