"""The flowServ-facing classes against flowServ's contract (FLOWSERV.md §2, §13) and a real
server: RemoteClient (create_workflow, get_workflow_state, stop_workflow, handles whose
result files are in the runstore before SUCCESS), and the backend selected by
FLOWSERV_BACKEND_MODULE/CLASS in sync and async mode, following runs with WatchState."""

import importlib
import json
import os
import threading
import uuid

import grpc
import pytest

import flowserv_remote as fr
from conftest import HELLOWORLD
from flowserv_fakes import ActorValue, ApiFactory, Buffer, InputDirectory, InputFile, Run, StaticVolume, Template
from flowserv_remote.flowserv import RemoteBackend, RemoteClient, Settings
from flowserv_remote.flowserv.volume import FolderVolume

GREETINGS = b'Hi Alice!\nHi Bob!\n'


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def hello(names=b'Alice\nBob\n', sleeptime=0):
    """flowServ's view of a Hello World run: template object, cast arguments, static files."""
    template = Template(fr.load_template(HELLOWORLD))
    statics = StaticVolume({key: read(os.path.join(HELLOWORLD, key)) for key in ('code/helloworld.py', 'code/analyze.py')})
    arguments = {'names': InputFile(Buffer(names), 'data/names.txt'), 'sleeptime': sleeptime, 'greeting': 'Hi'}
    return Run(uuid.uuid4().hex), template, arguments, statics


def config(server, **extra):
    return {'FLOWSERV_BACKEND_MODULE': 'flowserv_remote.flowserv', 'FLOWSERV_BACKEND_CLASS': 'RemoteBackend',
            'FLOWSERV_REMOTE_SERVER': server.address, **extra}


def init_backend(api):
    """What flowServ's init_backend does with the two settings."""
    module = importlib.import_module(api.get('FLOWSERV_BACKEND_MODULE'))
    return getattr(module, api.get('FLOWSERV_BACKEND_CLASS'))(service=api)


