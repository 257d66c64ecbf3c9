/**
 * Typed errors of the flowServ workflow model. Each carries a stable `code` (the catalogue
 * below) and, where known, a `field` path naming the offending argument or template element,
 * so that the transport edge can turn it into a `google.rpc.BadRequest` field violation
 * without parsing messages. Messages keep flowServ's texts so that users of flowServ
 * recognise them.
 */

/** Stable machine-readable codes of model errors. */
export const ModelErrorCode = {
  MISSING_ARGUMENT: 'MISSING_ARGUMENT',
  UNKNOWN_PARAMETER: 'UNKNOWN_PARAMETER',
  DUPLICATE_ARGUMENT: 'DUPLICATE_ARGUMENT',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  INVALID_PARAMETER: 'INVALID_PARAMETER',
  INVALID_TEMPLATE: 'INVALID_TEMPLATE',
  INVALID_MANIFEST: 'INVALID_MANIFEST',
  INVALID_RUN_STATE: 'INVALID_RUN_STATE',
  INVALID_STATE_DOCUMENT: 'INVALID_STATE_DOCUMENT',
  INVALID_TIMESTAMP: 'INVALID_TIMESTAMP',
  EMPTY_WORKFLOW: 'EMPTY_WORKFLOW',
  UNSUPPORTED_ACTION: 'UNSUPPORTED_ACTION',
  INVALID_PLACEHOLDER: 'INVALID_PLACEHOLDER',
  UNKNOWN_VARIABLE: 'UNKNOWN_VARIABLE',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
} as const;
/** One of the codes in {@link ModelErrorCode}. */
export type ModelErrorCode = (typeof ModelErrorCode)[keyof typeof ModelErrorCode];

/**
 * Base of every deliberate model error. `field` is a dotted path such as `arguments.names`
 * or `template.parameters[1].range`; it is filled in by the layer that knows the position
 * (a parameter's cast does not know its argument's name, castArguments does).
 */
export class ModelError extends Error {
  override name = 'ModelError';
  /** Path of the offending element; undefined when the error concerns the whole input. */
  field: string | undefined;
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    field?: string,
  ) {
    super(message);
    this.field = field;
  }

  /** Sets the field path unless a more precise one was already set; returns this error. */
  at(field: string): this {
    if (this.field === undefined) this.field = field;
    return this;
  }
}

/** A required parameter got no argument and has no default (flowServ MissingArgumentError). */
export class MissingArgumentError extends ModelError {
  override name = 'MissingArgumentError';
  constructor(readonly parameter: string, field?: string) {
    super(ModelErrorCode.MISSING_ARGUMENT, `missing argument for '${parameter}'`, field);
  }
}

/** An argument or template reference names no declared parameter (flowServ UnknownParameterError). */
export class UnknownParameterError extends ModelError {
  override name = 'UnknownParameterError';
  constructor(readonly parameter: string, field?: string) {
    super(ModelErrorCode.UNKNOWN_PARAMETER, `unknown parameter '${parameter}'`, field);
  }
}

/** The same argument name was given twice (flowServ DuplicateArgumentError). */
export class DuplicateArgumentError extends ModelError {
  override name = 'DuplicateArgumentError';
  constructor(readonly parameter: string, field?: string) {
    super(ModelErrorCode.DUPLICATE_ARGUMENT, `non-unique run argument '${parameter}'`, field);
  }
}

/** An argument value cannot be cast by its parameter (flowServ InvalidArgumentError). */
export class InvalidArgumentError extends ModelError {
  override name = 'InvalidArgumentError';
  constructor(message: string, field?: string) {
    super(ModelErrorCode.INVALID_ARGUMENT, message, field);
  }
}

/** A parameter declaration is malformed (flowServ InvalidParameterError). */
export class InvalidParameterError extends ModelError {
  override name = 'InvalidParameterError';
  constructor(message: string, field?: string) {
    super(ModelErrorCode.INVALID_PARAMETER, message, field);
  }
}

/** A template document or workflow spec is malformed (flowServ InvalidTemplateError). */
export class InvalidTemplateError extends ModelError {
  override name = 'InvalidTemplateError';
  constructor(message: string, field?: string, code: ModelErrorCode = ModelErrorCode.INVALID_TEMPLATE) {
    super(code, message, field);
  }
}

