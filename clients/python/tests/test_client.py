"""flowserv_remote.Client against a real server: every RPC, typed errors, deduplicated uploads,
one request id across retries, paged listing, verified and resumable downloads, deadlines."""

import hashlib
import json
import os
import socket
import threading
import uuid

import grpc
import pytest

import flowserv_remote as fr
from conftest import HELLOWORLD

CODE = {key: os.path.join(HELLOWORLD, key) for key in ('code/helloworld.py', 'code/analyze.py')}


def create_hello(client, helloworld, sleeptime=0, names=None, **kwargs):
    arguments = {'names': fr.File(names if names is not None else helloworld['names']), 'sleeptime': sleeptime,
                 'greeting': kwargs.pop('greeting', 'Hello')}
    return client.create_workflow(helloworld['template'], arguments, CODE, **kwargs)


def test_service_info_and_health(client):
    info = client.service_info()
    assert info.version and info.default_engine in [e.name for e in info.engines]
    assert info.upload_chunk_bytes > 0 and info.download_chunk_bytes > 0 and info.heartbeat_interval > 0
    assert client.health() == 'SERVING'
    assert client.health('flowserv.remote.v1.RemoteWorkflowService') == 'SERVING'


def test_hello_world_create_watch_download(client, helloworld, tmp_path):
    workflow = create_hello(client, helloworld, workflow_id='helloworld', group_id='pytest', labels={'suite': 'py'})
    assert workflow.state.type == fr.PENDING and workflow.state.sequence == 1 and not workflow.replayed
    assert sorted(workflow.output_files) == ['results/analytics.json', 'results/greetings.txt']
    assert workflow.group_id == 'pytest' and workflow.flowserv_workflow_id == 'helloworld'
    states = list(client.watch(workflow.workflow_id))
    assert [s.sequence for s in states] == list(range(1, len(states) + 1))
    assert [s.type for s in states] == [fr.PENDING, fr.RUNNING, fr.SUCCESS], states[-1].messages
    success = states[-1]
    assert success.created_at.tzinfo is not None and success.finished_at >= success.started_at >= success.created_at
    files = {f.key: f for f in success.files}

    target = tmp_path / 'out' / 'greetings.txt'
    described = client.download(workflow.workflow_id, 'results/greetings.txt', target)
    assert target.read_bytes() == b'Hello Alice!\nHello Bob!\n'
    assert described == files['results/greetings.txt']
    assert described.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert not os.path.exists(str(target) + '.part')
    analytics = json.loads(client.read_file(workflow.workflow_id, 'results/analytics.json'))
    assert analytics['max_line'] == 'Hello Alice!' and analytics['max_len'] == 12

    again = client.get_workflow(workflow.workflow_id)
    assert again.state == success and again.labels == {'suite': 'py'} and again.run_id == workflow.run_id
    assert client.get_state(workflow.workflow_id) == success
    assert client.poll_state(workflow.workflow_id, 'SUCCESS') == (success, False)
    assert client.poll_state(workflow.workflow_id, 'RUNNING') == (success, True)
    assert list(client.watch(workflow.workflow_id, after_sequence=success.sequence - 1)) == [success]
    assert client.wait(workflow.workflow_id) == success


def test_uploads_only_what_the_server_lacks(client, helloworld, tmp_path):
    names = tmp_path / 'names.txt'
    names.write_text(f'Zoe-{uuid.uuid4().hex}\n')
    uploads = []
    real_upload = client.upload
    client.upload = lambda blob, timeout=None: uploads.append(blob.sha256) or real_upload(blob, timeout)
    twice = {**CODE, 'code/copy-of-names.txt': str(names), 'data/other.txt': names.read_bytes()}
    first = client.create_workflow(helloworld['template'], {'names': fr.File(str(names)), 'sleeptime': 0}, twice)
    digest = hashlib.sha256(names.read_bytes()).hexdigest()
    assert uploads.count(digest) == 1, 'one content used three times is uploaded once'
    uploads.clear()
    second = create_hello(client, helloworld, names=str(names))
    assert uploads == [], 'everything was on the server already'
    assert first.workflow_id != second.workflow_id
    assert client.wait(second.workflow_id).type == fr.SUCCESS


