/**
 * Turns a serial template plus cast arguments into the concrete job the engines run: the run
 * context (`workflow.parameters` with `$[[..]]` expanded), each step's fully expanded command
 * lines, the result files and the files to stage. Everything that would make flowServ fail at
 * run time (zero steps, bad placeholders, unknown `$var`, unsupported actions) is a typed error
 * here, so the service can refuse the workflow at create time.
 */
import { EmptyWorkflowError, ErrorCollector, InvalidArgumentError, MissingArgumentError } from '../errors.js';
import { renderPythonValue } from '../python/render.js';
import { replaceArgs, type ArgumentValues } from '../template/references.js';
import type { WorkflowTemplate } from '../template/template.js';
import { ActorValue, InputDirectory, InputFile, isPlainObject, type PyValue } from '../values.js';
import { parseContainerAction } from './action.js';
import { parseSerialSpec, type FileLists, type StepSpec } from './spec.js';
import { expandCommand } from './string-template.js';

/** Options of {@link buildSerialJob}. */
export interface SerialJobOptions {
  /** Value of `${python}` in commands; default `python3`. */
  readonly python?: string;
  /** Value of `${java}` in commands; default `java`. */
  readonly java?: string;
  /** Further fixed worker variables; they win over the context and over python/java. */
  readonly variables?: Readonly<Record<string, string>>;
}

