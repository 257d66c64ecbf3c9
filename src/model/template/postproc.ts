/** The template's `postproc` section: a post-processing workflow over ranked runs (§6.5). */
import { InvalidTemplateError } from '../errors.js';
import { validateDoc } from '../parameters/validate-doc.js';
import { isPlainObject } from '../values.js';
import { parseOutputFile, type WorkflowOutputFile } from './outputs.js';

/** Parsed post-processing spec; `workflow` is engine-specific and kept as given. */
export interface PostProcessingSpec {
  readonly workflow: Readonly<Record<string, unknown>>;
  readonly inputs?: { readonly files: readonly string[]; readonly runs?: string };
  readonly outputs?: readonly WorkflowOutputFile[];
}

/** Parses `postproc`; structural problems are InvalidTemplateError at `template.postproc...`. */
export function parsePostProcessing(doc: unknown, field = 'template.postproc'): PostProcessingSpec {
  const fail = (m: string, f?: string) => new InvalidTemplateError(m, f);
  if (!isPlainObject(doc)) throw fail('postproc must be an object', field);
  validateDoc(doc, ['workflow'], ['inputs', 'outputs'], fail, field);
  if (!isPlainObject(doc.workflow)) throw fail("'workflow' must be an object", `${field}.workflow`);
  const spec: { -readonly [K in keyof PostProcessingSpec]: PostProcessingSpec[K] } = { workflow: doc.workflow };
  if (doc.inputs !== undefined) {
    const inputs = doc.inputs;
    if (!isPlainObject(inputs)) throw fail("'inputs' must be an object", `${field}.inputs`);
    validateDoc(inputs, ['files'], ['runs'], fail, `${field}.inputs`);
    if (!Array.isArray(inputs.files) || !inputs.files.every((f) => typeof f === 'string')) {
      throw fail("'files' must be a list of strings", `${field}.inputs.files`);
    }
    spec.inputs = inputs.runs === undefined ? { files: inputs.files } : { files: inputs.files, runs: String(inputs.runs) };
  }
  if (doc.outputs !== undefined) {
    if (!Array.isArray(doc.outputs)) throw fail("'outputs' must be a list", `${field}.outputs`);
    spec.outputs = doc.outputs.map((o: unknown, i) => parseOutputFile(o, `${field}.outputs[${i}]`));
  }
  return spec;
}