class LoseFirstAnswer(grpc.UnaryUnaryClientInterceptor):
    """Lets the first CreateWorkflow reach the server, then reports UNAVAILABLE to the caller,
    as if the answer had been lost on the way back; records every request id sent."""

    def __init__(self):
        self.request_ids = []

    def intercept_unary_unary(self, continuation, details, request):
        outcome = continuation(details, request)
        if details.method.endswith('/CreateWorkflow'):
            self.request_ids.append(request.request_id)
            if len(self.request_ids) == 1:
                outcome.result()  # the server has created the workflow
                raise Unavailable()
        return outcome


class Unavailable(grpc.RpcError, grpc.Call):
    def code(self):
        return grpc.StatusCode.UNAVAILABLE

    def details(self):
        return 'answer lost (test)'

    def trailing_metadata(self):
        return ()

    def initial_metadata(self):
        return ()

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, callback):
        return False


def test_create_retries_with_the_same_request_id(server, helloworld):
    lose = LoseFirstAnswer()
    channel = grpc.intercept_channel(grpc.insecure_channel(server.address), lose)
    label = uuid.uuid4().hex
    with fr.Client(server.address, channel=channel) as client:
        workflow = create_hello(client, helloworld, labels={'retry': label})
        assert len(lose.request_ids) == 2 and lose.request_ids[0] == lose.request_ids[1]
        assert workflow.replayed, 'the retry found the workflow the lost answer was about'
        assert [w.workflow_id for w in client.list_workflows(labels={'retry': label})] == [workflow.workflow_id]


def test_list_workflows_iterates_over_pages(client, helloworld):
    label = uuid.uuid4().hex
    created = [create_hello(client, helloworld, labels={'page': label}).workflow_id for _ in range(3)]
    listed = list(client.list_workflows(labels={'page': label}, page_size=1))
    assert [w.workflow_id for w in listed] == created[::-1], 'newest first, across three pages'
    for workflow_id in created:
        client.wait(workflow_id)
    assert len(list(client.list_workflows(states=['SUCCESS'], labels={'page': label}))) == 3
    assert list(client.list_workflows(states=['RUNNING', 'PENDING'], labels={'page': label})) == []


def test_stop_cancels_a_running_workflow(client, helloworld):
    workflow = create_hello(client, helloworld, sleeptime=30)
    for state in client.watch(workflow.workflow_id):
        if state.type == fr.RUNNING:
            break
    # Leaving the watch cancelled the stream only: the workflow keeps running.
    assert client.get_state(workflow.workflow_id).type == fr.RUNNING
    stopped = client.stop(workflow.workflow_id, reason='pytest stop', grace_period=2)
    assert stopped.type == fr.CANCELED and 'pytest stop' in stopped.messages
    assert client.stop(workflow.workflow_id, reason='again') == stopped
    assert client.wait(workflow.workflow_id) == stopped


def test_resumes_a_download_from_a_partial_file(client, helloworld, tmp_path):
    workflow = create_hello(client, helloworld)
    assert client.wait(workflow.workflow_id).type == fr.SUCCESS
    target = tmp_path / 'greetings.txt'
    (tmp_path / 'greetings.txt.part').write_bytes(b'Hello Ali')
    received = []
    real = fr.transfer._Sink.write
    fr.transfer._Sink.write = lambda self, piece: received.append(piece) or real(self, piece)
    try:
        client.download(workflow.workflow_id, 'results/greetings.txt', target)
    finally:
        fr.transfer._Sink.write = real
    assert target.read_bytes() == b'Hello Alice!\nHello Bob!\n'
    assert b''.join(received) == b'ce!\nHello Bob!\n', 'only the missing bytes were fetched'


def test_a_corrupt_partial_file_is_detected_and_replaced(client, helloworld, tmp_path):
    workflow = create_hello(client, helloworld)
    client.wait(workflow.workflow_id)
    target = tmp_path / 'greetings.txt'
    (tmp_path / 'greetings.txt.part').write_bytes(b'X' * len(b'Hello Alice!\nHello Bob!\n'))
    with pytest.raises(fr.ChecksumMismatchError):
        fr.transfer.download(client.stub, workflow.workflow_id, 'results/greetings.txt', target, 10,
                             client.retry_policy)
    assert not os.path.exists(str(target) + '.part'), 'wrong content is never resumed'
    (tmp_path / 'greetings.txt.part').write_bytes(b'X' * 100)  # longer than the file: OUT_OF_RANGE
    client.download(workflow.workflow_id, 'results/greetings.txt', target)
    assert target.read_bytes() == b'Hello Alice!\nHello Bob!\n'


