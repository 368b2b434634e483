// Which runs GitHub withholds credentials from, read from the event as the runner hands it over.
import { describe, expect, it } from '@jest/globals'
import { credentialsWithheld, type EventPayload } from '../src/github/withheld.js'

type Head = NonNullable<EventPayload['pull_request']>['head']

const pr = (head: Head, base = 'octo-org/octo-repo'): EventPayload => ({
  pull_request: { head, base: { repo: { full_name: base, id: 1 } } }
})

describe('credentialsWithheld', () => {
  it('finds a pull request from a fork by its head repository', () => {
    expect(credentialsWithheld('pull_request', 'someone', pr({ repo: { full_name: 'someone/octo-repo', id: 2, fork: true } }))).toEqual({
      kind: 'fork',
      description: 'a pull request from the fork someone/octo-repo'
    })
    expect(credentialsWithheld('pull_request_review', 'someone', pr({ repo: { full_name: 'someone/octo-repo', id: 2 } }))?.kind).toBe('fork')
  })

  it('treats a deleted fork as a fork', () => {
    expect(credentialsWithheld('pull_request', 'someone', pr({ repo: null }))?.description).toBe('a pull request from a deleted fork')
  })

  it('gives credentials to pull requests between branches of a repository, even one that is itself a fork', () => {
    expect(credentialsWithheld('pull_request', 'octocat', pr({ repo: { full_name: 'octo-org/octo-repo', id: 1, fork: true } }))).toBeUndefined()
    expect(credentialsWithheld('pull_request', 'octocat', pr({ repo: { full_name: 'Octo-Org/Octo-Repo', id: 1 } }))).toBeUndefined()
  })

  it('gives credentials to pull_request_target, which runs the base workflow with secrets', () => {
    expect(credentialsWithheld('pull_request_target', 'someone', pr({ repo: { full_name: 'someone/octo-repo', id: 2 } }))).toBeUndefined()
  })

  it('finds Dependabot by the actor or the sender, on any event', () => {
    expect(credentialsWithheld('push', 'dependabot[bot]', undefined)?.kind).toBe('dependabot')
    expect(credentialsWithheld('pull_request', 'octocat', { ...pr({ repo: { full_name: 'octo-org/octo-repo' } }), sender: { login: 'dependabot[bot]' } })?.kind).toBe('dependabot')
  })

  it('withholds nothing from schedules, dispatches, pushes and runs without a payload', () => {
    for (const event of ['schedule', 'workflow_dispatch', 'push', undefined]) expect(credentialsWithheld(event, 'octocat', {})).toBeUndefined()
    expect(credentialsWithheld('pull_request', 'octocat', undefined)).toBeUndefined()
  })
})
