from flowserv_remote._gen.flowserv.remote.v1 import argument_pb2 as _argument_pb2
from flowserv_remote._gen.flowserv.remote.v1 import files_pb2 as _files_pb2
from flowserv_remote._gen.flowserv.remote.v1 import logs_pb2 as _logs_pb2
from flowserv_remote._gen.flowserv.remote.v1 import progress_pb2 as _progress_pb2
from flowserv_remote._gen.flowserv.remote.v1 import service_info_pb2 as _service_info_pb2
from flowserv_remote._gen.flowserv.remote.v1 import template_pb2 as _template_pb2
from flowserv_remote._gen.flowserv.remote.v1 import workflow_pb2 as _workflow_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateWorkflowRequest(_message.Message):
    __slots__ = ["arguments", "engine", "labels", "request_id", "resources", "run", "static_files", "template"]
    class LabelsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    STATIC_FILES_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    arguments: _containers.RepeatedCompositeFieldContainer[_argument_pb2.Argument]
    engine: str
    labels: _containers.ScalarMap[str, str]
    request_id: str
    resources: _workflow_pb2.EngineResources
    run: _workflow_pb2.RunObject
    static_files: _containers.RepeatedCompositeFieldContainer[_files_pb2.StaticFile]
    template: _template_pb2.WorkflowTemplate
    def __init__(self, run: _Optional[_Union[_workflow_pb2.RunObject, _Mapping]] = ..., template: _Optional[_Union[_template_pb2.WorkflowTemplate, _Mapping]] = ..., arguments: _Optional[_Iterable[_Union[_argument_pb2.Argument, _Mapping]]] = ..., static_files: _Optional[_Iterable[_Union[_files_pb2.StaticFile, _Mapping]]] = ..., engine: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., request_id: _Optional[str] = ..., resources: _Optional[_Union[_workflow_pb2.EngineResources, _Mapping]] = ...) -> None: ...

class CreateWorkflowResponse(_message.Message):
    __slots__ = ["replayed", "workflow"]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    replayed: bool
    workflow: _workflow_pb2.Workflow
    def __init__(self, workflow: _Optional[_Union[_workflow_pb2.Workflow, _Mapping]] = ..., replayed: bool = ...) -> None: ...

class DownloadFileRequest(_message.Message):
    __slots__ = ["offset", "path", "workflow_id"]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    offset: int
    path: str
    workflow_id: str
    def __init__(self, workflow_id: _Optional[str] = ..., path: _Optional[str] = ..., offset: _Optional[int] = ...) -> None: ...

class DownloadFileResponse(_message.Message):
    __slots__ = ["chunk", "file", "offset"]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    file: _files_pb2.OutputFile
    offset: int
    def __init__(self, file: _Optional[_Union[_files_pb2.OutputFile, _Mapping]] = ..., offset: _Optional[int] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class FindFilesRequest(_message.Message):
    __slots__ = ["sha256s"]
    SHA256S_FIELD_NUMBER: _ClassVar[int]
    sha256s: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, sha256s: _Optional[_Iterable[str]] = ...) -> None: ...

class FindFilesResponse(_message.Message):
    __slots__ = ["present_sha256s"]
    PRESENT_SHA256S_FIELD_NUMBER: _ClassVar[int]
    present_sha256s: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, present_sha256s: _Optional[_Iterable[str]] = ...) -> None: ...

class GetServiceInfoRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetServiceInfoResponse(_message.Message):
    __slots__ = ["default_engine", "engines", "limits", "version"]
    DEFAULT_ENGINE_FIELD_NUMBER: _ClassVar[int]
    ENGINES_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    default_engine: str
    engines: _containers.RepeatedCompositeFieldContainer[_service_info_pb2.EngineInfo]
    limits: _service_info_pb2.Limits
    version: str
    def __init__(self, version: _Optional[str] = ..., default_engine: _Optional[str] = ..., engines: _Optional[_Iterable[_Union[_service_info_pb2.EngineInfo, _Mapping]]] = ..., limits: _Optional[_Union[_service_info_pb2.Limits, _Mapping]] = ...) -> None: ...

class GetWorkflowRequest(_message.Message):
    __slots__ = ["workflow_id"]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    workflow_id: str
    def __init__(self, workflow_id: _Optional[str] = ...) -> None: ...

class GetWorkflowResponse(_message.Message):
    __slots__ = ["workflow"]
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    workflow: _workflow_pb2.Workflow
    def __init__(self, workflow: _Optional[_Union[_workflow_pb2.Workflow, _Mapping]] = ...) -> None: ...

