// The sticky comment's text: a hidden marker that finds it again, the plan markdown, and a footer
// naming the run, all within GitHub's limit for a comment body.
import { capText, charLength } from '../report/markdown.js'
import type { RunResult } from '../report/model.js'
import { PLAN_MARKDOWN_MAX_CHARS } from '../report/summary.js'

/** GitHub rejects a comment body longer than this (422 "body is too long"). */
export const COMMENT_MAX_CHARS = PLAN_MARKDOWN_MAX_CHARS

const TRUNCATED_NOTE =
  "> [!NOTE]\n> Truncated to fit GitHub's comment size limit. The full plan is in the run's job summary and its `plan` output."

/** One comment per target: provider, project and region; ids are validated, so they cannot end the HTML comment. */
export function commentMarker(result: Pick<RunResult, 'provider' | 'target'>): string {
  return `<!-- zilliz-private-link:${result.provider}:${result.target.projectId}:${result.target.regionId} -->`
}

export interface CommentContext {
  /** Link to the workflow run that made the plan */
  runUrl?: string
  /** The pull request head the plan was made for */
  headSha?: string
}

export function commentBody(marker: string, planMarkdown: string, context: CommentContext = {}): string {
  const head = `${marker}\n`
  const footer = footerLine(context)
  const tail = footer ? `\n\n${footer}` : ''
  const room = COMMENT_MAX_CHARS - charLength(head) - charLength(tail)
  return `${head}${capText(planMarkdown, room, TRUNCATED_NOTE, charLength)}${tail}`
}

/** The run URL the runner's variables describe, if they are all set. */
export function runUrlOf(env: NodeJS.ProcessEnv): string | undefined {
  const server = env['GITHUB_SERVER_URL']
  const repository = env['GITHUB_REPOSITORY']
  const runId = env['GITHUB_RUN_ID']
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined
}

function footerLine({ runUrl, headSha }: CommentContext): string {
  const parts = [
    // Reviewers see which commit an updated-in-place comment describes.
    headSha && /^[0-9a-f]{7,64}$/.test(headSha) ? `plan for ${headSha.slice(0, 7)}` : '',
    runUrl ? `[workflow run](${runUrl})` : ''
  ].filter(Boolean)
  return parts.length > 0 ? `<sub>${parts.join(' · ')}</sub>` : ''
}
