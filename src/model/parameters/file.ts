/**
 * `file` parameters: the argument names an uploaded file (opaque `source`) and optionally a
 * target path; the target comes from the user, then the declaration's `target`, then its
 * `defaultValue`, else `missing target path` (FLOWSERV.md §4.2). A folder of files (flowServ's
 * InputDirectory, what post-processing's `runs` argument is) is given as `{entries, targetPath}`.
 */
import { InvalidArgumentError, InvalidParameterError } from '../errors.js';
import { renderPythonValue } from '../python/render.js';
import { InputDirectory, InputFile, isPlainObject, type DirectoryEntry } from '../values.js';
import { Parameter, ParameterType, readCommonProps, type ParameterDoc, type ParameterProps, type ParseOptions } from './base.js';
import { checkDtype } from './bool.js';
import { joinField } from './validate-doc.js';

/** What a file parameter casts: an opaque source (upload digest or path) and an optional target. */
export interface FileArgument {
  readonly source: string;
  readonly targetPath?: string | null;
}

/** What a file parameter casts into a folder: entries (path inside the folder, source) and an optional target. */
export interface DirectoryArgument {
  readonly entries: readonly DirectoryEntry[];
  readonly targetPath?: string | null;
}

function directoryEntries(value: unknown): DirectoryEntry[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries: DirectoryEntry[] = [];
  for (const e of value as unknown[]) {
    if (!isPlainObject(e) || typeof e.path !== 'string' || typeof e.source !== 'string') return undefined;
    entries.push({ path: e.path, source: e.source });
  }
  return entries;
}

/** A `file` declaration. */
export class FileParameter extends Parameter {
  readonly dtype = ParameterType.FILE;
  constructor(
    props: ParameterProps,
    readonly target: string | null = null,
  ) {
    super(props);
  }

  /**
   * Returns InputFile(source, target), or InputDirectory(entries, target) for a folder; sources
   * are not checked here (the service resolves them).
   */
  cast(value: unknown): InputFile | InputDirectory {
    const entries = isPlainObject(value) ? directoryEntries(value.entries) : undefined;
    if (!isPlainObject(value) || (typeof value.source !== 'string' && entries === undefined)) {
      throw new InvalidArgumentError(`invalid file argument '${renderPythonValue(value)}'`);
    }
    const userTarget = value.targetPath;
    if (userTarget !== undefined && userTarget !== null && typeof userTarget !== 'string') {
      throw new InvalidArgumentError(`invalid target path '${renderPythonValue(userTarget)}'`);
    }
    const target = userTarget ?? this.target ?? (this.hasDefault() ? renderPythonValue(this.defaultValue) : null);
    if (target === null) throw new InvalidArgumentError('missing target path');
    return entries !== undefined ? new InputDirectory(entries, target) : new InputFile(value.source as string, target);
  }

  /** Always writes `target`, possibly null, as flowServ does. */
  override toDict(): ParameterDoc {
    const doc = super.toDict();
    doc.target = this.target;
    return doc;
  }

  /** Parses a `file` declaration; `target` is the only extra key (`targetPath` is rejected). */
  static fromDict(doc: unknown, options: ParseOptions = {}): FileParameter {
    const props = readCommonProps(doc, [], ['target'], options);
    checkDtype(props.doc, ParameterType.FILE, options);
    const target = props.doc.target;
    if (target !== undefined && target !== null && typeof target !== 'string') {
      throw new InvalidParameterError("'target' must be a string", joinField(options.field, 'target'));
    }
    return new FileParameter(props, (target as string | undefined) ?? null);
  }
}
