/**
 * The proto hygiene gates CI runs, as tests: buf lint and buf format are clean, the lint rules
 * really catch an uncommented element, and the committed src/gen matches a fresh generation.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUF = join(ROOT, 'node_modules/.bin/buf');
const scratch = mkdtempSync(join(tmpdir(), 'contract-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function buf(args: string[], cwd = ROOT) {
  return spawnSync(BUF, args, { cwd, encoding: 'utf8' });
}

/** The `buf build … -o src/gen/descriptor-set.binpb` step of `npm run generate`, writing to `out`. */
function descriptorBuildArgs(out: string): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const step = pkg.scripts.generate?.split('&&').map((part) => part.trim()).find((part) => part.startsWith('buf build'));
  if (!step) throw new Error('npm run generate has no `buf build` step');
  const args = step.split(/\s+/).slice(1);
  const target = args.findIndex((arg) => arg === '-o' || arg === '--output');
  if (target < 0 || args[target + 1] !== 'src/gen/descriptor-set.binpb') throw new Error(`unexpected build step: ${step}`);
  args[target + 1] = out;
  return args;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

describe('buf', () => {
  it('lint passes (STANDARD + COMMENTS)', () => {
    const result = buf(['lint']);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('format has nothing to change', () => {
    const result = buf(['format', '-d', '--exit-code']);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('lint rejects an uncommented message (the gate can fail)', () => {
    const copy = join(scratch, 'lint');
    cpSync(join(ROOT, 'proto'), join(copy, 'proto'), { recursive: true });
    writeFileSync(join(copy, 'buf.yaml'), 'version: v2\nmodules:\n  - path: proto\nlint:\n  use: [STANDARD, COMMENTS]\n');
    const file = join(copy, 'proto/flowserv/remote/v1/files.proto');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nmessage Uncommented {\n  string id = 1;\n}\n`);
    const result = buf(['lint'], copy);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/COMMENT_MESSAGE|Message "Uncommented" should have a non-empty comment/);
  });

  it('committed src/gen matches a fresh `npm run generate`', () => {
    const out = join(scratch, 'gen');
    execFileSync(BUF, ['generate', '-o', out], { cwd: ROOT });
    execFileSync(BUF, descriptorBuildArgs(join(out, 'src/gen/descriptor-set.binpb')), { cwd: ROOT });
    const fresh = listFiles(join(out, 'src/gen')).map((p) => relative(join(out, 'src/gen'), p)).sort();
    const committed = listFiles(join(ROOT, 'src/gen')).map((p) => relative(join(ROOT, 'src/gen'), p)).sort();
    expect(committed).toEqual(fresh);
    for (const name of fresh) {
      expect(readFileSync(join(ROOT, 'src/gen', name)).equals(readFileSync(join(out, 'src/gen', name))), name).toBe(true);
    }
  });
});
