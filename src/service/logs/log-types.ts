/** The service's vocabulary for live logs: what a caller asks for and what it gets. */
import type { LogStreamName } from '../../engines/runner/job-logs.js';

export type { LogStreamName } from '../../engines/runner/job-logs.js';

/** How far a caller has read one stream of one command (the resume cursor). */
export interface LogCursor {
  readonly step: number;
  readonly command: number;
  readonly stream: LogStreamName;
  /** Bytes of that stream already received. */
  readonly offset: number;
}

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

/** A piece of one command's output. */
export interface LogChunkRecord {
  readonly step: number;
  readonly command: number;
  /** The command line; set on the first chunk a call sends for this (step, command, stream). */
  readonly commandText?: string;
  readonly stream: LogStreamName;
  readonly offset: number;
  readonly data: Uint8Array;
  /** Set on the empty chunk that marks the end of a stream cut by the log cap. */
  readonly droppedBytes?: number;
}

/** An event of a WatchLogs stream. */
export type LogEvent =
  | { readonly kind: 'chunk'; readonly chunk: LogChunkRecord }
  | { readonly kind: 'heartbeat'; readonly at: Date; readonly lastSequence: number };
