/**
 * Workflow templates (FLOWSERV.md §6.1): the engine-specific `workflow` spec plus parameter
 * declarations, groups, outputs, post-processing and result schema. Parsing reports every
 * problem it finds at once, each with a field path under `template.`.
 */
import { ErrorCollector, InvalidTemplateError, UnknownParameterError } from '../errors.js';
import { parseParameterGroup, type ParameterGroup } from '../parameters/group.js';
import { ParameterIndex, parseParameterIndex } from '../parameters/parameter-index.js';
import { validateDoc } from '../parameters/validate-doc.js';
import { isPlainObject } from '../values.js';
import { outputFileToDict, parseOutputFile, type WorkflowOutputFile } from './outputs.js';
import { parsePostProcessing, type PostProcessingSpec } from './postproc.js';
import { findReferences } from './references.js';
import { parseResultSchema, type ResultSchema } from './result-schema.js';

/** A parsed, validated template. */
export interface WorkflowTemplate {
  /** The engine-specific spec (for the serial engine see src/model/serial). */
  readonly workflowSpec: Readonly<Record<string, unknown>>;
  readonly parameters: ParameterIndex;
  readonly parameterGroups: readonly ParameterGroup[] | null;
  /** Declared output files; null when the template has no `outputs` section. */
  readonly outputs: readonly WorkflowOutputFile[] | null;
  readonly postproc: PostProcessingSpec | null;
  readonly results: ResultSchema | null;
}

/** Options of {@link parseTemplate}. */
export interface ParseTemplateOptions {
  /** flowServ `validate`: check keys and references (default true). */
  readonly validate?: boolean;
  /** Field path prefix of the document (default `template`). */
  readonly field?: string;
}

const TOP_LEVEL_OPTIONAL = ['parameters', 'parameterGroups', 'outputs', 'postproc', 'results'];

/**
 * Parses a template document. Throws ModelValidationError listing every problem: a missing
 * `workflow` (InvalidTemplateError "missing element 'workflow'"), broken declarations
 * (InvalidParameterError), duplicate parameters, references `$[[x]]` to undeclared names
 * (UnknownParameterError at the path of the referencing string), bad outputs, groups,
 * postproc or results (InvalidTemplateError).
 */
export function parseTemplate(doc: unknown, options: ParseTemplateOptions = {}): WorkflowTemplate {
  const base = options.field ?? 'template';
  const validate = options.validate !== false;
  const errors = new ErrorCollector();
  if (!isPlainObject(doc)) {
    errors.add(new InvalidTemplateError('template must be an object', base));
    errors.throwIfAny();
  }
  const d = doc as Record<string, unknown>;
  errors.attempt(() => {
    if (validate) validateDoc(d, ['workflow'], TOP_LEVEL_OPTIONAL, (m, f) => new InvalidTemplateError(m, f), base);
    else if (!('workflow' in d)) throw new InvalidTemplateError("missing element 'workflow'", `${base}.workflow`);
  });
  const workflowSpec = isPlainObject(d.workflow) ? d.workflow : {};
  if ('workflow' in d && !isPlainObject(d.workflow)) {
    errors.add(new InvalidTemplateError("'workflow' must be an object", `${base}.workflow`));
  }
  const parameters =
    errors.attempt(() => parseParameterIndex(d.parameters, { validate, field: `${base}.parameters` })) ?? new ParameterIndex();
  if (validate && errors.errors.length === 0) {
    errors.attempt(() => {
      for (const ref of findReferences(workflowSpec, `${base}.workflow`)) {
        if (!parameters.has(ref.name)) errors.add(new UnknownParameterError(ref.name, ref.field));
      }
    });
  }
  const parameterGroups = optionalList(d.parameterGroups, `${base}.parameterGroups`, errors, parseParameterGroup);
  const outputs = optionalList(d.outputs, `${base}.outputs`, errors, parseOutputFile);
  const postproc = d.postproc == null ? null : (errors.attempt(() => parsePostProcessing(d.postproc, `${base}.postproc`)) ?? null);
  const results = d.results == null ? null : (errors.attempt(() => parseResultSchema(d.results, `${base}.results`)) ?? null);
  errors.throwIfAny();
  return { workflowSpec, parameters, parameterGroups, outputs, postproc, results };
}

function optionalList<T>(
  value: unknown,
  field: string,
  errors: ErrorCollector,
  parse: (doc: unknown, field: string) => T,
): T[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) {
    errors.add(new InvalidTemplateError('must be a list', field));
    return null;
  }
  return value.flatMap((v: unknown, i) => {
    const parsed = errors.attempt(() => parse(v, `${field}[${i}]`));
    return parsed === undefined ? [] : [parsed];
  });
}

/**
 * Serializes a template. Unlike flowServ's `to_dict()` (FLOWSERV.md §12.9) the `outputs`
 * section is kept, so a round trip loses nothing.
 */
export function templateToDict(template: WorkflowTemplate): Record<string, unknown> {
  const doc: Record<string, unknown> = { workflow: template.workflowSpec, parameters: template.parameters.toDict() };
  if (template.parameterGroups !== null) doc.parameterGroups = template.parameterGroups.map((g) => ({ ...g }));
  if (template.outputs !== null) doc.outputs = template.outputs.map(outputFileToDict);
  if (template.postproc !== null) doc.postproc = template.postproc;
  if (template.results !== null) {
    const r = template.results;
    doc.results = { file: r.file, schema: r.columns.map((c) => ({ ...c })), orderBy: r.orderBy.map((s) => ({ ...s })) };
  }
  return doc;
}
