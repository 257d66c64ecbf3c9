"""Run arguments → the service's Argument messages.

Plain values (bool, int, float, str, lists) are sent as JSON; a dict is a flowServ record and is
sent as flowServ's list of ``{name, value}`` items; ``File`` is a file argument (uploaded content
plus its target path in the run directory); ``Directory`` is a whole folder for a file parameter
(flowServ's InputDirectory, e.g. post-processing's ``runs``); ``Actor`` is an actor value (a step
spec plus extra files and folders). Every file's content is uploaded before the workflow is created, once per distinct
content (FindFiles tells which the server already has)."""

import os
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from ._proto import argument as argument_pb
from .blobs import Blob
from .template import to_struct, to_value


@dataclass(frozen=True)
class File:
    """A file argument: ``source`` is a local path, bytes or a Blob; ``target_path`` the relative
    path in the run directory (None: the parameter's declared target, as flowServ does)."""

    source: Any
    target_path: Optional[str] = None

    @property
    def blob(self):
        return Blob.of(self.source)


@dataclass(frozen=True)
class Directory:
    """A folder argument: ``entries`` are File values whose ``target_path`` is their relative
    path inside the folder; ``target_path`` is the folder in the run directory, which is also
    what commands see (flowServ's ``str(InputDirectory)``)."""

    target_path: str
    entries: Sequence[File] = ()

    @classmethod
    def from_folder(cls, folder, target_path):
        """Every file below the local ``folder``, placed under ``target_path``."""
        entries = []
        for parent, _, names in os.walk(folder):
            for name in sorted(names):
                local = os.path.join(parent, name)
                entries.append(File(local, os.path.relpath(local, folder).replace(os.sep, '/')))
        return cls(target_path, tuple(sorted(entries, key=lambda f: f.target_path)))


@dataclass(frozen=True)
class Actor:
    """An actor argument (flowServ's ActorValue): a serial workflow step ``spec`` and the extra
    ``files`` (File or Directory values) the step needs in the run directory."""

    spec: dict
    files: Sequence[Any] = ()


def files_of(arguments):
    """Every File among the argument values (actor files and list elements included)."""
    found = []

    def visit(value):
        if isinstance(value, File):
            found.append(value)
        elif isinstance(value, Directory):
            found.extend(value.entries)
        elif isinstance(value, Actor):
            for item in value.files:
                visit(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    for value in (arguments or {}).values():
        visit(value)
    return found


def _file_proto(file, blobs):
    msg = argument_pb.FileArgument(sha256=blobs[id(file)].sha256)
    if file.target_path is not None:
        msg.target_path = file.target_path
    return msg


def _directory_proto(directory, blobs):
    return argument_pb.DirectoryArgument(target_path=directory.target_path, entries=[
        argument_pb.DirectoryEntry(path=f.target_path, sha256=blobs[id(f)].sha256) for f in directory.entries])


def _json(value, blobs):
    """A JSON-ready copy: dicts become record item lists, nested files FileArgument objects."""
    if isinstance(value, File):
        doc = {'sha256': blobs[id(value)].sha256}
        if value.target_path is not None:
            doc['target_path'] = value.target_path
        return doc
    if isinstance(value, dict):
        return [{'name': str(k), 'value': _json(v, blobs)} for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [_json(v, blobs) for v in value]
    return value


def argument_to_proto(name, value, blobs):
    """One Argument; ``blobs`` maps id(File) → its Blob (for the digests)."""
    if isinstance(value, argument_pb.Argument):
        return value
    if isinstance(value, File):
        return argument_pb.Argument(name=name, file=_file_proto(value, blobs))
    if isinstance(value, Directory):
        return argument_pb.Argument(name=name, directory=_directory_proto(value, blobs))
    if isinstance(value, Actor):
        return argument_pb.Argument(name=name, actor=argument_pb.ActorArgument(
            spec=to_struct(value.spec),
            files=[_file_proto(f, blobs) for f in value.files if isinstance(f, File)],
            directories=[_directory_proto(d, blobs) for d in value.files if isinstance(d, Directory)]))
    if isinstance(value, Blob) or isinstance(value, (bytes, bytearray)):
        raise TypeError(f"argument '{name}': wrap file content in flowserv_remote.File(...)")
    return argument_pb.Argument(name=name, value=to_value(_json(value, blobs)))
