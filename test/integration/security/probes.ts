/**
 * One call of every RemoteWorkflowService RPC (unary, server stream, client stream) with given
 * request headers, reduced to its outcome, so auth tests can sweep every path of the service.
 */
import type { Metadata } from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import {
  CreateWorkflowRequest,
  DownloadFileRequest,
  FindFilesRequest,
  GetServiceInfoRequest,
  GetWorkflowRequest,
  GetWorkflowStateRequest,
  ListWorkflowsRequest,
  RemoteWorkflowServiceService,
  StopWorkflowRequest,
  WatchLogsRequest,
  WatchStateRequest,
  type RemoteWorkflowServiceClient,
} from '../../../src/gen/flowserv/remote/v1/service.js';
import { outcomeOf, OK, streamOutcome, unaryOutcome, type Outcome } from './support.js';

export interface Probe {
  /** Method name as in the proto (`CreateWorkflow`). */
  readonly rpc: string;
  readonly kind: 'unary' | 'server stream' | 'client stream';
  /** Whether a read-only token may call it. */
  readonly mutating: boolean;
  call(client: RemoteWorkflowServiceClient, md: Metadata): Promise<Outcome>;
}

const deadline = () => ({ deadline: Date.now() + 10_000 });
const HELLO = Buffer.from('hello');

/** Every RPC of the service; `probes.test`-style sweeps assert the list is complete. */
export const PROBES: readonly Probe[] = [
  { rpc: 'CreateWorkflow', kind: 'unary', mutating: true, call: (c, md) => unaryOutcome((m, o, cb) => c.createWorkflow(CreateWorkflowRequest.fromPartial({}), m, o, cb), md) },
  { rpc: 'StopWorkflow', kind: 'unary', mutating: true, call: (c, md) => unaryOutcome((m, o, cb) => c.stopWorkflow(StopWorkflowRequest.fromPartial({ workflowId: 'nope' }), m, o, cb), md) },
  {
    rpc: 'UploadFile', kind: 'client stream', mutating: true,
    call: (c, md) =>
      new Promise((resolve) => {
        const stream = c.uploadFile(md, deadline(), (err) => resolve(err ? outcomeOf(err) : OK));
        stream.on('error', () => {});
        stream.write({ content: { $case: 'header', value: { sha256: createHash('sha256').update(HELLO).digest('hex'), sizeBytes: HELLO.length } } });
        stream.write({ content: { $case: 'chunk', value: HELLO } });
        stream.end();
      }),
  },
  { rpc: 'GetWorkflowState', kind: 'unary', mutating: false, call: (c, md) => unaryOutcome((m, o, cb) => c.getWorkflowState(GetWorkflowStateRequest.fromPartial({ workflowId: 'nope' }), m, o, cb), md) },
  { rpc: 'GetWorkflow', kind: 'unary', mutating: false, call: (c, md) => unaryOutcome((m, o, cb) => c.getWorkflow(GetWorkflowRequest.fromPartial({ workflowId: 'nope' }), m, o, cb), md) },
  { rpc: 'ListWorkflows', kind: 'unary', mutating: false, call: (c, md) => unaryOutcome((m, o, cb) => c.listWorkflows(ListWorkflowsRequest.fromPartial({}), m, o, cb), md) },
  { rpc: 'FindFiles', kind: 'unary', mutating: false, call: (c, md) => unaryOutcome((m, o, cb) => c.findFiles(FindFilesRequest.fromPartial({ sha256s: ['0'.repeat(64)] }), m, o, cb), md) },
  { rpc: 'GetServiceInfo', kind: 'unary', mutating: false, call: (c, md) => unaryOutcome((m, o, cb) => c.getServiceInfo(GetServiceInfoRequest.fromPartial({}), m, o, cb), md) },
  { rpc: 'WatchState', kind: 'server stream', mutating: false, call: (c, md) => streamOutcome(c.watchState(WatchStateRequest.fromPartial({ workflowId: 'nope' }), md, deadline())) },
  { rpc: 'WatchLogs', kind: 'server stream', mutating: false, call: (c, md) => streamOutcome(c.watchLogs(WatchLogsRequest.fromPartial({ workflowId: 'nope' }), md, deadline())) },
  { rpc: 'DownloadFile', kind: 'server stream', mutating: false, call: (c, md) => streamOutcome(c.downloadFile(DownloadFileRequest.fromPartial({ workflowId: 'nope', path: 'x' }), md, deadline())) },
];

/** Proto method names of the service, to check that PROBES covers them all. */
export const SERVICE_RPCS = Object.values(RemoteWorkflowServiceService).map((m) => m.path.split('/')[2]!);
