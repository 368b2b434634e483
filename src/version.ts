// Sent as the user agent on every API call so cloud audit logs show which tool made it.
export const VERSION = '1.0.0'
export const USER_AGENT = `zilliz-private-link/${VERSION}${process.env['GITHUB_RUN_ID'] ? ` run/${process.env['GITHUB_RUN_ID']}` : ''}`
