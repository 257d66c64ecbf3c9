"""What flowServ hands a backend → what flowserv_remote.Client sends, and the service's states →
flowServ's states.

- Templates: flowServ's WorkflowTemplate object (or its document) → a template document; the
  ``outputs`` that flowServ's ``to_dict()`` leaves out are added back.
- Arguments are flowServ's *cast* values: plain values, lists, records (dicts), ``InputFile``,
  ``InputDirectory`` and ``ActorValue``. Files are found through flowServ's public
  ``IOValue.copy(volume)``, handed a volume that only records each ``(key, IOHandle)``, so nothing
  is copied locally before the upload.
- Static files: every ``(key, IOHandle)`` of ``staticfs.walk``.
- States: flowServ's state classes (or the stand-ins), with the service's timestamps as ISO 8601
  UTC strings and the run's own ``created_at``.
"""

from .. import states as svc
from ..arguments import Actor, Directory, File
from ..blobs import Blob
from .compat import StateCanceled, StateError, StatePending, StateRunning, StateSuccess
from .volume import CollectingVolume


def template_document(template):
    """A flowServ template document for a WorkflowTemplate object (a dict passes through)."""
    if isinstance(template, dict):
        return template
    doc = template.to_dict()
    outputs = getattr(template, 'outputs', None)
    if outputs:
        doc['outputs'] = [o.to_dict() if hasattr(o, 'to_dict') else dict(o) for o in outputs]
    return doc


def handle_blob(handle, name=''):
    """A Blob reading a flowServ IOHandle."""
    return Blob(handle.open, name)


def static_blobs(staticfs):
    """``{key: Blob}`` for every file of flowServ's static-files volume."""
    if staticfs is None:
        return {}
    return {key: handle_blob(handle, key) for key, handle in staticfs.walk(None)}


def _is_io_value(value):
    return callable(getattr(value, 'copy', None)) and not isinstance(value, (dict, list, set))


def io_files(value):
    """``[(key, IOHandle)]`` that an InputFile or InputDirectory would copy."""
    collector = CollectingVolume()
    value.copy(collector)
    return collector.files


def io_value(value):
    """An InputFile → a File at its target; an InputDirectory → a Directory at its target with
    each file at its path inside the folder."""
    target = str(value)
    files = io_files(value)
    if len(files) == 1 and files[0][0] == target:
        return File(handle_blob(files[0][1], target), target_path=target)
    prefix = target.rstrip('/') + '/'
    return Directory(target, tuple(
        File(handle_blob(handle, key), target_path=key[len(prefix):] if key.startswith(prefix) else key)
        for key, handle in files))


def _is_actor(value):
    return hasattr(value, 'spec') and hasattr(value, 'files') and not isinstance(value, dict)


def argument_value(value):
    """One cast flowServ value → a value flowserv_remote.Client sends."""
    if _is_actor(value):
        return Actor(spec=value.spec, files=[io_value(item) for item in value.files or []])
    if _is_io_value(value):
        return io_value(value)
    if isinstance(value, dict):
        return {k: argument_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [argument_value(v) for v in value]
    return value


def to_flowserv_state(state, current, files=()):
    """The flowServ state for the service's ``state`` (a flowserv_remote WorkflowState), keeping
    ``current.created_at`` (flowServ's own run creation time)."""
    def iso(moment):
        return moment.isoformat() if moment is not None else None

    created = getattr(current, 'created_at', None) or iso(state.created_at)
    started = iso(state.started_at) or created
    if state.type == svc.PENDING:
        return StatePending(created_at=created)
    if state.type == svc.RUNNING:
        return StateRunning(created_at=created, started_at=started)
    if state.type == svc.SUCCESS:
        return StateSuccess(created_at=created, started_at=started, finished_at=iso(state.finished_at),
                            files=list(files))
    cls = StateCanceled if state.type == svc.CANCELED else StateError
    return cls(created_at=created, started_at=started, stopped_at=iso(state.stopped_at),
               messages=list(state.messages))
