"""TLS, mutual TLS, bearer tokens and owners per token against a real server that demands them."""

import shutil

import pytest

import flowserv_remote as fr
from conftest import unavailable
from pki import make_pki
from server import ServerProcess
from test_client import create_hello

TOKEN = 'a' * 24 + '0123456789abcdef'
READ_ONLY = 'b' * 24 + '0123456789abcdef'
OTHER = 'c' * 24 + '0123456789abcdef'


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    if shutil.which('openssl') is None:
        unavailable('openssl is not on PATH')
    return make_pki(str(tmp_path_factory.mktemp('pki')))


@pytest.fixture(scope='module')
def secured(pki, tmp_path_factory):
    """A server with mutual TLS and a token file (one full token, one read-only token)."""
    tokens = tmp_path_factory.mktemp('tokens') / 'tokens'
    tokens.write_text(f'# test tokens\n{TOKEN}  name=pytest\n{READ_ONLY}  read-only\n{OTHER}  name=other\n')
    proc = ServerProcess(str(tmp_path_factory.mktemp('data')), [
        '--tls-cert-file', pki('server.crt'), '--tls-key-file', pki('server.key'),
        '--tls-client-ca-file', pki('client-ca.crt'), '--auth-token-file', str(tokens)]).start()
    yield proc
    proc.stop()


def mtls(pki):
    return {'ca_file': pki('server-ca.crt'), 'cert_file': pki('client.crt'), 'key_file': pki('client.key')}


def test_mutual_tls_with_token(secured, pki):
    with fr.Client(secured.address, token=TOKEN, **mtls(pki)) as client:
        assert client.service_info().version
        assert client.find_files(['0' * 64]) == set()


def test_token_file_and_server_name(secured, pki, tmp_path):
    token_file = tmp_path / 'token'
    token_file.write_text(f'# mine\n\n{TOKEN}\n')
    with fr.Client(f'127.0.0.1:{secured.port}', token_file=str(token_file), server_name='localhost',
                   **mtls(pki)) as client:
        assert client.service_info().version


def test_missing_token_is_unauthenticated(secured, pki):
    with fr.Client(secured.address, **mtls(pki)) as client:
        with pytest.raises(fr.UnauthenticatedError) as err:
            client.service_info()
    assert err.value.reason == 'UNAUTHENTICATED' and err.value.metadata.get('cause') == 'MISSING_CREDENTIALS'
    with fr.Client(secured.address, token='not-a-valid-token-0000', **mtls(pki)) as client:
        with pytest.raises(fr.UnauthenticatedError) as err:
            client.service_info()
    assert err.value.metadata.get('cause') == 'INVALID_TOKEN'


def test_read_only_token_cannot_write(secured, pki):
    with fr.Client(secured.address, token=READ_ONLY, **mtls(pki)) as client:
        assert client.service_info().version
        with pytest.raises(fr.PermissionDeniedError):
            client.upload(b'read-only tokens may not upload')


def test_without_client_certificate_or_without_tls_the_connection_fails(secured, pki):
    retry = fr.RetryPolicy(attempts=1)
    with fr.Client(secured.address, token=TOKEN, ca_file=pki('server-ca.crt'), retry=retry, timeout=5) as client:
        with pytest.raises(fr.UnavailableError):
            client.service_info()
    with fr.Client(secured.address, token=TOKEN, retry=retry, timeout=5) as client:
        with pytest.raises(fr.UnavailableError):
            client.service_info()


def test_each_token_sees_only_its_own_workflows(secured, pki, helloworld):
    with fr.Client(secured.address, token=TOKEN, **mtls(pki)) as mine, \
            fr.Client(secured.address, token=OTHER, **mtls(pki)) as other:
        workflow = create_hello(mine, helloworld)
        assert workflow.owner == 'token:pytest'
        assert [w.workflow_id for w in mine.list_workflows()] == [workflow.workflow_id]
        assert list(other.list_workflows()) == []
        with pytest.raises(fr.WorkflowNotFoundError):
            other.get_workflow(workflow.workflow_id)
        assert mine.get_workflow(workflow.workflow_id).owner == 'token:pytest'
