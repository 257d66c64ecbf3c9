import { describe, expect, it } from 'vitest';
import type { FieldViolation } from '../../../src/errors.js';
import { boundMetadata, boundViolations, MAX_TEXT_CHARS, MAX_VIOLATIONS, moreViolations, shorten } from '../../../src/server/bounded-details.js';

describe('bounded error details', () => {
  it('shorten keeps short text, cuts long text with an ellipsis and never splits a surrogate pair', () => {
    expect(shorten('abc', 3)).toBe('abc');
    expect(shorten('abcdef', 4)).toBe('abc…');
    const cut = shorten('ab😀😀', 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });

  it('keeps at most MAX_VIOLATIONS plus one "and N more" entry', () => {
    const many = Array.from({ length: 700 }, (_, i) => ({ field: `arguments.a${i}`, description: 'unknown parameter', reason: 'UNKNOWN_PARAMETER' }) as FieldViolation);
    const kept = boundViolations(many, () => true);
    expect(kept).toHaveLength(MAX_VIOLATIONS + 1);
    expect(kept.at(-1)).toEqual(moreViolations(700 - MAX_VIOLATIONS));
    expect(kept.at(-1)!.description).toBe('and 650 more violations');
  });

  it('drops violations until the byte budget fits, counting them in the tail', () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ field: `f${i}`, description: 'x'.repeat(10_000), reason: 'INVALID_PATH' }) as FieldViolation);
    const kept = boundViolations(many, (list) => list.length <= 4);
    expect(kept).toHaveLength(4);
    expect(kept[0]!.description.length).toBe(MAX_TEXT_CHARS);
    expect(kept.at(-1)).toEqual(moreViolations(7));
  });

  it('sends every violation when they fit, without a tail', () => {
    const few = [{ field: 'a', description: 'b', reason: 'REQUIRED' }, { field: 'd', description: 'e', reason: 'INVALID_PATH' }] as FieldViolation[];
    expect(boundViolations(few, () => true)).toEqual(few);
  });

  it('shortens metadata values and keeps at most 16 entries', () => {
    const meta = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    const bounded = boundMetadata(meta);
    expect(Object.keys(bounded)).toHaveLength(16);
    expect(bounded.k0!.length).toBe(MAX_TEXT_CHARS);
  });
});
