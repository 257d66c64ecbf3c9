/**
 * Renders values the way Python's str() and repr() do, because flowServ passes argument values
 * to command lines through str() (FLOWSERV.md §12.14): a template must produce the same command
 * lines here as under flowServ.
 */
import { ActorValue, InputDirectory, InputFile, isPlainObject } from '../values.js';
import { PyFloat, formatPythonFloat } from './float.js';

/** Python str() of a value: strings as they are, files as their target path, others as repr(). */
export function renderPythonValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof InputFile || value instanceof InputDirectory) return value.target;
  return pythonRepr(value);
}

/**
 * Python repr() of a value. Integral JS numbers within the safe range are Python ints; other
 * numbers and PyFloat values are floats. Records render as dicts with keys in insertion order.
 * An InputFile inside a container renders as the repr of its target path (Python would print
 * an object address, which no template can depend on).
 */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : formatPythonFloat(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return formatPythonFloat(value.value);
  if (typeof value === 'string') return pythonStringRepr(value);
  if (value instanceof InputFile || value instanceof InputDirectory) return pythonStringRepr(value.target);
  if (value instanceof ActorValue) {
    const files = value.files.length > 0 ? pythonRepr([...value.files]) : 'None';
    return `ActorValue(spec=${pythonRepr(value.spec)}, files=${files})`;
  }
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (isPlainObject(value)) {
    const items = Object.entries(value).map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`);
    return `{${items.join(', ')}}`;
  }
  return pythonStringRepr(String(value));
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Python repr() of a str: single quotes unless the text has ' and no ", escapes like CPython. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ESCAPES[ch] !== undefined) out += ESCAPES[ch];
    else if (ch === quote) out += `\\${ch}`;
    else if (code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0xad) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else out += ch;
  }
  return out + quote;
}
