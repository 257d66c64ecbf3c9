import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidManifestError, ModelValidationError, UnknownParameterError, loadTemplateDirectory } from '../../../../src/model/index.js';

const EXAMPLE = path.resolve(__dirname, '../../../../examples/helloworld');
const root = mkdtempSync(path.join(tmpdir(), 'fsr-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function makeDir(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('template directories (manifest.py)', () => {
  it('loads the Hello World example; without files the whole directory is static', () => {
    const loaded = loadTemplateDirectory(EXAMPLE);
    expect(loaded.name).toBe('Hello World');
    expect(loaded.description).toMatch(/Greets every name/);
    expect(loaded.instructions).toContain('Parameters: `names`');
    expect(loaded.instructions).not.toContain('{{');
    expect(loaded.template.parameters.values().map((p) => [p.name, p.dtype, p.isRequired])).toEqual([
      ['names', 'file', true],
      ['sleeptime', 'int', false],
      ['greeting', 'string', false],
    ]);
    const targets = loaded.staticFiles.map((f) => f.target);
    expect(targets).toEqual(expect.arrayContaining(['flowserv.yaml', 'benchmark.yaml', 'code/helloworld.py', 'code/analyze.py', 'data/names.txt']));
    expect(loaded.staticFiles.every((f) => path.isAbsolute(f.absolutePath))).toBe(true);
  });

  it('YAML !include and markdown {{...}} includes (test_read_include.py)', () => {
    const dir = makeDir('include', {
      'flowserv.yml': 'name: Include\nspecfile: spec/benchmark.yaml\ninstructions: docs/main.md\nfiles:\n  - source: code\n  - source: data/names.txt\n    target: inputs/names.txt\n',
      'spec/benchmark.yaml': 'workflow:\n  steps: []\nparameters:\n  - !include parameters/para1.yaml\n  - !include parameters/para2.yaml\n',
      'spec/parameters/para1.yaml': 'name: names\ndtype: file\n',
      'spec/parameters/para2.yaml': 'name: sleeptime\ndtype: int\ndefaultValue: 10\n',
      'docs/main.md': '# Title\n{{part.md}}\n',
      'docs/part.md': 'included {{sub/deep.md}}',
      'docs/sub/deep.md': 'deep',
      'code/a.py': 'print(1)',
      'code/lib/b.py': 'print(2)',
      'data/names.txt': 'Alice\n',
    });
    const loaded = loadTemplateDirectory(dir);
    expect(loaded.template.parameters.get('sleeptime')!.defaultValue).toBe(10);
    expect(loaded.template.parameters.get('names')!.index).toBe(0);
    expect(loaded.instructions).toBe('# Title\nincluded deep\n');
    expect(loaded.staticFiles.map((f) => f.target)).toEqual(['code/a.py', 'code/lib/b.py', 'inputs/names.txt']);
  });

  it('json manifest first; caller overrides win', () => {
    const dir = makeDir('json', {
      'flowserv.json': JSON.stringify({ name: 'From JSON', specfile: 'spec.json' }),
      'flowserv.yaml': 'name: From YAML\nspecfile: spec.json\n',
      'spec.json': JSON.stringify({ workflow: {} }),
    });
    expect(loadTemplateDirectory(dir).name).toBe('From JSON');
    expect(loadTemplateDirectory(dir, { name: '  Other  ' }).name).toBe('Other');
    expect(loadTemplateDirectory(dir, { manifest: 'flowserv.yaml' }).name).toBe('From YAML');
  });

  it('manifest errors: unknown key, missing name, missing specfile, paths leaving the directory', () => {
    const unknown = makeDir('unknown', { 'flowserv.yaml': 'name: x\nspecfile: s.yaml\nversion: 1\n', 's.yaml': 'workflow: {}\n' });
    expect(() => loadTemplateDirectory(unknown)).toThrow(new InvalidManifestError("unknown element 'version'", 'manifest.version'));
    const noName = makeDir('noname', { 'flowserv.yaml': 'specfile: s.yaml\n' });
    expect(() => loadTemplateDirectory(noName)).toThrow(new InvalidManifestError('missing name', 'manifest.name'));
    const noSpec = makeDir('nospec', { 'flowserv.yaml': 'name: x\n' });
    expect(() => loadTemplateDirectory(noSpec)).toThrow('missing workflow specification');
    const escape = makeDir('escape', { 'flowserv.yaml': 'name: x\nspecfile: ../s.yaml\n' });
    expect(() => loadTemplateDirectory(escape)).toThrow(InvalidManifestError);
    const badFile = makeDir('badfile', { 'flowserv.yaml': 'name: x\nspecfile: s.yaml\nfiles:\n  - source: nothere\n', 's.yaml': 'workflow: {}\n' });
    expect(() => loadTemplateDirectory(badFile)).toThrow("unknown file 'nothere'");
    expect(() => loadTemplateDirectory(makeDir('long', { 'flowserv.yaml': `name: ${'x'.repeat(513)}\nspecfile: s.yaml\n` }))).toThrow(
      InvalidManifestError,
    );
  });

  it('the spec is validated: an undeclared reference raises UnknownParameterError', () => {
    const dir = makeDir('alt-validate-error', {
      'flowserv.yaml': 'name: x\nspecfile: s.yaml\n',
      's.yaml': 'workflow:\n  parameters:\n    a: $[[noparameter]]\n',
    });
    try {
      loadTemplateDirectory(dir);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ModelValidationError);
      expect((err as ModelValidationError).errors).toEqual([new UnknownParameterError('noparameter', 'template.workflow.parameters.a')]);
    }
  });
});
