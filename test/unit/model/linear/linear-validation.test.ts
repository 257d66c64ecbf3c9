/**
 * The scanners that replaced backtracking regexes give the same answers as the regexes they
 * replaced (checked on random strings over the characters that matter), and stay fast on the
 * inputs that made the old forms quadratic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeholders } from '../../../../src/model/serial/string-template.js';
import { parsePythonFloatString, parsePythonIntString } from '../../../../src/model/python/parse-number.js';
import { findReferences, referenceExpressions } from '../../../../src/model/template/references.js';

/** The forms these scanners replaced, kept here as the oracle. */
const oldReferences = (text: string) => [...text.matchAll(/\$\[\[(.*?)\]\]/g)].map((m) => m[1]!);
const oldStrip = (text: string) => text.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/gu, '');
function oldPlaceholders(text: string): Set<string> {
  let rest = text.split('$$').join('');
  const names = new Set<string>();
  while (rest.includes('$')) {
    rest = rest.slice(rest.indexOf('$') + 1);
    if (rest.startsWith('{')) {
      const end = rest.indexOf('}');
      names.add(end === -1 ? rest.slice(1, -1) : rest.slice(1, end));
    } else {
      const token = rest.trim().split(/\s+/)[0];
      if (!token) throw new Error('end');
      names.add(token);
    }
  }
  return names;
}
const IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

const textOf = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 40 }).map((a) => a.join(''));

/**
 * Runs `run` on a 1 Mi-character input. The old quadratic forms need minutes to hours there
 * (240 KB took 11 s); a linear scan takes milliseconds, so a 2 s bound has a wide margin on a
 * busy machine and still catches any quadratic path.
 */
function expectLinear(make: (n: number) => string, run: (text: string) => unknown): void {
  const text = make(1024 * 1024);
  const start = performance.now();
  try {
    run(text);
  } catch {
    /* the error path counts too */
  }
  expect(performance.now() - start).toBeLessThan(2000);
}

describe('reference scan', () => {
  it('finds what /\\$\\[\\[(.*?)\\]\\]/g finds', () => {
    fc.assert(fc.property(textOf(['$', '[', ']', 'a', ' ', '\n', '\u2028']), (text) => {
      expect(referenceExpressions(text)).toEqual(oldReferences(text));
    }), { numRuns: 3000 });
  });

  it('is linear in repeated `$[[` with and without a closing `]]`', () => {
    expectLinear((n) => '$[['.repeat(n / 3), (t) => findReferences({ c: t }, 'x'));
    expectLinear((n) => '$[['.repeat(n / 3) + ']]', (t) => referenceExpressions(t));
    expectLinear((n) => '$[[\n'.repeat(n / 4) + ']]', (t) => referenceExpressions(t));
  });
});

describe('Python strip in int()/float()', () => {
  it('accepts and refuses exactly what the regex strip did', () => {
    fc.assert(fc.property(textOf([' ', '\t', '\x1c', '\x85', '1', '_', '.', 'e', 'x']), (text) => {
      const stripped = oldStrip(text);
      const asInt = /^[+-]?\d+(?:_\d+)*$/.test(stripped) ? Number(stripped.replace(/_/g, '')) : undefined;
      expect(parsePythonIntString(text)).toEqual(asInt);
    }), { numRuns: 3000 });
  });

  it('is linear in a long run of inner spaces', () => {
    expectLinear((n) => `1${' '.repeat(n)}x`, (t) => parsePythonIntString(t));
    expectLinear((n) => `1${' '.repeat(n)}x`, (t) => parsePythonFloatString(t));
  });
});

describe('command placeholders', () => {
  it('gives the identifier names flowServ\'s scan gives, and fails where it fails', () => {
    fc.assert(fc.property(textOf(['$', '{', '}', 'a', '1', '.', ' ', '\t']), (text) => {
      let expected: Set<string> | 'throws';
      try {
        expected = new Set([...oldPlaceholders(text)].filter((n) => IDENTIFIER.test(n)));
      } catch {
        expected = 'throws';
      }
      if (expected === 'throws') expect(() => placeholders(text)).toThrow("'$' at the end");
      else expect(placeholders(text)).toEqual(expected);
    }), { numRuns: 3000 });
  });

  it('is linear in `$ `, `$a` and `${` repeated', () => {
    expectLinear((n) => '$ '.repeat(n / 2) + 'x', (t) => placeholders(t));
    expectLinear((n) => '$a'.repeat(n / 2), (t) => placeholders(t));
    expectLinear((n) => '${'.repeat(n / 2), (t) => placeholders(t));
  });
});
