"""Retrying calls that a retry can fix: UNAVAILABLE always (the server was unreachable or
draining), DEADLINE_EXCEEDED only for idempotent calls. Backoff doubles from ``initial`` seconds up
to ``maximum``; ``attempts`` bounds the tries."""

import time
from dataclasses import dataclass

import grpc

from .errors import RemoteError, from_rpc_error


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry (seconds)."""

    attempts: int = 5
    initial: float = 0.1
    maximum: float = 2.0
    multiplier: float = 2.0

    def delay(self, failures):
        """The wait before the next try after ``failures`` consecutive failures (>= 1)."""
        return min(self.maximum, self.initial * self.multiplier ** (failures - 1))

    def back_off(self, failures, failure, on_reconnect=None):
        """One more failed stream: raises ``failure`` once the attempts are used up, else tells
        ``on_reconnect(failures, failure)`` and sleeps before the next try. Returns the new count."""
        failures += 1
        if failures >= self.attempts:
            raise failure
        if on_reconnect is not None:
            on_reconnect(failures, failure)
        time.sleep(self.delay(failures))
        return failures


def is_transient(err, idempotent):
    """True for errors a later try may not meet."""
    if not isinstance(err, RemoteError):
        return False
    return err.code == grpc.StatusCode.UNAVAILABLE or (idempotent and err.code == grpc.StatusCode.DEADLINE_EXCEEDED)


def retrying(call, policy, idempotent=True):
    """Runs ``call()`` until it succeeds, fails for good, or the attempts are used up; raises the
    typed RemoteError of the last failure."""
    failures = 0
    while True:
        try:
            return call()
        except grpc.RpcError as raw:
            err = from_rpc_error(raw)
            failures += 1
            if not is_transient(err, idempotent) or failures >= policy.attempts:
                raise err from raw
            time.sleep(policy.delay(failures))
