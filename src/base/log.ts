// The logging surface the engine and providers use; main.ts binds it to @actions/core, tests to memory.
export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** Collapsed group in the Actions log */
  group<T>(title: string, body: () => Promise<T>): Promise<T>
}

export const silentLogger: Logger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_title, body) => body()
}

/** A logger that keeps what work running beside another says, to be told later in one piece (no interleaving). */
export interface HeldLogger extends Logger {
  /** Says everything held, in order, through `into`; groups opened meanwhile become groups there too. */
  tell(into: Logger): Promise<void>
}

type Held = { level: 'info' | 'warning' | 'debug'; message: string } | { title: string; lines: Held[] }

export function heldLogger(): HeldLogger {
  const root: Held[] = []
  let current = root
  const tellAll = async (lines: Held[], into: Logger): Promise<void> => {
    for (const line of lines) {
      if ('title' in line) await into.group(line.title, () => tellAll(line.lines, into))
      else into[line.level](line.message)
    }
  }
  return {
    info: (message) => void current.push({ level: 'info', message }),
    warning: (message) => void current.push({ level: 'warning', message }),
    debug: (message) => void current.push({ level: 'debug', message }),
    async group(title, body) {
      const outer = current
      const group: Held = { title, lines: [] }
      outer.push(group)
      current = group.lines
      try {
        return await body()
      } finally {
        current = outer
      }
    },
    tell: (into) => tellAll(root, into)
  }
}
