"""The heartbeat watchdog of ``watch`` and ``watch_logs`` against real server processes behind a
round-robin proxy (a Service over replicas): the server a watcher is connected to freezes
(SIGSTOP: its connection stays open and silent, as after a node loss without a reset), a second
server on the same data directory takes the workflow over, and the watcher must notice the
silence from the heartbeat interval the server announced, resume on a new connection (landing on
the second server) and see every state and every output byte exactly once."""

import os
from pathlib import Path
import signal
import threading

import pytest

import flowserv_remote as fr
from proxy import RoundRobinProxy
from server import ServerProcess, end_jobs_under

HEARTBEAT_MS = 300


def shell_template(command):
    return {'workflow': {'steps': [{'name': 'main', 'action': {'environment': 'sh', 'commands': [command]}}]}}


@pytest.fixture
def replicas(tmp_path):
    started = []

    def start():
        proc = ServerProcess(str(tmp_path / 'data'), ['--heartbeat-interval-ms', str(HEARTBEAT_MS)]).start()
        started.append(proc)
        return proc
    yield start
    for proc in started:
        if proc.proc.poll() is None:
            proc.proc.kill()  # also ends a stopped process
            proc.proc.wait()
    end_jobs_under(str(tmp_path))


def test_a_watcher_of_a_frozen_server_resumes_on_another_with_nothing_lost_or_repeated(replicas, tmp_path):
    first = replicas()
    proxy = RoundRobinProxy([first.address])
    try:
        with fr.Client(proxy.address, timeout=20) as client:
            assert client.service_info().heartbeat_interval == HEARTBEAT_MS / 1000
            workflow = client.create_workflow(
                shell_template("echo one; while [ ! -f open ]; do sleep 0.02; done; echo two"))
            # The gate lies in the run's own working directory: a confined job sees nothing else of the host.
            gate = Path(first.data_dir) / 'runs' / workflow.workflow_id / 'work' / 'open'
            states, chunks, state_errors, log_errors = [], [], [], []
            running, one = threading.Event(), threading.Event()

            def watch():
                for state in client.watch(workflow.workflow_id, on_reconnect=lambda n, err: state_errors.append(err)):
                    states.append(state)
                    if state.type == fr.RUNNING:
                        running.set()

            def logs():
                for chunk in client.watch_logs(workflow.workflow_id, on_reconnect=lambda n, err: log_errors.append(err)):
                    chunks.append(chunk)
                    if b''.join(c.data for c in chunks if c.stream == fr.STDOUT) == b'one\n':
                        one.set()

            threads = [threading.Thread(target=watch), threading.Thread(target=logs)]
            for t in threads:
                t.start()
            assert running.wait(30) and one.wait(30)

            os.kill(first.proc.pid, signal.SIGSTOP)
            second = replicas()  # recovers the workflow and follows its job from here on
            proxy.drop_backend(first.address)
            proxy.add_backend(second.address)
            gate.touch()
            for t in threads:
                t.join(60)
                assert not t.is_alive()

            assert [s.type for s in states] == [fr.PENDING, fr.RUNNING, fr.SUCCESS]
            assert [s.sequence for s in states] == [1, 2, 3]
            assert b''.join(c.data for c in chunks if c.stream == fr.STDOUT) == b'one\ntwo\n'
            for errors in (state_errors, log_errors):
                assert errors and isinstance(errors[0], fr.StreamSilentError), errors
                assert errors[0].silence == 2 * HEARTBEAT_MS / 1000
            assert second.address in proxy.routes
        with fr.Client(second.address) as direct:
            assert [s.sequence for s in direct.watch(workflow.workflow_id)] == [1, 2, 3]
    finally:
        proxy.close()


def test_a_configured_limit_wins_and_zero_turns_the_watchdog_off(replicas):
    server = replicas()
    proxy = RoundRobinProxy([server.address])
    try:
        with fr.Client(proxy.address, timeout=20, reconnect=fr.RetryPolicy(attempts=2, initial=0.05, maximum=0.1)) as client:
            workflow = client.create_workflow(shell_template('sleep 300'))
            for state in client.watch(workflow.workflow_id):
                if state.type == fr.RUNNING:
                    break
            os.kill(server.proc.pid, signal.SIGSTOP)
            with pytest.raises(fr.StreamSilentError) as silent:
                for _ in client.watch(workflow.workflow_id, silence_timeout=0.2):
                    pass
            assert silent.value.silence == 0.2
            # The first silent stream gave up its connection: the second attempt came on a new one.
            assert len(proxy.routes) >= 2

            routes = len(proxy.routes)
            seen = []

            def watch_without_watchdog():
                try:
                    seen.extend(client.watch(workflow.workflow_id, silence_timeout=0))
                except fr.CallCancelledError:
                    pass  # the client closed under it at the end of the test

            watcher = threading.Thread(target=watch_without_watchdog, daemon=True)
            watcher.start()
            # Without a watchdog the stream just waits: still open, no new connection, after
            # five times the limit above.
            watcher.join(1.0)
            assert watcher.is_alive()
            assert len(proxy.routes) == routes + 1
            assert seen == []
    finally:
        proxy.close()
