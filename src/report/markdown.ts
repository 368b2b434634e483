// Markdown building blocks that escape by default, and size caps that cut where the markup stays valid.
// GitHub inserts job-summary markdown as raw HTML, so every user- or cloud-supplied string is escaped here.

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** For text inside HTML: `&`, `<`, `>` and quotes become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char])
}

// Characters that would otherwise start markdown syntax: code spans, links, and backslash escapes
// (a trailing backslash would swallow the escape of a following `|`).
const MARKDOWN_ENTITIES: Record<string, string> = { '`': '&#96;', '\\': '&#92;', '[': '&#91;', ']': '&#93;' }

/** For text in a markdown paragraph or list: HTML-escaped, no markdown syntax, newlines as `<br>`. */
export function escapeInline(text: string): string {
  return escapeHtml(text)
    .replace(/[`\\[\]]/g, (char) => MARKDOWN_ENTITIES[char])
    .replace(/\r?\n|\r/g, '<br>')
}

/** For text in a markdown table cell: as escapeInline, and `|` cannot end the cell. */
export function escapeTableCell(text: string): string {
  return escapeInline(text).replace(/\|/g, '\\|')
}

/** Markdown the caller built from escaped parts; table() and friends insert it as is. */
export class Markdown {
  constructor(readonly text: string) {}
}

export function markdown(text: string): Markdown {
  return new Markdown(text)
}

/** A table cell: plain text (escaped) or trusted Markdown (inserted as is). */
export type Cell = string | Markdown

function renderCell(cell: Cell): string {
  return cell instanceof Markdown ? cell.text : escapeTableCell(cell)
}

export function table(headers: Cell[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.map(renderCell).join(' | ')} |`
  return [line(headers), `|${headers.map(() => ' --- |').join('')}`, ...rows.map(line)].join('\n')
}

/** A collapsed section; the body is markdown, the summary plain text. */
export function details(summary: string, body: string): string {
  // The blank lines let GitHub render the body as markdown inside the HTML element.
  return `<details>\n<summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>`
}

/** A fenced code block whose fence is longer than any backtick run in the text, so the text cannot close it. */
export function codeBlock(text: string, language = ''): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(Math.max(3, longestRun + 1))
  return `${fence}${language}\n${text}\n${fence}`
}

/** Indented JSON with `<`, `>` and `&` as \u escapes: still the same JSON, but inert inside HTML. */
export function htmlSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[<>&]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Shortens text to at most maxChars characters, marking the cut. */
export function clip(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1))}…`
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const totalSeconds = Math.round(ms / 1000)
  return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`
}

/** How a limit is measured: UTF-8 bytes for the job summary, UTF-16 characters for PR comments. */
export type Measure = (text: string) => number

export const byteLength: Measure = (text) => Buffer.byteLength(text, 'utf8')
export const charLength: Measure = (text) => text.length

/** The longest prefix of whole lines that fits the limit ('' when even the first line does not). */
export function cutAtLine(text: string, limit: number, measure: Measure = byteLength): string {
  const kept: string[] = []
  let size = 0
  for (const line of text.split('\n')) {
    // Every kept line but the first costs its newline too.
    const cost = measure(line) + (kept.length > 0 ? 1 : 0)
    if (size + cost > limit) break
    kept.push(line)
    size += cost
  }
  return kept.join('\n')
}

/** Cuts text on a line boundary so that it plus the note fits maxBytes, and appends the note. */
export function capBytes(text: string, maxBytes: number, note: string): string {
  return capText(text, maxBytes, note, byteLength)
}

export function capText(text: string, limit: number, note: string, measure: Measure): string {
  if (measure(text) <= limit) return text
  const tail = `\n\n${note}`
  const head = cutAtLine(text, limit - measure(tail), measure)
  return head ? `${head}${tail}` : cutAtLine(note, limit, measure)
}

/** A part of a document; a splittable one (table, list) stays valid when cut between lines. */
export interface Section {
  text: string
  splittable?: boolean
}

/**
 * Joins sections with blank lines, keeping whole sections while they fit the limit. The first one that
 * does not fit is cut between lines when splittable, otherwise dropped, and the note ends the document.
 */
export function fitSections(sections: Section[], limit: number, note: string, measure: Measure = byteLength): string {
  const separator = '\n\n'
  const whole = sections.map((section) => section.text).join(separator)
  if (measure(whole) <= limit) return whole

  const budget = limit - measure(separator + note)
  const kept: string[] = []
  let size = 0
  for (const section of sections) {
    const cost = measure(section.text) + (kept.length > 0 ? measure(separator) : 0)
    if (size + cost <= budget) {
      kept.push(section.text)
      size += cost
      continue
    }
    if (section.splittable) {
      const room = budget - size - (kept.length > 0 ? measure(separator) : 0)
      const head = cutAtLine(section.text, room, measure)
      if (head) kept.push(head)
    }
    break
  }
  return kept.length > 0 ? [...kept, note].join(separator) : cutAtLine(note, limit, measure)
}
