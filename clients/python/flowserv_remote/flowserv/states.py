"""Stand-ins for flowServ's workflow state classes (``flowserv.model.workflow.state``), used only
when flowServ is not importable: the same constructors, attributes (timestamps as ISO 8601 UTC
strings), transition helpers and type-only equality (FLOWSERV.md §3)."""

from datetime import datetime, timezone

PENDING, RUNNING, CANCELED, ERROR, SUCCESS = 'PENDING', 'RUNNING', 'CANCELED', 'ERROR', 'SUCCESS'


def utc_now():
    """flowServ's timestamp form: ``datetime.now(UTC).isoformat()``."""
    return datetime.now(timezone.utc).isoformat()


class WorkflowState:
    """Base: the type id and the creation time; equal when the types are equal."""

    def __init__(self, type_id, created_at=None):
        self.type_id = type_id
        self.created_at = created_at if created_at is not None else utc_now()

    def __eq__(self, other):
        return self.type_id == getattr(other, 'type_id', None)

    def __hash__(self):
        return hash(self.type_id)

    def __str__(self):
        return self.type_id

    __repr__ = __str__

    def is_active(self):
        return self.type_id in (PENDING, RUNNING)

    def is_canceled(self):
        return self.type_id == CANCELED

    def is_error(self):
        return self.type_id == ERROR

    def is_pending(self):
        return self.type_id == PENDING

    def is_running(self):
        return self.type_id == RUNNING

    def is_success(self):
        return self.type_id == SUCCESS


class _Active(WorkflowState):
    """Transitions shared by PENDING and RUNNING; ``_started`` is the start time they keep."""

    def _started(self, now):
        return getattr(self, 'started_at', now)

    def cancel(self, messages=None):
        now = utc_now()
        return StateCanceled(self.created_at, self._started(now), now, messages)

    def error(self, messages=None):
        now = utc_now()
        return StateError(self.created_at, self._started(now), now, messages)

    def success(self, files=None):
        now = utc_now()
        return StateSuccess(self.created_at, getattr(self, 'started_at', self.created_at), now, files)


class StatePending(_Active):
    def __init__(self, created_at=None):
        super().__init__(PENDING, created_at)

    def start(self):
        return StateRunning(self.created_at)


class StateRunning(_Active):
    def __init__(self, created_at, started_at=None):
        super().__init__(RUNNING, created_at)
        self.started_at = started_at if started_at is not None else utc_now()


class StateCanceled(WorkflowState):
    def __init__(self, created_at, started_at=None, stopped_at=None, messages=None):
        super().__init__(CANCELED, created_at)
        self.started_at = started_at if started_at is not None else created_at
        self.stopped_at = stopped_at if stopped_at is not None else utc_now()
        self.messages = messages if messages is not None else ['canceled at user request']


class StateError(WorkflowState):
    def __init__(self, created_at, started_at=None, stopped_at=None, messages=None):
        super().__init__(ERROR, created_at)
        self.started_at = started_at if started_at is not None else created_at
        self.stopped_at = stopped_at if stopped_at is not None else utc_now()
        self.messages = messages if messages is not None else []


class StateSuccess(WorkflowState):
    def __init__(self, created_at, started_at, finished_at=None, files=None):
        super().__init__(SUCCESS, created_at)
        self.started_at = started_at
        self.finished_at = finished_at if finished_at is not None else utc_now()
        self.files = files if files is not None else []
