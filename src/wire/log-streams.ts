/** The log stream enum table (`stdout`/`stderr` ↔ `LogStream`), read in both directions. */
import { LogStream } from '../gen/flowserv/remote/v1/logs.js';
import type { LogStreamName } from '../model/logs.js';

const STREAMS: Readonly<Record<LogStreamName, LogStream>> = {
  stdout: LogStream.LOG_STREAM_STDOUT,
  stderr: LogStream.LOG_STREAM_STDERR,
};

/** The protobuf enum value of a stream name. */
export function logStreamToProto(stream: LogStreamName): LogStream {
  return STREAMS[stream];
}

/** The stream name of an enum value; undefined for UNSPECIFIED or unknown values. */
export function logStreamFromProto(stream: LogStream): LogStreamName | undefined {
  if (stream === LogStream.LOG_STREAM_STDOUT) return 'stdout';
  if (stream === LogStream.LOG_STREAM_STDERR) return 'stderr';
  return undefined;
}
