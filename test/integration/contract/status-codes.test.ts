/**
 * The contract's status codes, table-driven: for every RPC, each status code its comment in
 * service.proto lists is provoked on a real server, and the code, the ErrorInfo reason and the
 * field of each violation are asserted. Every row's code must be listed for its RPC, every listed
 * code must have a row, and a set of odd requests per RPC must only ever answer listed codes.
 */
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWorkflowRequest, RemoteWorkflowServiceClient, type UploadFileRequest, type WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { decodeStatusDetails } from '../../../src/wire/status-details.js';
import { call, collect, sha256, upload } from '../../support/grpc-calls.js';
import { shellRequest } from '../../support/shell-request.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';

const PROTO = readFileSync(fileURLToPath(new URL('../../../proto/flowserv/remote/v1/service.proto', import.meta.url)), 'utf8');
const CODE_NAMES = Object.keys(status).filter((k) => Number.isNaN(Number(k))) as (keyof typeof status)[];
type CodeName = (typeof CODE_NAMES)[number];
type Rpc = 'createWorkflow' | 'getWorkflowState' | 'stopWorkflow' | 'watchState' | 'uploadFile' | 'findFiles' | 'downloadFile' | 'getWorkflow' | 'listWorkflows' | 'getServiceInfo';
const RPCS: Rpc[] = ['createWorkflow', 'getWorkflowState', 'stopWorkflow', 'watchState', 'uploadFile', 'findFiles', 'downloadFile', 'getWorkflow', 'listWorkflows', 'getServiceInfo'];

/** The codes each RPC's comment lists after "Returns:". */
function listedCodes(rpc: Rpc): Set<CodeName> {
  const name = rpc[0]!.toUpperCase() + rpc.slice(1);
  const at = PROTO.indexOf(`  rpc ${name}(`);
  const comment = PROTO.slice(PROTO.lastIndexOf('Returns:', at), at);
  return new Set(CODE_NAMES.filter((c) => new RegExp(`\\b${c}\\b`).test(comment)));
}

/** A call's outcome: its code name, ErrorInfo reason and violation fields. */
interface Outcome {
  readonly code: CodeName;
  readonly reason?: string;
  readonly fields: string[];
  readonly events?: number;
}
const codeName = (code: number): CodeName => CODE_NAMES.find((c) => status[c] === code)!;
function outcomeOf(err: unknown): Outcome {
  const e = err as ServiceError;
  const details = decodeStatusDetails(e.metadata ?? new Metadata());
  return { code: codeName(e.code), ...(details?.errorInfo && { reason: details.errorInfo.reason }), fields: (details?.fieldViolations ?? []).map((v) => v.field) };
}

/** The world a row runs in: a plain server, a server with auth, one stopped, one with a faulty service. */
interface World {
  plain: AppServer;
  secured: AppServer;
  faulty: AppServer;
  stoppedAddress: string;
  writer: string;
  reader: string;
  succeeded: { workflowId: string; lastSequence: number; file: string; size: number };
  failed: string;
}
const w = {} as World;

const md = (token?: string): Metadata => {
  const m = new Metadata();
  if (token) m.add('authorization', `Bearer ${token}`);
  return m;
};
const deadline = () => ({ deadline: Date.now() + 15_000 });

