/**
 * Test helpers for WatchLogs over the raw generated client: a request for a multi-step shell
 * workflow (re-exported from shell-request.ts), a follower that records every event as it arrives (so tests can wait on what was
 * received while the job still runs), and reassembling streams from chunks.
 */
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { LogStream, type LogChunk } from '../../src/gen/flowserv/remote/v1/logs.js';
import type { RemoteWorkflowServiceClient, WatchLogsRequest, WatchLogsResponse } from '../../src/gen/flowserv/remote/v1/service.js';

export { stepsRequest } from './shell-request.js';

/** A WatchLogs request with defaults for the fields a test does not set. */
export function logsRequest(workflowId: string, options: Partial<WatchLogsRequest> = {}): WatchLogsRequest {
  return { workflowId, follow: true, startOffsets: [], streams: [], ...options };
}

/** A running WatchLogs call and what it received so far. */
export interface LogFollower {
  readonly events: WatchLogsResponse[];
  readonly stream: ClientReadableStream<WatchLogsResponse>;
  /** Resolves when the call ended with OK; rejects with its error. */
  readonly ended: Promise<void>;
  /** The chunks received so far. */
  chunks(): LogChunk[];
  /** The text received so far for one stream of one command. */
  text(step: number, command: number, stream: LogStream): string;
}

/** Opens WatchLogs and records its events. */
export function followLogs(client: RemoteWorkflowServiceClient, request: WatchLogsRequest): LogFollower {
  const events: WatchLogsResponse[] = [];
  const stream = client.watchLogs(request);
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('data', (e: WatchLogsResponse) => events.push(e));
    stream.on('error', (err: ServiceError) => reject(err));
    stream.on('end', () => resolve());
  });
  ended.catch(() => undefined);
  const chunks = (): LogChunk[] => events.flatMap((e) => (e.event?.$case === 'chunk' ? [e.event.value] : []));
  return {
    events,
    stream,
    ended,
    chunks,
    text: (step, command, s) => joinText(chunks().filter((c) => c.stepIndex === step && c.commandIndex === command && c.stream === s)),
  };
}

/** The bytes of chunks, checked to be contiguous (each chunk starts where the previous ended). */
export function joinText(chunks: readonly LogChunk[]): string {
  let expected = chunks[0]?.offset ?? 0;
  for (const c of chunks) {
    if (c.offset !== expected) throw new Error(`chunk at offset ${c.offset}, expected ${expected}`);
    expected += c.data.length;
  }
  return Buffer.concat(chunks.map((c) => c.data)).toString('utf8');
}
