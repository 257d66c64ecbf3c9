/**
 * The serial workflow spec under a template's `workflow` key (FLOWSERV.md §7.1): optional
 * `files`, `parameters` (the run context) and the ordered `steps`. Parsed and checked
 * statically here; arguments are applied by buildSerialJob.
 */
import { ErrorCollector, InvalidTemplateError } from '../errors.js';
import { validateDoc } from '../parameters/validate-doc.js';
import { isPlainObject } from '../values.js';

/** Input/output file lists (relative paths; may contain whole `$[[..]]` references). */
export interface FileLists {
  readonly inputs: readonly unknown[];
  readonly outputs: readonly unknown[];
}

/** One step before arguments are applied; `action` is a dict or an actor reference `$[[p]]`. */
export interface StepSpec {
  readonly name: string;
  readonly action: Readonly<Record<string, unknown>> | string;
  readonly files: FileLists;
  /** Field path of the step, e.g. `template.workflow.steps[0]`. */
  readonly field: string;
}

/** A parsed serial workflow spec. */
export interface SerialWorkflowSpec {
  readonly files: FileLists | null;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly steps: readonly StepSpec[];
}

function fileLists(value: unknown, field: string): FileLists {
  if (value === undefined || value === null) return { inputs: [], outputs: [] };
  if (!isPlainObject(value)) throw new InvalidTemplateError("'files' must be an object", field);
  const list = (key: string): unknown[] => {
    const v = value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new InvalidTemplateError(`'${key}' must be a list`, `${field}.${key}`);
    return v;
  };
  return { inputs: list('inputs'), outputs: list('outputs') };
}

/**
 * Parses the serial spec. Every structural problem is collected (a step without `name` or
 * `action`, wrong types) and thrown as one ModelValidationError. Legacy REANA-style specs
 * simply have no `steps` and parse to zero steps.
 */
export function parseSerialSpec(spec: Readonly<Record<string, unknown>>, field = 'template.workflow'): SerialWorkflowSpec {
  const errors = new ErrorCollector();
  const files = spec.files === undefined ? null : (errors.attempt(() => fileLists(spec.files, `${field}.files`)) ?? null);
  let parameters: Record<string, unknown> = {};
  if (spec.parameters !== undefined && spec.parameters !== null) {
    if (isPlainObject(spec.parameters)) parameters = spec.parameters;
    else errors.add(new InvalidTemplateError("'parameters' must be an object", `${field}.parameters`));
  }
  const steps: StepSpec[] = [];
  const rawSteps = spec.steps ?? [];
  if (!Array.isArray(rawSteps)) errors.add(new InvalidTemplateError("'steps' must be a list", `${field}.steps`));
  else {
    rawSteps.forEach((raw: unknown, i) => {
      const f = `${field}.steps[${i}]`;
      const step = errors.attempt(() => parseStep(raw, f));
      if (step !== undefined) steps.push(step);
    });
  }
  errors.throwIfAny();
  return { files, parameters, steps };
}

function parseStep(raw: unknown, field: string): StepSpec {
  const fail = (m: string, f?: string) => new InvalidTemplateError(m, f);
  if (!isPlainObject(raw)) throw fail('step must be an object', field);
  validateDoc(raw, ['name', 'action'], undefined, fail, field);
  if (typeof raw.name !== 'string' || raw.name === '') throw fail("'name' must be a non-empty string", `${field}.name`);
  const action = raw.action;
  if (typeof action !== 'string' && !isPlainObject(action)) {
    throw fail('invalid action specification: expected an object or a $[[parameter]] reference', `${field}.action`);
  }
  return { name: raw.name, action, files: fileLists(raw.files, `${field}.files`), field };
}
