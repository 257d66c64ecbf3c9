from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ActorArgument(_message.Message):
    __slots__ = ["directories", "files", "spec"]
    DIRECTORIES_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    directories: _containers.RepeatedCompositeFieldContainer[DirectoryArgument]
    files: _containers.RepeatedCompositeFieldContainer[FileArgument]
    spec: _struct_pb2.Struct
    def __init__(self, spec: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., files: _Optional[_Iterable[_Union[FileArgument, _Mapping]]] = ..., directories: _Optional[_Iterable[_Union[DirectoryArgument, _Mapping]]] = ...) -> None: ...

class Argument(_message.Message):
    __slots__ = ["actor", "directory", "file", "name", "value"]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    actor: ActorArgument
    directory: DirectoryArgument
    file: FileArgument
    name: str
    value: _struct_pb2.Value
    def __init__(self, name: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., file: _Optional[_Union[FileArgument, _Mapping]] = ..., actor: _Optional[_Union[ActorArgument, _Mapping]] = ..., directory: _Optional[_Union[DirectoryArgument, _Mapping]] = ...) -> None: ...

class DirectoryArgument(_message.Message):
    __slots__ = ["entries", "target_path"]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    TARGET_PATH_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[DirectoryEntry]
    target_path: str
    def __init__(self, target_path: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[DirectoryEntry, _Mapping]]] = ...) -> None: ...

class DirectoryEntry(_message.Message):
    __slots__ = ["path", "sha256"]
    PATH_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    path: str
    sha256: str
    def __init__(self, path: _Optional[str] = ..., sha256: _Optional[str] = ...) -> None: ...

class FileArgument(_message.Message):
    __slots__ = ["sha256", "target_path"]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    TARGET_PATH_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    target_path: str
    def __init__(self, sha256: _Optional[str] = ..., target_path: _Optional[str] = ...) -> None: ...
