"""A real flowserv-remote server for the tests: ``flowserv-remote serve`` as a child process
(node with the tsx loader, from the repository checkout) on 127.0.0.1, port 0 unless a port is
given, with its own data directory; ready once its log says "listening"."""

import json
import os
import queue
import shutil
import signal
import subprocess
import threading

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
START_TIMEOUT_S = 60


def missing_node():
    """Why the server cannot be started here, or None."""
    if shutil.which('node') is None:
        return 'node is not on PATH'
    if not os.path.isdir(os.path.join(REPO_ROOT, 'node_modules', 'tsx')):
        return 'node_modules is not installed (npm ci)'
    return None


class ServerProcess:
    """One server process; ``restart()`` starts a new one on the same port and data dir."""

    def __init__(self, data_dir, args=(), port=0):
        self.data_dir = data_dir
        self.args = list(args)
        self.port = port
        self.proc = None
        self.lines = []

    @property
    def address(self):
        return f'127.0.0.1:{self.port}'

    def start(self):
        cmd = ['node', '--import', 'tsx', os.path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'serve',
               '--port', str(self.port), '--data-dir', self.data_dir, '--log-level', 'info', *self.args]
        self.proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc, ready), daemon=True).start()
        try:
            port = ready.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            self.stop()
            raise RuntimeError(f'server did not listen within {START_TIMEOUT_S} s: {self.proc.stderr.read()}')
        if port is None:
            raise RuntimeError(f'server exited before listening: {self.proc.stderr.read()}')
        self.port = port
        return self

    def _read(self, proc, ready):
        for text in proc.stdout:
            try:
                line = json.loads(text)
            except ValueError:
                line = {'msg': text.rstrip('\n')}
            self.lines.append(line)
            if line.get('msg') == 'listening' and isinstance(line.get('port'), int):
                ready.put(line['port'])
        ready.put(None)

    def stop(self, timeout=30):
        """SIGTERM (the server drains, then exits), SIGKILL if it does not exit in time."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def restart(self):
        self.stop()
        return self.start()


def end_jobs_under(path):
    """Kills the process group of every process working under `path` (by its working directory
    or an argument): jobs outlive a stopped or killed server by design, so a test that leaves one
    waiting (a `sleep 300`) must end it itself. Returns the pids found."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f'/proc/{entry}/cmdline', 'rb') as f:
                args = f.read().decode(errors='replace')
            cwd = os.readlink(f'/proc/{entry}/cwd')
        except OSError:
            continue
        if path in args or cwd.startswith(path):
            found.append(int(entry))
    own_group = os.getpgid(0)
    for pid in found:
        try:
            group = os.getpgid(pid)
            # A job leads a group of its own; anything in the test run's group goes alone.
            if group == own_group:
                os.kill(pid, signal.SIGKILL)
            else:
                os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    return found

