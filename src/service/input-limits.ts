/**
 * Size caps on the strings of a CreateWorkflow request, checked in one linear walk before any
 * template or argument is parsed. Validation is linear, but a template string is also expanded,
 * stored, hashed and echoed in messages: a cap keeps every later step cheap and every message
 * short, whatever the message-size limit allows.
 */
import { ViolationReason, type FieldViolation } from '../errors.js';
import type { CreateWorkflowInput } from './types.js';

/** Longest string (in UTF-16 code units) allowed anywhere in a template or argument value: 64 Ki. */
export const MAX_STRING_CHARS = 65_536;

/** Longest key of a template mapping or argument name: 1 Ki characters. */
export const MAX_KEY_CHARS = 1024;

/**
 * Most characters in all strings and keys of the template and the arguments together: 1 Mi.
 * Real templates are a few kilobytes; the cap bounds the time of one validation (which runs on
 * the event loop) to tens of milliseconds, whatever the message-size limit allows.
 */
export const MAX_TOTAL_CHARS = 1024 * 1024;

/** Deepest nesting of mappings and lists in a template or argument value. */
export const MAX_NESTING_DEPTH = 32;

/** Stop walking after this many violations: the edge reports at most ~50 anyway. */
const MAX_FOUND = 200;

interface Walk {
  readonly violations: FieldViolation[];
  total: number;
}

function tooLong(walk: Walk, field: string, what: string, length: number, max: number): void {
  walk.violations.push({ field, description: `${what} has ${length} characters; at most ${max} are allowed`, reason: ViolationReason.VALUE_TOO_LONG });
}

function visit(walk: Walk, value: unknown, field: string, depth: number): void {
  if (walk.violations.length >= MAX_FOUND) return;
  if (typeof value === 'string') {
    walk.total += value.length;
    if (value.length > MAX_STRING_CHARS) tooLong(walk, field, 'string', value.length, MAX_STRING_CHARS);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_NESTING_DEPTH) {
    walk.violations.push({ field, description: `values may nest at most ${MAX_NESTING_DEPTH} levels deep`, reason: ViolationReason.VALUE_TOO_DEEP });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => visit(walk, item, `${field}[${i}]`, depth + 1));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    walk.total += key.length;
    if (key.length > MAX_KEY_CHARS) {
      tooLong(walk, field, 'a key', key.length, MAX_KEY_CHARS);
      continue;
    }
    visit(walk, item, `${field}.${key}`, depth + 1);
  }
}

/**
 * Violations for every over-long string, over-long key and over-deep value in the template,
 * the arguments and the static file paths (reason VALUE_TOO_LONG / VALUE_TOO_DEEP), and one
 * for too much text in all (REQUEST_TOO_LARGE); empty when the request is within the caps. Field paths never contain an over-long key.
 */
export function checkInputSizes(input: CreateWorkflowInput): FieldViolation[] {
  const walk: Walk = { violations: [], total: 0 };
  visit(walk, input.template, 'template', 0);
  input.arguments.forEach((arg, i) => {
    walk.total += arg.name.length;
    if (arg.name.length > MAX_KEY_CHARS) tooLong(walk, `arguments[${i}].name`, 'an argument name', arg.name.length, MAX_KEY_CHARS);
    visit(walk, arg.value, `arguments[${i}]`, 0);
  });
  if (walk.total > MAX_TOTAL_CHARS) {
    walk.violations.push({
      field: 'template',
      description: `template and arguments hold ${walk.total} characters of text; at most ${MAX_TOTAL_CHARS} are allowed`,
      reason: ViolationReason.REQUEST_TOO_LARGE,
    });
  }
  input.staticFiles.forEach((f, i) => {
    if (f.path.length > MAX_STRING_CHARS) tooLong(walk, `static_files[${i}].path`, 'a path', f.path.length, MAX_STRING_CHARS);
  });
  return walk.violations;
}
