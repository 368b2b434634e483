// The secret registry: every encoded form of a registered secret is redacted, wherever it sits in the text,
// and the log filter lets the runner's mask commands through.
import { describe, expect, it } from '@jest/globals'
import { redactStreams } from '../src/actions/redact-streams.js'
import { REDACTED, SecretRegistry } from '../src/base/secrets.js'
import { clip } from '../src/report/markdown.js'
import { captureStdout } from './support/run-action.js'

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY='

function registry(...values: string[]): SecretRegistry {
  const r = new SecretRegistry()
  values.forEach((v) => r.add(v))
  return r
}

describe('the secret registry', () => {
  it('redacts the secret as sent, URL-encoded, form-encoded and JSON-escaped', () => {
    const r = registry(SECRET, 'pa"ss\\word-1234')
    for (const form of [SECRET, encodeURIComponent(SECRET), new URLSearchParams({ k: SECRET }).toString().slice(2)]) expect(r.redact(`before ${form} after`)).toBe(`before ${REDACTED} after`)
    expect(r.redact(JSON.stringify({ body: 'pa"ss\\word-1234' }))).toBe(`{"body":"${REDACTED}"}`)
  })

  it('redacts it inside base64 and base64url text at every byte alignment', () => {
    const r = registry(SECRET)
    for (const prefix of ['', 'a', 'ab', 'abc', 'Authorization: Basic user:']) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.from(`${prefix}${SECRET} and more`).toString(encoding)
        const redacted = r.redact(encoded)
        expect(redacted).toContain(REDACTED)
        // What is left decodes to at most the two bytes at each edge of the secret.
        for (const piece of redacted.split(REDACTED)) expect(Buffer.from(piece, encoding).toString('latin1')).not.toContain(SECRET.slice(2, 10))
      }
    }
  })

  it('leaves short values alone (they would blank out ordinary words) and tells the mask each secret once', () => {
    const masked: string[] = []
    const r = new SecretRegistry()
    r.mask = (s) => masked.push(s)
    r.add('short')
    r.add(undefined)
    r.add(SECRET)
    r.add(SECRET)
    expect(r.redact('a short word')).toBe('a short word')
    expect(masked).toEqual([SECRET])
    expect(r.size).toBe(1)
  })

  it('redacts a longer secret before a shorter one that it contains, and two secrets in one line', () => {
    const r = registry('abcdefgh', 'xxabcdefghyy', SECRET)
    expect(r.redact('xxabcdefghyy then abcdefgh then ' + SECRET)).toBe(`${REDACTED} then ${REDACTED} then ${REDACTED}`)
  })

  it('redacts every string of a result before it is rendered, so a cut cannot leave half a secret', () => {
    const r = registry(SECRET)
    const when = new Date(0)
    const result = { error: `${'x'.repeat(90)}${SECRET}`, checks: [{ evidence: `sent ${SECRET}` }], at: when, count: 2 }
    // A renderer that shortens first leaves a prefix the redaction of its output can no longer recognise.
    expect(r.redact(clip(result.error, 100))).toContain(SECRET.slice(0, 9))
    const redacted = r.redactDeep(result)
    expect(clip(redacted.error, 100)).not.toContain(SECRET.slice(0, 4))
    expect(redacted).toEqual({ error: `${'x'.repeat(90)}${REDACTED}`, checks: [{ evidence: `sent ${REDACTED}` }], at: when, count: 2 })
    expect(redacted.at).toBe(when)
    expect(result.error).toContain(SECRET)
  })
})

describe('the log filter', () => {
  it('redacts stdout, but passes ::add-mask:: lines so the runner learns the secret', async () => {
    const r = registry(SECRET)
    const log = await captureStdout(async () => {
      const restore = redactStreams(r)
      try {
        process.stdout.write(`::add-mask::${SECRET}\n`)
        process.stdout.write(`::error::STS said: ${SECRET}\nand base64 ${Buffer.from(SECRET).toString('base64')}\n`)
        process.stdout.write(Buffer.from(`bytes ${SECRET}\n`))
      } finally {
        restore()
      }
    })
    expect(log).toBe(`::add-mask::${SECRET}\n::error::STS said: ${REDACTED}\nand base64 ${REDACTED}\nbytes ${REDACTED}\n`)
  })
})
