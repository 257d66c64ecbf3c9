"""flowServ's classes when flowServ is importable, stand-ins with the same interface when not.

The backend and remote client subclass flowServ's ``RemoteWorkflowController``/``RemoteClient``
and return flowServ's own ``RemoteWorkflowHandle`` and state objects whenever ``flowserv`` can be
imported, so flowServ's type checks and its run service see its own types. Without flowServ
(for example in a process that only follows runs, or in this package's tests) the same module
works with the stand-ins of ``flowserv_remote.flowserv.states`` and plain bases."""

import dataclasses
import tempfile

try:  # pragma: no cover - depends on whether flowServ is installed
    from flowserv.controller.remote.client import RemoteClient as RemoteClientBase
    from flowserv.controller.remote.client import RemoteWorkflowHandle as HandleBase
    from flowserv.controller.remote.engine import RemoteWorkflowController as ControllerBase
    from flowserv.model.workflow.state import StateCanceled, StateError, StatePending, StateRunning, StateSuccess
    from flowserv.volume.fs import FileSystemStorage as _FlowservFS
    HAVE_FLOWSERV = True
except ImportError:
    from .states import StateCanceled, StateError, StatePending, StateRunning, StateSuccess
    _FlowservFS = None
    HAVE_FLOWSERV = False

    class RemoteClientBase:
        """Stand-in for flowServ's abstract RemoteClient."""

    class ControllerBase:
        """Stand-in for flowServ's RemoteWorkflowController: the same attributes."""

        def __init__(self, client, poll_interval, is_async, service=None):
            self.client = client
            self.poll_interval = poll_interval
            self.is_async = is_async
            self.service = service
            self.tasks = dict()

    @dataclasses.dataclass
    class HandleBase:
        """Stand-in for flowServ's RemoteWorkflowHandle (same fields and methods)."""

        run_id: str
        workflow_id: str
        state: object
        output_files: list
        runstore: object
        client: object

        def is_active(self):
            return self.state.is_active()

        def poll_state(self):
            current = self.client.get_workflow_state(workflow_id=self.workflow_id, current_state=self.state)
            if current == self.state:
                return None
            self.state = current
            return self.state


class RemoteWorkflowHandle(HandleBase):
    """flowServ's RemoteWorkflowHandle (a subclass when flowServ is installed): ``workflow_id``
    is the service's id; result files are in ``runstore`` before the handle reports SUCCESS."""


def new_run_store(base_dir=None):
    """A storage volume in a new temporary folder for a run's result files: flowServ's
    FileSystemStorage when available, else this package's minimal folder volume."""
    folder = tempfile.mkdtemp(prefix='flowserv-remote-run-', dir=base_dir)
    if _FlowservFS is not None:  # pragma: no cover - needs flowServ
        return _FlowservFS(basedir=folder)
    from .volume import FolderVolume
    return FolderVolume(folder)


__all__ = [
    'ControllerBase', 'HAVE_FLOWSERV', 'HandleBase', 'RemoteClientBase', 'RemoteWorkflowHandle', 'StateCanceled',
    'StateError', 'StatePending', 'StateRunning', 'StateSuccess', 'new_run_store',
]
