/**
 * flowServ's `validate_doc`: mandatory keys first (in the given order), then any key that is
 * neither mandatory nor optional. The messages are flowServ's; the field path points at the key.
 */
import { ModelError } from '../errors.js';

/** Builds the error to throw; receives flowServ's message and the field path of the key. */
export type ErrorFactory = (message: string, field: string | undefined) => ModelError;

/** Joins a base path and a key into a field path (`a.b`, or just `b` without base). */
export function joinField(base: string | undefined, key: string | number): string | undefined {
  if (typeof key === 'number') return base === undefined ? undefined : `${base}[${key}]`;
  return base === undefined || base === '' ? key : `${base}.${key}`;
}

/** Throws when a mandatory key is missing or an unexpected key is present. */
export function validateDoc(
  doc: Record<string, unknown>,
  mandatory: readonly string[],
  optional: readonly string[] | undefined,
  makeError: ErrorFactory,
  field?: string,
): void {
  for (const key of mandatory) {
    if (!(key in doc)) throw makeError(`missing element '${key}'`, joinField(field, key));
  }
  if (optional === undefined) return;
  for (const key of Object.keys(doc)) {
    if (!mandatory.includes(key) && !optional.includes(key)) {
      throw makeError(`unknown element '${key}'`, joinField(field, key));
    }
  }
}