/** Runs one RPC with `req` against `address` (token optional) and reports its outcome. */
async function invoke(address: string, rpc: Rpc, req: unknown, opts: { token?: string; cancel?: boolean } = {}): Promise<Outcome> {
  const client = new RemoteWorkflowServiceClient(address, credentials.createInsecure());
  try {
    if (rpc === 'watchState' || rpc === 'downloadFile') {
      const stream = rpc === 'watchState' ? client.watchState(req as never, md(opts.token), deadline()) : client.downloadFile(req as never, md(opts.token), deadline());
      if (opts.cancel) setImmediate(() => stream.cancel());
      const items = await collect<unknown>(stream);
      return { code: 'OK', fields: [], events: items.length };
    }
    if (rpc === 'uploadFile') {
      const messages = req as UploadFileRequest[];
      return await new Promise<Outcome>((resolve) => {
        const stream = client.uploadFile(md(opts.token), deadline(), (err) => resolve(err ? outcomeOf(err) : { code: 'OK', fields: [] }));
        for (const m of messages) stream.write(m);
        if (opts.cancel) setImmediate(() => stream.cancel());
        else stream.end();
      });
    }
    return await new Promise<Outcome>((resolve) => {
      const fn = client[rpc] as unknown as (r: unknown, m: Metadata, o: object, cb: (err: ServiceError | null) => void) => void;
      fn.call(client, req, md(opts.token), deadline(), (err) => resolve(err ? outcomeOf(err) : { code: 'OK', fields: [] }));
    });
  } catch (err) {
    return outcomeOf(err);
  } finally {
    client.close();
  }
}

const BYTES = Buffer.from('contract test content\n');
const header = (bytes: Buffer, size = bytes.length): UploadFileRequest => ({ content: { $case: 'header', value: { sha256: sha256(bytes), sizeBytes: size } } });
const chunk = (bytes: Buffer): UploadFileRequest => ({ content: { $case: 'chunk', value: bytes } });
let runs = 0;
const newRun = (commands = ['echo hi']): CreateWorkflowRequest => shellRequest(`contract-${process.pid}-${++runs}`, commands);

/** Every RPC's request that succeeds on `w.plain` (used for the auth, stopped and faulty rows). */
const validRequest = (rpc: Rpc): unknown =>
  ({
    createWorkflow: newRun(),
    getWorkflowState: { workflowId: w.succeeded.workflowId },
    stopWorkflow: { workflowId: w.succeeded.workflowId, reason: '' },
    watchState: { workflowId: w.succeeded.workflowId, afterSequence: 0 },
    uploadFile: [header(BYTES), chunk(BYTES)],
    findFiles: { sha256s: [sha256(BYTES)] },
    downloadFile: { workflowId: w.succeeded.workflowId, path: w.succeeded.file, offset: 0 },
    getWorkflow: { workflowId: w.succeeded.workflowId },
    listWorkflows: { pageSize: 0, pageToken: '', states: [], labels: {}, engine: '' },
    getServiceInfo: {},
  })[rpc];

/** Which service method each RPC reaches, for the faulty server. */
const SERVICE_METHOD: Record<Rpc, string> = {
  createWorkflow: 'createWorkflow',
  getWorkflowState: 'getWorkflowState',
  stopWorkflow: 'stopWorkflow',
  watchState: 'watchState',
  uploadFile: 'uploadFile',
  findFiles: 'findFiles',
  downloadFile: 'openDownload',
  getWorkflow: 'getWorkflow',
  listWorkflows: 'listWorkflows',
  getServiceInfo: 'engineInfo',
};
const WRITE_RPCS: Rpc[] = ['createWorkflow', 'stopWorkflow', 'uploadFile'];

interface Row {
  readonly rpc: Rpc;
  readonly code: CodeName;
  readonly what: string;
  readonly run: () => Promise<Outcome>;
  readonly reason?: string;
  readonly fields?: string[];
}

