// One observation per run. Plan, the inventory of owned resources and verification look at the same
// resources; while nothing is being written, the first answer to a read serves every later identical read,
// so a run that changes nothing reads each resource once. Once writes start, every read goes to the cloud
// again (waits poll, adoption re-reads), and what was read before is forgotten.
export class Observations {
  private readonly answers = new Map<string, Promise<unknown>>()
  private sharing = true
  /** Reads answered from an earlier identical read, for tests and the benchmark */
  shared = 0

  /** The answer of the first read with this key while sharing; a failed read is not kept. */
  read<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    if (!this.sharing) return fetch()
    const known = this.answers.get(key)
    if (known) {
      this.shared++
      return known as Promise<T>
    }
    const answer = fetch()
    this.answers.set(key, answer)
    answer.catch(() => {
      if (this.answers.get(key) === answer) this.answers.delete(key)
    })
    return answer
  }

  /** Writes (or waits) are about to run: forget every answer and read through until they are over. */
  writing(): void {
    this.answers.clear()
    this.sharing = false
  }

  /** The writes are over: answers from now on reflect them and may be shared again. */
  written(): void {
    this.answers.clear()
    this.sharing = true
  }
}
