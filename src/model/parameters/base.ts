/**
 * Common attributes of all parameter declarations (FLOWSERV.md §4.1) and the abstract cast
 * every dtype implements. Declarations are immutable once parsed.
 */
import { InvalidParameterError } from '../errors.js';
import { isPlainObject, type PyValue } from '../values.js';
import { joinField, validateDoc } from './validate-doc.js';

/** The nine parameter types of flowServ. */
export const ParameterType = {
  ACTOR: 'actor',
  BOOL: 'bool',
  FILE: 'file',
  FLOAT: 'float',
  INT: 'int',
  LIST: 'list',
  RECORD: 'record',
  SELECT: 'select',
  STRING: 'string',
} as const;
/** One of the dtype ids. */
export type ParameterType = (typeof ParameterType)[keyof typeof ParameterType];

/** Keys every declaration must carry when validated. */
export const MANDATORY_KEYS: readonly string[] = ['name', 'dtype', 'index', 'isRequired'];
/** Keys every declaration may carry. */
export const OPTIONAL_KEYS: readonly string[] = ['label', 'help', 'defaultValue', 'group'];

/** Serialized declaration (template `parameters[]` entry); extras depend on dtype. */
export interface ParameterDoc {
  dtype: string;
  name: string;
  index: number;
  isRequired: boolean;
  label?: string;
  help?: string;
  defaultValue?: unknown;
  group?: string;
  [extra: string]: unknown;
}

/** The common attributes after parsing. */
export interface ParameterProps {
  readonly name: string;
  readonly index: number;
  readonly isRequired: boolean;
  readonly label?: string | null | undefined;
  readonly help?: string | null | undefined;
  readonly defaultValue?: unknown;
  readonly group?: string | null | undefined;
}

/** A parameter declaration: common attributes plus a dtype-specific cast. */
export abstract class Parameter {
  abstract readonly dtype: ParameterType;
  readonly name: string;
  readonly index: number;
  readonly isRequired: boolean;
  readonly label: string | null;
  readonly help: string | null;
  /** The declared default, as written (not cast); null when absent. */
  readonly defaultValue: unknown;
  readonly group: string | null;

  constructor(props: ParameterProps) {
    this.name = props.name;
    this.index = props.index;
    this.isRequired = props.isRequired;
    this.label = props.label ?? null;
    this.help = props.help ?? null;
    this.defaultValue = props.defaultValue ?? null;
    this.group = props.group ?? null;
  }

  /** The label, or the name when there is no label (flowServ `display_name`). */
  displayName(): string {
    return this.label ?? this.name;
  }

  /** True when a default is declared (any non-null value, including 0, false and ''). */
  hasDefault(): boolean {
    return this.defaultValue !== null && this.defaultValue !== undefined;
  }

  /** Converts a user value into the typed value; throws InvalidArgumentError when it cannot. */
  abstract cast(value: unknown): PyValue;

  /** Serializes like flowServ's `to_dict()`: dtype, name, index, isRequired, then set optionals. */
  toDict(): ParameterDoc {
    const doc: ParameterDoc = { dtype: this.dtype, name: this.name, index: this.index, isRequired: this.isRequired };
    if (this.label !== null) doc.label = this.label;
    if (this.help !== null) doc.help = this.help;
    if (this.defaultValue !== null) doc.defaultValue = this.defaultValue;
    if (this.group !== null) doc.group = this.group;
    return doc;
  }
}

/** Options for parsing a declaration. */
export interface ParseOptions {
  /** Check keys and types (flowServ `validate=True`); default true. */
  readonly validate?: boolean | undefined;
  /** Field path of the declaration, for error reporting (e.g. `template.parameters[1]`). */
  readonly field?: string | undefined;
}

/** Validates keys and reads the common attributes of a declaration document. */
export function readCommonProps(
  doc: unknown,
  extraMandatory: readonly string[],
  extraOptional: readonly string[],
  options: ParseOptions,
): ParameterProps & { doc: Record<string, unknown> } {
  const field = options.field;
  if (!isPlainObject(doc)) throw new InvalidParameterError('parameter declaration must be an object', field);
  if (options.validate !== false) {
    validateDoc(
      doc,
      [...MANDATORY_KEYS, ...extraMandatory],
      [...OPTIONAL_KEYS, ...extraOptional],
      (msg, f) => new InvalidParameterError(msg, f),
      field,
    );
    checkType(doc, 'name', (v) => typeof v === 'string' && v.length > 0, 'a non-empty string', field);
    checkType(doc, 'index', (v) => typeof v === 'number' && Number.isInteger(v), 'an integer', field);
    checkType(doc, 'isRequired', (v) => typeof v === 'boolean', 'a Boolean', field);
    for (const key of ['label', 'help', 'group']) {
      if (doc[key] !== undefined && doc[key] !== null) checkType(doc, key, (v) => typeof v === 'string', 'a string', field);
    }
  }
  return {
    doc,
    name: doc.name as string,
    index: doc.index as number,
    isRequired: doc.isRequired as boolean,
    label: doc.label as string | null | undefined,
    help: doc.help as string | null | undefined,
    defaultValue: doc.defaultValue,
    group: doc.group as string | null | undefined,
  };
}

function checkType(
  doc: Record<string, unknown>,
  key: string,
  ok: (v: unknown) => boolean,
  what: string,
  field: string | undefined,
): void {
  if (!ok(doc[key])) throw new InvalidParameterError(`invalid element '${key}': expected ${what}`, joinField(field, key));
}
