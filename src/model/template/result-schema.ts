/**
 * The template's `results` section (FLOWSERV.md §6.4): which JSON file holds a run's results
 * and which columns to read from it for rankings.
 */
import { InvalidTemplateError } from '../errors.js';
import { validateDoc } from '../parameters/validate-doc.js';
import { isPlainObject } from '../values.js';

/** One result column. `path` is `/`-separated inside the result JSON; defaults to the name. */
export interface ResultColumn {
  readonly name: string;
  readonly label: string;
  readonly dtype: 'float' | 'int' | 'string';
  readonly path?: string;
  readonly required: boolean;
}

/** A sort key of the ranking. */
export interface SortColumn {
  readonly name: string;
  readonly sortDesc: boolean;
}

/** The parsed result schema; orderBy defaults to the first column, descending. */
export interface ResultSchema {
  readonly file: string;
  readonly columns: readonly ResultColumn[];
  readonly orderBy: readonly SortColumn[];
}

/** Parses `results`; every problem is InvalidTemplateError (flowServ's choice too). */
export function parseResultSchema(doc: unknown, field = 'template.results'): ResultSchema {
  const fail = (m: string, f?: string) => new InvalidTemplateError(m, f);
  if (!isPlainObject(doc)) throw fail('results must be an object', field);
  validateDoc(doc, ['file', 'schema'], ['orderBy'], fail, field);
  if (typeof doc.file !== 'string') throw fail("'file' must be a string", `${field}.file`);
  if (!Array.isArray(doc.schema)) throw fail("'schema' must be a list", `${field}.schema`);
  const names = new Set<string>();
  const labels = new Set<string>();
  const columns = doc.schema.map((c: unknown, i): ResultColumn => {
    const f = `${field}.schema[${i}]`;
    if (!isPlainObject(c)) throw fail('column must be an object', f);
    validateDoc(c, ['name', 'label', 'dtype'], ['path', 'required'], fail, f);
    if (c.dtype !== 'float' && c.dtype !== 'int' && c.dtype !== 'string') throw fail(`invalid type '${String(c.dtype)}'`, `${f}.dtype`);
    const name = String(c.name);
    const label = String(c.label);
    if (names.has(name)) throw fail(`duplicate column name '${name}'`, `${f}.name`);
    if (labels.has(label)) throw fail(`duplicate column label '${label}'`, `${f}.label`);
    names.add(name);
    labels.add(label);
    const col: ResultColumn = { name, label, dtype: c.dtype, required: c.required === undefined ? true : Boolean(c.required) };
    return c.path === undefined || c.path === null ? col : { ...col, path: String(c.path) };
  });
  let orderBy: SortColumn[];
  if (doc.orderBy === undefined || doc.orderBy === null) {
    orderBy = columns.length > 0 ? [{ name: columns[0]!.name, sortDesc: true }] : [];
  } else {
    if (!Array.isArray(doc.orderBy)) throw fail("'orderBy' must be a list", `${field}.orderBy`);
    orderBy = doc.orderBy.map((s: unknown, i) => {
      const f = `${field}.orderBy[${i}]`;
      if (!isPlainObject(s)) throw fail('sort column must be an object', f);
      validateDoc(s, ['name'], ['sortDesc'], fail, f);
      const name = String(s.name);
      if (!names.has(name)) throw fail(`unknown column '${name}'`, `${f}.name`);
      return { name, sortDesc: s.sortDesc === undefined ? true : Boolean(s.sortDesc) };
    });
  }
  return { file: doc.file, columns, orderBy };
}
