"""How long a short job takes in flowServ's view: the flowServ backend of this package (it
follows the run with WatchState), the same job created and followed with the plain client, and
flowServ's own remote controller, which polls: its monitor sleeps ``poll_interval`` before each
GetWorkflowState (FLOWSERV.md §2.4; reproduced here with flowServ's documented loop on this
package's RemoteClient, flowServ not being installed).

Every sample runs one job (``sleep <job-seconds>``, one output file) to SUCCESS with its output
in hand. The three kinds take turns, the order rotating each round. Prints one JSON object:
``{"backend": [ms, ...], "direct": [...], "polling": [...]}``. Used by bench/flowserv-backend.ts.

Usage: backend_latency.py ADDRESS [--warmup N] [--iterations N] [--job-seconds S] [--poll-interval S]
"""

import argparse
import json
import os
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the package from this checkout

from flowserv_remote import Client  # noqa: E402
from flowserv_remote.flowserv import RemoteBackend, RemoteClient, Settings  # noqa: E402
from flowserv_remote.flowserv.compat import StatePending  # noqa: E402


def template(job_seconds):
    return {
        'workflow': {'steps': [{'name': 'main', 'action': {'environment': 'sh', 'commands': [
            f'sleep {job_seconds}', 'echo done > out.txt']}}]},
        'parameters': [],
        'outputs': [{'source': 'out.txt'}],
    }


class Run:
    """The part of flowServ's RunObject a backend reads."""

    def __init__(self):
        self.run_id, self.workflow_id, self.group_id = uuid.uuid4().hex, 'bench', None
        self._state = StatePending()

    def state(self):
        return self._state

    def is_pending(self):
        return True


class Empty:
    def walk(self, src=None):
        return []


def via_backend(backend, doc):
    state, _ = backend.exec_workflow(Run(), doc, {}, Empty())
    assert state.is_success(), getattr(state, 'messages', state)


def via_client(client, doc, tmp):
    workflow = client.create_workflow(doc)
    assert client.wait(workflow.workflow_id).type == 'SUCCESS'
    client.download(workflow.workflow_id, 'out.txt', os.path.join(tmp, 'out.txt'))


def via_polling(remote, doc, poll_interval):
    """flowServ's monitor_workflow: sleep, poll, until the handle is inactive."""
    handle = remote.create_workflow(run=Run(), template=doc, arguments={}, staticfs=Empty())
    while handle.is_active():
        time.sleep(poll_interval)
        handle.poll_state()
    assert handle.state.is_success(), getattr(handle.state, 'messages', handle.state)
    remote.forget(handle.workflow_id)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('address')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--iterations', type=int, default=8)
    parser.add_argument('--job-seconds', type=float, default=0.2)
    parser.add_argument('--poll-interval', type=float, default=2.0)
    args = parser.parse_args(argv)
    doc = template(args.job_seconds)
    settings = Settings(server=args.address, poll_interval=args.poll_interval)
    samples = {'backend': [], 'direct': [], 'polling': []}
    with Client(args.address) as client, tempfile.TemporaryDirectory() as tmp:
        backend = RemoteBackend(client=client, settings=settings)
        remote = RemoteClient(client=client, settings=settings)
        kinds = {
            'backend': lambda: via_backend(backend, doc),
            'direct': lambda: via_client(client, doc, tmp),
            'polling': lambda: via_polling(remote, doc, args.poll_interval),
        }
        order = list(kinds)
        for round_ in range(args.warmup + args.iterations):
            for name in order:
                start = time.perf_counter()
                kinds[name]()
                if round_ >= args.warmup:
                    samples[name].append((time.perf_counter() - start) * 1000)
            order = order[1:] + order[:1]
    print(json.dumps(samples))


if __name__ == '__main__':
    main(sys.argv[1:])
