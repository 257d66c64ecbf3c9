"""The flowServ backend: ``FLOWSERV_BACKEND_MODULE=flowserv_remote.flowserv`` and
``FLOWSERV_BACKEND_CLASS=RemoteBackend`` make flowServ run its workflows on a flowserv-remote
server (FLOWSERV.md §13).

It is flowServ's RemoteWorkflowController (a subclass when flowServ is installed) that follows
runs with WatchState instead of polling: flowServ's monitor sleeps ``poll_interval`` (2 s by
default) before it even looks, so every run takes at least that long in flowServ's view, while a
watch sees each state as it happens. When the server has no WatchState the client polls
GetWorkflowState every ``FLOWSERV_POLLINTERVAL`` seconds instead; a dropped stream is reopened
after the last state seen for up to ``FLOWSERV_REMOTE_UNREACHABLE_TIMEOUT`` seconds.

Sync mode (flowServ's default) blocks in ``exec_workflow`` until the run ends. Async mode
(``FLOWSERV_ASYNCENGINE``) returns at once and pushes each later state from a thread with
``update_run`` in a fresh API context; an update that raises (flowServ canceled or finished the
run itself) stops the following, and the workflow too if it is still active. Unlike flowServ's
monitor, a finished run is removed from ``tasks``.
"""

import logging
import math
import threading
import traceback

from .._retry import RetryPolicy
from ..client import Client
from .compat import ControllerBase
from .remote_client import RemoteClient
from .settings import Settings

log = logging.getLogger(__name__)

#: Longest wait between two attempts to reopen a dropped watch, seconds.
MAX_RECONNECT_DELAY = 5.0


def stacktrace(err):
    """flowServ's error messages for an exception: the formatted traceback lines."""
    return [line.rstrip('\n') for line in traceback.format_exception(type(err), err, err.__traceback__)]


def reconnect_policy(unreachable_timeout):
    """Enough attempts (0.1 s doubling to 5 s) to keep trying for ``unreachable_timeout`` seconds."""
    return RetryPolicy(attempts=max(3, math.ceil(unreachable_timeout / MAX_RECONNECT_DELAY) + 6), initial=0.1,
                       maximum=MAX_RECONNECT_DELAY)


class RemoteBackend(ControllerBase):
    """flowServ's workflow backend on a flowserv-remote server. flowServ builds it with
    ``RemoteBackend(service=api_factory)``; settings come from that factory's configuration, then
    the environment (flowserv_remote.flowserv.settings). ``client`` (a flowserv_remote.Client or
    a RemoteClient) and ``settings`` replace what would be built from them."""

    def __init__(self, service=None, client=None, settings=None):
        settings = settings or Settings.load(config=service)
        if not isinstance(client, RemoteClient):
            client = RemoteClient(client=client or Client(settings.server, reconnect=reconnect_policy(
                settings.unreachable_timeout), **settings.connection()), settings=settings)
        ControllerBase.__init__(self, client=client, poll_interval=settings.poll_interval,
                                is_async=settings.is_async, service=service)
        self.settings = settings
        self._stopped = {}

    def exec_workflow(self, run, template, arguments, staticfs, config=None):
        """Submits the run; sync: follows it to its end, async: follows it in a thread. Returns
        ``(state, runstore)``; a failure becomes an ERROR state with the traceback as messages."""
        if not run.is_pending():
            raise RuntimeError(f"invalid run state '{run.state()}'")
        try:
            handle = self.client.create_workflow(run=run, template=template, arguments=arguments, staticfs=staticfs)
            if not self.is_async:
                try:
                    return self.follow(handle), handle.runstore
                finally:
                    self.client.forget(handle.workflow_id)
            stopped = threading.Event()
            self.tasks[run.run_id] = handle.workflow_id
            self._stopped[run.run_id] = stopped
            threading.Thread(target=self._follow_async, args=(handle, stopped), name=f'follow-{run.run_id}').start()
            return handle.state, handle.runstore
        except Exception as err:
            log.error('run %s failed on the remote engine', run.run_id, exc_info=True)
            return run.state().error(messages=stacktrace(err)), None

    def cancel_run(self, run_id):
        """Stops following the run and stops its workflow (errors are logged; flowServ writes
        the CANCELED state itself)."""
        stopped = self._stopped.pop(run_id, None)
        if stopped is not None:
            stopped.set()
        workflow_id = self.tasks.pop(run_id, None)
        if workflow_id is None:
            return
        try:
            self.client.stop_workflow(workflow_id)
        except Exception:
            log.error('stopping workflow %s of run %s failed', workflow_id, run_id, exc_info=True)

    def follow(self, handle, on_change=None, stopped=None):
        """Follows the workflow to its terminal state with WatchState, keeping ``handle.state``
        current; ``on_change(state)`` is told each new flowServ state and ends the following by
        returning False. Returns the last state."""
        for state in self.client.client.watch(handle.workflow_id, poll_interval=self.poll_interval):
            if stopped is not None and stopped.is_set():
                break
            if state.type == handle.state.type_id:
                continue
            handle.state = self.client.to_flowserv(handle.workflow_id, state, handle.state)
            if on_change is not None and not on_change(handle.state):
                break
        return handle.state

    def _follow_async(self, handle, stopped):
        try:
            self.follow(handle, lambda state: self._push(handle, state), stopped)
        except Exception as err:
            if not stopped.is_set():
                log.error('following run %s failed', handle.run_id, exc_info=True)
                self._push(handle, handle.state.error(messages=stacktrace(err)))
        finally:
            self.tasks.pop(handle.run_id, None)
            self._stopped.pop(handle.run_id, None)
            self.client.forget(handle.workflow_id)

    def _push(self, handle, state):
        """update_run in a fresh API context; False (stop following) when flowServ refuses it."""
        if self.service is None:
            return True
        try:
            with self.service() as api:
                api.runs().update_run(run_id=handle.run_id, state=state, runstore=handle.runstore)
            return True
        except Exception:
            log.error('flowServ refused state %s of run %s', state, handle.run_id, exc_info=True)
            if state.is_active():
                try:
                    self.client.stop_workflow(handle.workflow_id)
                except Exception:
                    log.error('stopping workflow %s failed', handle.workflow_id, exc_info=True)
            return False
