// How soon a run notices a 5-minute Zilliz acceptance, and how many polls that wait costs. The answer
// depends only on the poll schedule and the call latency, so the action's own waitFor runs on a virtual
// clock: polls cost the modelled latency, the resource turns ready at 5 minutes, nobody waits 5 minutes.
import type { Clock } from '../../src/base/timing.js'
import { waitFor } from '../../src/engine/wait.js'

export interface NoticeResult {
  /** From the moment the resource turned ready to the moment the wait returned */
  noticedAfterMs: number
  polls: number
}

export async function simulateAcceptance(readyAtMs: number, callMs: number): Promise<NoticeResult> {
  let now = 0
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms
    }
  }
  let polls = 0
  await waitFor({
    what: 'a modelled acceptance',
    deadline: readyAtMs * 2,
    clock,
    poll: async () => {
      polls++
      now += callMs
      // The answer reflects the state when the server handled the call, halfway through its latency.
      const done = now - callMs / 2 >= readyAtMs
      return { done, state: done ? 'accepted' : 'pending' }
    }
  })
  return { noticedAfterMs: now - readyAtMs, polls }
}

/** The worst case over acceptance moments across one poll interval near the end of the wait. */
export async function worstNotice(readyAtMs: number, callMs: number): Promise<NoticeResult> {
  let worst: NoticeResult = { noticedAfterMs: 0, polls: 0 }
  for (let offset = -10_000; offset <= 0; offset += 250) {
    const r = await simulateAcceptance(readyAtMs + offset, callMs)
    if (r.noticedAfterMs > worst.noticedAfterMs) worst = r
  }
  return worst
}
