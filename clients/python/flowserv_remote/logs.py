"""Following a workflow's output (WatchLogs): chunks of each command's stdout and stderr as they
are written, each with its step, command, stream and byte offset. ``watch_logs`` resumes by
itself after a dropped or silent stream (see ``silence``) from the offsets received, so every
byte is yielded exactly once;
a ``LogCursor`` keeps those offsets so that a later call (another process, after a crash) goes
on where this one stopped."""

from dataclasses import dataclass
from typing import Optional

import grpc

from ._proto import logs as logs_pb
from ._proto import service as service_pb
from .errors import from_rpc_error
from .silence import StreamSilentError, watched
from .states import Heartbeat
from .watch import RECONNECT_CODES

STDOUT = 'stdout'
STDERR = 'stderr'
_STREAM_VALUE = {STDOUT: logs_pb.LOG_STREAM_STDOUT, STDERR: logs_pb.LOG_STREAM_STDERR}
_STREAM_NAME = {v: k for k, v in _STREAM_VALUE.items()}


@dataclass(frozen=True)
class LogChunk:
    """A piece of one command's output. ``data`` starts at byte ``offset`` of the stream;
    ``command_text`` is set on the first chunk of each stream in a call. A chunk with
    ``dropped_bytes`` set (and no data) marks the end of a stream the server's log cap cut."""

    step: int
    command: int
    stream: str
    offset: int
    data: bytes
    command_text: Optional[str] = None
    dropped_bytes: Optional[int] = None

    @property
    def end(self):
        """The offset after this chunk: where the stream resumes."""
        return self.offset + len(self.data)

    @classmethod
    def from_proto(cls, msg):
        if msg.stream not in _STREAM_NAME:
            raise ValueError(f'server sent an unknown log stream {msg.stream}')
        return cls(step=msg.step_index, command=msg.command_index, stream=_STREAM_NAME[msg.stream],
                   offset=msg.offset, data=bytes(msg.data), command_text=msg.command or None,
                   dropped_bytes=msg.dropped_bytes if msg.truncated else None)


class LogCursor:
    """How far each stream of each command has been received: ``{(step, command, stream): offset}``."""

    def __init__(self, offsets=None):
        self.offsets = dict(offsets or {})

    def advance(self, chunk):
        self.offsets[(chunk.step, chunk.command, chunk.stream)] = chunk.end

    def to_proto(self):
        return [logs_pb.LogOffset(step_index=s, command_index=c, stream=_STREAM_VALUE[name], offset=o)
                for (s, c, name), o in sorted(self.offsets.items())]


def _request(workflow_id, follow, step, streams, cursor):
    request = service_pb.WatchLogsRequest(workflow_id=workflow_id, follow=follow, start_offsets=cursor.to_proto(),
                                          streams=[_STREAM_VALUE[s] for s in (streams or ())])
    if step is not None:
        request.step_index = step
    return request


def watch_logs(client, workflow_id, *, follow=True, step=None, streams=None, cursor=None, heartbeats=False,
               reconnect=None, on_reconnect=None, silence_timeout=None):
    """Yields LogChunk values (and Heartbeat values when ``heartbeats``) until the server ends the
    stream: the workflow has ended and everything was sent, or, without ``follow``, everything
    written so far. ``step`` keeps one step, ``streams`` some of 'stdout' and 'stderr'. ``cursor``
    (a LogCursor) gives the start offsets and receives each chunk. A dropped stream is opened
    again from the offsets received; ``reconnect`` is the RetryPolicy for that. A stream with no
    message for ``silence_timeout`` seconds (default: ``client.silence_limit()``) is given up with
    its connection and opened again on a new one."""
    policy = reconnect or client.reconnect_policy
    cursor = cursor if cursor is not None else LogCursor()
    failures = 0
    silence = client.silence_limit(silence_timeout)
    while True:
        stub = client.stub
        call = stub.WatchLogs(_request(workflow_id, follow, step, streams, cursor))
        try:
            for event in watched(call, silence):
                failures = 0
                if event.HasField('heartbeat'):
                    if heartbeats:
                        yield Heartbeat(event.heartbeat.time.ToDatetime(), event.heartbeat.last_sequence)
                    continue
                chunk = LogChunk.from_proto(event.chunk)
                cursor.advance(chunk)
                yield chunk
            return
        except grpc.RpcError as raw:
            failure = from_rpc_error(raw)
            if failure.code not in RECONNECT_CODES:
                raise failure from raw
        except StreamSilentError as silent:
            client.abandon_connection(stub)
            failure = silent
        finally:
            call.cancel()
        failures = policy.back_off(failures, failure, on_reconnect)
