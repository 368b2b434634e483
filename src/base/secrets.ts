// The one registry of a run's secrets (Zilliz key, GitHub ID and request tokens, cloud access tokens, secret
// keys, session tokens) and the one redaction every sink applies: the log, the job summary, the outputs
// (plan JSON and markdown included) and the pull request comment. `::add-mask::` protects the log only,
// and only in the runner; services that echo what they were sent can put a secret anywhere.

export const REDACTED = '***'
/** Shorter values are not secrets worth hiding and would blank out ordinary words. */
const MIN_SECRET_LENGTH = 8

/**
 * The forms a secret takes on the wire: as sent, URL- and form-encoded, JSON-escaped, and inside base64 or
 * base64url at each of the three byte alignments (a token inside a Basic header or an encoded body).
 */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)])
  const bytes = Buffer.from(secret, 'utf8')
  forms.add(bytes.toString('base64'))
  forms.add(bytes.toString('base64url'))
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64')
    // Keep only the characters that depend on the secret's bytes alone: drop a first group shared with
    // what precedes it and a last group shared with what follows.
    const start = shift === 0 ? 0 : 4
    const end = (shift + bytes.length) % 3 === 0 ? encoded.length : encoded.length - 4
    const core = encoded.slice(start, Math.max(start, end))
    if (core.length >= MIN_SECRET_LENGTH) {
      forms.add(core)
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'))
    }
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH)
}


export class SecretRegistry {
  private readonly values = new Set<string>()
  private readonly forms = new Set<string>()
  /** The forms, longest first; rebuilt after an add */
  private longestFirst: string[] | undefined
  /** Tells the runner about each secret added (the Actions log mask); set by the layer bound to @actions/core. */
  mask: ((secret: string) => void) | undefined

  /** Registers a secret as soon as it exists, before anything could print it. */
  add(secret: string | undefined | null): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH || this.values.has(secret)) return
    this.values.add(secret)
    for (const form of secretForms(secret)) this.forms.add(form)
    this.longestFirst = undefined
    this.mask?.(secret)
  }

  get size(): number {
    return this.values.size
  }

  redact(text: string): string {
    if (this.forms.size === 0 || !text) return text
    // Longest first, so a secret's encoded form is not half-replaced by a shorter one. A search per form, not
    // one alternation of them all: compiling that pattern again after every new secret cost a run's start-up
    // milliseconds per secret, and a line rarely holds any form at all.
    this.longestFirst ??= [...this.forms].sort((a, b) => b.length - a.length)
    let redacted = text
    for (const form of this.longestFirst) if (redacted.includes(form)) redacted = redacted.split(form).join(REDACTED)
    return redacted
  }

  /**
   * A copy of a JSON-like value with every string in it redacted (class instances such as dates are kept as
   * they are). Renderers cut and escape text; redacting their input first means no cut can split a secret
   * where the redaction of their output would no longer see it whole.
   */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T
    if (Array.isArray(value)) return value.map((item: unknown) => this.redactDeep(item)) as T
    if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value)))
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.redactDeep(item)])) as T
    return value
  }

  /** Forgets every secret (tests that run the action several times in one process). */
  clear(): void {
    this.values.clear()
    this.forms.clear()
    this.longestFirst = undefined
  }
}

/** The run's registry: providers add to it, the sinks redact with it. */
export const secrets = new SecretRegistry()
