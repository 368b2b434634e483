// An input that validated but does not fit what exists (a VPC that is not there, a subnet in the wrong
// zone). Found only once the cloud or Zilliz is read, but still the user's input to fix: it names it.
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string
  ) {
    super(`${input}: ${message}`)
    this.name = 'InputError'
  }
}
