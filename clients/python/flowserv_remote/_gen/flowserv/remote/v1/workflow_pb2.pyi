from flowserv_remote._gen.flowserv.remote.v1 import files_pb2 as _files_pb2
from flowserv_remote._gen.flowserv.remote.v1 import progress_pb2 as _progress_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
WORKFLOW_STATE_TYPE_CANCELED: WorkflowStateType
WORKFLOW_STATE_TYPE_ERROR: WorkflowStateType
WORKFLOW_STATE_TYPE_PENDING: WorkflowStateType
WORKFLOW_STATE_TYPE_RUNNING: WorkflowStateType
WORKFLOW_STATE_TYPE_SUCCESS: WorkflowStateType
WORKFLOW_STATE_TYPE_UNSPECIFIED: WorkflowStateType

class EngineResources(_message.Message):
    __slots__ = ["cpus", "extra_args", "memory_mb", "partition", "time_limit"]
    CPUS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_ARGS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    cpus: int
    extra_args: _containers.RepeatedScalarFieldContainer[str]
    memory_mb: int
    partition: str
    time_limit: _duration_pb2.Duration
    def __init__(self, partition: _Optional[str] = ..., time_limit: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., cpus: _Optional[int] = ..., memory_mb: _Optional[int] = ..., extra_args: _Optional[_Iterable[str]] = ...) -> None: ...

class RunObject(_message.Message):
    __slots__ = ["group_id", "run_id", "workflow_id"]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    run_id: str
    workflow_id: str
    def __init__(self, run_id: _Optional[str] = ..., workflow_id: _Optional[str] = ..., group_id: _Optional[str] = ...) -> None: ...

class Workflow(_message.Message):
    __slots__ = ["create_time", "engine", "flowserv_workflow_id", "group_id", "labels", "output_files", "owner", "progress", "run_id", "state", "workflow_id"]
    class LabelsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    FLOWSERV_WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FILES_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    create_time: _timestamp_pb2.Timestamp
    engine: str
    flowserv_workflow_id: str
    group_id: str
    labels: _containers.ScalarMap[str, str]
    output_files: _containers.RepeatedScalarFieldContainer[str]
    owner: str
    progress: _progress_pb2.WorkflowProgress
    run_id: str
    state: WorkflowState
    workflow_id: str
    def __init__(self, workflow_id: _Optional[str] = ..., run_id: _Optional[str] = ..., group_id: _Optional[str] = ..., flowserv_workflow_id: _Optional[str] = ..., engine: _Optional[str] = ..., state: _Optional[_Union[WorkflowState, _Mapping]] = ..., output_files: _Optional[_Iterable[str]] = ..., labels: _Optional[_Mapping[str, str]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., progress: _Optional[_Union[_progress_pb2.WorkflowProgress, _Mapping]] = ..., owner: _Optional[str] = ...) -> None: ...

class WorkflowState(_message.Message):
    __slots__ = ["created_at", "files", "finished_at", "messages", "sequence", "started_at", "stopped_at", "type"]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    created_at: _timestamp_pb2.Timestamp
    files: _containers.RepeatedCompositeFieldContainer[_files_pb2.OutputFile]
    finished_at: _timestamp_pb2.Timestamp
    messages: _containers.RepeatedScalarFieldContainer[str]
    sequence: int
    started_at: _timestamp_pb2.Timestamp
    stopped_at: _timestamp_pb2.Timestamp
    type: WorkflowStateType
    def __init__(self, type: _Optional[_Union[WorkflowStateType, str]] = ..., sequence: _Optional[int] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., stopped_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., messages: _Optional[_Iterable[str]] = ..., files: _Optional[_Iterable[_Union[_files_pb2.OutputFile, _Mapping]]] = ...) -> None: ...

class WorkflowStateType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
