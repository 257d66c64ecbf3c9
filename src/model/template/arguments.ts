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
  UnknownParameterError,
} from '../errors.js';
import { isPlainObject, type PyValue } from '../values.js';
import type { ArgumentValues } from './references.js';
import type { WorkflowTemplate } from './template.js';

/** A reference to an uploaded file, as flowServ's API writes it. */
export interface FileReference {
  readonly type: '$file';
  readonly value: { readonly fileId: string; readonly targetPath?: string | null };
}

/** One user argument: a JSON value or a file reference. */
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

/**
 * Casts every argument with its parameter and checks required parameters. A file reference
 * becomes the file cast input `{source: fileId, targetPath}`; it is only accepted by file
 * parameters, and a file parameter only accepts a file reference. Returns the cast values
 * by name (no defaults added); throws ModelValidationError listing every problem.
 */
export function castArguments(template: WorkflowTemplate, args: readonly RunArgument[]): Record<string, PyValue> {
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
      let input: unknown = arg.value;
      if (isFileReference(arg.value)) {
        if (para.dtype !== 'file') throw new InvalidArgumentError(`unexpected file argument for ${para.dtype} parameter`);
        input = { source: arg.value.value.fileId, targetPath: arg.value.value.targetPath ?? null };
      } else if (para.dtype === 'file') {
        throw new InvalidArgumentError("expected a file reference {type: '$file', value: {fileId}}");
      }
      result[arg.name] = para.cast(input);
    }, field);
  });
  for (const missing of missingArguments(template, seen)) errors.add(missing);
  errors.throwIfAny();
  return result;
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
