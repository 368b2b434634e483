// A small evaluator of GitHub Actions expressions (`${{ … }}`), enough for the workflows of this
// repository: literals, context paths (inputs.dns-server, needs.plan.outputs.plan-id), ! == != < <= > >=
// && || with GitHub's value semantics, parentheses, and contains, startsWith, endsWith, fromJSON.
// It lets tests compute what a job passes to the action for a given set of workflow inputs.

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value }
export type Contexts = Record<string, Value>

type Token = { kind: 'string' | 'number' | 'name' | 'op'; text: string }

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const c = source[i]!
    if (/\s/.test(c)) {
      i++
    } else if (c === "'") {
      let text = ''
      i++
      while (i < source.length) {
        if (source[i] === "'" && source[i + 1] === "'") {
          text += "'"
          i += 2
        } else if (source[i] === "'") break
        else text += source[i++]
      }
      i++
      tokens.push({ kind: 'string', text })
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i))!
      tokens.push({ kind: 'number', text: match[0] })
      i += match[0].length
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_*][A-Za-z0-9_-]*)*/.exec(source.slice(i))!
      tokens.push({ kind: 'name', text: match[0] })
      i += match[0].length
    } else {
      const op = ['==', '!=', '<=', '>=', '&&', '||'].find((o) => source.startsWith(o, i)) ?? c
      tokens.push({ kind: 'op', text: op })
      i += op.length
    }
  }
  return tokens
}

export function truthy(value: Value): boolean {
  return !(value === false || value === null || value === 0 || value === '' || (typeof value === 'number' && Number.isNaN(value)))
}

function toNumber(value: Value): number {
  if (value === null) return 0
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') return value
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value)
  return NaN
}

/** GitHub's loose equality: strings case-insensitively, mixed types as numbers. */
function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase()
  if (typeof a === 'object' || typeof b === 'object') return a === b
  if (typeof a === typeof b) return a === b
  return toNumber(a) === toNumber(b)
}

export function asString(value: Value): string {
  if (value === null) return ''
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

const FUNCTIONS: Record<string, (...args: Value[]) => Value> = {
  contains: (haystack, needle) =>
    Array.isArray(haystack) ? haystack.some((item) => equal(item, needle!)) : asString(haystack!).toLowerCase().includes(asString(needle!).toLowerCase()),
  startswith: (text, prefix) => asString(text!).toLowerCase().startsWith(asString(prefix!).toLowerCase()),
  endswith: (text, suffix) => asString(text!).toLowerCase().endsWith(asString(suffix!).toLowerCase()),
  fromjson: (text) => JSON.parse(asString(text!)) as Value,
  // Status functions, for a run that has not failed or been cancelled.
  success: () => true,
  always: () => true,
  failure: () => false,
  cancelled: () => false
}

class Parser {
  private at = 0
  constructor(
    private readonly tokens: Token[],
    private readonly contexts: Contexts
  ) {}

  parse(): Value {
    const value = this.or()
    if (this.at !== this.tokens.length) throw new Error(`Unexpected ${this.tokens[this.at]!.text}`)
    return value
  }

  private peek(text: string): boolean {
    const token = this.tokens[this.at]
    return token?.kind === 'op' && token.text === text
  }

  private expect(text: string): void {
    if (!this.peek(text)) throw new Error(`Expected ${text}`)
    this.at++
  }

  private or(): Value {
    let left = this.and()
    while (this.peek('||')) {
      this.at++
      const right = this.and()
      left = truthy(left) ? left : right
    }
    return left
  }

  private and(): Value {
    let left = this.comparison()
    while (this.peek('&&')) {
      this.at++
      const right = this.comparison()
      left = truthy(left) ? right : left
    }
    return left
  }

  private comparison(): Value {
    const left = this.unary()
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (!this.peek(op)) continue
      this.at++
      const right = this.unary()
      if (op === '==') return equal(left, right)
      if (op === '!=') return !equal(left, right)
      const [a, b] = [toNumber(left), toNumber(right)]
      return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b
    }
    return left
  }

  private unary(): Value {
    if (this.peek('!')) {
      this.at++
      return !truthy(this.unary())
    }
    return this.primary()
  }

  private primary(): Value {
    const token = this.tokens[this.at++]
    if (!token) throw new Error('Unexpected end of expression')
    if (token.kind === 'op' && token.text === '(') {
      const value = this.or()
      this.expect(')')
      return value
    }
    if (token.kind === 'string') return token.text
    if (token.kind === 'number') return Number(token.text)
    if (token.kind === 'name') {
      if (token.text === 'true') return true
      if (token.text === 'false') return false
      if (token.text === 'null') return null
      if (this.peek('(')) return this.call(token.text)
      return this.lookup(token.text)
    }
    throw new Error(`Unexpected ${token.text}`)
  }

  private call(name: string): Value {
    const fn = FUNCTIONS[name.toLowerCase()]
    if (!fn) throw new Error(`Unknown function ${name}`)
    this.expect('(')
    const args: Value[] = []
    while (!this.peek(')')) {
      args.push(this.or())
      if (this.peek(',')) this.at++
    }
    this.expect(')')
    return fn(...args)
  }

  private lookup(path: string): Value {
    let value: Value = this.contexts as Value
    for (const part of path.split('.')) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
      value = (value as Record<string, Value>)[part] ?? null
    }
    return value
  }
}

/** One expression, without the ${{ }}. */
export function evaluate(expression: string, contexts: Contexts): Value {
  return new Parser(tokenize(expression), contexts).parse()
}

/**
 * A workflow value: a whole `${{ x }}` keeps x's type; text with embedded expressions becomes a string;
 * anything else is the YAML value itself.
 */
export function evaluateValue(value: unknown, contexts: Contexts): Value {
  if (typeof value !== 'string') return (value ?? null) as Value
  const whole = /^\$\{\{([\s\S]*?)\}\}$/.exec(value.trim())
  if (whole && !whole[1]!.includes('}}')) return evaluate(whole[1]!, contexts)
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => asString(evaluate(expression, contexts)))
}

/** An if: condition, which may omit the ${{ }}. */
export function evaluateCondition(condition: unknown, contexts: Contexts): boolean {
  if (condition === undefined || condition === null) return true
  if (typeof condition === 'boolean') return condition
  const text = String(condition).trim()
  const inner = /^\$\{\{([\s\S]*)\}\}$/.exec(text)
  return truthy(evaluate(inner ? inner[1]! : text, contexts))
}
