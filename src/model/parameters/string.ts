/** `string` parameters: Python str() of anything; never fails (None → 'None'). */
import { renderPythonValue } from '../python/render.js';
import { Parameter, ParameterType, readCommonProps, type ParseOptions } from './base.js';
import { checkDtype } from './bool.js';

/** A `string` declaration. */
export class StringParameter extends Parameter {
  readonly dtype = ParameterType.STRING;

  /** Python str(value): True → 'True', null → 'None', 1.5 → '1.5'. */
  cast(value: unknown): string {
    return renderPythonValue(value);
  }

  /** Parses a `string` declaration document. */
  static fromDict(doc: unknown, options: ParseOptions = {}): StringParameter {
    const props = readCommonProps(doc, [], [], options);
    checkDtype(props.doc, ParameterType.STRING, options);
    return new StringParameter(props);
  }
}
