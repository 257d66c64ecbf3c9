/**
 * `record` parameters: the value is a list of `{name, value}` items, each cast by its field;
 * missing fields take their (cast) default, required ones without default are an error.
 */
import { InvalidArgumentError, InvalidParameterError } from '../errors.js';
import { isPlainObject, type PyValue } from '../values.js';
import { Parameter, ParameterType, readCommonProps, type ParameterDoc, type ParameterProps, type ParseOptions } from './base.js';
import { checkDtype } from './bool.js';
import type { NestedParser } from './list.js';
import { joinField, validateDoc } from './validate-doc.js';

/** A `record` declaration; field names are unique. */
export class RecordParameter extends Parameter {
  readonly dtype = ParameterType.RECORD;
  readonly fields: ReadonlyMap<string, Parameter>;

  constructor(props: ParameterProps, fields: readonly Parameter[]) {
    super(props);
    const map = new Map<string, Parameter>();
    for (const field of fields) {
      if (map.has(field.name)) throw new InvalidParameterError(`duplicate field '${field.name}'`);
      map.set(field.name, field);
    }
    this.fields = map;
  }

  /**
   * Returns a dict of field name to cast value: given fields in the given order, then defaults
   * in declaration order. Errors: `invalid argument type`, `missing/unknown element`,
   * `unknown argument 'x'`, `missing field 'x'`, or a field's own cast error.
   */
  cast(value: unknown): Record<string, PyValue> {
    if (!Array.isArray(value)) throw new InvalidArgumentError('invalid argument type');
    const result: Record<string, PyValue> = {};
    for (const item of value as unknown[]) {
      if (!isPlainObject(item)) throw new InvalidArgumentError('invalid argument type');
      validateDoc(item, ['name', 'value'], [], (m, f) => new InvalidArgumentError(m, f));
      const name = String(item.name);
      const para = this.fields.get(name);
      if (para === undefined) throw new InvalidArgumentError(`unknown argument '${name}'`);
      Object.defineProperty(result, name, { value: para.cast(item.value), enumerable: true, writable: true, configurable: true });
    }
    for (const [name, para] of this.fields) {
      if (Object.prototype.hasOwnProperty.call(result, name)) continue;
      if (para.hasDefault()) {
        Object.defineProperty(result, name, { value: para.cast(para.defaultValue), enumerable: true, writable: true, configurable: true });
      } else if (para.isRequired) {
        throw new InvalidArgumentError(`missing field '${name}'`);
      }
    }
    return result;
  }

  override toDict(): ParameterDoc {
    const doc = super.toDict();
    doc.fields = [...this.fields.values()].map((p) => p.toDict());
    return doc;
  }

  /** Parses a `record` declaration; fields must carry index and isRequired themselves. */
  static fromDict(doc: unknown, options: ParseOptions, parseNested: NestedParser): RecordParameter {
    const props = readCommonProps(doc, ['fields'], [], options);
    checkDtype(props.doc, ParameterType.RECORD, options);
    const fieldsPath = joinField(options.field, 'fields');
    const raw = props.doc.fields;
    if (!Array.isArray(raw)) throw new InvalidParameterError("'fields' must be a list", fieldsPath);
    const fields = raw.map((f: unknown, i) => parseNested(f, { ...options, field: joinField(fieldsPath, i) }));
    try {
      return new RecordParameter(props, fields);
    } catch (err) {
      throw (err as InvalidParameterError).at(fieldsPath ?? 'fields');
    }
  }
}
