"""The heartbeat watchdog of the followers (``watch``, ``watch_logs``). A server that is frozen, or
a peer that vanished without a reset, leaves a stream open but silent, which TCP alone notices
only after many minutes. While a follower waits for the next message, a watchdog thread cancels
the call once ``limit`` seconds pass without one (heartbeats included); the follower then sees a
``StreamSilentError`` (UNAVAILABLE), gives up the connection and resumes on a new one. Time the
caller spends between messages does not count."""

import threading
import time

import grpc

from .errors import UnavailableError


class StreamSilentError(UnavailableError):
    """UNAVAILABLE raised by the client: no message on a stream (heartbeats included) for
    ``silence`` seconds, so the server or the connection is presumed lost."""

    def __init__(self, silence):
        super().__init__(f'no message on the stream for {silence:g} s (heartbeats included); the server or the '
                         'connection is presumed lost', grpc.StatusCode.UNAVAILABLE)
        self.silence = silence


class _Watchdog:
    """One thread per stream that calls ``on_silence`` when armed for longer than ``limit`` seconds."""

    def __init__(self, limit, on_silence):
        self._limit = limit
        self._on_silence = on_silence
        self._cond = threading.Condition()
        self._deadline = None
        self._closed = False
        self.fired = False
        threading.Thread(target=self._run, name='flowserv-remote-watchdog', daemon=True).start()

    def arm(self):
        with self._cond:
            self._deadline = time.monotonic() + self._limit
            self._cond.notify()

    def disarm(self):
        with self._cond:
            self._deadline = None

    def close(self):
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _run(self):
        with self._cond:
            while not self._closed:
                if self._deadline is None:
                    self._cond.wait()
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                self._deadline = None
                self.fired = True
                self._on_silence()


def watched(call, limit):
    """Yields the messages of a server-streaming ``call``; when one takes longer than ``limit``
    seconds to arrive, cancels the call and raises StreamSilentError. ``limit`` None or 0: no
    watchdog."""
    if not limit:
        yield from call
        return
    dog = _Watchdog(limit, call.cancel)
    try:
        while True:
            dog.arm()
            try:
                message = next(call)
            except StopIteration:
                return
            except grpc.RpcError:
                if dog.fired:
                    raise StreamSilentError(limit) from None
                raise
            finally:
                dog.disarm()
            yield message
    finally:
        dog.close()
