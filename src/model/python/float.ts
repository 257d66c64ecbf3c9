/**
 * JavaScript has one number type, Python has int and float, and flowServ's command lines show
 * the difference (`2` vs `2.0`, FLOWSERV.md §12.14). A PyFloat marks a number that Python
 * would hold as a float, so that it renders the way Python's str() would.
 */

/** A number that Python would hold as a float. Compares and sorts like its value (valueOf). */
export class PyFloat {
  constructor(readonly value: number) {}

  /** Lets `<`, `>` and arithmetic work on the underlying number. */
  valueOf(): number {
    return this.value;
  }

  /** Python str()/repr() of the float: `1.0`, `1e-05`, `inf`. */
  toString(): string {
    return formatPythonFloat(this.value);
  }

  /** JSON keeps the plain number (JSON has no int/float distinction either). */
  toJSON(): number {
    return this.value;
  }
}

/**
 * Formats a number as Python's `repr(float)`: shortest round-trip digits, scientific notation
 * when the decimal exponent is below -4 or at least 16, otherwise fixed notation with at
 * least one fractional digit. `inf`, `-inf`, `nan` for the special values.
 */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(value).toExponential().split('e');
  const digits = mantissa!.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expAbs = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${frac}e${exp < 0 ? '-' : '+'}${expAbs}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1) || '0';
  return `${sign}${intPart}.${fracPart}`;
}
