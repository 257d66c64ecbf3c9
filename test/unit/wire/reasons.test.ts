/** The reason catalogues: every value is spelled as its key, so a reason on the wire names its entry. */
import { describe, expect, it } from 'vitest';
import { ModelErrorCode } from '../../../src/model/errors.js';
import { ErrorReason, ViolationReason } from '../../../src/wire/reasons.js';

describe('reason catalogues', () => {
  it.each([
    ['ErrorReason', ErrorReason],
    ['ViolationReason', ViolationReason],
  ])('%s: each value equals its key', (_name, catalogue) => {
    for (const [key, value] of Object.entries(catalogue)) expect(value).toBe(key);
  });

  it("ViolationReason includes the model's error codes (the planner reports them as violation reasons)", () => {
    for (const code of Object.values(ModelErrorCode)) expect(Object.values(ViolationReason)).toContain(code);
  });
});
