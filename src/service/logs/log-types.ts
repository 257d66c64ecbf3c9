/** The service's vocabulary for live logs: what a caller asks for and what it gets. */
import type { LogChunk, LogCursor, LogStreamName } from '../../model/logs.js';

export type { LogCursor, LogStreamName } from '../../model/logs.js';

/** What WatchLogs is asked for. */
export interface WatchLogsInput {
  readonly workflowId: string;
  /** Keep streaming while the workflow is active; false sends what is written and ends. */
  readonly follow: boolean;
  /** Resume points; streams not listed start at 0. */
  readonly startOffsets: readonly LogCursor[];
  /** Only this step; undefined means all. */
  readonly step?: number;
  /** Only these streams; undefined or empty means both. */
  readonly streams?: readonly LogStreamName[];
}

/** A piece of one command's output, as the service hands it to the server layer. */
export type LogChunkRecord = LogChunk;

/** An event of a WatchLogs stream. */
export type LogEvent =
  | { readonly kind: 'chunk'; readonly chunk: LogChunkRecord }
  | { readonly kind: 'heartbeat'; readonly at: Date; readonly lastSequence: number };