const NOT_FOUND_ID = 'f'.repeat(32);
const rows: Row[] = [
  // CreateWorkflow
  { rpc: 'createWorkflow', code: 'OK', what: 'a valid workflow', run: () => invoke(w.plain.address, 'createWorkflow', newRun()) },
  { rpc: 'createWorkflow', code: 'INVALID_ARGUMENT', what: 'a malformed run id', reason: 'INVALID_ARGUMENT', fields: ['run.run_id'], run: () => invoke(w.plain.address, 'createWorkflow', { ...newRun(), run: { runId: 'has spaces' } }) },
  {
    rpc: 'createWorkflow',
    code: 'ALREADY_EXISTS',
    what: 'a run id reused with another payload',
    reason: 'ALREADY_EXISTS',
    run: async () => {
      const req = newRun();
      await invoke(w.plain.address, 'createWorkflow', req);
      return invoke(w.plain.address, 'createWorkflow', { ...req, labels: { other: 'payload' } });
    },
  },
  {
    rpc: 'createWorkflow',
    code: 'RESOURCE_EXHAUSTED',
    what: 'more creates than the burst allows',
    reason: 'RESOURCE_EXHAUSTED',
    run: async () => {
      let last: Outcome = { code: 'OK', fields: [] };
      for (let i = 0; i < 3 && last.code === 'OK'; i++) last = await invoke(w.secured.address, 'createWorkflow', newRun(), { token: w.writer });
      return last;
    },
  },
  // GetWorkflowState
  { rpc: 'getWorkflowState', code: 'OK', what: 'a known workflow', run: () => invoke(w.plain.address, 'getWorkflowState', { workflowId: w.succeeded.workflowId }) },
  { rpc: 'getWorkflowState', code: 'INVALID_ARGUMENT', what: 'an empty workflow_id', reason: 'INVALID_ARGUMENT', fields: ['workflow_id'], run: () => invoke(w.plain.address, 'getWorkflowState', { workflowId: '' }) },
  { rpc: 'getWorkflowState', code: 'NOT_FOUND', what: 'an unknown workflow', reason: 'WORKFLOW_NOT_FOUND', run: () => invoke(w.plain.address, 'getWorkflowState', { workflowId: NOT_FOUND_ID }) },
  // StopWorkflow
  { rpc: 'stopWorkflow', code: 'OK', what: 'a finished workflow (idempotent)', run: () => invoke(w.plain.address, 'stopWorkflow', { workflowId: w.succeeded.workflowId, reason: '' }) },
  { rpc: 'stopWorkflow', code: 'INVALID_ARGUMENT', what: 'an empty workflow_id', reason: 'INVALID_ARGUMENT', fields: ['workflow_id'], run: () => invoke(w.plain.address, 'stopWorkflow', { workflowId: '', reason: '' }) },
  {
    rpc: 'stopWorkflow',
    code: 'INVALID_ARGUMENT',
    what: 'a negative grace period',
    reason: 'INVALID_ARGUMENT',
    fields: ['grace_period'],
    run: () => invoke(w.plain.address, 'stopWorkflow', { workflowId: w.succeeded.workflowId, reason: '', gracePeriod: { seconds: -1, nanos: 0 } }),
  },
  { rpc: 'stopWorkflow', code: 'NOT_FOUND', what: 'an unknown workflow', reason: 'WORKFLOW_NOT_FOUND', run: () => invoke(w.plain.address, 'stopWorkflow', { workflowId: NOT_FOUND_ID, reason: '' }) },
  // WatchState
  { rpc: 'watchState', code: 'OK', what: 'a finished workflow from 0', run: () => invoke(w.plain.address, 'watchState', { workflowId: w.succeeded.workflowId, afterSequence: 0 }) },
  { rpc: 'watchState', code: 'INVALID_ARGUMENT', what: 'an empty workflow_id', reason: 'INVALID_ARGUMENT', fields: ['workflow_id'], run: () => invoke(w.plain.address, 'watchState', { workflowId: '', afterSequence: 0 }) },
  { rpc: 'watchState', code: 'INVALID_ARGUMENT', what: 'a negative after_sequence', reason: 'INVALID_ARGUMENT', fields: ['after_sequence'], run: () => invoke(w.plain.address, 'watchState', { workflowId: w.succeeded.workflowId, afterSequence: -1 }) },
  { rpc: 'watchState', code: 'NOT_FOUND', what: 'an unknown workflow', reason: 'WORKFLOW_NOT_FOUND', run: () => invoke(w.plain.address, 'watchState', { workflowId: NOT_FOUND_ID, afterSequence: 0 }) },
  { rpc: 'watchState', code: 'OUT_OF_RANGE', what: 'a cursor ahead of the log', reason: 'OUT_OF_RANGE', run: () => invoke(w.plain.address, 'watchState', { workflowId: w.succeeded.workflowId, afterSequence: w.succeeded.lastSequence + 1 }) },
  { rpc: 'watchState', code: 'CANCELLED', what: 'the caller cancelling', run: async () => invoke(w.plain.address, 'watchState', { workflowId: (await call(w.plain.client, 'createWorkflow', newRun(['sleep 30']))).workflow!.workflowId, afterSequence: 0 }, { cancel: true }) },
  // UploadFile
  { rpc: 'uploadFile', code: 'OK', what: 'a header and one chunk', run: () => invoke(w.plain.address, 'uploadFile', [header(BYTES), chunk(BYTES)]) },
  { rpc: 'uploadFile', code: 'INVALID_ARGUMENT', what: 'no header', reason: 'INVALID_ARGUMENT', fields: ['content.header'], run: () => invoke(w.plain.address, 'uploadFile', [chunk(BYTES)]) },
  { rpc: 'uploadFile', code: 'INVALID_ARGUMENT', what: 'a malformed digest', reason: 'INVALID_ARGUMENT', fields: ['header.sha256'], run: () => invoke(w.plain.address, 'uploadFile', [{ content: { $case: 'header', value: { sha256: 'xyz', sizeBytes: 1 } } }]) },
  { rpc: 'uploadFile', code: 'INVALID_ARGUMENT', what: 'a digest mismatch', reason: 'CHECKSUM_MISMATCH', run: () => invoke(w.plain.address, 'uploadFile', [header(BYTES), chunk(Buffer.from('other content here!!!!'))]) },
  {
    rpc: 'uploadFile',
    code: 'INVALID_ARGUMENT',
    what: 'a chunk larger than Limits.upload_chunk_bytes',
    reason: 'INVALID_ARGUMENT',
    fields: ['content.chunk'],
    run: () => {
      const big = Buffer.alloc(64 * 1024 + 1, 7);
      return invoke(w.plain.address, 'uploadFile', [header(big), chunk(big)]);
    },
  },
  { rpc: 'uploadFile', code: 'RESOURCE_EXHAUSTED', what: 'a size above Limits.max_upload_bytes', reason: 'RESOURCE_EXHAUSTED', run: () => invoke(w.plain.address, 'uploadFile', [header(BYTES, 2 * 1024 * 1024)]) },
  { rpc: 'uploadFile', code: 'CANCELLED', what: 'the caller cancelling', run: () => invoke(w.plain.address, 'uploadFile', [header(Buffer.alloc(1000, 1))], { cancel: true }) },
  // FindFiles
  { rpc: 'findFiles', code: 'OK', what: 'well-formed digests', run: () => invoke(w.plain.address, 'findFiles', { sha256s: [sha256(BYTES), sha256('absent')] }) },
  { rpc: 'findFiles', code: 'INVALID_ARGUMENT', what: 'a malformed digest', reason: 'INVALID_ARGUMENT', fields: ['sha256s[1]'], run: () => invoke(w.plain.address, 'findFiles', { sha256s: [sha256(BYTES), 'not-a-digest'] }) },
  { rpc: 'findFiles', code: 'INVALID_ARGUMENT', what: 'more than 10000 digests', reason: 'INVALID_ARGUMENT', fields: ['sha256s'], run: () => invoke(w.plain.address, 'findFiles', { sha256s: Array.from({ length: 10_001 }, () => sha256(BYTES)) }) },
  // DownloadFile
  { rpc: 'downloadFile', code: 'OK', what: 'an output file', run: () => invoke(w.plain.address, 'downloadFile', { workflowId: w.succeeded.workflowId, path: w.succeeded.file, offset: 0 }) },
  { rpc: 'downloadFile', code: 'INVALID_ARGUMENT', what: 'an empty path', reason: 'INVALID_ARGUMENT', fields: ['path'], run: () => invoke(w.plain.address, 'downloadFile', { workflowId: w.succeeded.workflowId, path: '', offset: 0 }) },
  { rpc: 'downloadFile', code: 'INVALID_ARGUMENT', what: 'a .. path', reason: 'INVALID_ARGUMENT', fields: ['path'], run: () => invoke(w.plain.address, 'downloadFile', { workflowId: w.succeeded.workflowId, path: '../etc/passwd', offset: 0 }) },
  { rpc: 'downloadFile', code: 'INVALID_ARGUMENT', what: 'an absolute path', reason: 'INVALID_ARGUMENT', fields: ['path'], run: () => invoke(w.plain.address, 'downloadFile', { workflowId: w.succeeded.workflowId, path: '/etc/passwd', offset: 0 }) },
  { rpc: 'downloadFile', code: 'INVALID_ARGUMENT', what: 'a negative offset', reason: 'INVALID_ARGUMENT', fields: ['offset'], run: () => invoke(w.plain.address, 'downloadFile', { workflowId: w.succeeded.workflowId, path: w.succeeded.file, offset: -1 }) },
  { rpc: 'downloadFile', code: 'NOT_FOUND', what: 'an unknown workflow', reason: 'WORKFLOW_NOT_FOUND', run: () => invoke(w.plain.address, 'downloadFile', { workflowId: NOT_FOUND_ID, path: 'x', offset: 0 }) },
  { rpc: 'downloadFile', code: 'NOT_FOUND', what: 'a path that is not an output', reason: 'FILE_NOT_FOUND', run: () => invoke(w.plain.address, 'downloadFile', { workflowId: w.succeeded.workflowId, path: 'nope.txt', offset: 0 }) },
  { rpc: 'downloadFile', code: 'FAILED_PRECONDITION', what: 'a workflow that did not succeed', reason: 'FAILED_PRECONDITION', run: () => invoke(w.plain.address, 'downloadFile', { workflowId: w.failed, path: 'out.txt', offset: 0 }) },
  { rpc: 'downloadFile', code: 'OUT_OF_RANGE', what: 'an offset beyond the file', reason: 'OUT_OF_RANGE', run: () => invoke(w.plain.address, 'downloadFile', { workflowId: w.succeeded.workflowId, path: w.succeeded.file, offset: w.succeeded.size + 1 }) },
  { rpc: 'downloadFile', code: 'CANCELLED', what: 'the caller cancelling', run: () => invoke(w.plain.address, 'downloadFile', { workflowId: w.succeeded.workflowId, path: w.succeeded.file, offset: 0 }, { cancel: true }) },
  // GetWorkflow
  { rpc: 'getWorkflow', code: 'OK', what: 'a known workflow', run: () => invoke(w.plain.address, 'getWorkflow', { workflowId: w.succeeded.workflowId }) },
  { rpc: 'getWorkflow', code: 'INVALID_ARGUMENT', what: 'an empty workflow_id', reason: 'INVALID_ARGUMENT', fields: ['workflow_id'], run: () => invoke(w.plain.address, 'getWorkflow', { workflowId: '' }) },
  { rpc: 'getWorkflow', code: 'NOT_FOUND', what: 'an unknown workflow', reason: 'WORKFLOW_NOT_FOUND', run: () => invoke(w.plain.address, 'getWorkflow', { workflowId: NOT_FOUND_ID }) },
  // ListWorkflows
  { rpc: 'listWorkflows', code: 'OK', what: 'the first page', run: () => invoke(w.plain.address, 'listWorkflows', validRequest('listWorkflows')) },
  { rpc: 'listWorkflows', code: 'INVALID_ARGUMENT', what: 'a negative page_size', reason: 'INVALID_ARGUMENT', fields: ['page_size'], run: () => invoke(w.plain.address, 'listWorkflows', { ...(validRequest('listWorkflows') as object), pageSize: -1 }) },
  { rpc: 'listWorkflows', code: 'INVALID_ARGUMENT', what: 'a foreign page_token', reason: 'INVALID_ARGUMENT', fields: ['page_token'], run: () => invoke(w.plain.address, 'listWorkflows', { ...(validRequest('listWorkflows') as object), pageToken: 'bogus' }) },
  { rpc: 'listWorkflows', code: 'INVALID_ARGUMENT', what: 'an UNSPECIFIED state filter', reason: 'INVALID_ARGUMENT', fields: ['states[0]'], run: () => invoke(w.plain.address, 'listWorkflows', { ...(validRequest('listWorkflows') as object), states: [0] }) },
  // GetServiceInfo
  { rpc: 'getServiceInfo', code: 'OK', what: 'always', run: () => invoke(w.plain.address, 'getServiceInfo', {}) },
  // Every RPC: credentials, a server that is gone, an unexpected fault.
  ...RPCS.flatMap((rpc): Row[] => [
    { rpc, code: 'UNAUTHENTICATED', what: 'no token on a server with auth', reason: 'UNAUTHENTICATED', run: () => invoke(w.secured.address, rpc, validRequest(rpc)) },
    { rpc, code: 'UNAVAILABLE', what: 'a server that has shut down (no ErrorInfo: the client library answers)', run: () => invoke(w.stoppedAddress, rpc, validRequest(rpc)) },
    { rpc, code: 'INTERNAL', what: 'an unexpected fault in the service', reason: 'INTERNAL', run: () => invoke(w.faulty.address, rpc, validRequest(rpc)) },
    ...(WRITE_RPCS.includes(rpc)
      ? [{ rpc, code: 'PERMISSION_DENIED' as const, what: 'a read-only token', reason: 'PERMISSION_DENIED', run: () => invoke(w.secured.address, rpc, validRequest(rpc), { token: w.reader }) }]
      : []),
  ]),
];

