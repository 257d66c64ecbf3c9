/**
 * The client commands run in-process through runCli with captured streams, against the real
 * server: submit --watch --download, status, list --json, stop, download, and the exit codes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { runCliInProcess, type CliRun } from '../../support/cli.js';
import { HELLOWORLD_DIR, NAMES_FILE, scratch } from '../../support/fixtures.js';

let server: AppServer;

beforeAll(async () => {
  server = await startAppServer();
});

afterAll(async () => {
  await server.stop();
});

/** Runs the CLI with FLOWSERV_REMOTE_SERVER pointing at the test server; returns code and output. */
function cli(...argv: string[]): Promise<CliRun> {
  return runCliInProcess(argv, { FLOWSERV_REMOTE_SERVER: server.address });
}

function submittedId(out: string): string {
  const m = /submitted workflow ([0-9a-f]{32})/.exec(out);
  if (!m) throw new Error(`no workflow id in: ${out}`);
  return m[1]!;
}

describe('client CLI', () => {
  it('submit --watch --download prints the live states and leaves the results in DIR (exit 0)', async () => {
    const dir = scratch();
    const r = await cli('submit', HELLOWORLD_DIR, '--arg', 'sleeptime=0', '--file', `names=${NAMES_FILE}`, '--watch', '--download', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const states = lines.filter((l) => !l.endsWith('heartbeat')).map((l) => /^(PENDING|RUNNING|SUCCESS|ERROR|CANCELED)\b/.exec(l)?.[1]).filter(Boolean);
    expect(states).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
    expect(r.out).toMatch(/SUCCESS\s+elapsed\s+\d+\.\ds/);
    expect(readFileSync(path.join(dir, 'results', 'greetings.txt'), 'utf8')).toBe('Hello Alice!\nHello Bob!\n');
    expect(JSON.parse(readFileSync(path.join(dir, 'results', 'analytics.json'), 'utf8'))).toMatchObject({ total_count: 22 });
  });

  it('status, list --json, download: a finished workflow', async () => {
    const sub = await cli('submit', HELLOWORLD_DIR, '--arg', 'sleeptime=0', '--file', `names=${NAMES_FILE}`, '--label', 'suite=cli', '--watch');
    expect(sub.code).toBe(0);
    const id = submittedId(sub.out);

    const status = await cli('status', id);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^state\s+SUCCESS/m);
    expect(status.out).toContain('results/greetings.txt (24 bytes, sha256 ');

    const statusJson = await cli('status', id, '--json');
    expect(JSON.parse(statusJson.out)).toMatchObject({ workflowId: id, state: { type: 'SUCCESS' }, labels: { suite: 'cli' } });

    const list = await cli('list', '--json', '--label', 'suite=cli', '--state', 'success');
    expect(list.code).toBe(0);
    const doc = JSON.parse(list.out) as { workflows: { workflowId: string; state: { type: string } }[] };
    expect(doc.workflows.map((w) => w.workflowId)).toContain(id);
    expect(doc.workflows.every((w) => w.state.type === 'SUCCESS')).toBe(true);

    const dir = scratch();
    const dl = await cli('download', id, dir, '--path', 'results/greetings.txt');
    expect(dl.code).toBe(0);
    expect(readFileSync(path.join(dir, 'results', 'greetings.txt'), 'utf8')).toBe('Hello Alice!\nHello Bob!\n');
    expect(existsSync(path.join(dir, 'results', 'analytics.json'))).toBe(false);
  });

  it('stop ends a running workflow; watch then exits 3 (CANCELED) with the reason', async () => {
    const sub = await cli('submit', HELLOWORLD_DIR, '--arg', 'sleeptime=60', '--file', `names=${NAMES_FILE}`);
    expect(sub.code).toBe(0);
    const id = submittedId(sub.out);
    const stop = await cli('stop', id, '--reason', 'enough', '--grace-ms', '0');
    expect(stop.code).toBe(0);
    expect(stop.out).toContain(`workflow ${id}: CANCELED`);
    const watch = await cli('watch', id, '--json');
    expect(watch.code).toBe(3);
    const events = watch.out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; type?: string; messages?: string[] });
    expect(events.at(-1)).toMatchObject({ event: 'state', type: 'CANCELED', messages: ['enough'] });
  });

  it('the invalid-command variant exits 1 and prints the error messages', async () => {
    const r = await cli('submit', HELLOWORLD_DIR, '--manifest', 'flowserv-invalid-cmd.yaml', '--arg', 'sleeptime=0', '--file', `names=${NAMES_FILE}`, '--watch');
    expect(r.code).toBe(1);
    expect(r.out).toContain('pithon: not found');
  });

  it('a single spec file works with --file inputs only', async () => {
    const r = await cli('submit', path.join(HELLOWORLD_DIR, 'benchmark-invalid-cmd.yaml'), '--arg', 'sleeptime=0', '--file', `names=${NAMES_FILE}`, '--watch');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ERROR/m);
  });

  it('exit codes: 4 for an unknown workflow, 2 for usage errors, 4 with violations for bad arguments', async () => {
    const missing = await cli('status', '0'.repeat(32));
    expect(missing.code).toBe(4);
    expect(missing.err).toContain('WorkflowNotFoundError');
    expect((await cli('status')).code).toBe(2);
    expect((await cli('list', '--bogus')).code).toBe(2);
    expect((await cli('stop', 'x', '--grace-ms', 'soon')).code).toBe(2);
    const bad = await cli('submit', HELLOWORLD_DIR, '--arg', 'sleeptime="never"');
    expect(bad.code).toBe(4);
    expect(bad.err).toMatch(/sleeptime/);
    const help = await cli('watch', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('exit codes: 0 success');
  });
});

describe('submit --file without a target (flowServ: declared target, then defaultValue)', () => {
  const spec = (declaration: string): string => {
    const file = path.join(scratch(), 'spec.yaml');
    writeFileSync(
      file,
      `workflow:\n  files:\n    outputs: [out/copy.txt]\n  parameters:\n    data: $[[data]]\n  steps:\n    - name: main\n      action:\n        environment: sh\n        commands: ['mkdir -p out', 'echo \${data} > out/copy.txt', 'cat \${data} >> out/copy.txt']\nparameters:\n  - name: data\n    dtype: file\n    isRequired: true\n${declaration}`,
    );
    return file;
  };

  it.each([
    ['the declared target', '    target: in/declared.txt\n    defaultValue: in/default.txt\n', 'in/declared.txt'],
    ['the defaultValue when no target is declared', '    defaultValue: in/default.txt\n', 'in/default.txt'],
  ])('uses %s, not the file name', async (_label, declaration, target) => {
    const dir = scratch();
    const r = await cli('submit', spec(declaration), '--file', `data=${NAMES_FILE}`, '--download', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'out', 'copy.txt'), 'utf8')).toBe(`${target}\nAlice\nBob\n`);
  });

  it('is a usage error (exit 2) when the parameter declares neither', async () => {
    const r = await cli('submit', spec(''), '--file', `data=${NAMES_FILE}`);
    expect(r.code).toBe(2);
    expect(r.err).toContain('declares no target or default');
  });
});
