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
