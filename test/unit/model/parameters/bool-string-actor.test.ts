import { describe, expect, it } from 'vitest';
import {
  ActorParameter,
  ActorValue,
  BoolParameter,
  InputFile,
  InvalidArgumentError,
  InvalidParameterError,
  PyFloat,
  StringParameter,
  parameterFromDict,
} from '../../../../src/model/index.js';

const bool = BoolParameter.fromDict({ name: 'b', dtype: 'bool', index: 0, isRequired: true });

describe('bool parameter (test_boolean_parameter.py)', () => {
  it.each([
    [null, false],
    [undefined, false],
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ['1', true],
    ['t', true],
    ['T', true],
    ['true', true],
    ['TRUE', true],
    ['', false],
    ['0', false],
    ['f', false],
    ['F', false],
    ['false', false],
    ['False', false],
  ])('cast(%o) = %s', (value, expected) => {
    expect(bool.cast(value)).toBe(expected);
  });

  it.each([['yes'], [10], ['   '], [2], [new PyFloat(1)], ['0.0'], [[]], [{}]])('cast(%o) fails', (value) => {
    expect(() => bool.cast(value)).toThrow(InvalidArgumentError);
  });

  it("error text is not a Boolean '<v>'", () => {
    expect(() => bool.cast('yes')).toThrow("not a Boolean 'yes'");
    expect(() => bool.cast(new PyFloat(1))).toThrow("not a Boolean '1.0'");
  });

  it('a missing index or isRequired gives InvalidParameterError', () => {
    expect(() => BoolParameter.fromDict({ name: 'b', dtype: 'bool', isRequired: true })).toThrow(
      new InvalidParameterError("missing element 'index'", 'index'),
    );
    expect(() => BoolParameter.fromDict({ name: 'b', dtype: 'bool', index: 0 })).toThrow("missing element 'isRequired'");
  });

  it('a dtype mismatch is rejected', () => {
    expect(() => BoolParameter.fromDict({ name: 'b', dtype: 'string', index: 0, isRequired: true })).toThrow(
      "invalid type 'string'",
    );
  });

  it('round trip through toDict', () => {
    const doc = { dtype: 'bool', name: 'b', index: 2, isRequired: false, label: 'B', help: 'h', defaultValue: false, group: 'g' };
    expect(parameterFromDict(doc).toDict()).toEqual(doc);
    expect(bool.displayName()).toBe('b');
  });
});

describe('string parameter (test_string_parameter.py)', () => {
  const para = StringParameter.fromDict({ name: 's', dtype: 'string', index: 0, isRequired: false });
  it("cast(2) = '2', cast(None) = 'None', True = 'True', 1.0 = '1.0'", () => {
    expect(para.cast(2)).toBe('2');
    expect(para.cast(null)).toBe('None');
    expect(para.cast(true)).toBe('True');
    expect(para.cast(new PyFloat(1))).toBe('1.0');
    expect(para.cast('abc')).toBe('abc');
  });
});

describe('actor parameter (test_actor_parameter.py)', () => {
  const para = ActorParameter.fromDict({ name: 'a', dtype: 'actor', index: 0, isRequired: true });
  it('cast of an ActorValue keeps spec', () => {
    const spec = { environment: 'python:3.9', commands: ['python run.py'] };
    expect(para.cast(new ActorValue(spec)).spec).toEqual(spec);
    const cast = para.cast({ spec, files: [{ source: 'abc', target: 'code/x.py' }] });
    expect(cast).toBeInstanceOf(ActorValue);
    expect(cast.spec).toEqual(spec);
    expect(cast.files).toEqual([new InputFile('abc', 'code/x.py')]);
  });

  it('a string raises', () => {
    expect(() => para.cast('abc')).toThrow(new InvalidArgumentError("invalid actor value 'abc'"));
    expect(() => para.cast({ spec: 'x' })).toThrow(InvalidArgumentError);
    expect(() => para.cast({ spec: {}, files: [{ source: 1 }] })).toThrow(InvalidArgumentError);
  });
});
