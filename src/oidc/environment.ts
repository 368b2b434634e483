// Whether this run can ask GitHub for an ID token. No imports: main.ts uses it before anything loads.
export function hasOidcEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['ACTIONS_ID_TOKEN_REQUEST_URL'] && env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'])
}
