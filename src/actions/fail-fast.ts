// Reports an input error without loading the Actions toolkit, so a bad input fails in milliseconds.
// Same wire format as @actions/core's setFailed: an ::error:: workflow command and exit code 1.

function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

export function failFast(message: string, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`::error::${escapeCommandData(message)}\n`)
  process.exitCode = 1
}
