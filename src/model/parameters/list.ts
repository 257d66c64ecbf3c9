/** `list` parameters (flowServ's Array): a real list, each element cast by the `para` declaration. */
import { InvalidArgumentError } from '../errors.js';
import type { PyValue } from '../values.js';
import { Parameter, ParameterType, readCommonProps, type ParameterDoc, type ParameterProps, type ParseOptions } from './base.js';
import { checkDtype } from './bool.js';
import { joinField } from './validate-doc.js';

/** Parses a nested declaration; supplied by the factory to avoid an import cycle. */
export type NestedParser = (doc: unknown, options: ParseOptions) => Parameter;

/** A `list` declaration. */
export class ListParameter extends Parameter {
  readonly dtype = ParameterType.LIST;
  constructor(
    props: ParameterProps,
    readonly para: Parameter,
  ) {
    super(props);
  }

  /** Casts each element with `para`; anything but a list is `invalid argument type`. */
  cast(value: unknown): PyValue[] {
    if (!Array.isArray(value)) throw new InvalidArgumentError('invalid argument type');
    return value.map((v: unknown) => this.para.cast(v));
  }

  override toDict(): ParameterDoc {
    const doc = super.toDict();
    doc.para = this.para.toDict();
    return doc;
  }

  /** Parses a `list` declaration; `para` gets no template-level defaulting (index, isRequired). */
  static fromDict(doc: unknown, options: ParseOptions, parseNested: NestedParser): ListParameter {
    const props = readCommonProps(doc, ['para'], [], options);
    checkDtype(props.doc, ParameterType.LIST, options);
    const para = parseNested(props.doc.para, { ...options, field: joinField(options.field, 'para') });
    return new ListParameter(props, para);
  }
}
