/**
 * `int` and `float` parameters (flowServ's Numeric): Python int()/float() conversion, the
 * 'inf' special case (float infinity even for int), then the optional range check.
 */
import { InvalidArgumentError } from '../errors.js';
import { PyFloat } from '../python/float.js';
import { parsePythonFloatString, parsePythonIntString } from '../python/parse-number.js';
import { renderPythonValue } from '../python/render.js';
import { Parameter, ParameterType, readCommonProps, type ParameterDoc, type ParameterProps, type ParseOptions } from './base.js';
import { checkDtype } from './bool.js';
import { RangeConstraint } from './range.js';

/** An `int` or `float` declaration with an optional range constraint. */
export class NumericParameter extends Parameter {
  constructor(
    readonly dtype: typeof ParameterType.INT | typeof ParameterType.FLOAT,
    props: ParameterProps,
    readonly constraint: RangeConstraint | null = null,
  ) {
    super(props);
  }

  /**
   * int: Python int() (bools, truncated floats, integer strings with whitespace, sign or
   * underscores); float: Python float() (also '1e3', 'nan', 'Infinity'), returned as PyFloat.
   * 'inf'/'-inf' become float infinity for both. Errors: `no int '<v>'`, `no float '<v>'`,
   * `<v> not in <range>`.
   */
  cast(value: unknown): number | PyFloat {
    let result: number | PyFloat;
    if (value === 'inf' || value === '-inf' || value === Infinity || value === -Infinity) {
      result = new PyFloat(value === 'inf' || value === Infinity ? Infinity : -Infinity);
    } else if (this.dtype === ParameterType.INT) {
      const n = toPythonInt(value);
      if (n === undefined) throw new InvalidArgumentError(`no int '${renderPythonValue(value)}'`);
      result = n;
    } else {
      const n = toPythonFloat(value);
      if (n === undefined) throw new InvalidArgumentError(`no float '${renderPythonValue(value)}'`);
      result = new PyFloat(n);
    }
    if (this.constraint !== null && !this.constraint.validate(Number(result))) {
      throw new InvalidArgumentError(`${renderPythonValue(result)} not in ${this.constraint.toString()}`);
    }
    return result;
  }

  override toDict(): ParameterDoc {
    const doc = super.toDict();
    if (this.constraint !== null) doc.range = this.constraint.toString();
    return doc;
  }

  /** Parses an `int` or `float` declaration; a bad `range` is an InvalidParameterError. */
  static fromDict(doc: unknown, options: ParseOptions = {}): NumericParameter {
    const props = readCommonProps(doc, [], ['range'], options);
    checkDtype(props.doc, [ParameterType.INT, ParameterType.FLOAT], options);
    const range = props.doc.range;
    const field = options.field === undefined ? 'range' : `${options.field}.range`;
    const constraint = range === undefined || range === null ? null : RangeConstraint.parse(range, field);
    return new NumericParameter(props.doc.dtype as 'int' | 'float', props, constraint);
  }
}

function toPythonInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || value instanceof PyFloat) {
    const n = Number(value);
    return Number.isFinite(n) ? Math.trunc(n) + 0 : undefined;
  }
  if (typeof value === 'string') return parsePythonIntString(value);
  return undefined;
}

function toPythonFloat(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'string') return parsePythonFloatString(value);
  return undefined;
}
