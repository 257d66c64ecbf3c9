"""Opening a channel to the service: plaintext, TLS (server certificate checked against the
system roots or a given CA bundle), mutual TLS (client certificate and key), and a bearer token
sent as ``authorization: Bearer <token>`` on every call.

The token goes through a client interceptor rather than gRPC call credentials, because call
credentials refuse plaintext channels, and a plaintext channel behind a TLS-terminating mesh is a
normal deployment of this service."""

import collections

import grpc


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def read_token_file(path):
    """The first line of a token file that is neither blank nor a ``#`` comment."""
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                return line.split()[0]
    raise ValueError(f'token file {path} holds no token')


class _CallDetails(collections.namedtuple('_CallDetails', ('method', 'timeout', 'metadata', 'credentials',
                                                             'wait_for_ready', 'compression')),
                   grpc.ClientCallDetails):
    pass


class BearerTokenInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                             grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds ``authorization: Bearer <token>`` to the metadata of every call."""

    def __init__(self, token):
        self._header = ('authorization', f'Bearer {token}')

    def _details(self, details):
        metadata = list(details.metadata or ()) + [self._header]
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, 'wait_for_ready', None), getattr(details, 'compression', None))

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation, details, request_iterator):
        return continuation(self._details(details), request_iterator)

    def intercept_stream_stream(self, continuation, details, request_iterator):
        return continuation(self._details(details), request_iterator)


def open_channel(address, *, tls=False, ca_file=None, cert_file=None, key_file=None, server_name=None,
                 token=None, token_file=None, credentials=None, options=()):
    """A grpc.Channel to ``address`` (host:port).

    - ``tls=True`` uses TLS with the system's root CAs; ``ca_file`` (PEM bundle) trusts that CA
      instead; ``cert_file`` + ``key_file`` present a client certificate (mutual TLS);
      ``server_name`` is the name checked against the server's certificate (e.g. when connecting
      by IP address). Any of these implies TLS. ``credentials`` passes ready
      ``grpc.ChannelCredentials`` instead.
    - ``token`` (or ``token_file``, its first non-comment line) is sent as a bearer token.
    - ``options`` are extra gRPC channel options.
    """
    if (cert_file is None) != (key_file is None):
        raise ValueError('mutual TLS needs both cert_file and key_file')
    if token is not None and token_file is not None:
        raise ValueError('give token or token_file, not both')
    options = list(options)
    if server_name:
        options.append(('grpc.ssl_target_name_override', server_name))
    secure = credentials is not None or tls or ca_file or cert_file or server_name
    if secure:
        if credentials is None:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=_read(ca_file) if ca_file else None,
                private_key=_read(key_file) if key_file else None,
                certificate_chain=_read(cert_file) if cert_file else None,
            )
        channel = grpc.secure_channel(address, credentials, options=options)
    else:
        channel = grpc.insecure_channel(address, options=options)
    if token_file is not None:
        token = read_token_file(token_file)
    if token:
        channel = grpc.intercept_channel(channel, BearerTokenInterceptor(token))
    return channel
