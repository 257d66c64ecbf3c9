/**
 * The value parsers of the settings table: each turns the text of a flag or variable into a value,
 * or into a problem phrased to follow the setting's name ("port (--port): must be …").
 */
import path from 'node:path';

/** A parser returns the value, or a problem phrased to follow the setting's name. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A parsed value. */
export const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
/** A problem, phrased to follow the setting's name. */
export const bad = <T>(problem: string): ParseResult<T> => ({ ok: false, problem });

/** Integer in [min, max]; accepts only plain decimal digits (no `1e3`, no `0x10`). */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): ParseResult<number> => {
    const trimmed = raw.trim();
    const value = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`;
      return bad(`must be an integer ${range}, got '${raw}'`);
    }
    return ok(value);
  };
}

/** `true/false`, `1/0`, `yes/no`, `on/off`, any case. */
export function boolean(raw: string): ParseResult<boolean> {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return ok(true);
  if (['0', 'false', 'no', 'off'].includes(value)) return ok(false);
  return bad(`must be true or false, got '${raw}'`);
}

/** Any text but blanks; trimmed. */
export function nonEmpty(raw: string): ParseResult<string> {
  return raw.trim() === '' ? bad('must not be empty') : ok(raw.trim());
}

/** One of a fixed list of words (log levels, engine names). */
export function oneOf<const T extends string>(allowed: readonly T[]) {
  return (raw: string): ParseResult<T> =>
    (allowed as readonly string[]).includes(raw.trim())
      ? ok(raw.trim() as T)
      : bad(`must be one of ${allowed.join(', ')}, got '${raw}'`);
}

/** Comma-separated list; blanks dropped. Each item must start with `--` (an sbatch long option). */
export function sbatchOptionList(raw: string): ParseResult<readonly string[]> {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const wrong = items.filter((s) => !/^--[a-z][a-z0-9-]*$/.test(s));
  return wrong.length > 0 ? bad(`items must be sbatch long options like --time, got '${wrong.join("', '")}'`) : ok(items);
}

/** A path, resolved against the working directory. */
export function absolutePath(raw: string): ParseResult<string> {
  const checked = nonEmpty(raw);
  return checked.ok ? ok(path.resolve(checked.value)) : checked;
}

/** Comma-separated absolute paths; blanks dropped. */
export function absolutePathList(raw: string): ParseResult<readonly string[]> {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const wrong = items.filter((s) => !path.isAbsolute(s));
  return wrong.length > 0 ? bad(`items must be absolute paths, got '${wrong.join("', '")}'`) : ok(items.map((s) => path.normalize(s)));
}
