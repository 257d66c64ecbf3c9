/**
 * The bridge from a CreateWorkflow request to the model library: parse the flowServ template,
 * cast the arguments, expand the serial spec into concrete steps, and list every file to stage.
 * Every model error becomes one field violation of a single INVALID_ARGUMENT, so a caller sees
 * all problems of a request at once; path problems (absolute, `..`, clashes) are reported the
 * same way, before anything touches the disk.
 */
import { InvalidArgumentError, type FieldViolation } from '../errors.js';
import { ModelError, ModelValidationError } from '../model/errors.js';
import { buildSerialJob } from '../model/serial/build-job.js';
import { castArguments } from '../model/template/arguments.js';
import { parseTemplate } from '../model/template/template.js';
import { checkRelativePath, findTargetConflicts, type StagedFile } from './staging.js';
import type { CreateWorkflowInput, PlanWorkflow, WorkflowPlan } from './types.js';

/** Settings of the planner. */
export interface PlannerOptions {
  /** Value of `${python}` in commands (flowServ: the interpreter running flowServ). Default `python3`. */
  readonly python?: string;
  /** Value of `${java}` in commands. Default `java`. */
  readonly java?: string;
}

function toViolations(err: ModelError): FieldViolation[] {
  const errors = err instanceof ModelValidationError ? err.errors : [err];
  return errors.map((e) => ({ field: e.field ?? '', description: e.message, reason: e.code }));
}

function checkPaths(files: readonly StagedFile[], fieldOf: (f: StagedFile, i: number) => string, outputs: readonly string[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  files.forEach((f, i) => {
    const problem = checkRelativePath(f.target);
    if (problem) violations.push({ field: fieldOf(f, i), description: `${problem}: '${f.target}'`, reason: 'INVALID_PATH' });
  });
  if (violations.length === 0) {
    for (const [target, message] of findTargetConflicts(files)) violations.push({ field: `files.${target}`, description: message, reason: 'PATH_CONFLICT' });
  }
  outputs.forEach((key, i) => {
    const problem = checkRelativePath(key);
    if (problem) violations.push({ field: `template.outputs[${i}]`, description: `${problem}: '${key}'`, reason: 'INVALID_PATH' });
  });
  return violations;
}

/** Creates the planner the service uses. */
export function createPlanner(options: PlannerOptions = {}): PlanWorkflow {
  return (input: CreateWorkflowInput): WorkflowPlan => {
    let job;
    try {
      const template = parseTemplate(input.template);
      const args = castArguments(template, input.arguments);
      job = buildSerialJob(template, args, { ...(options.python && { python: options.python }), ...(options.java && { java: options.java }) });
    } catch (err) {
      if (err instanceof ModelError) throw new InvalidArgumentError('invalid workflow template or arguments', toViolations(err));
      throw err;
    }
    const staticFiles: StagedFile[] = input.staticFiles.map((f) => ({ target: f.path, sha256: f.sha256 }));
    const argumentFiles: StagedFile[] = job.inputFiles.map((f) => ({ target: f.target, sha256: f.source }));
    const files = [...staticFiles, ...argumentFiles];
    const violations = checkPaths(
      files,
      (f, i) => (i < staticFiles.length ? `static_files[${i}].path` : `arguments.${f.target}`),
      job.outputs,
    );
    const directories = job.steps.flatMap((s) => s.outputs.map((o) => (o.endsWith('/') ? o.slice(0, -1) : o.split('/').slice(0, -1).join('/'))));
    if (violations.length > 0) throw new InvalidArgumentError('invalid file paths', violations);
    return {
      steps: job.steps.map((s) => ({ name: s.name, environment: s.environment, commands: [...s.commands], env: { ...s.env } })),
      outputFiles: [...job.outputs],
      files,
      directories: [...new Set(directories.filter((d) => d !== '' && checkRelativePath(d) === undefined))],
    };
  };
}
