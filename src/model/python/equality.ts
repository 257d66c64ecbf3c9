/**
 * Python `==` on JSON-like values, which flowServ's select parameter uses to match options
 * (FLOWSERV.md §4.2, §12.12): no coercion between str and number, but True == 1 == 1.0.
 */
import { PyFloat } from './float.js';
import { isPlainObject } from '../values.js';

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (value instanceof PyFloat) return value.value;
  return undefined;
}

/** Python equality of two values (lists element-wise, dicts by key set and values). */
export function pythonEquals(a: unknown, b: unknown): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && na === nb;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pythonEquals(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && pythonEquals(a[k], b[k]));
  }
  return a === b;
}
