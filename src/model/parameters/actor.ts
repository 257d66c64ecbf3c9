/**
 * `actor` parameters: the argument is a step action supplied at run time (FLOWSERV.md §4.2,
 * §7.1), `{spec: {...}, files?: [{source, target} | {entries, target}]}`; the files (and
 * folders) are staged with the inputs, as flowServ copies an ActorValue's files.
 */
import { InvalidArgumentError } from '../errors.js';
import { renderPythonValue } from '../python/render.js';
import { ActorValue, InputDirectory, InputFile, isPlainObject } from '../values.js';
import { Parameter, ParameterType, readCommonProps, type ParseOptions } from './base.js';
import { checkDtype } from './bool.js';

/** An `actor` declaration. */
export class ActorParameter extends Parameter {
  readonly dtype = ParameterType.ACTOR;

  /**
   * Accepts an ActorValue or `{spec: object, files?: [...]}` where each file is an InputFile or
   * InputDirectory, `{source, target|targetPath}` or `{entries: [{path, source}], target|targetPath}`.
   */
  cast(value: unknown): ActorValue {
    if (value instanceof ActorValue) return value;
    const invalid = () => new InvalidArgumentError(`invalid actor value '${renderPythonValue(value)}'`);
    if (!isPlainObject(value) || !isPlainObject(value.spec)) throw invalid();
    const files = value.files ?? [];
    if (!Array.isArray(files)) throw invalid();
    const inputs = files.map((f: unknown, i) => {
      if (f instanceof InputFile || f instanceof InputDirectory) return f;
      if (!isPlainObject(f)) throw invalid();
      const target = f.target ?? f.targetPath;
      if (target === undefined || target === null) throw new InvalidArgumentError(`missing target path of actor file ${i}`);
      if (typeof target !== 'string') throw invalid();
      if (typeof f.source === 'string') return new InputFile(f.source, target);
      const entries = Array.isArray(f.entries) ? (f.entries as unknown[]) : undefined;
      if (entries === undefined || !entries.every((e) => isPlainObject(e) && typeof e.path === 'string' && typeof e.source === 'string')) throw invalid();
      return new InputDirectory(entries as { path: string; source: string }[], target);
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