def test_typed_errors(client, helloworld):
    with pytest.raises(fr.InvalidArgumentError) as bad:
        client.create_workflow(helloworld['template'], {'colour': 'blue'}, CODE)
    assert bad.value.code == grpc.StatusCode.INVALID_ARGUMENT and bad.value.domain == 'flowserv.remote.v1'
    fields = {v.field: v.reason for v in bad.value.violations}
    assert fields.get('arguments.colour') == 'UNKNOWN_PARAMETER' and fields.get('arguments.names') == 'MISSING_ARGUMENT'

    with pytest.raises(fr.WorkflowNotFoundError) as missing:
        client.get_state('no-such-workflow')
    assert missing.value.reason == 'WORKFLOW_NOT_FOUND' and isinstance(missing.value, fr.NotFoundError)

    running = create_hello(client, helloworld, sleeptime=30)
    with pytest.raises(fr.FailedPreconditionError):
        client.read_file(running.workflow_id, 'results/greetings.txt')
    with pytest.raises(fr.OutOfRangeError):
        list(client.watch(running.workflow_id, after_sequence=99))
    with pytest.raises(fr.AlreadyExistsError):
        create_hello(client, helloworld, sleeptime=1, run_id=running.run_id)
    client.stop(running.workflow_id, grace_period=0)

    done = create_hello(client, helloworld)
    client.wait(done.workflow_id)
    with pytest.raises(fr.RemoteFileNotFoundError) as no_file:
        client.read_file(done.workflow_id, 'results/nothing.txt')
    assert no_file.value.reason == 'FILE_NOT_FOUND'


def test_deadlines(server):
    # A peer that accepts TCP but never speaks HTTP/2: the call can only end by its deadline.
    # (A tiny deadline against the real server is not enough: on loopback the answer can
    # arrive before gRPC's millisecond timer fires.)
    silent = socket.socket()
    silent.bind(('127.0.0.1', 0))
    silent.listen(8)
    accepted = []
    threading.Thread(target=lambda: [accepted.append(silent.accept()) for _ in range(8)], daemon=True).start()
    try:
        address = '127.0.0.1:%d' % silent.getsockname()[1]
        with fr.Client(address, timeout=0.2, retry=fr.RetryPolicy(attempts=2, initial=0.01)) as client:
            with pytest.raises(fr.DeadlineExceededError):
                client.service_info()
    finally:
        silent.close()
    with fr.Client(server.address, timeout=1e-6) as client:
        assert client.service_info(timeout=10).version


def runs_folder(root):
    """A post-processing input as flowServ builds it: runs.json plus <id>/results/analytics.json."""
    runs = [{'id': 'r1', 'name': 'first', 'files': ['results/analytics.json']},
            {'id': 'r2', 'name': 'second', 'files': ['results/analytics.json']}]
    (root / 'runs.json').parent.mkdir(parents=True, exist_ok=True)
    (root / 'runs.json').write_text(json.dumps(runs))
    for i, run in enumerate(runs):
        (root / run['id'] / 'results').mkdir(parents=True)
        (root / run['id'] / 'results' / 'analytics.json').write_text(json.dumps({'avg_count': 10.0 + i}))
    return root


POSTPROC = os.path.join(os.path.dirname(HELLOWORLD), 'postproc')


def test_a_folder_argument(client, tmp_path):
    folder = fr.Directory.from_folder(str(runs_folder(tmp_path / 'runs')), 'runs')
    assert [f.target_path for f in folder.entries] == ['r1/results/analytics.json', 'r2/results/analytics.json',
                                                       'runs.json']
    workflow = client.create_workflow(fr.load_template(os.path.join(POSTPROC, 'postproc.yaml')), {'runs': folder},
                                      {'code/postproc.py': os.path.join(POSTPROC, 'code', 'postproc.py')})
    assert client.wait(workflow.workflow_id).type == fr.SUCCESS
    compare = json.loads(client.read_file(workflow.workflow_id, 'results/compare.json'))
    assert [(c['run'], c['name'], c['avg_count']) for c in compare] == [('r1', 'first', 10.0), ('r2', 'second', 11.0)]
