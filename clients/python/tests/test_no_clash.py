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


def test_prefers_an_installed_grpc_health_module(server, tmp_path):
    """grpcio-health-checking ships grpc/health/v1/health.proto as grpc_health.v1: when it is
    importable, the package uses it rather than registering the same proto file a second time."""
    import flowserv_remote._gen.grpc.health.v1 as ours
    site = tmp_path / 'site' / 'grpc_health' / 'v1'
    site.mkdir(parents=True)
    (site.parent / '__init__.py').write_text('')
    (site / '__init__.py').write_text('')
    for name in ('health_pb2.py', 'health_pb2_grpc.py'):
        with open(os.path.join(os.path.dirname(ours.__file__), name), encoding='utf-8') as f:
            text = f.read()
        (site / name).write_text(text.replace('flowserv_remote._gen.grpc.health.v1', 'grpc_health.v1'))
    result = run_python(f'''
        import grpc_health.v1.health_pb2 as installed
        import flowserv_remote, flowserv_remote._proto as proto
        assert proto.health is installed, proto.health
        with flowserv_remote.Client({server.address!r}) as client:
            print(client.health())
    ''', str(tmp_path / 'site'), str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'SERVING'
