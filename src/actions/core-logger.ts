// Binds the engine's Logger to the Actions log.
import * as core from '@actions/core'
import type { Logger } from '../base/log.js'

export const coreLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  group: (title, body) => core.group(title, body)
}
