/**
 * The vocabulary of live logs that the engines' log reader, the service and the client all
 * speak: which stream, a piece of a command's output, and where to resume. Defined once here so
 * the two ends of WatchLogs cannot drift apart.
 */

/** One of a command's two output streams. */
export type LogStreamName = 'stdout' | 'stderr';

/** How far a caller has read one stream of one command (the resume cursor). */
export interface LogCursor {
  /** 0-based step index and command index within the step. */
  readonly step: number;
  readonly command: number;
  readonly stream: LogStreamName;
  /** Bytes of that stream already received. */
  readonly offset: number;
}

/** A piece of one command's output. */
export interface LogChunk {
  /** 0-based step index and command index within the step. */
  readonly step: number;
  readonly command: number;
  /** The command line; set on the first chunk a call sends for this (step, command, stream). */
  readonly commandText?: string;
  readonly stream: LogStreamName;
  /** Byte offset of `data` in the stream; `offset + data.length` is where to resume. */
  readonly offset: number;
  readonly data: Uint8Array;
  /** Set on the empty chunk that marks the end of a stream cut by the log cap: bytes discarded. */
  readonly droppedBytes?: number;
}