/** Odd requests whose answer, whatever it is, must be a code the RPC's comment lists. */
const probes: Array<[Rpc, string, () => unknown]> = [
  ['createWorkflow', 'an empty request', () => CreateWorkflowRequest.fromPartial({})],
  ['createWorkflow', 'a template without workflow', () => ({ ...newRun(), template: { parameters: [], parameterGroups: [], outputs: [] } })],
  ['createWorkflow', 'an unknown engine and a static file never uploaded', () => ({ ...newRun(), engine: 'pbs', staticFiles: [{ path: 'a', sha256: sha256('none') }] })],
  ['createWorkflow', 'an argument for no parameter', () => ({ ...newRun(), arguments: [{ name: 'x', kind: { $case: 'value', value: 1 } }] })],
  ['getWorkflowState', 'a 1000-character id', () => ({ workflowId: 'x'.repeat(1000) })],
  ['stopWorkflow', 'a huge grace period', () => ({ workflowId: w.succeeded.workflowId, reason: 'x', gracePeriod: { seconds: 10 ** 9, nanos: 0 } })],
  ['watchState', 'a huge cursor', () => ({ workflowId: w.succeeded.workflowId, afterSequence: 2 ** 40 })],
  ['uploadFile', 'an empty stream', () => []],
  ['uploadFile', 'two headers', () => [header(BYTES), header(BYTES)]],
  ['uploadFile', 'a negative size', () => [{ content: { $case: 'header', value: { sha256: sha256(BYTES), sizeBytes: -5 } } }]],
  ['findFiles', 'an uppercase digest', () => ({ sha256s: [sha256(BYTES).toUpperCase()] })],
  ['findFiles', 'no digests', () => ({ sha256s: [] })],
  ['downloadFile', 'a path with a NUL', () => ({ workflowId: w.succeeded.workflowId, path: 'a\0b', offset: 0 })],
  ['downloadFile', 'an offset at the end', () => ({ workflowId: w.succeeded.workflowId, path: w.succeeded.file, offset: w.succeeded.size })],
  ['getWorkflow', 'an id with a slash', () => ({ workflowId: '../x' })],
  ['listWorkflows', 'a huge page size and a bad label key', () => ({ pageSize: 2 ** 30, pageToken: '', states: [99], labels: { '-': 'x' }, engine: 'pbs' })],
  ['getServiceInfo', 'an empty request', () => ({})],
];

