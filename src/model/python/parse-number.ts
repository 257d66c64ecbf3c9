/**
 * Python's int() and float() rules for strings, which flowServ applies to numeric arguments
 * (FLOWSERV.md §4.2): surrounding whitespace, a sign and single underscores between digits
 * are accepted; int() refuses decimals and exponents; float() accepts `inf`, `nan`, `Infinity`.
 */

const INT_LITERAL = /^[+-]?\d+(?:_\d+)*$/;
const DIGITS = String.raw`\d+(?:_\d+)*`;
const FLOAT_LITERAL = new RegExp(
  String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
);
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

const PY_SPACE = /[\s\x1c-\x1f\x85]/u;

/**
 * Python whitespace strip (str.strip() with no argument), by walking in from both ends: the
 * regex form `[\s]+$` retries from every space of a long inner run, quadratic in its length.
 */
function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PY_SPACE.test(text[start]!)) start += 1;
  while (end > start && PY_SPACE.test(text[end - 1]!)) end -= 1;
  return text.slice(start, end);
}

/** Parses a string as Python `int(text)` would; undefined when Python raises ValueError. */
export function parsePythonIntString(text: string): number | undefined {
  const stripped = pyStrip(text);
  if (!INT_LITERAL.test(stripped)) return undefined;
  return Number(stripped.replace(/_/g, ''));
}

/** Parses a string as Python `float(text)` would; undefined when Python raises ValueError. */
export function parsePythonFloatString(text: string): number | undefined {
  const stripped = pyStrip(text);
  const special = FLOAT_SPECIAL.exec(stripped);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT_LITERAL.test(stripped)) return undefined;
  return Number(stripped.replace(/_/g, ''));
}
