// The job log sink: everything written to stdout and stderr (the toolkit's workflow commands, SDK warnings,
// an unexpected stack) passes through the registry's redaction. `::add-mask::` lines pass unchanged: they
// are how the runner learns what to mask, and a masked mask would teach it nothing.
import { secrets, type SecretRegistry } from '../base/secrets.js'

const ADD_MASK = '::add-mask::'

function redactChunk(text: string, registry: SecretRegistry): string {
  if (!text.includes(ADD_MASK)) return registry.redact(text)
  return text
    .split('\n')
    .map((line) => (line.startsWith(ADD_MASK) ? line : registry.redact(line)))
    .join('\n')
}

type Write = NodeJS.WriteStream['write']

function wrap(stream: NodeJS.WriteStream, registry: SecretRegistry): () => void {
  const original = stream.write
  const redacting = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : undefined
    const out = text === undefined ? chunk : redactChunk(text, registry)
    return (original as (...args: unknown[]) => boolean).call(stream, out, ...rest)
  }
  stream.write = redacting as Write
  // Put back only what this call installed, so a later wrapper is never undone by mistake.
  return () => {
    if (stream.write === (redacting as Write)) stream.write = original
  }
}

/** Redacts stdout and stderr until the returned function is called. */
export function redactStreams(registry: SecretRegistry = secrets): () => void {
  const restore = [wrap(process.stdout, registry), wrap(process.stderr, registry)]
  return () => restore.forEach((undo) => undo())
}
