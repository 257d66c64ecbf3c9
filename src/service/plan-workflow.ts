/**
 * The bridge from a CreateWorkflow request to the model library: parse the flowServ template,
 * cast the arguments, expand the serial spec into concrete steps, and list every file to stage.
 * Every model error becomes one field violation of a single INVALID_ARGUMENT, so a caller sees
 * all problems of a request at once; path problems (absolute, `..`, clashes) are reported the
 * same way, before anything touches the disk.
 */
import { InvalidArgumentError, ViolationReason, type FieldViolation } from '../errors.js';
import { ModelError, ModelValidationError } from '../model/errors.js';
import { buildSerialJob, type SerialJob } from '../model/serial/build-job.js';
import { castArgumentsCollecting } from '../model/template/arguments.js';
import { parseTemplate } from '../model/template/template.js';
import type { ArgumentFolder } from '../model/index.js';
import { applyReplacements, checkRelativePath, findTargetConflicts, type StagedFile } from './staging.js';
import type { CreateWorkflowInput, PlanWorkflow, WorkflowPlan } from './types.js';

/** Settings of the planner. */
export interface PlannerOptions {
  /** Value of `${python}` in commands (flowServ: the interpreter running flowServ). Default `python3`. */
  readonly python?: string;
  /** Value of `${java}` in commands. Default `java`. */
  readonly java?: string;
  /** Most entries one folder argument may carry. Default 10000. */
  readonly maxDirectoryEntries?: number;
}

/** Default of PlannerOptions.maxDirectoryEntries. */
export const DEFAULT_MAX_DIRECTORY_ENTRIES = 10_000;

function toViolations(errors: readonly ModelError[]): FieldViolation[] {
  return errors.map((e) => ({ field: e.field ?? '', description: e.message, reason: e.code }));
}

const flatten = (err: ModelError): readonly ModelError[] => (err instanceof ModelValidationError ? err.errors : [err]);

/**
 * Parses, casts and expands with every problem collected: arguments that fail their cast are
 * reported, and the workflow is still expanded with the others so that template problems (a
 * zero-step workflow, an unknown variable) are reported in the same answer. Expansion errors
 * about an argument already reported are dropped (its cast failure is the cause).
 */
function expand(input: CreateWorkflowInput, options: PlannerOptions): { job: SerialJob | undefined; errors: ModelError[] } {
  const errors: ModelError[] = [];
  const collect = (err: unknown): void => {
    if (!(err instanceof ModelError)) throw err;
    const reported = new Set(errors.map((e) => e.field));
    errors.push(...flatten(err).filter((e) => !(e.field?.startsWith('arguments.') && reported.has(e.field))));
  };
  let template;
  try {
    template = parseTemplate(input.template);
  } catch (err) {
    collect(err);
    return { job: undefined, errors };
  }
  const cast = castArgumentsCollecting(template, input.arguments);
  errors.push(...cast.errors);
  try {
    const job = buildSerialJob(template, cast.values, { ...(options.python && { python: options.python }), ...(options.java && { java: options.java }) });
    return { job, errors };
  } catch (err) {
    collect(err);
    return { job: undefined, errors };
  }
}

/** The field of a violation about a staged file: its argument's name, else its static file entry. */
function fieldOf(f: StagedFile, staticFiles: readonly StagedFile[]): string {
  return f.argument !== undefined ? `arguments.${f.argument}` : `static_files[${staticFiles.indexOf(f)}].path`;
}

function checkPaths(staticFiles: readonly StagedFile[], argumentFiles: readonly StagedFile[], outputs: readonly string[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  for (const f of [...staticFiles, ...argumentFiles]) {
    const problem = checkRelativePath(f.target);
    if (problem) violations.push({ field: fieldOf(f, staticFiles), description: `${problem}: '${f.target}'`, reason: ViolationReason.INVALID_PATH });
  }
  if (violations.length === 0) {
    const files = applyReplacements(staticFiles, argumentFiles);
    const owner = new Map<string, StagedFile>();
    for (const f of files) if (!owner.has(f.target) || f.argument !== undefined) owner.set(f.target, f);
    for (const [target, message] of findTargetConflicts(files)) {
      violations.push({ field: fieldOf(owner.get(target)!, staticFiles), description: message, reason: ViolationReason.PATH_CONFLICT });
    }
  }
  outputs.forEach((key, i) => {
    const problem = checkRelativePath(key);
    if (problem) violations.push({ field: `template.outputs[${i}]`, description: `${problem}: '${key}'`, reason: ViolationReason.INVALID_PATH });
  });
  return violations;
}

function checkFolders(folders: readonly ArgumentFolder[], files: readonly StagedFile[], maxEntries: number): FieldViolation[] {
  const violations: FieldViolation[] = [];
  for (const folder of folders) {
    const problem = checkRelativePath(folder.target);
    if (problem) violations.push({ field: `arguments.${folder.parameter}`, description: `${problem}: folder '${folder.target}'`, reason: ViolationReason.INVALID_PATH });
    const count = files.filter((f) => f.argument === folder.parameter && f.folder === folder.target).length;
    if (count > maxEntries) {
      violations.push({
        field: `arguments.${folder.parameter}`,
        description: `folder '${folder.target}' has ${count} entries; at most ${maxEntries} are allowed`,
        reason: ViolationReason.DIRECTORY_TOO_LARGE,
      });
    }
  }
  return violations;
}

/** Creates the planner the service uses. */
export function createPlanner(options: PlannerOptions = {}): PlanWorkflow {
  return (input: CreateWorkflowInput): WorkflowPlan => {
    const { job, errors } = expand(input, options);
    if (job === undefined) throw new InvalidArgumentError('invalid workflow template or arguments', toViolations(errors));
    const staticFiles: StagedFile[] = input.staticFiles.map((f) => ({ target: f.path, sha256: f.sha256 }));
    const argumentFiles: StagedFile[] = job.inputFiles.map(({ parameter, file, folder }) => ({
      target: file.target,
      sha256: file.source,
      argument: parameter,
      ...(folder !== undefined && { folder }),
    }));
    // A folder whose own target is bad is reported once, not once more per entry.
    const badFolders = new Set(job.inputFolders.filter((d) => checkRelativePath(d.target) !== undefined).map((d) => d.target));
    const violations = [
      ...toViolations(errors),
      ...checkFolders(job.inputFolders, argumentFiles, options.maxDirectoryEntries ?? DEFAULT_MAX_DIRECTORY_ENTRIES),
      ...checkPaths(staticFiles, argumentFiles.filter((f) => f.folder === undefined || !badFolders.has(f.folder)), job.outputs),
    ];
    const outputDirs = job.steps.flatMap((s) => s.outputs.map((o) => (o.endsWith('/') ? o.slice(0, -1) : o.split('/').slice(0, -1).join('/'))));
    const directories = [...job.inputFolders.map((d) => d.target), ...outputDirs];
    if (violations.length > 0) throw new InvalidArgumentError('invalid workflow template, arguments or file paths', violations);
    return {
      steps: job.steps.map((s) => ({ name: s.name, environment: s.environment, commands: [...s.commands], env: { ...s.env } })),
      outputFiles: [...job.outputs],
      files: applyReplacements(staticFiles, argumentFiles),
      directories: [...new Set(directories.filter((d) => d !== '' && checkRelativePath(d) === undefined))],
    };
  };
}
