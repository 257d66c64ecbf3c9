/**
 * The template's parameter declarations by name (flowServ's ParameterIndex), with the
 * template-level defaulting of `index` (list position) and `isRequired` (no defaultValue).
 */
import { ErrorCollector, InvalidTemplateError } from '../errors.js';
import { isPlainObject } from '../values.js';
import type { Parameter, ParameterDoc } from './base.js';
import { parameterFromDict } from './factory.js';

/** Declarations by unique name, in declaration order. */
export class ParameterIndex {
  private readonly byName = new Map<string, Parameter>();

  /** Builds an index; a repeated name is InvalidTemplateError("duplicate parameter 'x'"). */
  constructor(parameters: readonly Parameter[] = []) {
    for (const p of parameters) this.add(p);
  }

  /** Adds a declaration; throws on a duplicate name. */
  add(para: Parameter, field?: string): void {
    if (this.byName.has(para.name)) throw new InvalidTemplateError(`duplicate parameter '${para.name}'`, field);
    this.byName.set(para.name, para);
  }

  get(name: string): Parameter | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get size(): number {
    return this.byName.size;
  }

  /** Declarations in declaration order. */
  values(): Parameter[] {
    return [...this.byName.values()];
  }

  /** Declarations ordered by `index` (stable for equal indexes). */
  sorted(): Parameter[] {
    return this.values().sort((a, b) => a.index - b.index);
  }

  /** The list of serialized declarations. */
  toDict(): ParameterDoc[] {
    return this.values().map((p) => p.toDict());
  }
}

/** Options of {@link parseParameterIndex}. */
export interface ParameterIndexOptions {
  readonly validate?: boolean;
  /** Field path of the list, default `template.parameters`. */
  readonly field?: string;
}

/**
 * Parses the template's `parameters` list, applying template-level defaults to a copy of each
 * entry (flowServ mutates the input; we do not). Every broken declaration is reported: the
 * collected errors are thrown together as a ModelValidationError.
 */
export function parseParameterIndex(docs: unknown, options: ParameterIndexOptions = {}): ParameterIndex {
  const base = options.field ?? 'template.parameters';
  if (docs === undefined || docs === null) return new ParameterIndex();
  if (!Array.isArray(docs)) throw new InvalidTemplateError("'parameters' must be a list", base);
  const index = new ParameterIndex();
  const errors = new ErrorCollector();
  docs.forEach((raw: unknown, i) => {
    const field = `${base}[${i}]`;
    errors.attempt(() => {
      const doc = isPlainObject(raw) ? withTemplateDefaults(raw, i) : raw;
      index.add(parameterFromDict(doc, { validate: options.validate, field }), `${field}.name`);
    }, field);
  });
  errors.throwIfAny();
  return index;
}

/** Copy of a top-level declaration with `index` and `isRequired` filled in as flowServ does. */
export function withTemplateDefaults(doc: Record<string, unknown>, position: number): Record<string, unknown> {
  const copy = { ...doc };
  if (!('index' in copy)) copy.index = position;
  if (!('isRequired' in copy)) copy.isRequired = !('defaultValue' in copy);
  return copy;
}

/** Re-export for callers that build declarations from documents one by one. */
export type { ParameterDoc };
