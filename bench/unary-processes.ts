/**
 * GetWorkflowState against a bare grpc-js server answering the same path with the same bytes,
 * each server in its own process and the client in this one: rounds of calls kept at 1 and at 64
 * in flight, subject and baseline interleaved. The ratio is of round times (subject/baseline), so
 * the service reaches the "≥ 0.9× the bare server's req/s" when the ratio is ≤ 1.11.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { GetWorkflowStateRequest } from '../src/gen/flowserv/remote/v1/service.js';
import { compare, interleave, timeMs, type Benchmark } from './harness.js';
import { fillStore, spawnServe, untilServing } from './start-up.js';
import { removeDataDir } from './data-dir.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));
const PATH = '/flowserv.remote.v1.RemoteWorkflowService/GetWorkflowState';

type RawClient = Client & { call(request: Buffer, callback: (err: ServiceError | null, res?: Buffer) => void): void };

function rawClient(address: string): RawClient {
  const identity = (b: Buffer) => b;
  const Ctor = makeGenericClientConstructor(
    { call: { path: PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    'Raw',
  );
  return new Ctor(address, credentials.createInsecure()) as unknown as RawClient;
}

const callOnce = (client: RawClient, request: Buffer) =>
  new Promise<Buffer>((resolve, reject) => client.call(request, (err, res) => (err ? reject(err) : resolve(res!))));

/** `total` calls with `inFlight` kept outstanding; resolves when all answered. */
async function round(client: RawClient, request: Buffer, total: number, inFlight: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      await callOnce(client, request);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

async function spawnBare(response: Buffer): Promise<{ address: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-unary-server.ts', PATH, response.toString('hex')], {
    cwd: REPO_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    address: `127.0.0.1:${Number(chunk.toString().trim())}`,
    async stop() {
      const exited = child.exitCode === null ? once(child, 'exit') : Promise.resolve();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const unaryProcesses: Benchmark = {
  id: 'unary-bare',
  title: 'GetWorkflowState against a bare grpc-js server (separate processes)',
  description:
    '`serve` (tsx, access log off: `--log-level warn`) over a store holding one finished workflow, against a bare grpc-js server ' +
    '(bench/bare-unary-server.ts) that answers the same method path with the very bytes the service answered, each in its own ' +
    'process; this process is the client for both, on raw bytes. A round is a fixed number of calls with 1 or 64 kept in flight; ' +
    'the ratio is of round times, so throughput relative to the bare server is its inverse (goal: ≥ 0.9×, i.e. a ratio ≤ 1.11).',
  async run(ctx) {
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: 5 };
    const dataDir = await mkdtemp(join(tmpdir(), 'fsr-bench-bare-'));
    const workflowId = await fillStore(dataDir, 1);
    const request = Buffer.from(GetWorkflowStateRequest.encode({ workflowId, currentState: undefined }).finish());
    const subject = await spawnServe(dataDir);
    try {
      await untilServing(subject.address, subject.child);
      const ours = rawClient(subject.address);
      const response = await callOnce(ours, request);
      const bare = await spawnBare(response);
      const theirs = rawClient(bare.address);
      try {
        const answered = await callOnce(theirs, request);
        if (!answered.equals(response)) throw new Error('the bare server answers different bytes');
        const rows = [];
        for (const inFlight of [1, 64]) {
          const total = ctx.quick ? 64 : inFlight === 1 ? 2000 : 12_800;
          ctx.log(`${inFlight} in flight: ${counts.iterations} rounds of ${total} calls each`);
          const samples = await interleave(
            counts,
            () => timeMs(() => round(ours, request, total, inFlight)),
            () => timeMs(() => round(theirs, request, total, inFlight)),
          );
          const row = compare(
            { name: `GetWorkflowState vs bare grpc-js, ${inFlight} in flight`, subject: `serve process, ${total} calls`, baseline: `bare grpc-js process, ${total} calls` },
            samples,
          );
          const rate = (ms: number) => Math.round((total / ms) * 1000);
          rows.push({ ...row, note: `${rate(row.subjectSummary.medianMs)} vs ${rate(row.baselineSummary.medianMs)} req/s: ${(1 / row.ratio).toFixed(2)}× the bare throughput` });
        }
        return rows;
      } finally {
        ours.close();
        theirs.close();
        await bare.stop();
      }
    } finally {
      await subject.stop();
      await removeDataDir(dataDir);
    }
  },
};