class GetWorkflowStateRequest(_message.Message):
    __slots__ = ["current_state", "workflow_id"]
    CURRENT_STATE_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    current_state: _workflow_pb2.WorkflowState
    workflow_id: str
    def __init__(self, workflow_id: _Optional[str] = ..., current_state: _Optional[_Union[_workflow_pb2.WorkflowState, _Mapping]] = ...) -> None: ...

class GetWorkflowStateResponse(_message.Message):
    __slots__ = ["changed", "state"]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    changed: bool
    state: _workflow_pb2.WorkflowState
    def __init__(self, state: _Optional[_Union[_workflow_pb2.WorkflowState, _Mapping]] = ..., changed: bool = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ["last_sequence", "time"]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    last_sequence: int
    time: _timestamp_pb2.Timestamp
    def __init__(self, time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_sequence: _Optional[int] = ...) -> None: ...

class ListWorkflowsRequest(_message.Message):
    __slots__ = ["engine", "labels", "page_size", "page_token", "states"]
    class LabelsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    engine: str
    labels: _containers.ScalarMap[str, str]
    page_size: int
    page_token: str
    states: _containers.RepeatedScalarFieldContainer[_workflow_pb2.WorkflowStateType]
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_workflow_pb2.WorkflowStateType, str]]] = ..., labels: _Optional[_Mapping[str, str]] = ..., engine: _Optional[str] = ...) -> None: ...

class ListWorkflowsResponse(_message.Message):
    __slots__ = ["next_page_token", "workflows"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    WORKFLOWS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    workflows: _containers.RepeatedCompositeFieldContainer[_workflow_pb2.Workflow]
    def __init__(self, workflows: _Optional[_Iterable[_Union[_workflow_pb2.Workflow, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StopWorkflowRequest(_message.Message):
    __slots__ = ["grace_period", "reason", "workflow_id"]
    GRACE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    grace_period: _duration_pb2.Duration
    reason: str
    workflow_id: str
    def __init__(self, workflow_id: _Optional[str] = ..., reason: _Optional[str] = ..., grace_period: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class StopWorkflowResponse(_message.Message):
    __slots__ = ["state"]
    STATE_FIELD_NUMBER: _ClassVar[int]
    state: _workflow_pb2.WorkflowState
    def __init__(self, state: _Optional[_Union[_workflow_pb2.WorkflowState, _Mapping]] = ...) -> None: ...

class UploadFileRequest(_message.Message):
    __slots__ = ["chunk", "header"]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    header: _files_pb2.UploadFileHeader
    def __init__(self, header: _Optional[_Union[_files_pb2.UploadFileHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class UploadFileResponse(_message.Message):
    __slots__ = ["already_present", "sha256", "size_bytes"]
    ALREADY_PRESENT_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    already_present: bool
    sha256: str
    size_bytes: int
    def __init__(self, sha256: _Optional[str] = ..., size_bytes: _Optional[int] = ..., already_present: bool = ...) -> None: ...

class WatchLogsRequest(_message.Message):
    __slots__ = ["follow", "start_offsets", "step_index", "streams", "workflow_id"]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    START_OFFSETS_FIELD_NUMBER: _ClassVar[int]
    STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    STREAMS_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    follow: bool
    start_offsets: _containers.RepeatedCompositeFieldContainer[_logs_pb2.LogOffset]
    step_index: int
    streams: _containers.RepeatedScalarFieldContainer[_logs_pb2.LogStream]
    workflow_id: str
    def __init__(self, workflow_id: _Optional[str] = ..., follow: bool = ..., start_offsets: _Optional[_Iterable[_Union[_logs_pb2.LogOffset, _Mapping]]] = ..., step_index: _Optional[int] = ..., streams: _Optional[_Iterable[_Union[_logs_pb2.LogStream, str]]] = ...) -> None: ...

class WatchLogsResponse(_message.Message):
    __slots__ = ["chunk", "heartbeat"]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    chunk: _logs_pb2.LogChunk
    heartbeat: Heartbeat
    def __init__(self, chunk: _Optional[_Union[_logs_pb2.LogChunk, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ...) -> None: ...

class WatchStateRequest(_message.Message):
    __slots__ = ["after_sequence", "include_progress", "workflow_id"]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    include_progress: bool
    workflow_id: str
    def __init__(self, workflow_id: _Optional[str] = ..., after_sequence: _Optional[int] = ..., include_progress: bool = ...) -> None: ...

class WatchStateResponse(_message.Message):
    __slots__ = ["heartbeat", "progress", "state"]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    heartbeat: Heartbeat
    progress: _progress_pb2.WorkflowProgress
    state: _workflow_pb2.WorkflowState
    def __init__(self, state: _Optional[_Union[_workflow_pb2.WorkflowState, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., progress: _Optional[_Union[_progress_pb2.WorkflowProgress, _Mapping]] = ...) -> None: ...
