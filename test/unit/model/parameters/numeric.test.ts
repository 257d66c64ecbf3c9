import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidParameterError,
  NumericParameter,
  PyFloat,
  RangeConstraint,
  parameterFromDict,
} from '../../../../src/model/index.js';

const num = (dtype: 'int' | 'float', range?: string) =>
  NumericParameter.fromDict({ name: 'n', dtype, index: 0, isRequired: true, ...(range !== undefined && { range }) });

describe('range constraints (test_numeric_parameter.py)', () => {
  it.each([
    ['[,5)', [-Infinity, 4.99], [5, Infinity]],
    ['[,5]', [-Infinity, 5], [5.01, Infinity]],
    ['(,5]', [-1e300, 5], [-Infinity, 6]],
    ['[5,]', [5, Infinity], [4.99, -Infinity]],
    ['(5,]', [5.01, Infinity], [5, -Infinity]],
    ['(5,)', [5.01, 1e300], [5, Infinity]],
    ['[1,2]', [1, 1.5, 2], [0.99, 2.01]],
    ['(1,2)', [1.01, 1.99], [1, 2]],
  ])('%s admits %o and rejects %o', (text, ok, bad) => {
    const r = RangeConstraint.parse(text);
    for (const v of ok) expect(r.validate(v)).toBe(true);
    for (const v of bad) expect(r.validate(v)).toBe(false);
  });

  it('spaces are allowed: [ 5, 7 ]', () => {
    const r = RangeConstraint.parse('[ 5, 7 ]');
    expect(r.minValue()).toBe(5);
    expect(r.maxValue()).toBe(7);
    expect(r.isClosed()).toBe(true);
    expect(RangeConstraint.parse(' ( 5 , 7 ) ').isClosed()).toBe(false);
  });

  it.each([[''], ['[,e,]'], ['4,8]'], ['[4,5'], ['[a,b]'], ['[5.6,2.7]'], [5]])('invalid range %o raises', (text) => {
    expect(() => RangeConstraint.parse(text)).toThrow(InvalidParameterError);
  });

  it('to_string prints Python floats', () => {
    expect(RangeConstraint.parse('[0,10]').toString()).toBe('[0.0,10.0]');
    expect(RangeConstraint.parse('(5,]').toString()).toBe('(5.0,inf]');
    expect(RangeConstraint.parse('[,5]').toString()).toBe('[-inf,5.0]');
    expect(RangeConstraint.parse('[0.5,1e20)').toString()).toBe('[0.5,1e+20)');
  });

  it('min/max via boundaries', () => {
    expect(RangeConstraint.of(1, 10)!.toString()).toBe('[1.0,10.0]');
    expect(RangeConstraint.of({ value: 1, open: true }, null)!.toString()).toBe('(1.0,inf]');
    expect(RangeConstraint.of(null, { value: 3, open: true })!.toString()).toBe('[-inf,3.0)');
    expect(RangeConstraint.of()).toBeNull();
  });

  it('a bad range in a declaration is InvalidParameterError at the range field', () => {
    expect(() => parameterFromDict({ name: 'n', dtype: 'int', index: 0, isRequired: true, range: '[a,b]' }, { field: 'template.parameters[1]' })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER', field: 'template.parameters[1].range' }),
    );
  });
});

describe('numeric cast', () => {
  it("range (5,]: cast('5') raises, '6' = 6, 7 = 7, 'inf' = inf, 'x' raises", () => {
    const p = num('int', '(5,]');
    expect(() => p.cast('5')).toThrow(new InvalidArgumentError('5 not in (5.0,inf]'));
    expect(p.cast('6')).toBe(6);
    expect(p.cast(7)).toBe(7);
    expect(p.cast('inf')).toEqual(new PyFloat(Infinity));
    expect(() => p.cast('x')).toThrow("no int 'x'");
    expect(() => num('float', '(5,]').cast(5)).toThrow('5.0 not in (5.0,inf]');
  });

  it('int follows Python int()', () => {
    const p = num('int');
    expect(p.cast(true)).toBe(1);
    expect(p.cast(3.5)).toBe(3);
    expect(p.cast(-3.5)).toBe(-3);
    expect(p.cast(' 12 ')).toBe(12);
    expect(p.cast('+7')).toBe(7);
    expect(p.cast('1_000')).toBe(1000);
    expect(p.cast('-inf')).toEqual(new PyFloat(-Infinity));
    for (const bad of ['3.5', '1e3', '0x10', 'nan', null, [1], '1__0', '_1', '']) {
      expect(() => p.cast(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => p.cast(null)).toThrow("no int 'None'");
  });

  it('float follows Python float() and returns PyFloat', () => {
    const p = num('float');
    expect(p.cast(2)).toEqual(new PyFloat(2));
    expect(String(p.cast(2))).toBe('2.0');
    expect(Number(p.cast('1e3'))).toBe(1000);
    expect(Number(p.cast(' 1_0.5 '))).toBe(10.5);
    expect(Number.isNaN(Number(p.cast('nan')))).toBe(true);
    expect(Number(p.cast('Infinity'))).toBe(Infinity);
    expect(Number(p.cast('.5'))).toBe(0.5);
    expect(Number(p.cast(true))).toBe(1);
    expect(() => p.cast('abc')).toThrow("no float 'abc'");
    expect(() => p.cast({})).toThrow('no float');
  });

  it('toDict writes range only when there is one', () => {
    expect(num('int', '[0,10]').toDict()).toEqual({ dtype: 'int', name: 'n', index: 0, isRequired: true, range: '[0.0,10.0]' });
    expect(num('float').toDict()).toEqual({ dtype: 'float', name: 'n', index: 0, isRequired: true });
  });
});
