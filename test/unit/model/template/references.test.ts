import { describe, expect, it } from 'vitest';
import {
  InvalidTemplateError,
  MissingArgumentError,
  ParameterIndex,
  PyFloat,
  UnknownParameterError,
  expandValue,
  getName,
  getValue,
  parameterFromDict,
  parseParameterIndex,
  placeholders,
  replaceArgs,
} from '../../../../src/model/index.js';

const index = parseParameterIndex([
  { name: 'A', dtype: 'bool' },
  { name: 'B', dtype: 'string', defaultValue: 'b-default' },
  { name: 'C', dtype: 'int' },
  { name: 'D', dtype: 'float', defaultValue: 2 },
  { name: 'F', dtype: 'bool', defaultValue: true },
]);

describe('template parameter helpers (test_template_parameter.py)', () => {
  it("get_name(' ABC ') = 'ABC'; name?B:C -> name", () => {
    expect(getName(' ABC ')).toBe('ABC');
    expect(getName('name?B:C')).toBe('name');
  });

  it("get_value: A=True -> x; B='true' -> x; C=1 -> y; C?x -> None; missing var raises", () => {
    const args = { A: true, B: 'true', C: 1 };
    expect(getValue('$[[A ? x : y]]', args)).toBe('x');
    expect(getValue('$[[B?x:y]]', args)).toBe('x');
    expect(getValue('$[[C ? x : y]]', args)).toBe('y');
    expect(getValue('$[[C?x]]', args)).toBeNull();
    expect(() => getValue('$[[E?x:y]]', args)).toThrow(new MissingArgumentError('E'));
    expect(getValue('$[[A]]', args)).toBe('A');
  });

  it("placeholders: 'abc${d}ef $g\\t$e' -> {d,g,e}; escaped $$ skipped; ${java} -jar $jarfile", () => {
    expect(placeholders('abc${d}ef $g\t$e')).toEqual(new Set(['d', 'g', 'e']));
    expect(placeholders('abc$${d}ef $g\t$g')).toEqual(new Set(['g']));
    expect(placeholders('${java} -jar $jarfile')).toEqual(new Set(['java', 'jarfile']));
  });

  it('replace_args on a nested spec; nested lists raise InvalidTemplateError', () => {
    const spec = {
      name: '$[[B]]',
      values: ['$[[C]]', 'const', { flag: '$[[A ? on : off]]' }],
      nested: { n: '$[[D]]', keep: 'pre $[[C]] post', num: 3 },
    };
    expect(replaceArgs(spec, { A: false, C: 7 }, index)).toEqual({
      name: 'b-default',
      values: [7, 'const', { flag: 'off' }],
      nested: { n: new PyFloat(2), keep: 'pre $[[C]] post', num: 3 },
    });
    expect(() => replaceArgs({ x: [['$[[A]]']] }, {}, index)).toThrow(InvalidTemplateError);
  });

  it('duplicate or unknown-dtype parameters raise', () => {
    expect(() => parseParameterIndex([{ name: 'a', dtype: 'int' }, { name: 'a', dtype: 'int' }])).toThrow(
      expect.objectContaining({ errors: [new InvalidTemplateError("duplicate parameter 'a'", 'template.parameters[1].name')] }),
    );
    expect(() => parseParameterIndex([{ name: 'a', dtype: 'unknown' }])).toThrow("missing ''unknown''");
    expect(() => new ParameterIndex([parameterFromDict({ name: 'a', dtype: 'int', index: 0, isRequired: true })].concat(
      [parameterFromDict({ name: 'a', dtype: 'int', index: 1, isRequired: true })]))).toThrow("duplicate parameter 'a'");
  });
});

describe('expansion (whole-string rule, FLOWSERV.md §4.3)', () => {
  it('keeps the argument type; falls back to the cast default; else MissingArgumentError', () => {
    expect(expandValue('$[[C]]', { C: 7 }, index)).toBe(7);
    expect(expandValue('$[[D]]', {}, index)).toEqual(new PyFloat(2));
    expect(() => expandValue('$[[C]]', {}, index)).toThrow(new MissingArgumentError('C'));
    expect(() => expandValue('$[[nope]]', {}, index)).toThrow(UnknownParameterError);
  });

  it('names are trimmed (fix): $[[ C ]] works', () => {
    expect(expandValue('$[[ C ]]', { C: 1 }, index)).toBe(1);
  });

  it('embedded references are left untouched', () => {
    expect(expandValue('pre $[[C]] post', { C: 1 }, index)).toBe('pre $[[C]] post');
  });

  it('conditional references use the default when there is no argument (fix)', () => {
    expect(expandValue('$[[F ? yes : no]]', {}, index)).toBe('yes');
    expect(expandValue('$[[F ? yes : no]]', { F: false }, index)).toBe('no');
    expect(() => expandValue('$[[A ? yes : no]]', {}, index)).toThrow(MissingArgumentError);
  });
});

describe('template-level defaulting', () => {
  it('index = position, isRequired = no defaultValue', () => {
    const [a, b, c] = index.values();
    expect([a!.index, b!.index, c!.index]).toEqual([0, 1, 2]);
    expect([a!.isRequired, b!.isRequired]).toEqual([true, false]);
    expect(index.sorted().map((p) => p.name)).toEqual(['A', 'B', 'C', 'D', 'F']);
  });
});
