/**
 * `actor` parameters: the argument is a step action supplied at run time (FLOWSERV.md §4.2,
 * §7.1), `{spec: {...}, files?: [{source, target}]}`; the files are staged with the inputs.
 */
import { InvalidArgumentError } from '../errors.js';
import { renderPythonValue } from '../python/render.js';
import { ActorValue, InputFile, isPlainObject } from '../values.js';
import { Parameter, ParameterType, readCommonProps, type ParseOptions } from './base.js';
import { checkDtype } from './bool.js';

/** An `actor` declaration. */
export class ActorParameter extends Parameter {
  readonly dtype = ParameterType.ACTOR;

  /** Accepts an ActorValue or `{spec: object, files?: [{source, target|targetPath}]}`. */
  cast(value: unknown): ActorValue {
    if (value instanceof ActorValue) return value;
    const invalid = () => new InvalidArgumentError(`invalid actor value '${renderPythonValue(value)}'`);
    if (!isPlainObject(value) || !isPlainObject(value.spec)) throw invalid();
    const files = value.files ?? [];
    if (!Array.isArray(files)) throw invalid();
    const inputs = files.map((f: unknown) => {
      if (f instanceof InputFile) return f;
      if (!isPlainObject(f) || typeof f.source !== 'string') throw invalid();
      const target = f.target ?? f.targetPath;
      if (typeof target !== 'string') throw invalid();
      return new InputFile(f.source, target);
    });
    return new ActorValue(value.spec, inputs);
  }

  /** Parses an `actor` declaration document. */
  static fromDict(doc: unknown, options: ParseOptions = {}): ActorParameter {
    const props = readCommonProps(doc, [], [], options);
    checkDtype(props.doc, ParameterType.ACTOR, options);
    return new ActorParameter(props);
  }
}
