// A cloud's first credential exchange, sent with the first GitHub ID token before the cloud's code loaded
// (head-start.ts), and its one use: the provider's first attempt takes the outcome, success or refusal,
// when the exchange presented the very token that attempt takes; every other attempt exchanges itself.
import { early } from '../base/settle.js'

export interface ExchangeAhead<T> {
  /** The ID token the exchange presented */
  token: Promise<string>
  result: Promise<T>
}

/** Sends `exchange` as soon as the token is there; a failure is the taker's to report, not unhandled meanwhile. */
export function exchangeAhead<T>(token: Promise<string>, exchange: (token: string) => Promise<T>): ExchangeAhead<T> {
  return { token, result: early(token.then(exchange)) }
}

/** Holds an exchange sent ahead until the first attempt asks for it; it is given out once at most. */
export class FirstExchange<T> {
  constructor(private ahead?: ExchangeAhead<T>) {}

  /** Whether an exchange is still waiting to be taken */
  get pending(): boolean {
    return this.ahead !== undefined
  }

  /** Its outcome when it presented `token`; undefined when it did not, or was asked for already. */
  async take(token: string): Promise<T | undefined> {
    const started = this.ahead
    this.ahead = undefined
    if (started && (await started.token.catch(() => undefined)) === token) return started.result
    return undefined
  }
}
