import { describe, expect, it } from 'vitest';
import { ActorValue, InputFile, PyFloat, formatPythonFloat, pythonEquals, renderPythonValue } from '../../../src/model/index.js';

describe('renderPythonValue (Python str(), FLOWSERV.md §12.14)', () => {
  it.each([
    [true, 'True'],
    [false, 'False'],
    [null, 'None'],
    [2, '2'],
    [new PyFloat(2), '2.0'],
    [new PyFloat(1e-5), '1e-05'],
    [new PyFloat(Infinity), 'inf'],
    [new PyFloat(-Infinity), '-inf'],
    [new PyFloat(NaN), 'nan'],
    [1.5, '1.5'],
    [new PyFloat(1e16), '1e+16'],
    [new PyFloat(123456789012345.6), '123456789012345.6'],
    [new PyFloat(0.0001), '0.0001'],
    [new PyFloat(0.00012), '0.00012'],
    [new PyFloat(1.5e-7), '1.5e-07'],
    [new PyFloat(-0), '-0.0'],
    [new PyFloat(1e22), '1e+22'],
    [new PyFloat(12345678.9), '12345678.9'],
    ['text', 'text'],
    [['a', 'b'], "['a', 'b']"],
    [{ x: new PyFloat(1) }, "{'x': 1.0}"],
    [{ b: 1, a: [true, null] }, "{'b': 1, 'a': [True, None]}"],
    [["it's", 'a"b', 'new\nline', '\\'], `["it's", 'a"b', 'new\\nline', '\\\\']`],
    [new InputFile('sha', 'data/names.txt'), 'data/names.txt'],
    [[new InputFile('sha', 'data/names.txt')], "['data/names.txt']"],
    [new ActorValue({ a: 1 }), "ActorValue(spec={'a': 1}, files=None)"],
  ])('%o renders as %s', (value, expected) => {
    expect(renderPythonValue(value)).toBe(expected);
  });

  it('formatPythonFloat matches Python repr on boundaries', () => {
    expect(formatPythonFloat(9999999999999998)).toBe('9999999999999998.0');
    expect(formatPythonFloat(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatPythonFloat(5e-324)).toBe('5e-324');
    expect(formatPythonFloat(1.7976931348623157e308)).toBe('1.7976931348623157e+308');
  });
});

describe('pythonEquals', () => {
  it('True == 1 == 1.0 but "1" != 1', () => {
    expect(pythonEquals(true, 1)).toBe(true);
    expect(pythonEquals(new PyFloat(1), true)).toBe(true);
    expect(pythonEquals('1', 1)).toBe(false);
    expect(pythonEquals(null, null)).toBe(true);
    expect(pythonEquals(null, 0)).toBe(false);
    expect(pythonEquals([1, 'a'], [true, 'a'])).toBe(true);
    expect(pythonEquals({ a: 1 }, { a: 1.0 })).toBe(true);
    expect(pythonEquals({ a: 1 }, { b: 1 })).toBe(false);
  });
});
