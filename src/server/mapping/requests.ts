/** Protobuf requests → the service's domain inputs. */
import type { Argument, DirectoryArgument, FileArgument } from '../../gen/flowserv/remote/v1/argument.js';
import type { CreateWorkflowRequest } from '../../gen/flowserv/remote/v1/service.js';
import type { EngineResources } from '../../gen/flowserv/remote/v1/workflow.js';
import type { JobResources } from '../../engines/types.js';
import { ViolationReason, type FieldViolation } from '../../errors.js';
import type { CreateWorkflowInput, RunArgument } from '../../service/types.js';
import { optionalDurationMs } from '../../wire/duration.js';
import { templateToDoc } from './template.js';

/** flowServ's file handle `{type: '$file', value: {fileId, targetPath?}}`. */
function fileHandle(f: FileArgument): unknown {
  return { type: '$file', value: { fileId: f.sha256, ...(f.targetPath !== undefined && { targetPath: f.targetPath }) } };
}

/** The service's folder handle `{type: '$dir', value: {targetPath, entries: [{path, fileId}]}}`. */
function directoryHandle(d: DirectoryArgument): unknown {
  return { type: '$dir', value: { targetPath: d.targetPath, entries: d.entries.map((e) => ({ path: e.path, fileId: e.sha256 })) } };
}

/**
 * One argument in flowServ's submitted form: file handles as `{type: '$file', value: {fileId,
 * targetPath}}`, folders as `{type: '$dir', …}`, actor values as `{spec, files: [handles]}`.
 * Undefined when the argument carries no value at all.
 */
export function argumentToDomain(arg: Argument): RunArgument | undefined {
  const kind = arg.kind;
  switch (kind?.$case) {
    case 'value':
      return { name: arg.name, value: kind.value ?? null };
    case 'file':
      return { name: arg.name, value: fileHandle(kind.value) };
    case 'directory':
      return { name: arg.name, value: directoryHandle(kind.value) };
    case 'actor':
      return {
        name: arg.name,
        value: { spec: kind.value.spec ?? {}, files: [...kind.value.files.map(fileHandle), ...kind.value.directories.map(directoryHandle)] },
      };
    default:
      return undefined;
  }
}

function resourcesToDomain(r: EngineResources | undefined): JobResources | undefined {
  if (!r) return undefined;
  const timeLimitMs = optionalDurationMs(r.timeLimit);
  const resources: JobResources = {
    ...(r.partition && { partition: r.partition }),
    ...(timeLimitMs !== undefined && timeLimitMs > 0 && { timeLimitMinutes: Math.ceil(timeLimitMs / 60_000) }),
    ...(r.cpus > 0 && { cpus: r.cpus }),
    ...(r.memoryMb > 0 && { memoryMb: r.memoryMb }),
    ...(r.extraArgs.length > 0 && { extraArgs: [...r.extraArgs] }),
  };
  return Object.keys(resources).length > 0 ? resources : undefined;
}

/**
 * CreateWorkflowRequest → CreateWorkflowInput. A missing run and arguments without a value are
 * carried as `violations` (those arguments left out), so that the service reports them together
 * with every other problem of the request.
 */
export function createRequestToDomain(req: CreateWorkflowRequest): CreateWorkflowInput {
  const violations: FieldViolation[] = [];
  if (!req.run) violations.push({ field: 'run', description: 'run with a run_id is required', reason: ViolationReason.MISSING_RUN });
  const args: RunArgument[] = [];
  req.arguments.forEach((arg, index) => {
    const mapped = argumentToDomain(arg);
    if (mapped) args.push(mapped);
    else {
      violations.push({
        field: arg.name ? `arguments.${arg.name}` : `arguments[${index}]`,
        description: `argument '${arg.name}' has no value: set one of Argument.value, file, directory or actor`,
        reason: ViolationReason.MISSING_VALUE,
      });
    }
  });
  const resources = resourcesToDomain(req.resources);
  return {
    run: {
      runId: req.run?.runId ?? '',
      ...(req.run?.workflowId && { flowservWorkflowId: req.run.workflowId }),
      ...(req.run?.groupId && { groupId: req.run.groupId }),
    },
    template: templateToDoc(req.template),
    arguments: args,
    ...(violations.length > 0 && { violations }),
    staticFiles: req.staticFiles.map((f) => ({ path: f.path, sha256: f.sha256 })),
    ...(req.engine && { engine: req.engine }),
    labels: { ...req.labels },
    ...(req.requestId && { requestId: req.requestId }),
    ...(resources && { resources }),
  };
}
