"""Client.watch_logs against a real server: live output while the step runs, stdout and stderr
apart, a LogCursor that resumes a later call without loss or repetition, a plain read of one
step, and the log cap reported by service_info."""

import os
import threading
from pathlib import Path

import flowserv_remote as fr


def shell(*steps):
    """A template of shell steps: (name, [commands]) each."""
    return {'workflow': {'steps': [{'name': name, 'action': {'environment': 'sh', 'commands': list(commands)}}
                                   for name, commands in steps]}}


def text(chunks, stream, step=None):
    return b''.join(c.data for c in chunks if c.stream == stream and (step is None or c.step == step)).decode()


def test_watch_logs_live_then_resumed_from_a_cursor(client, server):
    # The gate lies in the run's own working directory: a confined job sees nothing else of the host.
    wait = "while [ ! -f gate ]; do sleep 0.02; done"
    workflow = client.create_workflow(shell(('main', [f'echo one; echo err-one >&2; {wait}; echo two; echo err-two >&2'])))
    gate = Path(server.data_dir) / 'runs' / workflow.workflow_id / 'work' / 'gate'
    cursor = fr.LogCursor()
    first = []
    for chunk in client.watch_logs(workflow.workflow_id, cursor=cursor):
        first.append(chunk)
        if text(first, fr.STDOUT) == 'one\n' and text(first, fr.STDERR) == 'err-one\n':
            break
    assert client.get_state(workflow.workflow_id).type == fr.RUNNING
    assert first[0].command_text.startswith('echo one')
    assert cursor.offsets == {(0, 0, fr.STDOUT): 4, (0, 0, fr.STDERR): 8}
    threading.Timer(0.2, gate.write_text, args=('',)).start()
    rest = list(client.watch_logs(workflow.workflow_id, cursor=cursor))
    assert text(rest, fr.STDOUT) == 'two\n' and text(rest, fr.STDERR) == 'err-two\n'
    assert [c.offset for c in rest if c.stream == fr.STDOUT] == [4]
    assert client.get_state(workflow.workflow_id).type == fr.SUCCESS


def test_plain_read_of_one_step_and_stream(client):
    workflow = client.create_workflow(shell(('a', ['echo a-out; echo a-err >&2']), ('b', ['printf b-out; printf b-err >&2'])))
    assert client.wait(workflow.workflow_id).type == fr.SUCCESS
    chunks = list(client.watch_logs(workflow.workflow_id, follow=False, step=1, streams=[fr.STDERR]))
    assert [(c.step, c.command, c.stream, c.data) for c in chunks] == [(1, 0, fr.STDERR, b'b-err')]
    everything = list(client.watch_logs(workflow.workflow_id, follow=False))
    assert text(everything, fr.STDOUT, step=0) == 'a-out\n' and text(everything, fr.STDOUT, step=1) == 'b-out'
    assert client.service_info().log_cap_bytes > 0


def test_bad_step_is_invalid_argument(client):
    workflow = client.create_workflow(shell(('only', ['true'])))
    try:
        list(client.watch_logs(workflow.workflow_id, step=5))
    except fr.InvalidArgumentError as err:
        assert [v.field for v in err.violations] == ['step_index']
    else:
        raise AssertionError('expected InvalidArgumentError')
