"""What flowServ 0.9 hands a backend, built from FLOWSERV.md §2 and §13 (flowServ itself is not
installed here): a run object, a template object whose ``to_dict()`` drops ``outputs``, cast
argument values (InputFile, InputDirectory, ActorValue), a static-files volume whose handles
are IOBuffers (one BytesIO, handed out again and again), and an API factory that answers
configuration look-ups, is entered as a context manager, and whose ``runs().update_run`` copies
the SUCCESS state's files out of the runstore, failing like flowServ's UnknownFileError when one
is missing."""

import contextlib
import io
import threading

from flowserv_remote.flowserv.states import StatePending


class Run:
    def __init__(self, run_id, workflow_id='helloworld', group_id='g1'):
        self.run_id = run_id
        self.workflow_id = workflow_id
        self.group_id = group_id
        self._state = StatePending()

    def state(self):
        return self._state

    def is_pending(self):
        return self._state.is_pending()


class Output:
    def __init__(self, source, key=None):
        self.source, self.key = source, key or source

    def to_dict(self):
        return {'source': self.source, 'key': self.key}


class Template:
    """flowServ's WorkflowTemplate: ``to_dict()`` has no ``outputs`` (FLOWSERV.md §12.9)."""

    def __init__(self, doc):
        self._doc = {k: v for k, v in doc.items() if k != 'outputs'}
        self.outputs = [Output(o['source']) for o in doc.get('outputs', [])]
        self.workflow_spec = doc['workflow']

    def to_dict(self):
        return dict(self._doc)


class Buffer:
    """flowServ's IOBuffer: ``open()`` returns the same BytesIO every time."""

    def __init__(self, data):
        self._buf = io.BytesIO(data)

    def open(self):
        return self._buf

    def size(self):
        return len(self._buf.getvalue())


class InputFile:
    """flowServ's InputFile: ``str()`` is the target path, ``copy(volume)`` stores it there."""

    def __init__(self, source, target):
        self._source, self._target = source, target

    def __str__(self):
        return self._target

    def copy(self, target):
        target.store(file=self._source, dst=self._target)
        return [self._target]


class InputDirectory:
    """flowServ's InputDirectory: ``copy(volume)`` copies a folder of ``store`` to the target."""

    def __init__(self, store, target, source=None):
        self._store, self._target, self._source = store, target, source

    def __str__(self):
        return self._target

    def copy(self, target):
        return self._store.copy(src=self._source, store=target, dst=self._target)


class ActorValue:
    def __init__(self, spec, files=None):
        self.spec, self.files = spec, files


class StaticVolume:
    """A static-files volume of IOBuffers: ``walk(src)`` lists ``(key, handle)``."""

    def __init__(self, files):
        self.files = {key: Buffer(data) for key, data in files.items()}

    def walk(self, src=None):
        return sorted((k, h) for k, h in self.files.items() if not src or k == src or k.startswith(src + '/'))


class ApiFactory:
    """flowServ's API factory as the backend sees it: configuration, ``with service() as api``,
    ``api.runs().update_run(run_id, state, runstore)``. Records each update; ``refuse`` makes
    updates raise (the run was canceled in flowServ meanwhile)."""

    def __init__(self, config):
        self.config = dict(config)
        self.updates = []
        self.results = {}
        self.refuse = False
        self.changed = threading.Condition()

    def get(self, key, default=None):
        return self.config.get(key, default)

    def __call__(self):
        return contextlib.nullcontext(self)

    def runs(self):
        return self

    def update_run(self, run_id, state, runstore=None):
        with self.changed:
            if self.refuse:
                raise RuntimeError(f'invalid state transition for run {run_id}')
            if state.is_success():
                copied = {}
                for key in state.files:
                    with runstore.load(key).open() as f:
                        copied[key] = f.read()
                self.results[run_id] = copied
            self.updates.append((run_id, state))
            self.changed.notify_all()

    def wait_for(self, predicate, timeout=60):
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self.updates), timeout), self.updates
