// GitHub cancels a job with SIGINT, then SIGTERM, then kills it about 10 s after the first signal. The
// first signal aborts the run: no new write starts, running ones get a few seconds, and the report is
// still published. Later signals are ignored so the report can be written.
import { setMaxListeners } from 'node:events'

export interface Cancellation {
  signal: AbortSignal
  /** Epoch ms of the first signal, when there was one */
  receivedAt(): number | undefined
  dispose(): void
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

export function onCancel(log: { warning(message: string): void }): Cancellation {
  const controller = new AbortController()
  // One signal for the whole run: every concurrent call, wait and step listens to it, dozens at once at 50
  // clusters, which is by design and not the leak Node's warning at 11 listeners guesses.
  setMaxListeners(0, controller.signal)
  let receivedAt: number | undefined
  const handler = (name: NodeJS.Signals) => {
    if (receivedAt !== undefined) return
    receivedAt = Date.now()
    log.warning(`Received ${name}: cancelling. No new change starts; running steps get a few seconds to finish, then the report is written.`)
    controller.abort(new Error(`cancelled by ${name}`))
  }
  for (const name of SIGNALS) process.on(name, handler)
  return {
    signal: controller.signal,
    receivedAt: () => receivedAt,
    dispose: () => {
      for (const name of SIGNALS) process.off(name, handler)
    }
  }
}
