/** Parameter groups for display: `{name, title, index}`, all mandatory, nothing else allowed. */
import { InvalidTemplateError } from '../errors.js';
import { isPlainObject } from '../values.js';
import { validateDoc } from './validate-doc.js';

/** A named, ordered group of parameters (display only). */
export interface ParameterGroup {
  readonly name: string;
  readonly title: string;
  readonly index: number;
}

/** Parses one group document; errors are InvalidTemplateError at `field`. */
export function parseParameterGroup(doc: unknown, field?: string): ParameterGroup {
  if (!isPlainObject(doc)) throw new InvalidTemplateError('parameter group must be an object', field);
  validateDoc(doc, ['name', 'title', 'index'], [], (m, f) => new InvalidTemplateError(m, f), field);
  if (typeof doc.name !== 'string' || typeof doc.title !== 'string' || typeof doc.index !== 'number') {
    throw new InvalidTemplateError('parameter group needs a string name and title and a numeric index', field);
  }
  return { name: doc.name, title: doc.title, index: doc.index };
}
