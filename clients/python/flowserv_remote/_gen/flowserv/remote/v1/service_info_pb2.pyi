from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
JOB_CONFINEMENT_BUBBLEWRAP: JobConfinement
JOB_CONFINEMENT_CLUSTER: JobConfinement
JOB_CONFINEMENT_NAMESPACES: JobConfinement
JOB_CONFINEMENT_NONE: JobConfinement
JOB_CONFINEMENT_UNSPECIFIED: JobConfinement

class EngineCapabilities(_message.Message):
    __slots__ = ["graceful_stop", "job_confinement", "max_concurrent_jobs", "resources", "separate_job_user", "survives_restart"]
    GRACEFUL_STOP_FIELD_NUMBER: _ClassVar[int]
    JOB_CONFINEMENT_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_JOBS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    SEPARATE_JOB_USER_FIELD_NUMBER: _ClassVar[int]
    SURVIVES_RESTART_FIELD_NUMBER: _ClassVar[int]
    graceful_stop: bool
    job_confinement: JobConfinement
    max_concurrent_jobs: int
    resources: bool
    separate_job_user: bool
    survives_restart: bool
    def __init__(self, survives_restart: bool = ..., graceful_stop: bool = ..., resources: bool = ..., max_concurrent_jobs: _Optional[int] = ..., job_confinement: _Optional[_Union[JobConfinement, str]] = ..., separate_job_user: bool = ...) -> None: ...

class EngineInfo(_message.Message):
    __slots__ = ["capabilities", "name", "serving"]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SERVING_FIELD_NUMBER: _ClassVar[int]
    capabilities: EngineCapabilities
    name: str
    serving: bool
    def __init__(self, name: _Optional[str] = ..., serving: bool = ..., capabilities: _Optional[_Union[EngineCapabilities, _Mapping]] = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ["download_chunk_bytes", "heartbeat_interval", "log_cap_bytes", "max_directory_bytes", "max_directory_entries", "max_message_bytes", "max_upload_bytes", "upload_chunk_bytes"]
    DOWNLOAD_CHUNK_BYTES_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    LOG_CAP_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_DIRECTORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_DIRECTORY_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_UPLOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_CHUNK_BYTES_FIELD_NUMBER: _ClassVar[int]
    download_chunk_bytes: int
    heartbeat_interval: _duration_pb2.Duration
    log_cap_bytes: int
    max_directory_bytes: int
    max_directory_entries: int
    max_message_bytes: int
    max_upload_bytes: int
    upload_chunk_bytes: int
    def __init__(self, max_message_bytes: _Optional[int] = ..., max_upload_bytes: _Optional[int] = ..., upload_chunk_bytes: _Optional[int] = ..., download_chunk_bytes: _Optional[int] = ..., heartbeat_interval: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., max_directory_entries: _Optional[int] = ..., max_directory_bytes: _Optional[int] = ..., log_cap_bytes: _Optional[int] = ...) -> None: ...

class JobConfinement(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
