/**
 * flowServ-style post-processing end to end (FLOWSERV.md §6.5): two Hello World runs, their
 * results gathered into a `runs` folder (runs.json plus <run id>/results/analytics.json), then
 * examples/postproc run over that folder as a directory argument, once through the RemoteClient
 * API and once through the CLI (`submit --dir`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../support/cli.js';
import { FileSystemStorage, GrpcRemoteClient, type RemoteWorkflowHandle } from '../../../src/client/index.js';
import { InputDirectory, InputFile, loadTemplateDirectory } from '../../../src/model/index.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { helloWorld, REPO_ROOT, runId, scratch } from '../../support/fixtures.js';

const POSTPROC_DIR = path.join(REPO_ROOT, 'examples', 'postproc');

let server: AppServer;
let client: GrpcRemoteClient;
/** The runs folder built from two earlier runs, and the expected compare.json. */
let runsDir: string;
let expected: unknown[];

/** Follows a workflow over WatchState until its terminal state; returns that state's type. */
async function finalType(handle: RemoteWorkflowHandle): Promise<string> {
  let last = handle.state.type as string;
  for await (const ev of client.watchState(handle.workflowId)) if (ev.kind === 'state') last = ev.state.type;
  return last;
}

beforeAll(async () => {
  server = await startAppServer();
  client = new GrpcRemoteClient(server.address);
  runsDir = scratch('fsr-runs-');
  const runs: { id: string; name: string; files: string[] }[] = [];
  expected = [];
  for (const [greeting, names] of [['Hello', 'Alice\nBob\n'], ['Hi', 'Zoe\n']] as const) {
    const { template, staticfs } = helloWorld();
    const namesFile = path.join(scratch(), 'names.txt');
    writeFileSync(namesFile, names);
    const id = runId(greeting.toLowerCase());
    const runstore = new FileSystemStorage(path.join(runsDir, id));
    const args = { names: new InputFile(namesFile, 'data/names.txt'), sleeptime: 0, greeting };
    const handle = await client.createWorkflow({ runId: id }, template, args, staticfs, { runstore });
    expect(await finalType(handle)).toBe('SUCCESS');
    await client.downloadOutputs(handle.workflowId, handle.outputFiles, runstore);
    runs.push({ id, name: `group ${greeting}`, files: ['results/analytics.json'] });
    const analytics = JSON.parse(readFileSync(path.join(runsDir, id, 'results', 'analytics.json'), 'utf8')) as Record<string, unknown>;
    expected.push({ run: id, name: `group ${greeting}`, ...analytics });
  }
  writeFileSync(path.join(runsDir, 'runs.json'), JSON.stringify(runs));
});

afterAll(async () => {
  client.close();
  await server.stop();
});

describe('post-processing over the results of two earlier runs (examples/postproc)', () => {
  it('runs to SUCCESS through the RemoteClient API with the runs folder as a directory argument', async () => {
    const dir = loadTemplateDirectory(POSTPROC_DIR);
    const staging = scratch();
    for (const f of dir.staticFiles) {
      mkdirSync(path.dirname(path.join(staging, f.target)), { recursive: true });
      writeFileSync(path.join(staging, f.target), readFileSync(f.absolutePath));
    }
    const entries = ['runs.json', ...expected.map((e) => `${(e as { run: string }).run}/results/analytics.json`)].map((p) => ({ path: p, source: path.join(runsDir, p) }));
    const runstore = new FileSystemStorage(scratch());
    const handle = await client.createWorkflow({ runId: runId('postproc') }, dir.template, { runs: new InputDirectory(entries, 'runs') }, new FileSystemStorage(staging), {
      runstore,
    });
    expect(handle.outputFiles).toEqual(['results/compare.json']);
    expect(await finalType(handle)).toBe('SUCCESS');
    await client.downloadOutputs(handle.workflowId, handle.outputFiles, runstore);
    const compare = JSON.parse(readFileSync(path.join(runstore.basedir, 'results', 'compare.json'), 'utf8')) as unknown[];
    expect(compare).toEqual(expected);
  });

  it('runs to SUCCESS through the CLI: submit examples/postproc --dir runs=DIR --download OUT', async () => {
    const target = scratch();
    const { code, out, err } = await runCliInProcess(['submit', POSTPROC_DIR, '--dir', `runs=${runsDir}`, '--download', target], {
      FLOWSERV_REMOTE_SERVER: server.address,
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^SUCCESS\b/m);
    const compare = JSON.parse(readFileSync(path.join(target, 'results', 'compare.json'), 'utf8')) as unknown[];
    expect(compare).toEqual(expected);
  });
});
