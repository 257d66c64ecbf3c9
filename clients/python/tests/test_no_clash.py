"""The package imports and works in a process where a top-level ``flowserv`` package (flowServ
itself) is importable, imported before or after it."""

import os
import subprocess
import sys
import textwrap

FAKE_FLOWSERV = {
    'flowserv/__init__.py': "NAME = 'fake flowServ'\n",
    'flowserv/remote/__init__.py': '',
    'flowserv/controller/__init__.py': '',
}


def fake_flowserv(root):
    for rel, text in FAKE_FLOWSERV.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
    return str(root)


def run_python(code, path, cwd):
    env = {**os.environ, 'PYTHONPATH': path}
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_imports_next_to_flowserv_either_order(server, tmp_path):
    root = fake_flowserv(tmp_path / 'site')
    for first, second in (('flowserv', 'flowserv_remote'), ('flowserv_remote', 'flowserv')):
        result = run_python(f'''
            import {first}, {second}
            import flowserv, flowserv_remote
            assert flowserv.NAME == 'fake flowServ'
            import flowserv_remote.flowserv
            with flowserv_remote.Client({server.address!r}) as client:
                print(client.service_info().version)
        ''', root, str(tmp_path))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip()
