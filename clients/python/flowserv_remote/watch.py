"""Following a workflow until its terminal state: WatchState, resumed after the last sequence
seen whenever the stream drops (a restarting server, a broken connection; bounded by consecutive
failures, with backoff), and polling GetWorkflowState when the server does not implement the
stream. Each state is yielded once, in sequence order. A stream that stays silent past the
heartbeat watchdog (a frozen server, a node lost without a reset) is given up with its
connection, and the watch resumes on a new one: behind a Service, on another replica."""

import time

import grpc

from ._proto import service as service_pb
from .errors import UnavailableError, UnimplementedError, from_rpc_error
from .silence import StreamSilentError, watched
from .states import Heartbeat, WorkflowState

#: Status codes after which a dropped stream is opened again from the last sequence.
RECONNECT_CODES = frozenset({
    grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.DEADLINE_EXCEEDED,
})


def _stream(stub, workflow_id, after, silence):
    """One WatchState stream (no deadline: a watch lasts as long as the workflow runs, guarded by
    the heartbeat watchdog instead); the call is cancelled when the caller stops reading."""
    call = stub.WatchState(service_pb.WatchStateRequest(workflow_id=workflow_id, after_sequence=after))
    try:
        yield from watched(call, silence)
    finally:
        call.cancel()


def follow(client, workflow_id, after_sequence=0, heartbeats=False, poll_interval=1.0, reconnect=None,
           stream=True, on_reconnect=None, silence_timeout=None):
    """Yields WorkflowState values (and Heartbeat values when ``heartbeats``) until a terminal
    state. ``reconnect`` is a RetryPolicy: that many consecutive failed streams end the watch
    with the last error. ``stream=False`` polls from the start. ``on_reconnect(failures, err)``
    is told about each reconnection. A stream with no message for ``silence_timeout`` seconds
    (default: ``client.silence_limit()``) is given up with its connection and resumed on a new one."""
    policy = reconnect or client.reconnect_policy
    last = after_sequence
    failures = 0
    silence = client.silence_limit(silence_timeout) if stream else None
    while stream:
        stub = client.stub
        try:
            for event in _stream(stub, workflow_id, last, silence):
                failures = 0
                if event.HasField('heartbeat'):
                    if heartbeats:
                        hb = event.heartbeat
                        yield Heartbeat(hb.time.ToDatetime(), hb.last_sequence)
                    continue
                state = WorkflowState.from_proto(event.state)
                if state.sequence <= last:
                    continue
                last = state.sequence
                yield state
                if not state.is_active():
                    return
            failure = UnavailableError('the watch stream ended before a terminal state', grpc.StatusCode.UNAVAILABLE)
        except grpc.RpcError as raw:
            failure = from_rpc_error(raw)
            if isinstance(failure, UnimplementedError):
                break
            if failure.code not in RECONNECT_CODES:
                raise failure from raw
        except StreamSilentError as silent:
            client.abandon_connection(stub)
            failure = silent
        failures = policy.back_off(failures, failure, on_reconnect)
    yield from _poll(client, workflow_id, last, poll_interval)


def _poll(client, workflow_id, after, interval):
    last = after
    while True:
        state = client.get_state(workflow_id)
        if state.sequence > last:
            last = state.sequence
            yield state
            if not state.is_active():
                return
        time.sleep(interval)
