/**
 * Casting the user's run arguments (FLOWSERV.md §1 step 3-5): duplicates, unknown names,
 * cast failures and missing required arguments are all collected and thrown together, each
 * with the field `arguments.<name>`, because the server reports each as a field violation.
 */
import {
  DuplicateArgumentError,
  ErrorCollector,
  InvalidArgumentError,
  MissingArgumentError,
  ModelValidationError,
  UnknownParameterError,
  type ModelError,
} from '../errors.js';
import { isPlainObject, type PyValue } from '../values.js';
import type { ArgumentValues } from './references.js';
import type { WorkflowTemplate } from './template.js';

/** A reference to an uploaded file, as flowServ's API writes it. */
export interface FileReference {
  readonly type: '$file';
  readonly value: { readonly fileId: string; readonly targetPath?: string | null };
}

/**
 * A reference to a folder of uploaded files (flowServ's InputDirectory has no JSON form; this is
 * the service's): entries placed under `targetPath`.
 */
export interface DirectoryReference {
  readonly type: '$dir';
  readonly value: { readonly targetPath: string; readonly entries: readonly { readonly path: string; readonly fileId: string }[] };
}

/** One user argument: a JSON value, a file reference or a folder reference. */
export interface RunArgument {
  readonly name: string;
  readonly value: unknown;
}

/** flowServ's `is_fh`: `{type: '$file', value: {fileId, ...}}`. */
export function isFileReference(value: unknown): value is FileReference {
  return (
    isPlainObject(value) &&
    value.type === '$file' &&
    isPlainObject(value.value) &&
    typeof value.value.fileId === 'string'
  );
}

/** The folder form: `{type: '$dir', value: {targetPath, entries: [{path, fileId}]}}`. */
export function isDirectoryReference(value: unknown): value is DirectoryReference {
  return isPlainObject(value) && value.type === '$dir' && isPlainObject(value.value) && Array.isArray(value.value.entries);
}

/** A file or folder reference → the file cast input (`{source, targetPath}` or `{entries, targetPath}`). */
function fileCastInput(ref: FileReference | DirectoryReference): unknown {
  if (ref.type === '$file') return { source: ref.value.fileId, targetPath: ref.value.targetPath ?? null };
  return { entries: ref.value.entries.map((e) => ({ path: e.path, source: e.fileId })), targetPath: ref.value.targetPath };
}

/**
 * What a parameter's cast receives for a submitted value. File and folder references go to file
 * parameters only (and inside actor values, as their files); the messages name the API's own
 * fields, since a gRPC caller never writes flowServ's JSON file handles.
 */
function castInput(dtype: string, name: string, value: unknown): unknown {
  const isRef = (v: unknown): v is FileReference | DirectoryReference => isFileReference(v) || isDirectoryReference(v);
  if (isRef(value)) {
    if (dtype !== 'file') throw new InvalidArgumentError(`'${name}' is a ${dtype} parameter: give its value in Argument.value${dtype === 'actor' ? ' (actor: Argument.actor)' : ''}, not Argument.file or Argument.directory`);
    return fileCastInput(value);
  }
  if (dtype === 'file') throw new InvalidArgumentError(`'${name}' is a file parameter: give an uploaded file in Argument.file (sha256, target_path) or a folder in Argument.directory`);
  if (dtype === 'actor') {
    if (!isPlainObject(value) || !isPlainObject(value.spec)) throw new InvalidArgumentError(`'${name}' is an actor parameter: give Argument.actor with a spec object (a workflow step action)`);
    if (Array.isArray(value.files)) return { ...value, files: value.files.map((f: unknown) => (isRef(f) ? fileCastInput(f) : f)) };
  }
  return value;
}

/**
 * Casts every argument with its parameter and checks required parameters. A file reference
 * becomes the file cast input `{source: fileId, targetPath}` (a folder reference
 * `{entries, targetPath}`); it is only accepted by file parameters (and as an actor's files),
 * and a file parameter only accepts a file or folder reference. Returns the cast values
 * by name (no defaults added); throws ModelValidationError listing every problem.
 */
export function castArguments(template: WorkflowTemplate, args: readonly RunArgument[]): Record<string, PyValue> {
  const { values, errors } = castArgumentsCollecting(template, args);
  if (errors.length > 0) throw new ModelValidationError([...errors]);
  return values;
}

/**
 * castArguments without throwing: the values that cast, and every problem. A caller that wants
 * to report all problems of a request at once (the service) goes on expanding the workflow with
 * the values that did cast.
 */
export function castArgumentsCollecting(
  template: WorkflowTemplate,
  args: readonly RunArgument[],
): { values: Record<string, PyValue>; errors: readonly ModelError[] } {
  const result: Record<string, PyValue> = Object.create(null) as Record<string, PyValue>;
  const seen = new Set<string>();
  const errors = new ErrorCollector();
  args.forEach((arg, i) => {
    if (!isPlainObject(arg) || typeof arg.name !== 'string') {
      errors.add(new InvalidArgumentError('argument must have a string name', `arguments[${i}]`));
      return;
    }
    const field = `arguments.${arg.name}`;
    if (seen.has(arg.name)) {
      errors.add(new DuplicateArgumentError(arg.name, field));
      return;
    }
    seen.add(arg.name);
    const para = template.parameters.get(arg.name);
    if (para === undefined) {
      errors.add(new UnknownParameterError(arg.name, field));
      return;
    }
    errors.attempt(() => {
      result[arg.name] = para.cast(castInput(para.dtype, arg.name, arg.value));
    }, field);
  });
  for (const missing of missingArguments(template, seen)) errors.add(missing);
  return { values: result, errors: errors.errors };
}

/**
 * flowServ's `validate_arguments`: required parameters without default and without argument.
 * `given` is the set of argument names, or the cast values by name.
 */
export function missingArguments(template: WorkflowTemplate, given: ReadonlySet<string> | ArgumentValues): MissingArgumentError[] {
  const has = (name: string): boolean =>
    given instanceof Set ? given.has(name) : Object.prototype.hasOwnProperty.call(given, name);
  return template.parameters
    .values()
    .filter((p) => p.isRequired && !p.hasDefault() && !has(p.name))
    .map((p) => new MissingArgumentError(p.name, `arguments.${p.name}`));
}
