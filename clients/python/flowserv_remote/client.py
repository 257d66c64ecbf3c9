"""``flowserv_remote.Client``: every RPC of the service as a Python method.

A Client owns one channel (close it, or use ``with Client(...) as client``). Unary calls carry a
deadline (``timeout`` seconds, per client or per call); failures raise the typed errors of
``flowserv_remote.errors``; calls a retry can fix (UNAVAILABLE, and DEADLINE_EXCEEDED for
idempotent calls) are retried with backoff. CreateWorkflow sends one request id across its
retries, so a retry after a lost answer replays the first workflow instead of starting a second.
"""

import os
import uuid

from ._proto import health as health_pb
from ._proto import health_grpc
from ._proto import service as service_pb
from ._proto import service_grpc
from ._proto import workflow as workflow_pb
from ._retry import RetryPolicy, retrying
from .arguments import argument_to_proto, files_of
from .blobs import Blob
from .connection import open_channel
from .errors import ChecksumMismatchError, OutOfRangeError, RemoteError
from .states import ServiceInfo, Workflow, WorkflowState, state_type_value
from .template import template_to_proto
from .transfer import PART_SUFFIX, download, upload
from .logs import watch_logs
from .watch import follow

DEFAULT_TIMEOUT = 30.0
FALLBACK_CHUNK_BYTES = 64 * 1024
#: The heartbeat interval assumed until the server has announced its own (the server's default), in seconds.
ASSUMED_HEARTBEAT_INTERVAL = 15.0
#: The channel that replaces an abandoned one gets a connection of its own: with the process-wide
#: pool it would be handed back the very connection it gives up.
_OWN_CONNECTION = ('grpc.use_local_subchannel_pool', 1)


def static_files_from_dir(directory, exclude=()):
    """``{relative path: local path}`` for every file below ``directory`` ('/'-separated keys),
    leaving out keys in ``exclude``: the static files of a flowServ template folder."""
    out = {}
    for folder, _, names in os.walk(directory):
        for name in names:
            local = os.path.join(folder, name)
            key = os.path.relpath(local, directory).replace(os.sep, '/')
            if key not in exclude:
                out[key] = local
    return dict(sorted(out.items()))


