/**
 * The typed values that parameter casts produce (flowServ's cast results). They feed the
 * `$[[..]]` expansion and the command-line rendering, so the distinctions Python makes
 * (int vs float, file objects whose str() is the target path) are kept.
 */
import { PyFloat } from './python/float.js';

/**
 * A file argument after casting: `source` is opaque to the model (an upload digest or a path
 * the service resolves); `target` is the relative path the file gets in the run directory.
 * Like flowServ's InputFile, its string form is the target path.
 */
export class InputFile {
  constructor(
    readonly source: string,
    readonly target: string,
  ) {}

  /** The target path, as flowServ's `str(InputFile)`. */
  toString(): string {
    return this.target;
  }
}

/** One file of an InputDirectory: its path inside the folder and its opaque source. */
export interface DirectoryEntry {
  readonly path: string;
  readonly source: string;
}

/**
 * A folder argument after casting (flowServ's InputDirectory, FLOWSERV.md §6.5): entries placed
 * under `target` in the run directory. Its string form is the target folder, as in flowServ, so
 * a post-processing command gets `runs` for `$[[runs]]`.
 */
export class InputDirectory {
  constructor(
    readonly entries: readonly DirectoryEntry[],
    readonly target: string,
  ) {}

  /** The files it places, each at `<target>/<path>`. */
  files(): InputFile[] {
    return this.entries.map((e) => new InputFile(e.source, `${this.target}/${e.path}`));
  }

  /** The target folder, as flowServ's `str(InputDirectory)`. */
  toString(): string {
    return this.target;
  }
}

/**
 * An actor argument after casting: `spec` is a step action (FLOWSERV.md §7.1) and `files`
 * are extra inputs to stage in the run directory. The run service stores only `spec`.
 */
export class ActorValue {
  constructor(
    readonly spec: Readonly<Record<string, unknown>>,
    readonly files: readonly (InputFile | InputDirectory)[] = [],
  ) {}
}

/**
 * Any cast argument value: JSON scalars (numbers are Python ints unless wrapped in PyFloat,
 * or non-integral), lists, records (plain objects, Python dicts), files and actor values.
 */
export type PyValue =
  | null
  | boolean
  | number
  | string
  | PyFloat
  | InputFile
  | InputDirectory
  | ActorValue
  | readonly PyValue[]
  | { readonly [key: string]: PyValue };

/** True for plain JSON objects (not arrays, not class instances such as InputFile). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
