// IAM as far as the Google emulators need it: per project, the permissions each principal holds there
// (a custom role granted on the project), checked per request on the resource the request acts on and on
// the resources it uses in other projects (a Shared VPC host's subnetwork or network). A principal without
// a grant on a project may do everything there, so tests that do not care about IAM need no set-up.
import { GoogleError } from './google-wire.js'

/** The two ways Google words a missing permission: Compute's, and IAM-style (Cloud DNS, IAM). */
export type DenialStyle = 'compute' | 'iam'

const projectOf = (resource: string) => /^projects\/([^/]+)/.exec(resource)?.[1] ?? ''

export class ProjectIam {
  /** project → principal → the permissions granted there */
  private readonly grants = new Map<string, Map<string, Set<string>>>()
  /** Every `project permission` a request needed so far, granted or not */
  readonly checked = new Set<string>()

  /** Gives the principal exactly these permissions on the project, as a custom role binding does. */
  grant(project: string, principal: string, permissions: Iterable<string>): void {
    const byPrincipal = this.grants.get(project) ?? new Map<string, Set<string>>()
    byPrincipal.set(principal, new Set(permissions))
    this.grants.set(project, byPrincipal)
  }

  /** Takes one permission away (the principal then holds an exact set on the project, if it did not already). */
  revoke(project: string, principal: string, permission: string): void {
    const held = this.grants.get(project)?.get(principal)
    if (!held) throw new Error(`grant ${principal} a set of permissions on ${project} before revoking one`)
    held.delete(permission)
  }

  reset(): void {
    this.grants.clear()
    this.checked.clear()
  }

  allows(project: string, principal: string, permission: string): boolean {
    this.checked.add(`${project} ${permission}`)
    const held = this.grants.get(project)?.get(principal)
    return !held || held.has(permission)
  }

  /** Google's 403 unless the principal holds the permission on the project of the resource (a path from projects/). */
  require(principal: string, permission: string, resource: string, style: DenialStyle = 'compute'): void {
    if (this.allows(projectOf(resource), principal, permission)) return
    throw new GoogleError(
      403,
      'forbidden',
      style === 'compute' ? `Required '${permission}' permission for '${resource}'` : `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`
    )
  }
}
