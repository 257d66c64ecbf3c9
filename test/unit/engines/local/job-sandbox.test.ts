/**
 * The job sandbox's choices: the bwrap command line (mount order, covered secrets, links), the
 * job user, the loud warning without a sandbox, and that each mode's trial job really runs here.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bwrapArgs, resolveHostLayout } from '../../../../src/engines/local/bwrap-args.js';
import { createJobSandbox, JobSandboxUnavailableError, resolveJobUser } from '../../../../src/engines/local/job-sandbox.js';
import { autoSandboxKind } from '../../../support/job-sandbox.js';

const isRoot = process.getuid!() === 0;
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fsr-sandbox-unit-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('bwrap command line', () => {
  it('mounts /tmp before the read-only folders, covers secrets inside them, and binds the run directories last', () => {
    const extra = tempDir();
    const secretFile = join(extra, 'tokens');
    const secretDir = join(extra, 'keys');
    writeFileSync(secretFile, 'x');
    mkdirSync(secretDir);
    const host = resolveHostLayout([extra], [secretFile, secretDir, '/nowhere/secret', '/var/lib/not-under-a-read-only-folder']);
    expect(host.covered).toEqual([
      { path: secretFile, directory: false },
      { path: secretDir, directory: true },
    ]);
    const args = bwrapArgs(host, { workDir: '/d/runs/1/work', controlDir: '/d/runs/1/control', network: true });
    const at = (...words: string[]) => args.findIndex((_, i) => words.every((w, k) => args[i + k] === w));
    expect(at('--tmpfs', '/tmp')).toBeGreaterThan(-1);
    expect(at('--tmpfs', '/tmp')).toBeLessThan(at('--ro-bind', extra, extra));
    expect(at('--ro-bind', extra, extra)).toBeLessThan(at('--ro-bind', '/dev/null', secretFile));
    expect(at('--ro-bind', extra, extra)).toBeLessThan(at('--tmpfs', secretDir));
    expect(at('--bind', '/d/runs/1/control', '/d/runs/1/control')).toBeGreaterThan(at('--tmpfs', secretDir));
    expect(at('--bind', '/d/runs/1/work', '/d/runs/1/work')).toBeGreaterThan(at('--bind', '/d/runs/1/control', '/d/runs/1/control'));
    expect(args.slice(-2)).toEqual(['--chdir', '/d/runs/1/work']);
    expect(args).toContain('--as-pid-1');
    expect(args).toContain('--unshare-pid');
    expect(args).not.toContain('--unshare-net');
    expect(args).not.toContain('--die-with-parent'); // a job must outlive the server and the spawner
    expect(bwrapArgs(host, { workDir: '/w', controlDir: '/c', network: false })).toContain('--unshare-net');
  });

  it('recreates top-level links such as /bin -> usr/bin instead of binding through them', () => {
    const host = resolveHostLayout([], []);
    for (const [path, target] of host.links) {
      expect(statSync(path).isDirectory()).toBe(true);
      expect(target).not.toBe('');
      expect(host.readOnly).not.toContain(path);
    }
    expect(host.readOnly).toContain('/usr');
  });

  it('ignores read-only folders that do not exist', () => {
    expect(resolveHostLayout(['/no/such/folder'], []).readOnly).not.toContain('/no/such/folder');
  });
});

describe('job sandbox modes', () => {
  it('off: runs the runner directly, as the job user when the server is root, and warns loudly', () => {
    const base = tempDir();
    const sandbox = createJobSandbox({ mode: 'off', baseDir: base });
    expect(sandbox.kind).toBe('off');
    expect(sandbox.warnings[0]).toMatch(/^JOBS ARE NOT CONFINED \(job sandbox turned off\)/);
    const plan = sandbox.command({ workDir: '/w', controlDir: '/c' }, '/c/run.sh', '/c/pid');
    expect([plan.file, ...plan.args]).toEqual(['/bin/sh', '/c/run.sh']);
    expect(plan.uid).toBe(isRoot ? sandbox.user!.uid : undefined);
    // The job user passes through (never lists) the base directory.
    if (isRoot) expect(statSync(base).mode & 0o001).toBe(0o001);
  });

  it.skipIf(!isRoot)('as root: refuses a job user that does not exist, and keeps root only when asked', () => {
    expect(() => createJobSandbox({ mode: 'off', baseDir: tempDir(), jobUser: 'no-such-account-here' })).toThrow(JobSandboxUnavailableError);
    const asRoot = createJobSandbox({ mode: 'off', baseDir: tempDir(), jobUser: 'root' });
    expect(asRoot.user).toBeUndefined();
    expect(asRoot.warnings).toContain('jobs run as root (the job user is root)');
  });

  it('not root: refuses to switch to another account, and runs jobs as its own user without one', () => {
    // The real call where the tests do not run as root; as root, the uid a non-root server has.
    if (!isRoot) expect(() => createJobSandbox({ mode: 'off', baseDir: tempDir(), jobUser: 'nobody' })).toThrow(/needs the server to run as root/);
    expect(() => resolveJobUser('nobody', 1000)).toThrow(/needs the server to run as root \(it runs as uid 1000\)/);
    expect(resolveJobUser(undefined, 1000)).toBeUndefined();
    expect(resolveJobUser('nobody', 0)?.name).toBe('nobody');
  });

  const kind = autoSandboxKind();
  it.skipIf(kind === 'off')(`${kind}: writes the pid outside the sandbox, then enters it; the trial job ran`, () => {
    const sandbox = createJobSandbox({ mode: kind, baseDir: tempDir() });
    expect(sandbox.kind).toBe(kind);
    const plan = sandbox.command({ workDir: '/w', controlDir: '/c' }, '/c/run.sh', '/c/pid');
    expect(plan.file).toBe(kind === 'bwrap' ? '/usr/bin/bwrap' : '/usr/bin/unshare');
    expect(plan.pidFile).toBe('/c/pid');
    expect(plan.args).toContain('/c/run.sh');
  });

  it.skipIf(!isRoot || kind !== 'bwrap')('an explicit mode that cannot run stops the start with the reason; auto falls back and says why', () => {
    // The job user cannot pass through the 0700 folder above the data directory, so bwrap,
    // started as the job user, cannot reach a run directory there.
    const closed = tempDir();
    const base = join(closed, 'data', 'runs');
    mkdirSync(base, { recursive: true });
    expect(() => createJobSandbox({ mode: 'bwrap', baseDir: base })).toThrow(/job sandbox 'bwrap' cannot run here \(bwrap: a trial job failed/);
    const auto = createJobSandbox({ baseDir: base });
    expect(auto.kind).toBe('namespaces');
    expect(auto.warnings[0]).toMatch(/^jobs are confined with unshare, not bubblewrap \(bwrap: a trial job failed/);
  });
});
