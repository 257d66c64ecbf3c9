/**
 * The layer rules of the source tree, checked on the import statements themselves (there is no
 * linter to do it): client/ and cli/ never import server/ (what both ends share lives in wire/),
 * and only server/, client/ and wire/ import the generated code in gen/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** Every hand-written .ts file under src/ (gen/ excluded), as a path relative to src/. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'gen' && dir === SRC ? [] : sourceFiles(full);
    return e.name.endsWith('.ts') ? [path.relative(SRC, full)] : [];
  });
}

/** The top-level folder under src/ of each module `file` imports by a relative path. */
function importedLayers(file: string): string[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]!);
  return specifiers.map((s) => path.relative(SRC, path.resolve(path.dirname(path.join(SRC, file)), s)).split(path.sep)[0]!);
}

const layerOf = (file: string) => file.split(path.sep)[0]!;

describe('source layers', () => {
  const files = sourceFiles();

  it('finds the source files and their imports (the check can see what it checks)', () => {
    expect(files).toContain(path.join('client', 'errors.ts'));
    expect(importedLayers(path.join('client', 'errors.ts'))).toContain('wire');
  });

  it('client/ and cli/ never import server/', () => {
    const offenders = files
      .filter((f) => ['client', 'cli'].includes(layerOf(f)))
      .filter((f) => importedLayers(f).includes('server'));
    expect(offenders).toEqual([]);
  });

  it('only server/, client/ and wire/ import gen/', () => {
    const offenders = files.filter((f) => !['server', 'client', 'wire'].includes(layerOf(f)) && importedLayers(f).includes('gen'));
    expect(offenders).toEqual([]);
  });

  it('wire/ imports neither side of the protocol', () => {
    const offenders = files.filter((f) => layerOf(f) === 'wire' && importedLayers(f).some((l) => ['server', 'client', 'cli', 'service', 'store'].includes(l)));
    expect(offenders).toEqual([]);
  });
});
