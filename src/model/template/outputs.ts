/**
 * The template's `outputs` section: result files shown to users (FLOWSERV.md §6.1). `key`
 * defaults to `source`; when the section exists its sources are the run's result files.
 */
import { InvalidTemplateError } from '../errors.js';
import { isPlainObject } from '../values.js';
import { validateDoc } from '../parameters/validate-doc.js';

/** One declared output file. */
export interface WorkflowOutputFile {
  readonly source: string;
  readonly key: string;
  readonly title?: string;
  readonly caption?: string;
  readonly format?: unknown;
  readonly widget?: unknown;
}

const OPTIONAL = ['key', 'title', 'caption', 'format', 'widget'];

/** Parses one output entry; unknown keys and a missing `source` are InvalidTemplateError. */
export function parseOutputFile(doc: unknown, field: string): WorkflowOutputFile {
  if (!isPlainObject(doc)) throw new InvalidTemplateError('output must be an object', field);
  validateDoc(doc, ['source'], OPTIONAL, (m, f) => new InvalidTemplateError(m, f), field);
  if (typeof doc.source !== 'string' || doc.source === '') throw new InvalidTemplateError("'source' must be a non-empty string", `${field}.source`);
  const out: { -readonly [K in keyof WorkflowOutputFile]: WorkflowOutputFile[K] } = {
    source: doc.source,
    key: typeof doc.key === 'string' ? doc.key : doc.source,
  };
  if (doc.title !== undefined && doc.title !== null) out.title = String(doc.title);
  if (doc.caption !== undefined && doc.caption !== null) out.caption = String(doc.caption);
  if (doc.format !== undefined) out.format = doc.format;
  if (doc.widget !== undefined) out.widget = doc.widget;
  return out;
}

/** Serializes an output entry (key always written). */
export function outputFileToDict(out: WorkflowOutputFile): Record<string, unknown> {
  return { ...out };
}
