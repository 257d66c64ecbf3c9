/**
 * Interval constraints of numeric parameters (`range: '[0,10)'`, FLOWSERV.md §4.2). Bounds are
 * Python floats and print as Python floats (`[0.0,10.0]`, `(5.0,inf]`), because serialized
 * declarations must match flowServ's byte for byte.
 */
import { InvalidParameterError } from '../errors.js';
import { formatPythonFloat } from '../python/float.js';
import { parsePythonFloatString } from '../python/parse-number.js';

/** One end of an interval; `open` excludes the value itself. */
export interface RangeBoundary {
  readonly value: number;
  readonly open: boolean;
}

/** A closed, open or half-open interval of numbers; empty bounds are -inf / +inf. */
export class RangeConstraint {
  constructor(
    readonly left: RangeBoundary,
    readonly right: RangeBoundary,
  ) {
    if (left.value > right.value) throw new InvalidParameterError('invalid interval boundaries');
  }

  /**
   * Parses `[a,b]`, `(a,b)`, `[a,b)` or `(a,b]` with exactly one comma; spaces around the parts
   * are allowed and an empty bound means infinity. Throws InvalidParameterError otherwise.
   */
  static parse(text: unknown, field?: string): RangeConstraint {
    if (typeof text !== 'string') throw new InvalidParameterError(`invalid interval '${String(text)}'`, field);
    const tokens = text.split(',');
    if (tokens.length !== 2) throw new InvalidParameterError(`invalid interval '${text}'`, field);
    const leftSide = tokens[0]!.trim();
    const rightSide = tokens[1]!.trim();
    if (!leftSide.startsWith('[') && !leftSide.startsWith('(')) {
      throw new InvalidParameterError(`invalid interval '${text}'`, field);
    }
    if (!rightSide.endsWith(']') && !rightSide.endsWith(')')) {
      throw new InvalidParameterError(`invalid interval '${text}'`, field);
    }
    const left = boundValue(leftSide.slice(1) || '-inf', field);
    const right = boundValue(rightSide.slice(0, -1) || 'inf', field);
    try {
      return new RangeConstraint(
        { value: left, open: leftSide.startsWith('(') },
        { value: right, open: rightSide.endsWith(')') },
      );
    } catch (err) {
      throw (err as InvalidParameterError).at(field ?? '');
    }
  }

  /** Builds a constraint from optional minimum and maximum (closed unless `open` is set). */
  static of(min?: number | RangeBoundary | null, max?: number | RangeBoundary | null): RangeConstraint | null {
    if ((min === undefined || min === null) && (max === undefined || max === null)) return null;
    const toBound = (b: number | RangeBoundary | null | undefined, inf: number): RangeBoundary =>
      b === undefined || b === null ? { value: inf, open: false } : typeof b === 'number' ? { value: b, open: false } : b;
    return new RangeConstraint(toBound(min, -Infinity), toBound(max, Infinity));
  }

  /** Lower bound value. */
  minValue(): number {
    return this.left.value;
  }

  /** Upper bound value. */
  maxValue(): number {
    return this.right.value;
  }

  /** True when both ends are closed. */
  isClosed(): boolean {
    return !this.left.open && !this.right.open;
  }

  /** Whether the value lies in the interval (NaN passes, as with Python's comparisons). */
  validate(value: number): boolean {
    if (this.left.open ? this.left.value >= value : this.left.value > value) return false;
    if (this.right.open ? value >= this.right.value : value > this.right.value) return false;
    return true;
  }

  /** flowServ's `to_string()`: bounds printed as Python floats, e.g. `(5.0,inf]`. */
  toString(): string {
    return (
      `${this.left.open ? '(' : '['}${formatPythonFloat(this.left.value)},` +
      `${formatPythonFloat(this.right.value)}${this.right.open ? ')' : ']'}`
    );
  }
}

function boundValue(text: string, field: string | undefined): number {
  const value = parsePythonFloatString(text);
  if (value === undefined) throw new InvalidParameterError(`could not convert string to float: '${text}'`, field);
  return value;
}
