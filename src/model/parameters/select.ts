/**
 * `select` parameters (flowServ's enum): the value must equal some option's value under
 * Python equality (True == 1 == 1.0, but '1' != 1); the given value is returned unchanged.
 */
import { InvalidArgumentError, InvalidParameterError } from '../errors.js';
import { pythonEquals } from '../python/equality.js';
import { renderPythonValue } from '../python/render.js';
import { isPlainObject, type PyValue } from '../values.js';
import { Parameter, ParameterType, readCommonProps, type ParameterDoc, type ParameterProps, type ParseOptions } from './base.js';
import { checkDtype } from './bool.js';
import { joinField, validateDoc } from './validate-doc.js';

/** One option of a select parameter. `isDefault` is display-only: it sets no default value. */
export interface SelectOption {
  readonly name: string;
  readonly value: PyValue;
  readonly isDefault?: boolean;
}

/** A `select` declaration. */
export class SelectParameter extends Parameter {
  readonly dtype = ParameterType.SELECT;
  constructor(
    props: ParameterProps,
    readonly values: readonly SelectOption[],
  ) {
    super(props);
  }

  /** Returns the value if an option matches it, else `unknown value '<v>'`. */
  cast(value: unknown): PyValue {
    if (this.values.some((option) => pythonEquals(option.value, value))) return value as PyValue;
    throw new InvalidArgumentError(`unknown value '${renderPythonValue(value)}'`);
  }

  override toDict(): ParameterDoc {
    const doc = super.toDict();
    doc.values = this.values.map((o) => ({ ...o }));
    return doc;
  }

  /** Parses a `select` declaration; `values` is mandatory and each option needs name and value. */
  static fromDict(doc: unknown, options: ParseOptions = {}): SelectParameter {
    const props = readCommonProps(doc, ['values'], [], options);
    checkDtype(props.doc, ParameterType.SELECT, options);
    const valuesField = joinField(options.field, 'values');
    const raw = props.doc.values;
    if (!Array.isArray(raw)) throw new InvalidParameterError("'values' must be a list", valuesField);
    const values = raw.map((option, i) => {
      const field = joinField(valuesField, i);
      if (!isPlainObject(option)) throw new InvalidParameterError('option must be an object', field);
      if (options.validate !== false) {
        validateDoc(option, ['name', 'value'], ['isDefault'], (m, f) => new InvalidParameterError(m, f), field);
      }
      const result: SelectOption = { name: String(option.name), value: option.value as PyValue };
      return option.isDefault === undefined ? result : { ...result, isDefault: Boolean(option.isDefault) };
    });
    return new SelectParameter(props, values);
  }
}
