"""A watch survives a server restart: the stream drops, the client reconnects with backoff and
resumes after the last sequence it saw, and sees every later state exactly once."""

import pytest

import flowserv_remote as fr
from server import ServerProcess
from test_client import create_hello


@pytest.fixture
def restartable(tmp_path):
    # A short drain: these tests stop the server on purpose while calls are open.
    proc = ServerProcess(str(tmp_path / 'data'), ['--shutdown-grace-ms', '1000']).start()
    yield proc
    proc.stop()


def test_watch_resumes_across_a_server_restart(restartable, helloworld):
    reconnects = []
    with fr.Client(restartable.address, reconnect=fr.RetryPolicy(attempts=30, initial=0.1, maximum=1.0)) as client:
        workflow = create_hello(client, helloworld, sleeptime=2)
        seen = []
        for state in client.watch(workflow.workflow_id, on_reconnect=lambda n, err: reconnects.append(err.code)):
            seen.append(state)
            if state.type == fr.RUNNING:
                restartable.restart()
        assert reconnects, 'the stream dropped and was reopened'
        assert [s.sequence for s in seen] == list(range(1, len(seen) + 1)), 'each state once, none lost'
        assert [s.type for s in seen] == [fr.PENDING, fr.RUNNING, fr.SUCCESS], seen[-1].messages
        assert client.read_file(workflow.workflow_id, 'results/greetings.txt') == b'Hello Alice!\nHello Bob!\n'


def test_the_flowserv_backend_rides_out_a_server_restart(restartable):
    from flowserv_fakes import ApiFactory
    from test_flowserv import GREETINGS, config, hello, init_backend, join_follower
    api = ApiFactory(config(restartable, FLOWSERV_ASYNCENGINE=True))
    backend = init_backend(api)
    run, template, arguments, statics = hello(sleeptime=2)
    backend.exec_workflow(run, template, arguments, statics)
    api.wait_for(lambda updates: any(s.is_running() for _, s in updates))
    restartable.restart()
    api.wait_for(lambda updates: not updates[-1][1].is_active())
    assert [s.type_id for _, s in api.updates] == ['RUNNING', 'SUCCESS'], api.updates[-1][1].__dict__
    assert api.results[run.run_id]['results/greetings.txt'] == GREETINGS
    join_follower(run)


def test_remote_client_reports_no_change_while_the_server_is_down(restartable, tmp_path):
    """flowServ's own controller polls get_workflow_state: an unreachable server is "no change"
    (the run goes on), not an error, until FLOWSERV_REMOTE_UNREACHABLE_TIMEOUT runs out."""
    from flowserv_remote.flowserv import RemoteClient, Settings
    from test_flowserv import hello
    client = fr.Client(restartable.address, retry=fr.RetryPolicy(attempts=2, initial=0.05), timeout=5)
    remote = RemoteClient(client=client, settings=Settings(server=restartable.address, runs_dir=str(tmp_path)))
    run, template, arguments, statics = hello(sleeptime=1)
    handle = remote.create_workflow(run=run, template=template, arguments=arguments, staticfs=statics)
    restartable.stop()
    assert remote.get_workflow_state(handle.workflow_id, handle.state) is handle.state
    restartable.start()
    with fr.Client(restartable.address) as watcher:
        assert watcher.wait(handle.workflow_id).type == fr.SUCCESS
    assert remote.get_workflow_state(handle.workflow_id, handle.state).is_success()
    remote.settings = Settings(server=restartable.address, unreachable_timeout=0)
    restartable.stop()
    with pytest.raises(fr.UnavailableError):
        for _ in range(2):  # the first failure starts the clock, the next one is past a 0 s limit
            remote.get_workflow_state(handle.workflow_id, handle.state)
    client.close()