beforeAll(async () => {
  w.plain = await startAppServer({ args: ['--max-upload-bytes', String(1024 * 1024)] });
  const dir = mkdtempSync(join(tmpdir(), 'fsr-contract-'));
  w.writer = 'w'.repeat(32);
  w.reader = 'r'.repeat(32);
  writeFileSync(join(dir, 'tokens'), `${w.writer} name=writer\n${w.reader} read-only name=reader\n`);
  w.secured = await startAppServer({ args: ['--auth-token-file', join(dir, 'tokens'), '--security-reload-interval-ms', '0', '--create-burst', '1', '--create-rate-per-minute', '1'] });
  w.faulty = await startAppServer();
  await upload(w.faulty.client, BYTES);
  for (const method of Object.values(SERVICE_METHOD)) {
    (w.faulty.app.service as unknown as Record<string, unknown>)[method] = () => {
      throw new Error('a fault the caller must not see');
    };
  }
  const stopped = await startAppServer();
  w.stoppedAddress = stopped.address;
  await stopped.stop();

  const ok = await call(w.plain.client, 'createWorkflow', shellRequest('contract-ok', ['mkdir -p out', 'echo result > out/r.txt'], { outputs: ['out/r.txt'] }));
  const okStates = await collect<WatchStateResponse>(w.plain.client.watchState({ workflowId: ok.workflow!.workflowId, afterSequence: 0 }));
  const last = okStates.flatMap((e) => (e.event?.$case === 'state' ? [e.event.value] : [])).at(-1)!;
  expect(last.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
  w.succeeded = { workflowId: ok.workflow!.workflowId, lastSequence: last.sequence, file: 'out/r.txt', size: last.files[0]!.sizeBytes };
  const bad = await call(w.plain.client, 'createWorkflow', shellRequest('contract-bad', ['exit 3']));
  await collect(w.plain.client.watchState({ workflowId: bad.workflow!.workflowId, afterSequence: 0 }));
  w.failed = bad.workflow!.workflowId;
  await upload(w.plain.client, BYTES);
}, 60_000);

afterAll(async () => {
  await Promise.all([w.plain?.stop(), w.secured?.stop(), w.faulty?.stop()]);
});

describe('every status code an RPC lists is provoked, with its reason and fields', () => {
  it.each(rows.map((r) => [r.rpc, r.code, r.what, r] as const))('%s → %s: %s', async (rpc, code, _what, row) => {
    expect(listedCodes(rpc), `${code} is not listed for ${rpc}`).toContain(code);
    const outcome = await row.run();
    expect(outcome.code).toBe(code);
    expect(outcome.reason).toBe(row.reason);
    if (row.fields) expect(outcome.fields).toEqual(row.fields);
  });

  it.each(RPCS)('%s: every listed code has a row', (rpc) => {
    const provoked = new Set(rows.filter((r) => r.rpc === rpc).map((r) => r.code));
    expect([...listedCodes(rpc)].filter((c) => !provoked.has(c))).toEqual([]);
  });
});

describe('odd requests only ever get listed codes', () => {
  it.each(probes.map(([rpc, what, req]) => [rpc, what, req] as const))('%s: %s', async (rpc, _what, req) => {
    const outcome = await invoke(w.plain.address, rpc, req());
    expect(listedCodes(rpc)).toContain(outcome.code);
    if (outcome.code !== 'OK') expect(outcome.reason).toBeDefined();
  });
});

describe('WatchState on a finished workflow', () => {
  it('ends at once when after_sequence is its last sequence (no heartbeats)', async () => {
    const outcome = await invoke(w.plain.address, 'watchState', { workflowId: w.succeeded.workflowId, afterSequence: w.succeeded.lastSequence });
    expect(outcome).toMatchObject({ code: 'OK', events: 0 });
  });
});
