/** Boolean parameters: flowServ's truth table on `str(value).lower()` (FLOWSERV.md §4.2). */
import { InvalidArgumentError, InvalidParameterError } from '../errors.js';
import { renderPythonValue } from '../python/render.js';
import { Parameter, ParameterType, readCommonProps, type ParseOptions } from './base.js';

const TRUE_TEXT = ['1', 't', 'true'];
const FALSE_TEXT = ['', '0', 'f', 'false'];

/** A `bool` declaration. */
export class BoolParameter extends Parameter {
  readonly dtype = ParameterType.BOOL;

  /** None is False, booleans stay, '1'/'t'/'true' and ''/'0'/'f'/'false' (any case); else an error. */
  cast(value: unknown): boolean {
    if (value === null || value === undefined) return false;
    if (typeof value === 'boolean') return value;
    const text = renderPythonValue(value).toLowerCase();
    if (TRUE_TEXT.includes(text)) return true;
    if (FALSE_TEXT.includes(text)) return false;
    throw new InvalidArgumentError(`not a Boolean '${renderPythonValue(value)}'`);
  }

  /** Parses a `bool` declaration document. */
  static fromDict(doc: unknown, options: ParseOptions = {}): BoolParameter {
    const props = readCommonProps(doc, [], [], options);
    checkDtype(props.doc, ParameterType.BOOL, options);
    return new BoolParameter(props);
  }
}

/** Rejects a document whose dtype is not the class's own (flowServ raises ValueError here). */
export function checkDtype(doc: Record<string, unknown>, expected: string | readonly string[], options: ParseOptions): void {
  if (options.validate === false) return;
  const ok = typeof expected === 'string' ? doc.dtype === expected : expected.includes(doc.dtype as string);
  if (!ok) {
    const field = options.field === undefined ? 'dtype' : `${options.field}.dtype`;
    throw new InvalidParameterError(`invalid type '${String(doc.dtype)}'`, field);
  }
}
