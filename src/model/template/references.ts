/**
 * `$[[...]]` references to template parameters (FLOWSERV.md §4.3). Detection finds references
 * anywhere in strings and is used to validate templates; expansion replaces only strings that
 * are one whole reference, keeping the argument's type (int, bool, InputFile, ...).
 */
import { InvalidTemplateError, MissingArgumentError, UnknownParameterError } from '../errors.js';
import type { Parameter } from '../parameters/base.js';
import type { ParameterIndex } from '../parameters/parameter-index.js';
import { renderPythonValue } from '../python/render.js';
import { isPlainObject, type PyValue } from '../values.js';

/** Cast argument values by parameter name. */
export type ArgumentValues = Readonly<Record<string, PyValue>>;

/** Characters JavaScript's `.` does not match: a reference does not span lines. */
const LINE_BREAK = /[\n\r\u2028\u2029]/g;

function nextIndex(pattern: RegExp, text: string, from: number): number {
  pattern.lastIndex = from;
  return pattern.exec(text)?.index ?? -1;
}

/**
 * The expressions of the references `$[[...]]` embedded in a string, as `/\$\[\[(.*?)\]\]/g`
 * finds them, in one pass: the positions of the next `]]` and of the next line break are kept
 * between candidates instead of rescanning the rest of the string from every `$[[` (that
 * rescanning made a string of repeated `$[[` take seconds).
 */
export function referenceExpressions(text: string): string[] {
  const found: string[] = [];
  let close = -2;
  let lineBreak = -2;
  for (let at = text.indexOf('$[['); at !== -1; ) {
    const from = at + 3;
    if (close !== -1 && close < from) close = text.indexOf(']]', from);
    if (close === -1) break;
    if (lineBreak !== -1 && lineBreak < from) lineBreak = nextIndex(LINE_BREAK, text, from);
    if (lineBreak === -1 || close < lineBreak) {
      found.push(text.slice(from, close));
      at = text.indexOf('$[[', close + 2);
    } else {
      at = text.indexOf('$[[', at + 1);
    }
  }
  return found;
}

/** True when the whole string is one reference: it starts with `$[[` and ends with `]]`. */
export function isReference(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('$[[') && value.endsWith(']]');
}

/** Parameter name of a reference expression (the text inside `$[[ ]]`): the part before `?`, trimmed. */
export function getName(expr: string): string {
  const pos = expr.indexOf('?');
  return (pos === -1 ? expr : expr.slice(0, pos)).trim();
}

/** A reference found in a spec, with the field path of the string that holds it. */
export interface FoundReference {
  readonly name: string;
  readonly field: string;
}

/**
 * Every reference in a spec (dict values, list elements, nested dicts). A list inside a list is
 * InvalidTemplateError('nested lists not allowed'), as in flowServ.
 */
export function findReferences(spec: unknown, field: string): FoundReference[] {
  const found: FoundReference[] = [];
  const visit = (value: unknown, path: string, inList: boolean): void => {
    if (typeof value === 'string') {
      for (const expr of referenceExpressions(value)) found.push({ name: getName(expr), field: path });
    } else if (Array.isArray(value)) {
      if (inList) throw new InvalidTemplateError('nested lists not allowed', path);
      value.forEach((v: unknown, i) => visit(v, `${path}[${i}]`, true));
    } else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, `${path}.${k}`, false);
    }
  };
  visit(spec, field, false);
  return found;
}

/**
 * The value a parameter takes when no argument was given: its default cast by the parameter
 * (so a float default 2 renders `2.0`, FLOWSERV.md §12.15), or the default as written when the
 * cast does not apply (a file parameter's default is a target path). Undefined without default.
 */
export function defaultArgument(para: Parameter): PyValue | undefined {
  if (!para.hasDefault()) return undefined;
  if (para.dtype === 'file') return para.defaultValue as PyValue;
  try {
    return para.cast(para.defaultValue);
  } catch {
    return para.defaultValue as PyValue;
  }
}

function lookup(name: string, args: ArgumentValues, parameters?: ParameterIndex): PyValue | undefined {
  if (Object.prototype.hasOwnProperty.call(args, name)) return args[name];
  const para = parameters?.get(name);
  return para === undefined ? undefined : defaultArgument(para);
}

/**
 * Evaluates a whole reference `$[[...]]`. Unconditional: returns the parameter name (flowServ's
 * get_value). Conditional `$[[var ? x : y]]`: x when str(value).lower() == 'true', else y (or
 * null without `: y`). The value is the argument, or (our fix) the parameter's default.
 */
export function getValue(ref: string, args: ArgumentValues, parameters?: ParameterIndex, field?: string): string | null {
  const expr = ref.slice(3, -2);
  const pos = expr.indexOf('?');
  if (pos === -1) return expr;
  const name = expr.slice(0, pos).trim();
  const rest = expr.slice(pos + 1).trim();
  const colon = rest.indexOf(':');
  const whenTrue = colon === -1 ? rest : rest.slice(0, colon).trim();
  const whenFalse = colon === -1 ? null : rest.slice(colon + 1).trim();
  const value = lookup(name, args, parameters);
  if (value === undefined) throw new MissingArgumentError(name, field);
  return renderPythonValue(value).toLowerCase() === 'true' ? whenTrue : whenFalse;
}

/**
 * Expands a value when it is one whole reference; any other value is returned unchanged
 * (embedded references such as `pre $[[a]] post` stay as they are, as in flowServ).
 */
export function expandValue(value: unknown, args: ArgumentValues, parameters: ParameterIndex, field?: string): unknown {
  if (!isReference(value)) return value;
  const expr = value.slice(3, -2);
  if (expr.includes('?')) return getValue(value, args, parameters, field);
  const name = expr.trim();
  if (!parameters.has(name) && !Object.prototype.hasOwnProperty.call(args, name)) {
    throw new UnknownParameterError(name, field);
  }
  const result = lookup(name, args, parameters);
  if (result === undefined) throw new MissingArgumentError(name, field);
  return result;
}

/** Expands references throughout a spec (dicts, lists, strings); nested lists are rejected. */
export function replaceArgs(spec: unknown, args: ArgumentValues, parameters: ParameterIndex, field = ''): unknown {
  if (Array.isArray(spec)) {
    return spec.map((v: unknown, i) => {
      if (Array.isArray(v)) throw new InvalidTemplateError('nested lists not supported', `${field}[${i}]`);
      return replaceArgs(v, args, parameters, `${field}[${i}]`);
    });
  }
  if (isPlainObject(spec)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(spec)) out[k] = replaceArgs(v, args, parameters, field ? `${field}.${k}` : k);
    return out;
  }
  return expandValue(spec, args, parameters, field || undefined);
}
