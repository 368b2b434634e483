// Starts the GitHub API emulator on loopback, alone or sharing another world's call log and switches,
// and returns the variables that point @actions/github at it.
import { CallLog, Switches, startService } from '../core/service.js'
import { GitHubApiEmulator, type GitHubApiOptions } from './api.js'

export { GITHUB_OPERATIONS, GitHubApiEmulator, MAX_COMMENT_CHARS, type EnvironmentSettings, type IssueComment, type TokenGrant } from './api.js'

export interface GitHubApi {
  api: GitHubApiEmulator
  log: CallLog
  switches: Switches
  /** GITHUB_API_URL for the action */
  url: string
  close(): Promise<void>
}

export interface StartGitHubApiOptions extends GitHubApiOptions {
  log?: CallLog
  switches?: Switches
}

export async function startGitHubApi(options: StartGitHubApiOptions = {}): Promise<GitHubApi> {
  const log = options.log ?? new CallLog()
  const switches = options.switches ?? new Switches()
  const api = new GitHubApiEmulator(options)
  const running = await startService(api, log, switches)
  return { api, log, switches, url: `${running.url}${api.basePath}`, close: running.close }
}
