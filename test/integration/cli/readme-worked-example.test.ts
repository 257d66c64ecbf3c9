/**
 * The README's worked example, run as written: every `$ ` command of the section's console
 * blocks goes through bash in one session (so `export` carries over), with `npx flowserv-remote`
 * resolving the package's own bin after `npm ci`, against a real server started the same way.
 * The only substitutions are the server address (the test's server listens on a free port) and
 * the ids the README shows (replaced by the ids this run printed). Each output line the README
 * shows must appear, except lines with elapsed times or timestamps.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesInGroup } from '../../support/processes.js';
import { codeBlocks, readmeSection } from '../../unit/docs/readme.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const README_ADDRESS = '127.0.0.1:50777';

/** One README command with the output lines shown under it. */
interface Step {
  readonly command: string;
  readonly expected: string[];
}

function steps(): Step[] {
  const section = readmeSection('Worked example');
  if (section === undefined) throw new Error('README has no "Worked example" section');
  const out: Step[] = [];
  for (const block of codeBlocks(section, ['console'])) {
    let current: { command: string; expected: string[] } | undefined;
    let continued = false;
    for (const line of block.split('\n')) {
      if (continued) {
        current!.command += `\n${line}`;
        continued = line.endsWith('\\');
      } else if (line.startsWith('$ ')) {
        current = { command: line.slice(2), expected: [] };
        out.push(current);
        continued = line.endsWith('\\');
      } else if (current && line.trim() !== '') current.expected.push(line.trimEnd());
    }
  }
  return out;
}

let server: ReturnType<typeof spawn> | undefined;
let address = '';
let workDir = '';

beforeAll(async () => {
  // A folder that looks like a fresh clone after `npm ci`: the package and its node_modules.
  workDir = mkdtempSync(join(tmpdir(), 'fsr-readme-'));
  for (const entry of ['package.json', 'bin', 'src', 'examples', 'node_modules', 'tsconfig.json']) symlinkSync(join(REPO_ROOT, entry), join(workDir, entry));
  const dataDir = mkdtempSync(join(tmpdir(), 'fsr-readme-data-'));
  server = spawn('npx', ['flowserv-remote', 'serve', '--port', '0', '--data-dir', dataDir], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server!.stdout! }).on('line', (text) => {
      if (!text.includes('"listening"')) return;
      resolve(`127.0.0.1:${String((JSON.parse(text) as { port: number }).port)}`);
    });
    server!.on('exit', (code) => reject(new Error(`server exited with ${String(code)} before listening`)));
  });
}, 120_000);

afterAll(async () => {
  const group = server?.pid;
  if (group === undefined) return;
  try {
    process.kill(-group, 'SIGTERM');
  } catch {
    return; // already gone
  }
  // npx may end before the server it started has shut down: wait for the whole group.
  const deadline = Date.now() + 30_000;
  while (processesInGroup(group).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
});

describe("README's worked example", () => {
  it('runs every command as written against a real server and prints what the README shows', () => {
    const all = steps();
    expect(all.length).toBeGreaterThan(5);
    const env: Record<string, string | undefined> = { ...process.env, FLOWSERV_REMOTE_SERVER: undefined };
    // The README's ids → the ids this run printed (submit prints "submitted workflow W (run R)").
    const ids = new Map<string, string>();
    const withIds = (text: string): string => [...ids].reduce((t, [from, to]) => t.replaceAll(from, to), text);
    for (const step of all) {
      const command = withIds(step.command).replaceAll(README_ADDRESS, address);
      const exported = /^export (\w+)=(\S+)$/.exec(command);
      if (exported) {
        env[exported[1]!] = exported[2]!;
        continue;
      }
      const run = spawnSync('bash', ['-c', command], { cwd: workDir, encoding: 'utf8', timeout: 120_000, env });
      expect(run.status, `exit code of: ${command}\nstderr: ${run.stderr}`).toBe(0);
      const output = `${run.stdout}${run.stderr}`;
      const shown = step.expected.join('\n').match(/submitted workflow ([0-9a-f]{32}) \(run ([0-9a-f]{32})\)/);
      const printed = output.match(/submitted workflow ([0-9a-f]{32}) \(run ([^)]+)\)/);
      if (shown && printed) {
        ids.set(shown[1]!, printed[1]!);
        ids.set(shown[2]!, printed[2]!);
      }
      const lines = output.split('\n').map((l) => l.trimEnd());
      for (const line of step.expected.map(withIds)) {
        if (/elapsed|\d{4}-\d\d-\d\dT/.test(line)) continue;
        expect(lines, `"${line}" after: ${command}`).toContain(line);
      }
    }
  }, 300_000);
});