class Client:
    """A connection to a flowserv-remote server at ``address`` (host:port).

    Connection keywords (``tls``, ``ca_file``, ``cert_file``, ``key_file``, ``server_name``,
    ``token``, ``token_file``, ``credentials``, ``options``) are those of
    ``flowserv_remote.connection.open_channel``. ``timeout`` is the default deadline of unary
    calls and of each upload or download stream, in seconds; ``retry`` the RetryPolicy of calls
    a retry can fix; ``reconnect`` the RetryPolicy of ``watch`` (consecutive failed streams);
    ``silence_timeout`` the heartbeat watchdog of ``watch`` and ``watch_logs`` in seconds (default:
    twice the heartbeat interval the server announces; 0 turns it off)."""

    def __init__(self, address, *, timeout=DEFAULT_TIMEOUT, retry=None, reconnect=None, channel=None,
                 silence_timeout=None, **connection):
        self.address = address
        self.timeout = timeout
        self.retry_policy = retry or RetryPolicy()
        self.reconnect_policy = reconnect or RetryPolicy(attempts=10, initial=0.1, maximum=5.0)
        self.silence_timeout = silence_timeout
        if channel is None:
            options = list(connection.pop('options', ()))
            self._reopen = lambda: open_channel(address, options=options + [_OWN_CONNECTION], **connection)
            channel = open_channel(address, options=options, **connection)
        else:
            self._reopen = None  # the caller's channel: a watch resumes on it
        self.channel = channel
        #: The generated RemoteWorkflowService stub, for anything this class does not wrap.
        self.stub = service_grpc.RemoteWorkflowServiceStub(self.channel)
        self._abandoned = []
        self._heartbeat_interval = None
        self._chunk_bytes = None

    # --- lifetime -------------------------------------------------------------------------------

    def close(self):
        """Closes the channel (and those given up after a silent stream); open watches and downloads end."""
        for channel in self._abandoned + [self.channel]:
            channel.close()
        self._abandoned = []

    def abandon_connection(self, stale_stub):
        """Gives up the connection ``stale_stub`` runs on, because a stream on it went silent: later
        calls use a new channel with a new TCP connection (behind a Service, possibly another
        replica). The old channel is closed with the client, not now, so that calls still running
        on it are not cut. Nothing happens when ``stale_stub`` was already replaced, or when the
        channel was passed in by the caller."""
        if stale_stub is not self.stub or self._reopen is None:
            return
        self._abandoned.append(self.channel)
        self.channel = self._reopen()
        self.stub = service_grpc.RemoteWorkflowServiceStub(self.channel)

    def silence_limit(self, configured=None):
        """The heartbeat watchdog's limit in seconds for a stream: ``configured``, else the client's
        ``silence_timeout``, else twice the heartbeat interval the server announces (GetServiceInfo,
        asked once; twice ASSUMED_HEARTBEAT_INTERVAL when it does not answer). 0 means no watchdog."""
        for value in (configured, self.silence_timeout):
            if value is not None:
                return value
        if self._heartbeat_interval is None:
            try:
                self.service_info(timeout=5)
            except RemoteError:
                return 2 * ASSUMED_HEARTBEAT_INTERVAL  # asked again by the next watch
        return 2 * self._heartbeat_interval

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _timeout(self, timeout):
        return self.timeout if timeout is None else timeout

    def _unary(self, method, request, timeout, idempotent=True):
        return retrying(lambda: method(request, timeout=self._timeout(timeout)), self.retry_policy, idempotent)

    # --- workflows ------------------------------------------------------------------------------

    def create_workflow(self, template, arguments=None, static_files=None, *, run_id=None, workflow_id=None,
                        group_id=None, engine='', labels=None, request_id=None, resources=None, timeout=None):
        """Uploads what the server lacks and creates a workflow; returns its Workflow.

        ``template``: a flowServ template dict or a WorkflowTemplate message. ``arguments``:
        ``{name: value}`` with plain values, dicts (records), ``File`` and ``Actor`` values.
        ``static_files``: ``{relative path: local path | bytes | Blob}`` or a directory whose
        files are all static files. ``run_id`` is flowServ's run id (default: a new uuid4 hex);
        ``workflow_id``/``group_id`` flowServ's ids (informational); ``resources`` an
        EngineResources message."""
        if isinstance(static_files, (str, os.PathLike)):
            static_files = static_files_from_dir(static_files)
        statics = [(key, Blob.of(src)) for key, src in (static_files or {}).items()]
        blobs = {id(f): f.blob for f in files_of(arguments)}
        self.upload_missing([b for _, b in statics] + list(blobs.values()), timeout=timeout)
        run = workflow_pb.RunObject(run_id=run_id or uuid.uuid4().hex)
        if workflow_id is not None:
            run.workflow_id = workflow_id
        if group_id is not None:
            run.group_id = group_id
        request = service_pb.CreateWorkflowRequest(
            run=run,
            template=template_to_proto(template),
            arguments=[argument_to_proto(name, value, blobs) for name, value in (arguments or {}).items()],
            static_files=[{'path': key, 'sha256': blob.sha256} for key, blob in statics],
            engine=engine,
            labels=labels or {},
            request_id=request_id or uuid.uuid4().hex,
            resources=resources,
        )
        answer = self._unary(self.stub.CreateWorkflow, request, timeout)
        return Workflow.from_proto(answer.workflow, replayed=answer.replayed)

    def get_state(self, workflow_id, timeout=None):
        """The workflow's latest WorkflowState."""
        request = service_pb.GetWorkflowStateRequest(workflow_id=workflow_id)
        return WorkflowState.from_proto(self._unary(self.stub.GetWorkflowState, request, timeout).state)

    def poll_state(self, workflow_id, current_type, timeout=None):
        """flowServ's poll: ``(latest state, changed)`` where ``changed`` is False when the latest
        state has the type ``current_type`` ('PENDING', …)."""
        request = service_pb.GetWorkflowStateRequest(
            workflow_id=workflow_id, current_state=workflow_pb.WorkflowState(type=state_type_value(current_type)))
        answer = self._unary(self.stub.GetWorkflowState, request, timeout)
        return WorkflowState.from_proto(answer.state), answer.changed

    def get_workflow(self, workflow_id, timeout=None):
        """One Workflow with its latest state."""
        request = service_pb.GetWorkflowRequest(workflow_id=workflow_id)
        return Workflow.from_proto(self._unary(self.stub.GetWorkflow, request, timeout).workflow)

    def stop(self, workflow_id, reason='', grace_period=None, timeout=None):
        """Stops a workflow (idempotent); returns the state after the stop: CANCELED, or the
        terminal state it had reached. ``grace_period`` is seconds between the polite and the
        forced stop (None: the server default)."""
        request = service_pb.StopWorkflowRequest(workflow_id=workflow_id, reason=reason)
        if grace_period is not None:
            request.grace_period.FromMilliseconds(int(grace_period * 1000))
        return WorkflowState.from_proto(self._unary(self.stub.StopWorkflow, request, timeout).state)

    def watch(self, workflow_id, after_sequence=0, *, heartbeats=False, poll_interval=1.0, stream=True,
              on_reconnect=None, silence_timeout=None):
        """An iterator over the workflow's states after ``after_sequence`` (0: all), ending with
        the terminal state. It resumes from the last sequence after a dropped or silent stream
        (``silence_timeout``: see ``silence_limit``) and polls when the server has no stream; see
        ``flowserv_remote.watch.follow``."""
        return follow(self, workflow_id, after_sequence, heartbeats=heartbeats, poll_interval=poll_interval,
                      stream=stream, on_reconnect=on_reconnect, silence_timeout=silence_timeout)

    def watch_logs(self, workflow_id, *, follow=True, step=None, streams=None, cursor=None, heartbeats=False,
                   on_reconnect=None, silence_timeout=None):
        """An iterator over the output of the workflow's commands (LogChunk values): from the
        offsets in ``cursor`` (a LogCursor; default the beginning), live while the workflow runs
        unless ``follow=False``, resumed after a dropped or silent stream, until the workflow has
        ended and everything was sent; see ``flowserv_remote.logs.watch_logs``."""
        return watch_logs(self, workflow_id, follow=follow, step=step, streams=streams, cursor=cursor,
                          heartbeats=heartbeats, on_reconnect=on_reconnect, silence_timeout=silence_timeout)

    def wait(self, workflow_id, **kwargs):
        """Follows the workflow to its terminal state and returns that state."""
        last = None
        for state in self.watch(workflow_id, **kwargs):
            last = state
        return last if last is not None else self.get_state(workflow_id)

    def list_workflows(self, states=(), labels=None, engine='', page_size=0, timeout=None):
        """An iterator over matching workflows, newest first, fetching page after page.
        ``states`` are type names ('RUNNING', …)."""
        request = service_pb.ListWorkflowsRequest(
            page_size=page_size, states=[state_type_value(s) for s in states], labels=labels or {}, engine=engine)
        while True:
            page = self._unary(self.stub.ListWorkflows, request, timeout)
            for msg in page.workflows:
                yield Workflow.from_proto(msg)
            if not page.next_page_token:
                return
            request.page_token = page.next_page_token

    # --- files ----------------------------------------------------------------------------------

    def find_files(self, sha256s, timeout=None):
        """The subset of the given digests the server already has."""
        request = service_pb.FindFilesRequest(sha256s=list(sha256s))
        return set(self._unary(self.stub.FindFiles, request, timeout).present_sha256s)

    def upload(self, source, timeout=None):
        """Uploads one file (path, bytes or Blob); returns ``(sha256, already_present)``."""
        blob = Blob.of(source)
        answer = retrying(lambda: upload(self.stub, blob, self.chunk_bytes(), self._timeout(timeout)), self.retry_policy)
        return answer.sha256, answer.already_present

    def upload_missing(self, blobs, timeout=None):
        """Uploads each distinct content among ``blobs`` that FindFiles does not know; returns how
        many were uploaded."""
        distinct = {}
        for blob in blobs:
            distinct.setdefault(blob.sha256, blob)
        if not distinct:
            return 0
        present = self.find_files(distinct, timeout)
        missing = [blob for digest, blob in distinct.items() if digest not in present]
        for blob in missing:
            self.upload(blob, timeout)
        return len(missing)

    def chunk_bytes(self):
        """The upload chunk size the server asks for (asked once)."""
        if self._chunk_bytes is None:
            self._chunk_bytes = self.service_info().upload_chunk_bytes or FALLBACK_CHUNK_BYTES
        return self._chunk_bytes

    def download(self, workflow_id, path, target, timeout=None):
        """Downloads result file ``path`` into the local file ``target``, verified against the
        size and sha256 the server announced, resuming after drops (and from an earlier
        ``target + '.part'``); returns its OutputFile."""
        try:
            return download(self.stub, workflow_id, path, target, self._timeout(timeout), self.retry_policy)[0]
        except (ChecksumMismatchError, OutOfRangeError):
            part = os.fspath(target) + PART_SUFFIX
            if not os.path.exists(part):
                raise
            os.remove(part)  # a stale .part of other content: start once more from zero
            return download(self.stub, workflow_id, path, target, self._timeout(timeout), self.retry_policy)[0]

    def read_file(self, workflow_id, path, timeout=None):
        """A result file's content as bytes, verified like ``download``."""
        return download(self.stub, workflow_id, path, None, self._timeout(timeout), self.retry_policy)[1]

    # --- service --------------------------------------------------------------------------------

    def service_info(self, timeout=None):
        """The server's version, engines and limits."""
        info = ServiceInfo.from_proto(self._unary(self.stub.GetServiceInfo, service_pb.GetServiceInfoRequest(), timeout))
        if info.heartbeat_interval > 0:
            self._heartbeat_interval = info.heartbeat_interval  # for silence_limit
        return info

    def health(self, service='', timeout=None):
        """The grpc.health.v1 status ('SERVING', 'NOT_SERVING', …) of the server ('') or of a
        service name such as 'engine/local'."""
        stub = health_grpc.HealthStub(self.channel)
        answer = self._unary(stub.Check, health_pb.HealthCheckRequest(service=service), timeout)
        return health_pb.HealthCheckResponse.ServingStatus.Name(answer.status)
