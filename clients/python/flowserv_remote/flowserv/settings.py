"""Settings of the flowServ backend, read once: flowServ's configuration object first (the
``service`` flowServ hands the backend answers ``.get(key)``), then the environment.

| key | meaning | default |
|---|---|---|
| FLOWSERV_REMOTE_SERVER | host:port of the flowserv-remote server | 127.0.0.1:50051 |
| FLOWSERV_REMOTE_TOKEN / FLOWSERV_REMOTE_TOKEN_FILE | bearer token / a file holding it | none |
| FLOWSERV_REMOTE_CLIENT_TLS | TLS with the system's root CAs | false |
| FLOWSERV_REMOTE_CLIENT_TLS_CA_FILE | trust this PEM CA bundle (implies TLS) | none |
| FLOWSERV_REMOTE_CLIENT_TLS_CERT_FILE / _KEY_FILE | client certificate and key (mutual TLS) | none |
| FLOWSERV_REMOTE_CLIENT_TLS_SERVER_NAME | name checked against the server certificate | none |
| FLOWSERV_REMOTE_ENGINE | engine to run on | the server's default |
| FLOWSERV_REMOTE_TIMEOUT | deadline of each call, seconds | 30 |
| FLOWSERV_REMOTE_UNREACHABLE_TIMEOUT | how long a followed run may be unreachable before it is failed, seconds | 300 |
| FLOWSERV_REMOTE_RUNS_DIR | parent folder of the temporary result stores | the system temp dir |
| FLOWSERV_ASYNCENGINE | flowServ's own: follow runs in the background | false (sync) |
| FLOWSERV_POLLINTERVAL | flowServ's own: poll interval when the server has no WatchState, seconds | 2 |

The client variables have the same names as the ``flowserv-remote`` command's.
"""

import os
from dataclasses import dataclass
from typing import Optional

SERVER = 'FLOWSERV_REMOTE_SERVER'
TOKEN = 'FLOWSERV_REMOTE_TOKEN'
TOKEN_FILE = 'FLOWSERV_REMOTE_TOKEN_FILE'
TLS = 'FLOWSERV_REMOTE_CLIENT_TLS'
TLS_CA_FILE = 'FLOWSERV_REMOTE_CLIENT_TLS_CA_FILE'
TLS_CERT_FILE = 'FLOWSERV_REMOTE_CLIENT_TLS_CERT_FILE'
TLS_KEY_FILE = 'FLOWSERV_REMOTE_CLIENT_TLS_KEY_FILE'
TLS_SERVER_NAME = 'FLOWSERV_REMOTE_CLIENT_TLS_SERVER_NAME'
ENGINE = 'FLOWSERV_REMOTE_ENGINE'
TIMEOUT = 'FLOWSERV_REMOTE_TIMEOUT'
UNREACHABLE_TIMEOUT = 'FLOWSERV_REMOTE_UNREACHABLE_TIMEOUT'
RUNS_DIR = 'FLOWSERV_REMOTE_RUNS_DIR'
ASYNC = 'FLOWSERV_ASYNCENGINE'
POLL_INTERVAL = 'FLOWSERV_POLLINTERVAL'


def to_bool(value):
    """A Python bool as is (flowServ's run_async() sets one); strings 'true'/'1'/'yes'."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ('true', '1', 'yes', 'on')


@dataclass(frozen=True)
class Settings:
    """The backend's settings (see the module doc for the keys)."""

    server: str = '127.0.0.1:50051'
    token: Optional[str] = None
    token_file: Optional[str] = None
    tls: bool = False
    ca_file: Optional[str] = None
    cert_file: Optional[str] = None
    key_file: Optional[str] = None
    server_name: Optional[str] = None
    engine: str = ''
    timeout: float = 30.0
    unreachable_timeout: float = 300.0
    runs_dir: Optional[str] = None
    is_async: bool = False
    poll_interval: float = 2.0

    @classmethod
    def load(cls, config=None, env=None):
        """Settings from ``config`` (anything with ``.get(key)``, e.g. flowServ's API factory),
        then ``env`` (default: os.environ); problems are reported all at once."""
        env = os.environ if env is None else env

        def get(key):
            value = config.get(key) if config is not None else None
            return env.get(key) if value is None else value

        problems = []

        def number(key, default):
            raw = get(key)
            if raw is None or raw == '':
                return default
            try:
                value = float(raw)
            except (TypeError, ValueError):
                value = -1
            if value < 0:
                problems.append(f'{key} must be a non-negative number of seconds, got {raw!r}')
                return default
            return value

        settings = cls(
            server=get(SERVER) or cls.server,
            token=get(TOKEN) or None,
            token_file=get(TOKEN_FILE) or None,
            tls=to_bool(get(TLS) or False),
            ca_file=get(TLS_CA_FILE) or None,
            cert_file=get(TLS_CERT_FILE) or None,
            key_file=get(TLS_KEY_FILE) or None,
            server_name=get(TLS_SERVER_NAME) or None,
            engine=get(ENGINE) or '',
            timeout=number(TIMEOUT, cls.timeout),
            unreachable_timeout=number(UNREACHABLE_TIMEOUT, cls.unreachable_timeout),
            runs_dir=get(RUNS_DIR) or None,
            is_async=to_bool(get(ASYNC) or False),
            poll_interval=number(POLL_INTERVAL, cls.poll_interval),
        )
        if (settings.cert_file is None) != (settings.key_file is None):
            problems.append(f'{TLS_CERT_FILE} and {TLS_KEY_FILE} go together')
        if settings.token and settings.token_file:
            problems.append(f'set {TOKEN} or {TOKEN_FILE}, not both')
        if problems:
            raise ValueError('flowserv-remote backend settings: ' + '; '.join(problems))
        return settings

    def connection(self):
        """Keyword arguments for flowserv_remote.Client."""
        return {'tls': self.tls, 'ca_file': self.ca_file, 'cert_file': self.cert_file, 'key_file': self.key_file,
                'server_name': self.server_name, 'token': self.token, 'token_file': self.token_file,
                'timeout': self.timeout}
