/**
 * Cast argument values (what flowServ hands an engine) → protobuf Arguments. InputFile becomes
 * a FileArgument naming the uploaded content by sha256 with the file's target path;
 * InputDirectory (a folder, as post-processing's `runs`) becomes a DirectoryArgument with one
 * entry per file; ActorValue becomes an ActorArgument (its extra files and folders likewise);
 * anything else is sent as a JSON value (PyFloat as its number, so the server's float cast keeps
 * it a float).
 */
import type { Argument, DirectoryArgument, FileArgument } from '../../gen/flowserv/remote/v1/argument.js';
import { ActorValue, InputDirectory, InputFile, type PyValue } from '../../model/index.js';
import { toJson } from './template.js';

/** Arguments by parameter name. */
export type ArgumentValues = Readonly<Record<string, PyValue>>;

/**
 * Every file to upload among the arguments (actor files included; a folder's entries as
 * InputFiles whose source is the entry's source), in argument order.
 */
export function inputFilesOf(args: ArgumentValues): InputFile[] {
  const files = (v: InputFile | InputDirectory): InputFile[] => (v instanceof InputFile ? [v] : v.entries.map((e) => new InputFile(e.source, e.path)));
  return Object.values(args).flatMap((v) =>
    v instanceof InputFile || v instanceof InputDirectory ? files(v) : v instanceof ActorValue ? v.files.flatMap(files) : [],
  );
}

/** The digest of a local source path's uploaded content. */
export type DigestOf = (source: string) => string;

function fileArgument(file: InputFile, sha256Of: DigestOf): FileArgument {
  return { sha256: sha256Of(file.source), targetPath: file.target };
}

function directoryArgument(dir: InputDirectory, sha256Of: DigestOf): DirectoryArgument {
  return { targetPath: dir.target, entries: dir.entries.map((e) => ({ path: e.path, sha256: sha256Of(e.source) })) };
}

/** The protobuf arguments; `sha256Of` gives the digest of each source path's uploaded content. */
export function argumentsToProto(args: ArgumentValues, sha256Of: DigestOf): Argument[] {
  return Object.entries(args).map(([name, v]): Argument => {
    if (v instanceof InputFile) return { name, kind: { $case: 'file', value: fileArgument(v, sha256Of) } };
    if (v instanceof InputDirectory) return { name, kind: { $case: 'directory', value: directoryArgument(v, sha256Of) } };
    if (v instanceof ActorValue) {
      const files = v.files.filter((f): f is InputFile => f instanceof InputFile);
      const dirs = v.files.filter((f): f is InputDirectory => f instanceof InputDirectory);
      return {
        name,
        kind: {
          $case: 'actor',
          value: {
            spec: toJson(v.spec) as Record<string, unknown>,
            files: files.map((f) => fileArgument(f, sha256Of)),
            directories: dirs.map((d) => directoryArgument(d, sha256Of)),
          },
        },
      };
    }
    return { name, kind: { $case: 'value', value: toJson(v) ?? null } };
  });
}
