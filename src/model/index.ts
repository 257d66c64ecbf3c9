/**
 * Public API of the transport-free flowServ workflow model: states, parameter declarations and
 * casting, templates and argument handling, serial workflow jobs, template directories and the
 * typed errors they raise. Nothing here knows about gRPC or the store.
 */

/** Typed model errors (each with a stable `code` and a `field` path) and the aggregate error. */
export {
  ModelErrorCode,
  ModelError,
  ModelValidationError,
  ErrorCollector,
  MissingArgumentError,
  UnknownParameterError,
  DuplicateArgumentError,
  InvalidArgumentError,
  InvalidParameterError,
  InvalidTemplateError,
  EmptyWorkflowError,
  UnsupportedActionError,
  InvalidPlaceholderError,
  UnknownVariableError,
  InvalidManifestError,
  InvalidRunStateError,
  InvalidStateDocumentError,
  StateKeyError,
  InvalidTimestampError,
} from './errors.js';

/** Workflow states, flowServ's transitions and the persisting rule. */
export {
  StateType,
  ACTIVE_STATES,
  isActiveType,
  DEFAULT_CANCEL_MESSAGE,
  startState,
  successState,
  errorState,
  cancelState,
  StatePending,
  StateRunning,
  StateCanceled,
  StateError,
  StateSuccess,
  checkTransition,
  type WorkflowState,
  type TransitionDecision,
  type StateData,
  type StateTimes,
  type NextState,
} from './state.js';

/** State documents with flowServ's keys (`finishedAt` carries stopped_at for CANCELED/ERROR). */
export { serializeState, deserializeState, type StateDocument } from './state-serialize.js';

/** Python isoformat timestamps (`2026-11-29T17:49:42.520000+00:00`) and lenient parsing. */
export { formatTimestamp, parseTimestamp } from './timestamp.js';

/** Cast values: files, actor values and the Python float marker. */
export { InputFile, InputDirectory, ActorValue, isPlainObject, type DirectoryEntry, type PyValue } from './values.js';
/** Python-compatible rendering of values for command lines (str()/repr()). */
export { renderPythonValue, pythonRepr, pythonStringRepr } from './python/render.js';
/** A number Python would hold as a float, and Python float formatting. */
export { PyFloat, formatPythonFloat } from './python/float.js';
/** Python `==` as used by select parameters. */
export { pythonEquals } from './python/equality.js';

/** Parameter declarations for the nine dtypes, their parsing and the index of a template. */
export {
  Parameter,
  ParameterType,
  MANDATORY_KEYS,
  OPTIONAL_KEYS,
  type ParameterDoc,
  type ParameterProps,
  type ParseOptions,
} from './parameters/base.js';
export { BoolParameter } from './parameters/bool.js';
export { NumericParameter } from './parameters/numeric.js';
export { StringParameter } from './parameters/string.js';
export { SelectParameter, type SelectOption } from './parameters/select.js';
export { FileParameter, type FileArgument } from './parameters/file.js';
export { ListParameter } from './parameters/list.js';
export { RecordParameter } from './parameters/record.js';
export { ActorParameter } from './parameters/actor.js';
export { RangeConstraint, type RangeBoundary } from './parameters/range.js';
export { parameterFromDict } from './parameters/factory.js';
export {
  ParameterIndex,
  parseParameterIndex,
  withTemplateDefaults,
  type ParameterIndexOptions,
} from './parameters/parameter-index.js';
export { parseParameterGroup, type ParameterGroup } from './parameters/group.js';

/** Templates: parsing, `$[[..]]` references, argument casting, outputs, postproc, results. */
export { parseTemplate, templateToDict, type WorkflowTemplate, type ParseTemplateOptions } from './template/template.js';
export {
  isReference,
  getName,
  getValue,
  expandValue,
  replaceArgs,
  findReferences,
  defaultArgument,
  type ArgumentValues,
  type FoundReference,
} from './template/references.js';
export {
  castArguments,
  castArgumentsCollecting,
  missingArguments,
  isFileReference,
  isDirectoryReference,
  type RunArgument,
  type FileReference,
  type DirectoryReference,
} from './template/arguments.js';
export { parseOutputFile, type WorkflowOutputFile } from './template/outputs.js';
export { parsePostProcessing, type PostProcessingSpec } from './template/postproc.js';
export { parseResultSchema, type ResultSchema, type ResultColumn, type SortColumn } from './template/result-schema.js';
/** Template directories with a flowServ manifest; YAML `!include` and markdown includes. */
export {
  loadTemplateDirectory,
  MANIFEST_FILES,
  type TemplateDirectory,
  type StaticFile,
  type LoadTemplateDirectoryOptions,
} from './template/directory.js';
export { readDocument, readMarkdown } from './template/yaml-include.js';

/** Serial workflows: spec parsing, Python string.Template substitution and job building. */
export { parseSerialSpec, type SerialWorkflowSpec, type StepSpec, type FileLists } from './serial/spec.js';
export { parseContainerAction, type ContainerAction } from './serial/action.js';
export { placeholders, substitute, expandCommand } from './serial/string-template.js';
export {
  buildSerialJob,
  type SerialJob,
  type SerialJobStep,
  type SerialJobOptions,
  type ArgumentFile,
  type ArgumentFolder,
} from './serial/build-job.js';
