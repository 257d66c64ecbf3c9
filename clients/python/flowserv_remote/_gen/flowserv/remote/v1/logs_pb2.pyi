from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
LOG_STREAM_STDERR: LogStream
LOG_STREAM_STDOUT: LogStream
LOG_STREAM_UNSPECIFIED: LogStream

class LogChunk(_message.Message):
    __slots__ = ["command", "command_index", "data", "dropped_bytes", "offset", "step_index", "stream", "truncated"]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    COMMAND_INDEX_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    DROPPED_BYTES_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    command: str
    command_index: int
    data: bytes
    dropped_bytes: int
    offset: int
    step_index: int
    stream: LogStream
    truncated: bool
    def __init__(self, step_index: _Optional[int] = ..., command_index: _Optional[int] = ..., command: _Optional[str] = ..., stream: _Optional[_Union[LogStream, str]] = ..., offset: _Optional[int] = ..., data: _Optional[bytes] = ..., truncated: bool = ..., dropped_bytes: _Optional[int] = ...) -> None: ...

class LogOffset(_message.Message):
    __slots__ = ["command_index", "offset", "step_index", "stream"]
    COMMAND_INDEX_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    STEP_INDEX_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    command_index: int
    offset: int
    step_index: int
    stream: LogStream
    def __init__(self, step_index: _Optional[int] = ..., command_index: _Optional[int] = ..., stream: _Optional[_Union[LogStream, str]] = ..., offset: _Optional[int] = ...) -> None: ...

class LogStream(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