class CountCalls(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Counts calls per method; ``unimplemented`` methods fail with UNIMPLEMENTED (a server
    without that RPC)."""

    def __init__(self, unimplemented=()):
        self.calls = {}
        self.unimplemented = set(unimplemented)

    def _count(self, details):
        name = details.method.rsplit('/', 1)[-1]
        self.calls[name] = self.calls.get(name, 0) + 1
        return name

    def intercept_unary_unary(self, continuation, details, request):
        self._count(details)
        return continuation(details, request)

    def intercept_unary_stream(self, continuation, details, request):
        if self._count(details) in self.unimplemented:
            details = details._replace(method=details.method + 'Missing')  # the server answers UNIMPLEMENTED
        return continuation(details, request)


def counted_client(server, counter):
    return fr.Client(server.address, channel=grpc.intercept_channel(grpc.insecure_channel(server.address), counter))


def test_remote_client_contract(server, tmp_path):
    client = RemoteClient(settings=Settings(server=server.address, runs_dir=str(tmp_path)))
    run, template, arguments, statics = hello()
    handle = client.create_workflow(run=run, template=template, arguments=arguments, staticfs=statics)
    assert handle.run_id == run.run_id and handle.workflow_id and handle.client is client
    assert handle.state.is_pending() and handle.state.created_at == run.state().created_at
    assert sorted(handle.output_files) == ['results/analytics.json', 'results/greetings.txt']
    assert handle.runstore.basedir.startswith(str(tmp_path))
    changes = []
    with fr.Client(server.address) as watcher:
        for state in watcher.watch(handle.workflow_id):
            changed = handle.poll_state()
            if changed is not None:
                changes.append(changed)
            if not state.is_active():
                break
    while handle.is_active():  # the poll may lag one state behind the watch above
        changed = handle.poll_state()
        if changed is not None:
            changes.append(changed)
    assert handle.poll_state() is None, 'same type: no change'
    final = handle.state
    assert final.is_success(), getattr(final, 'messages', None)
    assert final.files == handle.output_files and final.started_at <= final.finished_at
    assert final.finished_at.endswith('+00:00') and final.created_at == run.state().created_at
    assert read(os.path.join(handle.runstore.basedir, 'results', 'greetings.txt')) == GREETINGS
    assert b'Hi Alice!' in read(os.path.join(handle.runstore.basedir, 'results', 'analytics.json'))


def test_remote_client_stop_workflow(server, tmp_path):
    client = RemoteClient(settings=Settings(server=server.address, runs_dir=str(tmp_path)))
    run, template, arguments, statics = hello(sleeptime=30)
    handle = client.create_workflow(run=run, template=template, arguments=arguments, staticfs=statics)
    client.stop_workflow(handle.workflow_id)
    state = client.get_workflow_state(handle.workflow_id, handle.state)
    assert state.is_canceled() and state.messages == ['canceled by flowServ']


def test_backend_selected_by_the_two_settings_runs_sync_with_watch(server):
    api = ApiFactory(config(server, FLOWSERV_POLLINTERVAL=3600))
    backend = init_backend(api)
    assert isinstance(backend, RemoteBackend) and backend.is_async is False
    counter = CountCalls()
    backend.client.client = counted_client(server, counter)
    run, template, arguments, statics = hello()
    state, runstore = backend.exec_workflow(run, template, arguments, statics)
    assert state.is_success(), getattr(state, 'messages', None)
    assert sorted(state.files) == ['results/analytics.json', 'results/greetings.txt']
    assert read(os.path.join(runstore.basedir, 'results', 'greetings.txt')) == GREETINGS
    assert counter.calls.get('WatchState', 0) >= 1 and 'GetWorkflowState' not in counter.calls, counter.calls
    assert backend.tasks == {}


def test_backend_async_pushes_each_state_and_forgets_finished_runs(server):
    api = ApiFactory(config(server, FLOWSERV_ASYNCENGINE=True))
    backend = init_backend(api)
    run, template, arguments, statics = hello()
    state, runstore = backend.exec_workflow(run, template, arguments, statics)
    assert state.is_pending() or state.is_running()
    api.wait_for(lambda updates: updates and not updates[-1][1].is_active())
    states = [s for _, s in api.updates]
    assert [s.type_id for s in states] == ['RUNNING', 'SUCCESS'], [getattr(s, 'messages', '') for s in states]
    assert api.results[run.run_id]['results/greetings.txt'] == GREETINGS
    assert states[-1].files and states[-1].created_at == run.state().created_at
    join_follower(run)
    assert backend.tasks == {}


def join_follower(run):
    for thread in threading.enumerate():
        if thread.name == f'follow-{run.run_id}':
            thread.join(30)


def test_backend_async_cancel_stops_the_workflow_and_pushes_nothing_more(server):
    api = ApiFactory(config(server, FLOWSERV_ASYNCENGINE='true'))
    backend = init_backend(api)
    run, template, arguments, statics = hello(sleeptime=30)
    backend.exec_workflow(run, template, arguments, statics)
    api.wait_for(lambda updates: any(s.is_running() for _, s in updates))
    workflow_id = backend.tasks[run.run_id]
    backend.cancel_run(run.run_id)
    with fr.Client(server.address) as client:
        assert client.wait(workflow_id).type == fr.CANCELED
    join_follower(run)
    assert [s.type_id for _, s in api.updates] == ['RUNNING']
    assert backend.tasks == {}


def test_backend_async_stops_the_workflow_when_flowserv_refuses_an_update(server):
    api = ApiFactory(config(server, FLOWSERV_ASYNCENGINE=True))
    api.refuse = True
    backend = init_backend(api)
    run, template, arguments, statics = hello(sleeptime=30)
    backend.exec_workflow(run, template, arguments, statics)
    workflow_id = backend.tasks[run.run_id]
    with fr.Client(server.address) as client:
        assert client.wait(workflow_id).type == fr.CANCELED


def test_backend_polls_when_the_server_has_no_watch(server):
    counter = CountCalls(unimplemented={'WatchState'})
    backend = RemoteBackend(service=ApiFactory(config(server, FLOWSERV_POLLINTERVAL=0.1)),
                            client=counted_client(server, counter))
    run, template, arguments, statics = hello()
    state, _ = backend.exec_workflow(run, template, arguments, statics)
    assert state.is_success(), getattr(state, 'messages', None)
    assert counter.calls['GetWorkflowState'] >= 1


def test_every_argument_kind(server, tmp_path):
    (tmp_path / 'conf' / 'sub').mkdir(parents=True)
    (tmp_path / 'conf' / 'a.txt').write_bytes(b'A\n')
    (tmp_path / 'conf' / 'sub' / 'b.txt').write_bytes(b'B\n')
    doc = {
        'workflow': {
            'parameters': {'rec': '$[[rec]]', 'names': '$[[names]]', 'flag': '$[[flag]]', 'ratio': '$[[ratio]]'},
            'steps': [
                {'name': 'greet', 'action': '$[[greeter]]'},
                {'name': 'report', 'action': {'environment': 'sh', 'commands': [
                    'mkdir -p results', 'echo "${rec}|${names}|${flag}|${ratio}" > results/args.txt']}},
            ],
        },
        'parameters': [
            {'name': 'greeter', 'dtype': 'actor'},
            {'name': 'rec', 'dtype': 'record', 'fields': [
                {'name': 'a', 'dtype': 'int', 'index': 0, 'isRequired': True},
                {'name': 'b', 'dtype': 'string', 'index': 1, 'isRequired': False}]},
            {'name': 'names', 'dtype': 'list', 'para': {'name': 'n', 'dtype': 'string', 'index': 0, 'isRequired': True}},
            {'name': 'flag', 'dtype': 'bool'},
            {'name': 'ratio', 'dtype': 'float'},
        ],
        'outputs': [{'source': 'results/args.txt'}, {'source': 'results/greeting.txt'}],
    }
    actor = ActorValue(spec={'environment': 'sh', 'commands': ['mkdir -p results', 'sh code/greet.sh > results/greeting.txt',
                                                                 'cat conf/a.txt conf/sub/b.txt >> results/greeting.txt']},
                       files=[InputFile(Buffer(b'echo hello from the actor\n'), 'code/greet.sh'),
                              InputDirectory(FolderVolume(str(tmp_path / 'conf')), 'conf')])
    arguments = {'greeter': actor, 'rec': {'a': 1, 'b': 'x'}, 'names': ['x', 'y'], 'flag': True, 'ratio': 0.5}
    backend = RemoteBackend(service=ApiFactory(config(server)))
    state, runstore = backend.exec_workflow(Run(uuid.uuid4().hex), Template(doc), arguments, StaticVolume({}))
    assert state.is_success(), getattr(state, 'messages', None)
    assert read(os.path.join(runstore.basedir, 'results', 'greeting.txt')) == b'hello from the actor\nA\nB\n'
    assert read(os.path.join(runstore.basedir, 'results', 'args.txt')) == b"{'a': 1, 'b': 'x'}|['x', 'y']|True|0.5\n"


def test_a_failing_run_is_an_error_with_the_messages(server):
    run, template, arguments, statics = hello()
    statics.files['code/helloworld.py'] = Buffer(b'import sys\nsys.exit("no greetings today")\n')
    state, _ = RemoteBackend(service=ApiFactory(config(server))).exec_workflow(run, template, arguments, statics)
    assert state.is_error() and any('no greetings today' in m for m in state.messages), state.messages


def test_a_rejected_run_is_an_error_state_not_an_exception(server):
    run, template, _, statics = hello()
    state, runstore = RemoteBackend(service=ApiFactory(config(server))).exec_workflow(run, template, {}, statics)
    assert state.is_error() and runstore is None
    assert any('MISSING_ARGUMENT' in m or 'names' in m for m in state.messages), state.messages


def test_a_non_pending_run_is_refused(server):
    run, template, arguments, statics = hello()
    run._state = run._state.start()
    with pytest.raises(RuntimeError, match="invalid run state 'RUNNING'"):
        RemoteBackend(service=ApiFactory(config(server))).exec_workflow(run, template, arguments, statics)


def test_settings_from_flowserv_config_first_then_environment(tmp_path):
    env = {'FLOWSERV_REMOTE_SERVER': 'env:1', 'FLOWSERV_REMOTE_ENGINE': 'slurm', 'FLOWSERV_ASYNCENGINE': 'True',
           'FLOWSERV_REMOTE_TOKEN': 'from-env'}
    settings = Settings.load(config={'FLOWSERV_REMOTE_SERVER': 'config:2', 'FLOWSERV_ASYNCENGINE': False}, env=env)
    assert (settings.server, settings.engine, settings.is_async, settings.token) == ('config:2', 'slurm', False, 'from-env')
    assert Settings.load(env={}).server == '127.0.0.1:50051' and Settings.load(env={}).is_async is False
    with pytest.raises(ValueError) as err:
        Settings.load(env={'FLOWSERV_REMOTE_TIMEOUT': 'soon', 'FLOWSERV_REMOTE_CLIENT_TLS_CERT_FILE': 'c.pem'})
    assert 'FLOWSERV_REMOTE_TIMEOUT' in str(err.value) and 'FLOWSERV_REMOTE_CLIENT_TLS_KEY_FILE' in str(err.value)


def test_folder_volume_keeps_results_by_key(tmp_path):
    volume = FolderVolume(str(tmp_path / 'store'))
    volume.store(Buffer(b'x'), 'a/b.txt')
    assert [k for k, _ in volume.walk()] == ['a/b.txt'] and volume.load('a/b.txt').size() == 1


def test_post_processing_gets_the_runs_folder(server, tmp_path):
    """flowServ's post-processing run: the `runs` argument is an InputDirectory over a volume."""
    from test_client import POSTPROC, runs_folder
    runs = InputDirectory(FolderVolume(str(runs_folder(tmp_path / 'runs'))), 'runs')
    template = Template(fr.load_template(os.path.join(POSTPROC, 'postproc.yaml')))
    statics = StaticVolume({'code/postproc.py': read(os.path.join(POSTPROC, 'code', 'postproc.py'))})
    run = Run(uuid.uuid4().hex, group_id=None)
    state, runstore = RemoteBackend(service=ApiFactory(config(server))).exec_workflow(run, template, {'runs': runs}, statics)
    assert state.is_success(), getattr(state, 'messages', None)
    compare = json.loads(read(os.path.join(runstore.basedir, 'results', 'compare.json')))
    assert [c['run'] for c in compare] == ['r1', 'r2']
