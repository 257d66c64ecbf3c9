from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StepProgress(_message.Message):
    __slots__ = ["duration", "exit_code", "name", "started_at", "step_index"]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    duration: _duration_pb2.Duration
    exit_code: int
    name: str
    started_at: _timestamp_pb2.Timestamp
    step_index: int
    def __init__(self, step_index: _Optional[int] = ..., name: _Optional[str] = ..., started_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., exit_code: _Optional[int] = ..., duration: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class WorkflowProgress(_message.Message):
    __slots__ = ["running_step_index", "step_count", "steps"]
    RUNNING_STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    STEP_COUNT_FIELD_NUMBER: _ClassVar[int]
    running_step_index: int
    step_count: int
    steps: _containers.RepeatedCompositeFieldContainer[StepProgress]
    def __init__(self, step_count: _Optional[int] = ..., running_step_index: _Optional[int] = ..., steps: _Optional[_Iterable[_Union[StepProgress, _Mapping]]] = ...) -> None: ...
