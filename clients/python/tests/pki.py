"""Test certificates made with openssl: a server CA and a server certificate for
localhost/127.0.0.1, a client CA and a client certificate."""

import os
import subprocess


def _openssl(args, cwd):
    subprocess.run(['openssl', *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _ca(directory, name):
    _openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f'{name}.key',
              '-out', f'{name}.crt', '-days', '2', '-subj', f'/CN={name}', '-addext',
              'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], directory)


def _leaf(directory, ca, name, cn, usage):
    ext = os.path.join(directory, f'{name}.ext')
    with open(ext, 'w', encoding='utf-8') as f:
        f.write('subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n'
                if usage == 'server' else 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n')
    _openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f'{name}.key',
              '-out', f'{name}.csr', '-subj', f'/CN={cn}'], directory)
    _openssl(['x509', '-req', '-in', f'{name}.csr', '-CA', f'{ca}.crt', '-CAkey', f'{ca}.key', '-set_serial', '0x1001',
              '-days', '2', '-out', f'{name}.crt', '-extfile', ext], directory)


def make_pki(directory):
    """Writes server-ca.*, server.* (CN localhost), client-ca.*, client.* (CN alice); returns a
    function mapping a file name to its path."""
    _ca(directory, 'server-ca')
    _leaf(directory, 'server-ca', 'server', 'localhost', 'server')
    _ca(directory, 'client-ca')
    _leaf(directory, 'client-ca', 'client', 'alice', 'client')
    return lambda name: os.path.join(directory, name)
