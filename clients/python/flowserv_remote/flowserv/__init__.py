"""flowServ integration: run flowServ's workflows on a flowserv-remote server.

Select the backend in flowServ with two settings::

    FLOWSERV_BACKEND_MODULE=flowserv_remote.flowserv
    FLOWSERV_BACKEND_CLASS=RemoteBackend

and point it at a server with ``FLOWSERV_REMOTE_SERVER`` (see ``settings`` for TLS, tokens and
the engine). ``RemoteClient`` implements flowServ's RemoteClient contract for use with flowServ's
own RemoteWorkflowController. Both subclass flowServ's classes when flowServ is installed and
work without it (this module never requires flowServ).
"""

from .backend import RemoteBackend
from .compat import HAVE_FLOWSERV, RemoteWorkflowHandle
from .remote_client import RemoteClient
from .settings import Settings

__all__ = ['HAVE_FLOWSERV', 'RemoteBackend', 'RemoteClient', 'RemoteWorkflowHandle', 'Settings']
