import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ActorValue,
  InputFile,
  InvalidArgumentError,
  PyFloat,
  parameterFromDict,
  type Parameter,
} from '../../../../src/model/index.js';

const common = { index: 0, isRequired: true };
const declarations: Record<string, unknown> = {
  bool: { name: 'b', dtype: 'bool', ...common },
  int: { name: 'i', dtype: 'int', range: '[-1000,1000]', ...common },
  float: { name: 'x', dtype: 'float', ...common },
  string: { name: 's', dtype: 'string', ...common },
  select: { name: 'e', dtype: 'select', values: [{ name: 'a', value: 1 }, { name: 'b', value: 'b' }], ...common },
  file: { name: 'f', dtype: 'file', target: 'data/in.txt', ...common },
  list: { name: 'l', dtype: 'list', para: { name: 'i', dtype: 'int', ...common }, ...common },
  record: {
    name: 'r',
    dtype: 'record',
    fields: [
      { name: 'a', dtype: 'int', ...common },
      { name: 'b', dtype: 'string', index: 1, isRequired: false, defaultValue: 'x' },
    ],
    ...common,
  },
  actor: { name: 'a', dtype: 'actor', ...common },
};

const isDeclaredType: Record<string, (v: unknown) => boolean> = {
  bool: (v) => typeof v === 'boolean',
  int: (v) => (typeof v === 'number' && Number.isInteger(v)) || (v instanceof PyFloat && !Number.isFinite(v.value)),
  float: (v) => v instanceof PyFloat,
  string: (v) => typeof v === 'string',
  select: (v) => v === 1 || v === true || v === 'b',
  file: (v) => v instanceof InputFile && typeof v.source === 'string' && typeof v.target === 'string',
  list: (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'),
  record: (v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).a === 'number' && typeof (v as Record<string, unknown>).b === 'string',
  actor: (v) => v instanceof ActorValue && typeof v.spec === 'object',
};

/** JSON values plus shapes that reach the interesting branches of each cast. */
const inputs = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom('inf', '-inf', ' 12 ', '1_000', 'true', 'F', '', '1e3', 'nan'),
  fc.record({ source: fc.string(), targetPath: fc.option(fc.string(), { nil: undefined }) }),
  fc.record({ spec: fc.dictionary(fc.string(), fc.jsonValue()), files: fc.array(fc.record({ source: fc.string(), target: fc.string() }), { maxLength: 2 }) }),
  fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c'), value: fc.jsonValue() }), { maxLength: 3 }),
  fc.array(fc.integer(), { maxLength: 4 }),
);

describe('every cast returns its declared type or throws InvalidArgumentError', () => {
  for (const [dtype, doc] of Object.entries(declarations)) {
    it(dtype, () => {
      const para: Parameter = parameterFromDict(doc);
      fc.assert(
        fc.property(inputs, (value) => {
          let result: unknown;
          try {
            result = para.cast(value);
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidArgumentError);
            expect((err as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
            return;
          }
          expect(isDeclaredType[dtype]!(result)).toBe(true);
        }),
        { numRuns: 400 },
      );
    });
  }
});
