// The part of CEL that workload identity attribute conditions and mappings use in practice:
// `assertion.<claim>` compared with `==` / `!=` to a quoted string, or `.startsWith('…')`, joined by `&&`.
// Anything else is refused when the emulator is set up, so a test cannot rely on unsupported syntax.

type Claims = Record<string, unknown>

const CLAUSE = /^assertion\.([A-Za-z_][\w]*)\s*(?:(==|!=)\s*'([^']*)'|\.startsWith\('([^']*)'\))$/

export type Condition = (claims: Claims) => boolean

function claim(claims: Claims, name: string): string {
  const value = claims[name]
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : value === undefined ? '' : String(value)
}

export function compileCondition(source: string): Condition {
  const clauses = source.split('&&').map((part) => {
    const match = CLAUSE.exec(part.trim())
    if (!match) throw new Error(`Unsupported attribute condition clause: ${part.trim()}`)
    const [, name = '', op, equalTo = '', prefix] = match
    if (prefix !== undefined) return (c: Claims) => claim(c, name).startsWith(prefix)
    return op === '==' ? (c: Claims) => claim(c, name) === equalTo : (c: Claims) => claim(c, name) !== equalTo
  })
  return (claims) => clauses.every((clause) => clause(claims))
}

/** Evaluates a mapping value of the form `assertion.<claim>`. */
export function mapAttribute(expression: string, claims: Claims): string {
  const match = /^assertion\.([A-Za-z_][\w]*)$/.exec(expression.trim())
  if (!match) throw new Error(`Unsupported attribute mapping: ${expression}`)
  return claim(claims, match[1] ?? '')
}
