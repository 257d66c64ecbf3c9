"""Python client for the flowserv-remote gRPC service (import name ``flowserv_remote``).

The generated protobuf and gRPC modules live in ``flowserv_remote._gen``, never under a top-level
``flowserv`` package, so this package can be imported next to flowServ itself.
"""

__version__ = '0.1.0'
