// The public interface of the action as declared in action.yml: its inputs and outputs, in file order.
import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'

export interface ActionInput {
  name: string
  description: string
  required: boolean
  /** The declared default; undefined when action.yml declares none */
  default?: string
}

export interface ActionOutput {
  name: string
  description: string
}

export interface ActionInterface {
  inputs: ActionInput[]
  outputs: ActionOutput[]
}

type Declarations = Record<string, { description?: unknown; required?: unknown; default?: unknown } | null>

function asDeclarations(value: unknown, section: string): Declarations {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`action.yml: ${section} must be a mapping`)
  return value as Declarations
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).trim()
}

// The runner reads `required` loosely; the YAML may spell it as a boolean or a string.
function isRequired(value: unknown): boolean {
  return value === true || String(value).toLowerCase() === 'true'
}

export function parseActionInterface(yamlText: string): ActionInterface {
  const document = (parse(yamlText) ?? {}) as { inputs?: unknown; outputs?: unknown }
  const inputs = Object.entries(asDeclarations(document.inputs, 'inputs')).map(([name, spec]) => ({
    name,
    description: text(spec?.description),
    required: isRequired(spec?.required),
    ...(spec?.default === undefined || spec?.default === null ? {} : { default: String(spec.default) })
  }))
  const outputs = Object.entries(asDeclarations(document.outputs, 'outputs')).map(([name, spec]) => ({
    name,
    description: text(spec?.description)
  }))
  return { inputs, outputs }
}

export async function readActionInterface(path = 'action.yml'): Promise<ActionInterface> {
  return parseActionInterface(await readFile(path, 'utf8'))
}
