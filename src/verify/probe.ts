// What every network probe shares: one outcome, settled once, either by the probe or by its timeout.

/** Milliseconds since the call, rounded: the timing each check reports. */
export function stopwatch(): () => number {
  const started = performance.now()
  return () => Math.round(performance.now() - started)
}

/**
 * Starts a callback-style probe and resolves with the first outcome it reports, or with onTimeout()
 * after timeoutMs. `start` returns what releases its sockets; it runs once the outcome is known.
 */
export function settleWithin<T>(timeoutMs: number, start: (settle: (outcome: T) => void) => () => void, onTimeout: () => T): Promise<T> {
  return new Promise((resolve) => {
    let settled = false
    let release: () => void = () => {}
    const settle = (outcome: T) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      release()
      resolve(outcome)
    }
    const timer = setTimeout(() => settle(onTimeout()), timeoutMs)
    release = start(settle)
    // The probe may have settled before it handed back its release.
    if (settled) release()
  })
}
