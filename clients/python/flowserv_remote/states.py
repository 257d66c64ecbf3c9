"""Plain Python views of what the service returns: workflow states (flowServ's five state types
with their timestamps), workflows, output files and service information. The client converts
every protobuf answer into these in one module (this one), so callers never handle generated
classes unless they want to (``Client.stub`` gives the raw stub)."""

from dataclasses import dataclass, field
from datetime import timezone
from typing import Dict, Optional, Tuple

from ._proto import workflow as workflow_pb

PENDING = 'PENDING'
RUNNING = 'RUNNING'
CANCELED = 'CANCELED'
ERROR = 'ERROR'
SUCCESS = 'SUCCESS'

#: State types of a workflow that may still change.
ACTIVE_TYPES = frozenset({PENDING, RUNNING})
#: State types nothing leaves.
TERMINAL_TYPES = frozenset({CANCELED, ERROR, SUCCESS})

_PREFIX = 'WORKFLOW_STATE_TYPE_'


def state_type_name(value):
    """'PENDING', … for a WorkflowStateType number."""
    return workflow_pb.WorkflowStateType.Name(value)[len(_PREFIX):]


def state_type_value(name):
    """The WorkflowStateType number for 'PENDING', … (case-insensitive)."""
    return workflow_pb.WorkflowStateType.Value(_PREFIX + name.upper())


def _time(message, owner, name):
    """A timezone-aware UTC datetime for a set Timestamp field, else None."""
    if not owner.HasField(name):
        return None
    return message.ToDatetime(tzinfo=timezone.utc)


@dataclass(frozen=True)
class OutputFile:
    """A result file of a successful workflow: its key (relative path), size and sha256."""

    key: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class WorkflowState:
    """One state of a workflow, as the service records it. ``type`` is one of PENDING, RUNNING,
    CANCELED, ERROR, SUCCESS; ``sequence`` numbers the states of a workflow from 1 (the cursor of
    ``Client.watch``). Times are timezone-aware UTC datetimes, None where flowServ's state type
    has no such field."""

    type: str
    sequence: int = 0
    created_at: Optional[object] = None
    started_at: Optional[object] = None
    stopped_at: Optional[object] = None
    finished_at: Optional[object] = None
    messages: Tuple[str, ...] = ()
    files: Tuple[OutputFile, ...] = ()

    def is_active(self):
        """True while the workflow may still change (PENDING or RUNNING)."""
        return self.type in ACTIVE_TYPES

    @classmethod
    def from_proto(cls, msg):
        return cls(
            type=state_type_name(msg.type),
            sequence=msg.sequence,
            created_at=_time(msg.created_at, msg, 'created_at'),
            started_at=_time(msg.started_at, msg, 'started_at'),
            stopped_at=_time(msg.stopped_at, msg, 'stopped_at'),
            finished_at=_time(msg.finished_at, msg, 'finished_at'),
            messages=tuple(msg.messages),
            files=tuple(OutputFile(f.key, f.size_bytes, f.sha256) for f in msg.files),
        )


@dataclass(frozen=True)
class Heartbeat:
    """Sent by ``Client.watch(..., heartbeats=True)`` while nothing changes: the server time and
    the workflow's latest sequence."""

    time: object
    last_sequence: int


@dataclass(frozen=True)
class Workflow:
    """A submitted workflow: the service's ``workflow_id`` (what every other call takes),
    flowServ's ``run_id``/``group_id``/``flowserv_workflow_id``, the engine, the latest state,
    the keys of the result files, the caller's labels, when it was accepted and its ``owner``
    (``token:<name>``, ``jwt:<sub>``, or ``anonymous`` without authentication). ``replayed`` is
    True when CreateWorkflow found an identical earlier request and returned its workflow."""

    workflow_id: str
    run_id: str
    state: WorkflowState
    engine: str = ''
    output_files: Tuple[str, ...] = ()
    labels: Dict[str, str] = field(default_factory=dict)
    group_id: Optional[str] = None
    flowserv_workflow_id: Optional[str] = None
    create_time: Optional[object] = None
    owner: str = ''
    replayed: bool = False

    @classmethod
    def from_proto(cls, msg, replayed=False):
        return cls(
            workflow_id=msg.workflow_id,
            run_id=msg.run_id,
            state=WorkflowState.from_proto(msg.state),
            engine=msg.engine,
            output_files=tuple(msg.output_files),
            labels=dict(msg.labels),
            group_id=msg.group_id if msg.HasField('group_id') else None,
            flowserv_workflow_id=msg.flowserv_workflow_id if msg.HasField('flowserv_workflow_id') else None,
            create_time=_time(msg.create_time, msg, 'create_time'),
            owner=msg.owner,
            replayed=replayed,
        )


@dataclass(frozen=True)
class EngineInfo:
    """An engine the server offers, whether it is serving, and its capability flags."""

    name: str
    serving: bool
    survives_restart: bool
    graceful_stop: bool
    resources: bool
    max_concurrent_jobs: int


@dataclass(frozen=True)
class ServiceInfo:
    """GetServiceInfo: version, engines, and the limits clients must respect (bytes; the
    heartbeat interval in seconds)."""

    version: str
    default_engine: str
    engines: Tuple[EngineInfo, ...]
    max_message_bytes: int
    max_upload_bytes: int
    upload_chunk_bytes: int
    download_chunk_bytes: int
    heartbeat_interval: float
    #: Bytes kept of each output stream (stdout, stderr) of a workflow; 0 = no cap.
    log_cap_bytes: int = 0

    @classmethod
    def from_proto(cls, msg):
        limits = msg.limits
        return cls(
            version=msg.version,
            default_engine=msg.default_engine,
            engines=tuple(
                EngineInfo(e.name, e.serving, e.capabilities.survives_restart, e.capabilities.graceful_stop,
                           e.capabilities.resources, e.capabilities.max_concurrent_jobs)
                for e in msg.engines),
            max_message_bytes=limits.max_message_bytes,
            max_upload_bytes=limits.max_upload_bytes,
            upload_chunk_bytes=limits.upload_chunk_bytes,
            download_chunk_bytes=limits.download_chunk_bytes,
            heartbeat_interval=limits.heartbeat_interval.ToTimedelta().total_seconds(),
            log_cap_bytes=limits.log_cap_bytes,
        )
