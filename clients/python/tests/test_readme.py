"""The README's Python examples run as written, in a process that has imported a module named
``flowserv`` first, and its flowServ settings table matches the backend's settings."""

import os
import re
import subprocess
import sys

from server import REPO_ROOT
from test_no_clash import fake_flowserv


def readme_section(title):
    with open(os.path.join(REPO_ROOT, 'README.md'), encoding='utf-8') as f:
        text = f.read()
    start = text.index(f'## {title}\n')
    end = text.find('\n## ', start + 1)
    return text[start:end if end >= 0 else None]


def python_blocks(section):
    return re.findall(r'```python\n(.*?)```', section, re.S)


def test_the_readme_example_runs_as_written_next_to_flowserv(server, tmp_path):
    example, errors = python_blocks(readme_section('Calling from Python'))[:2]
    script = tmp_path / 'example.py'
    # The error fragment uses the client from the example: run it inside the same `with` block.
    body = example.replace("'127.0.0.1:50051'", repr(server.address))
    fragment = '\n'.join('    ' + line if line else line for line in errors.splitlines())
    script.write_text(body + fragment + '\n')
    env = {**os.environ, 'PYTHONPATH': fake_flowserv(tmp_path / 'site')}
    result = subprocess.run([sys.executable, '-c', f'import flowserv, runpy; runpy.run_path({str(script)!r})'],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ['PENDING', 'RUNNING', 'SUCCESS'] and lines[3:5] == ['Hi Alice!', 'Hi Bob!'], result.stdout
    promised = re.search(r'^\s*# (\[.*\])$', errors, re.M).group(1)
    assert lines[5] == promised, 'the output the README shows in its comment'


def test_the_readme_settings_are_the_backend_settings():
    from flowserv_remote.flowserv import settings
    section = readme_section('Calling from Python')
    documented = set(re.findall(r'FLOWSERV_REMOTE_[A-Z_]+(?<!_)', section))
    documented.discard('FLOWSERV_REMOTE_CLIENT_TLS_')
    known = {v for k, v in vars(settings).items() if k.isupper() and isinstance(v, str)}
    assert documented - known == set() and {v for v in known if v.startswith('FLOWSERV_REMOTE_')} <= documented
