from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
PARAMETER_TYPE_ACTOR: ParameterType
PARAMETER_TYPE_BOOL: ParameterType
PARAMETER_TYPE_FILE: ParameterType
PARAMETER_TYPE_FLOAT: ParameterType
PARAMETER_TYPE_INT: ParameterType
PARAMETER_TYPE_LIST: ParameterType
PARAMETER_TYPE_RECORD: ParameterType
PARAMETER_TYPE_SELECT: ParameterType
PARAMETER_TYPE_STRING: ParameterType
PARAMETER_TYPE_UNSPECIFIED: ParameterType

class ParameterDeclaration(_message.Message):
    __slots__ = ["default_value", "dtype", "fields", "group", "help", "index", "is_required", "label", "name", "para", "range", "target", "values"]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    HELP_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    IS_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARA_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    default_value: _struct_pb2.Value
    dtype: ParameterType
    fields: _containers.RepeatedCompositeFieldContainer[ParameterDeclaration]
    group: str
    help: str
    index: int
    is_required: bool
    label: str
    name: str
    para: ParameterDeclaration
    range: str
    target: str
    values: _containers.RepeatedCompositeFieldContainer[SelectOption]
    def __init__(self, name: _Optional[str] = ..., dtype: _Optional[_Union[ParameterType, str]] = ..., index: _Optional[int] = ..., is_required: bool = ..., label: _Optional[str] = ..., help: _Optional[str] = ..., default_value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., group: _Optional[str] = ..., values: _Optional[_Iterable[_Union[SelectOption, _Mapping]]] = ..., range: _Optional[str] = ..., target: _Optional[str] = ..., para: _Optional[_Union[ParameterDeclaration, _Mapping]] = ..., fields: _Optional[_Iterable[_Union[ParameterDeclaration, _Mapping]]] = ...) -> None: ...

class ParameterGroup(_message.Message):
    __slots__ = ["index", "name", "title"]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    index: int
    name: str
    title: str
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., index: _Optional[int] = ...) -> None: ...

class SelectOption(_message.Message):
    __slots__ = ["is_default", "name", "value"]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    is_default: bool
    name: str
    value: _struct_pb2.Value
    def __init__(self, name: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., is_default: bool = ...) -> None: ...

class WorkflowOutput(_message.Message):
    __slots__ = ["caption", "format", "key", "source", "title", "widget"]
    CAPTION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    WIDGET_FIELD_NUMBER: _ClassVar[int]
    caption: str
    format: _struct_pb2.Value
    key: str
    source: str
    title: str
    widget: _struct_pb2.Value
    def __init__(self, source: _Optional[str] = ..., key: _Optional[str] = ..., title: _Optional[str] = ..., caption: _Optional[str] = ..., format: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., widget: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class WorkflowTemplate(_message.Message):
    __slots__ = ["outputs", "parameter_groups", "parameters", "postproc", "results", "workflow"]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_GROUPS_FIELD_NUMBER: _ClassVar[int]
    POSTPROC_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    outputs: _containers.RepeatedCompositeFieldContainer[WorkflowOutput]
    parameter_groups: _containers.RepeatedCompositeFieldContainer[ParameterGroup]
    parameters: _containers.RepeatedCompositeFieldContainer[ParameterDeclaration]
    postproc: _struct_pb2.Struct
    results: _struct_pb2.Struct
    workflow: _struct_pb2.Struct
    def __init__(self, workflow: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., parameters: _Optional[_Iterable[_Union[ParameterDeclaration, _Mapping]]] = ..., parameter_groups: _Optional[_Iterable[_Union[ParameterGroup, _Mapping]]] = ..., outputs: _Optional[_Iterable[_Union[WorkflowOutput, _Mapping]]] = ..., postproc: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., results: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ParameterType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
