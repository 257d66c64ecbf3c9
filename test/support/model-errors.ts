/** Reading the collected problems off a model call that must fail with ModelValidationError. */
import { expect } from 'vitest';
import { ModelValidationError, type ModelError } from '../../src/model/index.js';

/** The errors `fn` throws as one ModelValidationError (fails the test on anything else). */
export function errorsOf(fn: () => unknown): readonly ModelError[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelValidationError);
    return (err as ModelValidationError).errors;
  }
  throw new Error('expected a ModelValidationError');
}