/** One expanded step, ready for an engine. */
export interface SerialJobStep {
  readonly name: string;
  /** Container image or label; recorded, not used by host engines. */
  readonly environment: string;
  /** Final shell command lines. */
  readonly commands: readonly string[];
  /** Step environment (empty: inherit the engine's environment). */
  readonly env: Readonly<Record<string, string>>;
  /** The step's declared input and output paths (outputs' parent folders should exist). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** A file an argument places in the run directory, with the parameter it came from. */
export interface ArgumentFile {
  /** Name of the argument (parameter) that brought the file. */
  readonly parameter: string;
  readonly file: InputFile;
  /** The target folder of the folder argument (InputDirectory) the file belongs to, if any. */
  readonly folder?: string;
}

/** A folder an argument places in the run directory (created even when it has no entries). */
export interface ArgumentFolder {
  readonly parameter: string;
  readonly target: string;
}

/** The job derived from a template and arguments. */
export interface SerialJob {
  readonly steps: readonly SerialJobStep[];
  /** Result files: the template's `outputs` sources if declared, else `workflow.files.outputs`. */
  readonly outputs: readonly string[];
  /** The run context: expanded `workflow.parameters`. */
  readonly context: Readonly<Record<string, PyValue>>;
  /** Files to stage in the run directory: file arguments (folders expanded), then actor files. */
  readonly inputFiles: readonly ArgumentFile[];
  /** Target folders of folder arguments (InputDirectory), file arguments' and actors' alike. */
  readonly inputFolders: readonly ArgumentFolder[];
}

/**
 * Builds the serial job. Actor steps (`action: $[[p]]`) take the spec of p's ActorValue; they
 * are skipped when p has no argument and is not required (flowServ's rule, even with a
 * default). Throws ModelValidationError listing every problem; an empty result is
 * EmptyWorkflowError.
 */
export function buildSerialJob(
  template: WorkflowTemplate,
  args: ArgumentValues,
  options: SerialJobOptions = {},
): SerialJob {
  const errors = new ErrorCollector();
  const spec = parseSerialSpec(template.workflowSpec);
  const params = template.parameters;
  const context =
    (errors.attempt(() => replaceArgs(spec.parameters, args, params, 'template.workflow.parameters')) as
      | Record<string, PyValue>
      | undefined) ?? {};
  const variables = { python: options.python ?? 'python3', java: options.java ?? 'java', ...options.variables };
  const inputFiles: ArgumentFile[] = [];
  const inputFolders: ArgumentFolder[] = [];
  for (const [name, value] of Object.entries(args)) collectFiles(name, value, inputFiles, inputFolders);
  const steps: SerialJobStep[] = [];
  for (const step of spec.steps) {
    const action = errors.attempt(() => resolveAction(step, template, args));
    if (action === undefined || action === null) continue;
    if (action.files) collectFiles(action.parameter!, [...action.files], inputFiles, inputFolders);
    const container = errors.attempt(() => parseContainerAction(action.spec, action.field));
    if (container === undefined) continue;
    const commands = container.commands.flatMap((cmd, j) => {
      const out = errors.attempt(() => expandCommand(cmd, context, variables, `${action.field}.commands[${j}]`));
      return out === undefined ? [] : [out];
    });
    const files = errors.attempt(() => expandFiles(step.files, args, template, `${step.field}.files`)) ?? { inputs: [], outputs: [] };
    steps.push({ name: step.name, environment: container.environment, commands, env: container.env, ...files });
  }
  // A workflow that declares no step is empty whatever else is wrong; one whose steps all failed
  // to build is not reported as empty on top of those failures.
  if (steps.length === 0 && (spec.steps.length === 0 || errors.errors.length === 0)) {
    const legacy = 'specification' in template.workflowSpec || 'type' in template.workflowSpec;
    errors.add(new EmptyWorkflowError(legacy ? 'workflow has no steps (the legacy serial format is not supported)' : 'workflow has no steps'));
  }
  const declared = spec.files === null ? { inputs: [], outputs: [] } : (errors.attempt(() => expandFiles(spec.files!, args, template, 'template.workflow.files')) ?? { inputs: [], outputs: [] });
  errors.throwIfAny();
  const outputs = template.outputs !== null ? template.outputs.map((o) => o.source) : declared.outputs;
  return { steps, outputs, context, inputFiles, inputFolders };
}

interface ResolvedAction {
  readonly spec: Readonly<Record<string, unknown>>;
  readonly field: string;
  readonly files?: readonly (InputFile | InputDirectory)[];
  /** The actor parameter the action came from. */
  readonly parameter?: string;
}

function resolveAction(step: StepSpec, template: WorkflowTemplate, args: ArgumentValues): ResolvedAction | null {
  if (typeof step.action !== 'string') return { spec: step.action, field: `${step.field}.action` };
  const ref = step.action.trim();
  const name = ref.startsWith('$[[') && ref.endsWith(']]') ? ref.slice(3, -2).trim() : ref;
  const field = `arguments.${name}`;
  if (!Object.prototype.hasOwnProperty.call(args, name)) {
    const para = template.parameters.get(name);
    if (para !== undefined && !para.isRequired) return null;
    throw new MissingArgumentError(name, field);
  }
  const value = args[name];
  if (!(value instanceof ActorValue)) throw new InvalidArgumentError(`invalid actor value '${renderPythonValue(value)}'`, field);
  if (!isPlainObject(value.spec)) throw new InvalidArgumentError('actor spec must be an object', field);
  return { spec: value.spec, field: `${field}.spec`, files: value.files, parameter: name };
}

function expandFiles(files: FileLists, args: ArgumentValues, template: WorkflowTemplate, field: string) {
  const render = (list: readonly unknown[], key: string): string[] =>
    (replaceArgs(list, args, template.parameters, `${field}.${key}`) as unknown[])
      .filter((v) => v !== null && v !== undefined)
      .map((v) => renderPythonValue(v));
  return { inputs: render(files.inputs, 'inputs'), outputs: render(files.outputs, 'outputs') };
}

function collectFiles(parameter: string, value: unknown, files: ArgumentFile[], folders: ArgumentFolder[]): void {
  const visit = (v: unknown): void => {
    if (v instanceof InputFile) files.push({ parameter, file: v });
    else if (v instanceof InputDirectory) {
      folders.push({ parameter, target: v.target });
      for (const file of v.files()) files.push({ parameter, file, folder: v.target });
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (isPlainObject(v)) Object.values(v).forEach(visit);
  };
  visit(value);
}
