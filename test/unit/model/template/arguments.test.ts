import { describe, expect, it } from 'vitest';
import {
  DuplicateArgumentError,
  InputFile,
  InvalidArgumentError,
  MissingArgumentError,
  ModelValidationError,
  PyFloat,
  UnknownParameterError,
  castArguments,
  isFileReference,
  parseTemplate,
} from '../../../../src/model/index.js';

const template = parseTemplate({
  workflow: {},
  parameters: [
    { name: 'names', dtype: 'file', target: 'data/names.txt' },
    { name: 'sleeptime', dtype: 'int', defaultValue: 10 },
    { name: 'greeting', dtype: 'string', defaultValue: 'Hello' },
    { name: 'ratio', dtype: 'float', range: '[0,1]', isRequired: false },
    { name: 'required', dtype: 'int' },
  ],
});

const file = (fileId: string, targetPath?: string) => ({ type: '$file', value: { fileId, ...(targetPath && { targetPath }) } });

describe('castArguments', () => {
  it('casts values and file references', () => {
    const args = castArguments(template, [
      { name: 'names', value: file('sha256:abc') },
      { name: 'sleeptime', value: '3' },
      { name: 'ratio', value: 1 },
      { name: 'required', value: 1 },
    ]);
    expect({ ...args }).toEqual({ names: new InputFile('sha256:abc', 'data/names.txt'), sleeptime: 3, ratio: new PyFloat(1), required: 1 });
    expect(castArguments(template, [{ name: 'names', value: file('x', 'in/n.txt') }, { name: 'required', value: 0 }]).names).toEqual(
      new InputFile('x', 'in/n.txt'),
    );
  });

  it('is_fh detection', () => {
    expect(isFileReference(file('a'))).toBe(true);
    expect(isFileReference({ type: '$file', value: {} })).toBe(false);
    expect(isFileReference({ type: 'file', value: { fileId: 'a' } })).toBe(false);
  });

  it('reports every problem at once, each at arguments.<name>', () => {
    let err: unknown;
    try {
      castArguments(template, [
        { name: 'sleeptime', value: 'abc' },
        { name: 'sleeptime', value: 1 },
        { name: 'nope', value: 1 },
        { name: 'ratio', value: 2 },
        { name: 'greeting', value: file('x') },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelValidationError);
    const errors = (err as ModelValidationError).errors;
    expect(errors).toEqual([
      new InvalidArgumentError("no int 'abc'", 'arguments.sleeptime'),
      new DuplicateArgumentError('sleeptime', 'arguments.sleeptime'),
      new UnknownParameterError('nope', 'arguments.nope'),
      new InvalidArgumentError('2.0 not in [0.0,1.0]', 'arguments.ratio'),
      new InvalidArgumentError(
        "'greeting' is a string parameter: give its value in Argument.value, not Argument.file or Argument.directory",
        'arguments.greeting',
      ),
      new MissingArgumentError('names', 'arguments.names'),
      new MissingArgumentError('required', 'arguments.required'),
    ]);
    expect(errors.map((e) => e.code)).toEqual([
      'INVALID_ARGUMENT',
      'DUPLICATE_ARGUMENT',
      'UNKNOWN_PARAMETER',
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
      'MISSING_ARGUMENT',
      'MISSING_ARGUMENT',
    ]);
    expect(errors[1]!.message).toBe("non-unique run argument 'sleeptime'");
    expect(errors[5]!.message).toBe("missing argument for 'names'");
  });

  it('validate_arguments: a required parameter without its argument raises MissingArgumentError', () => {
    expect(() => castArguments(template, [{ name: 'names', value: file('a') }])).toThrow("arguments.required: missing argument for 'required'");
  });

  it('a file parameter needs a file reference', () => {
    expect(() => castArguments(template, [{ name: 'names', value: 'names.txt' }, { name: 'required', value: 1 }])).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'arguments.names' })] }),
    );
  });
});