/** A serial workflow has no step to run; flowServ ends such runs in ERROR, we refuse them. */
export class EmptyWorkflowError extends InvalidTemplateError {
  override name = 'EmptyWorkflowError';
  constructor(message = 'workflow has no steps', field = 'template.workflow.steps') {
    super(message, field, ModelErrorCode.EMPTY_WORKFLOW);
  }
}

/** A step uses an action kind this service cannot run (code or notebook steps). */
export class UnsupportedActionError extends InvalidTemplateError {
  override name = 'UnsupportedActionError';
  constructor(readonly kind: 'code' | 'notebook', field?: string) {
    super(
      `${kind} steps are not supported: only container steps (environment + commands) can run`,
      field,
      ModelErrorCode.UNSUPPORTED_ACTION,
    );
  }
}

/** A `$` placeholder in a command is invalid (Python ValueError/IndexError of string.Template). */
export class InvalidPlaceholderError extends InvalidTemplateError {
  override name = 'InvalidPlaceholderError';
  constructor(message: string, field?: string) {
    super(message, field, ModelErrorCode.INVALID_PLACEHOLDER);
  }
}

/** A `$name` in a command has no value (Python KeyError of string.Template, e.g. `$names.txt`). */
export class UnknownVariableError extends InvalidTemplateError {
  override name = 'UnknownVariableError';
  constructor(readonly variable: string, field?: string) {
    super(`unknown variable '${variable}'`, field, ModelErrorCode.UNKNOWN_VARIABLE);
  }
}

/** A template directory manifest is malformed (flowServ InvalidManifestError). */
export class InvalidManifestError extends ModelError {
  override name = 'InvalidManifestError';
  constructor(message: string, field?: string) {
    super(ModelErrorCode.INVALID_MANIFEST, message, field);
  }
}

/** A state change is not allowed from the stored state (flowServ's ConstraintViolation). */
export class InvalidRunStateError extends ModelError {
  override name = 'InvalidRunStateError';
  constructor(message: string, field?: string) {
    super(ModelErrorCode.INVALID_RUN_STATE, message, field);
  }
}

/** A serialized state document is unusable: unknown type (flowServ ValueError). */
export class InvalidStateDocumentError extends ModelError {
  override name = 'InvalidStateDocumentError';
  constructor(message: string, field?: string) {
    super(ModelErrorCode.INVALID_STATE_DOCUMENT, message, field);
  }
}

/** A serialized state document lacks a key; named like Python's KeyError, message is the key repr. */
export class StateKeyError extends InvalidStateDocumentError {
  override name = 'KeyError';
  constructor(readonly key: string) {
    super(`'${key}'`, key);
  }
}

/** A timestamp string cannot be parsed. */
export class InvalidTimestampError extends ModelError {
  override name = 'InvalidTimestampError';
  constructor(value: string, field?: string) {
    super(ModelErrorCode.INVALID_TIMESTAMP, `invalid timestamp '${value}'`, field);
  }
}

/**
 * Several problems found in one input (template or argument list), reported together because
 * each becomes its own field violation. `errors` is never empty.
 */
export class ModelValidationError extends ModelError {
  override name = 'ModelValidationError';
  constructor(readonly errors: readonly ModelError[]) {
    super(ModelErrorCode.VALIDATION_FAILED, errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; '));
  }
}

/**
 * Collects model errors from independent checks so that all of them can be reported at once.
 * Non-model errors are programming faults and propagate immediately.
 */
export class ErrorCollector {
  readonly errors: ModelError[] = [];

  /** Runs `fn`; a ModelError it throws is recorded (with `field` as fallback path) and undefined returned. */
  attempt<T>(fn: () => T, field?: string): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.add(err, field);
      return undefined;
    }
  }

  /** Records a thrown value: model errors (also the members of an aggregate) are kept, others rethrown. */
  add(err: unknown, field?: string): void {
    if (err instanceof ModelValidationError) {
      for (const e of err.errors) this.errors.push(field ? e.at(field) : e);
    } else if (err instanceof ModelError) {
      this.errors.push(field ? err.at(field) : err);
    } else {
      throw err;
    }
  }

  /** Throws one ModelValidationError listing every recorded error, if there is any. */
  throwIfAny(): void {
    if (this.errors.length > 0) throw new ModelValidationError(this.errors);
  }
}
