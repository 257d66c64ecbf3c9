"""flowServ's RemoteClient contract (FLOWSERV.md §2.2, §13) over flowserv_remote.Client.

``create_workflow`` uploads the static files and argument files the server lacks and submits the
run; the handle's ``runstore`` is a fresh temporary volume. ``get_workflow_state`` returns the
current state object itself when the type did not change (flowServ's "no change"), and before it
reports SUCCESS it downloads every output file, verified, into the runstore, because flowServ
0.9 copies results from there and downloads nothing itself. A server that is unreachable for
less than ``unreachable_timeout`` seconds reports "no change" instead of failing the run."""

import logging
import os
import tempfile
import threading
import time

from ..client import Client
from ..errors import UnavailableError
from ..states import ERROR, SUCCESS, WorkflowState
from .compat import HAVE_FLOWSERV, RemoteClientBase, RemoteWorkflowHandle, new_run_store
from .convert import argument_value, static_blobs, template_document, to_flowserv_state
from .settings import Settings
from .volume import LocalFile

log = logging.getLogger(__name__)

STOP_REASON = 'canceled by flowServ'


class _Run:
    """What a followed workflow needs after create: its run id, result store and outputs."""

    def __init__(self, run_id, runstore, output_files):
        self.run_id = run_id
        self.runstore = runstore
        self.output_files = list(output_files)
        self.unreachable_since = None


class RemoteClient(RemoteClientBase):
    """flowServ's RemoteClient for a flowserv-remote server (a subclass of flowServ's class when
    flowServ is installed). Give it a ``Client``, or ``Settings`` to open one."""

    def __init__(self, client=None, settings=None):
        self.settings = settings or Settings.load()
        self.client = client or Client(self.settings.server, **self.settings.connection())
        self._runs = {}
        self._lock = threading.Lock()

    def close(self):
        self.client.close()

    # --- flowServ's contract ----------------------------------------------------------------

    def create_workflow(self, run, template, arguments, staticfs):
        """Submits the run and returns its RemoteWorkflowHandle (state PENDING or later)."""
        statics = static_blobs(staticfs)
        values = {name: argument_value(value) for name, value in (arguments or {}).items()}
        workflow = self.client.create_workflow(
            template_document(template), values, statics,
            run_id=run.run_id, workflow_id=getattr(run, 'workflow_id', None), group_id=getattr(run, 'group_id', None),
            engine=self.settings.engine, labels={'client': 'flowserv'})
        runstore = new_run_store(self.settings.runs_dir)
        with self._lock:
            self._runs[workflow.workflow_id] = _Run(run.run_id, runstore, workflow.output_files)
        state = to_flowserv_state(workflow.state, run.state())
        return RemoteWorkflowHandle(run_id=run.run_id, workflow_id=workflow.workflow_id, state=state,
                                    output_files=list(workflow.output_files), runstore=runstore, client=self)

    def get_workflow_state(self, workflow_id, current_state):
        """The next flowServ state of the workflow, or ``current_state`` when its type is unchanged."""
        run = self._run(workflow_id)
        try:
            state, changed = self.client.poll_state(workflow_id, current_state.type_id)
        except UnavailableError:
            if run is None or self._unreachable_too_long(run):
                raise
            return current_state
        if run is not None:
            run.unreachable_since = None
        if not changed:
            return current_state
        return self.to_flowserv(workflow_id, state, current_state)

    def stop_workflow(self, workflow_id):
        """Stops the workflow on the server (flowServ writes the CANCELED state itself)."""
        self.client.stop(workflow_id, reason=STOP_REASON)

    # --- shared with the backend ------------------------------------------------------------

    def to_flowserv(self, workflow_id, state, current_state):
        """flowServ's state for the service's ``state``; for SUCCESS the result files are
        downloaded into the runstore first, and a download that fails makes it ERROR."""
        run = self._run(workflow_id)
        if state.type != SUCCESS or run is None:
            return to_flowserv_state(state, current_state)
        try:
            self.download_results(workflow_id, run)
        except Exception as err:  # the run cannot succeed without its files
            log.error('downloading the results of workflow %s failed: %s', workflow_id, err)
            failed = WorkflowState(type=ERROR, sequence=state.sequence, created_at=state.created_at,
                                   started_at=state.started_at, stopped_at=state.finished_at,
                                   messages=(f'downloading the result files failed: {err}',))
            return to_flowserv_state(failed, current_state)
        return to_flowserv_state(state, current_state, files=run.output_files)

    def download_results(self, workflow_id, run):
        """Downloads every output file into the run's store (verified by sha256)."""
        with tempfile.TemporaryDirectory(prefix='flowserv-remote-download-') as tmp:
            for index, key in enumerate(run.output_files):
                local = os.path.join(tmp, str(index))
                self.client.download(workflow_id, key, local)
                run.runstore.store(file=file_handle(local), dst=key)

    def forget(self, workflow_id):
        """Drops what was kept for a workflow that is no longer followed."""
        with self._lock:
            self._runs.pop(workflow_id, None)

    def _run(self, workflow_id):
        with self._lock:
            return self._runs.get(workflow_id)

    def _unreachable_too_long(self, run):
        now = time.monotonic()
        if run.unreachable_since is None:
            run.unreachable_since = now
        return now - run.unreachable_since > self.settings.unreachable_timeout


def file_handle(path):
    """A local file as flowServ's IOHandle (flowServ's FSFile when flowServ is installed)."""
    if HAVE_FLOWSERV:  # pragma: no cover - needs flowServ
        from flowserv.volume.fs import FSFile
        return FSFile(path)
    return LocalFile(path)
