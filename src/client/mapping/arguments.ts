/**
 * Cast argument values (what flowServ hands an engine) → protobuf Arguments. InputFile becomes
 * a FileArgument naming the uploaded content by sha256 with the file's target path; ActorValue
 * becomes an ActorArgument (its extra files likewise); anything else is sent as a JSON value
 * (PyFloat as its number, so the server's float cast keeps it a float).
 */
import type { Argument, FileArgument } from '../../gen/flowserv/remote/v1/argument.js';
import { ActorValue, InputFile, type PyValue } from '../../model/index.js';
import { toJson } from './template.js';

/** Arguments by parameter name. */
export type ArgumentValues = Readonly<Record<string, PyValue>>;

/** Every InputFile among the arguments (actor files included), in argument order. */
export function inputFilesOf(args: ArgumentValues): InputFile[] {
  return Object.values(args).flatMap((v) => (v instanceof InputFile ? [v] : v instanceof ActorValue ? [...v.files] : []));
}

function fileArgument(file: InputFile, sha256Of: (f: InputFile) => string): FileArgument {
  return { sha256: sha256Of(file), targetPath: file.target };
}

/** The protobuf arguments; `sha256Of` gives the digest of each InputFile's uploaded content. */
export function argumentsToProto(args: ArgumentValues, sha256Of: (f: InputFile) => string): Argument[] {
  return Object.entries(args).map(([name, v]): Argument => {
    if (v instanceof InputFile) return { name, kind: { $case: 'file', value: fileArgument(v, sha256Of) } };
    if (v instanceof ActorValue) {
      return {
        name,
        kind: { $case: 'actor', value: { spec: toJson(v.spec) as Record<string, unknown>, files: v.files.map((f) => fileArgument(f, sha256Of)) } },
      };
    }
    return { name, kind: { $case: 'value', value: toJson(v) ?? null } };
  });
}
