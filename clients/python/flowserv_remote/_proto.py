"""Short names for the generated modules (one import site, so a regeneration that moves a module
breaks in one place).

The google.rpc and grpc.health.v1 definitions are also shipped by googleapis-common-protos and
grpcio-health-checking. When those are installed, their modules are used instead of this
package's copies: protobuf keeps one descriptor per proto file name in a process, and refuses a
second, different definition of ``google/rpc/status.proto`` (another version, say), so loading
both could break whichever is imported second."""

from ._gen.flowserv.remote.v1 import argument_pb2 as argument
from ._gen.flowserv.remote.v1 import files_pb2 as files
from ._gen.flowserv.remote.v1 import logs_pb2 as logs
from ._gen.flowserv.remote.v1 import service_info_pb2 as service_info
from ._gen.flowserv.remote.v1 import service_pb2 as service
from ._gen.flowserv.remote.v1 import service_pb2_grpc as service_grpc
from ._gen.flowserv.remote.v1 import template_pb2 as template
from ._gen.flowserv.remote.v1 import workflow_pb2 as workflow

try:
    from google.rpc import error_details_pb2 as error_details
    from google.rpc import status_pb2 as status
except ImportError:
    from ._gen.google.rpc import error_details_pb2 as error_details
    from ._gen.google.rpc import status_pb2 as status

try:
    from grpc_health.v1 import health_pb2 as health
    from grpc_health.v1 import health_pb2_grpc as health_grpc
except ImportError:
    from ._gen.grpc.health.v1 import health_pb2 as health
    from ._gen.grpc.health.v1 import health_pb2_grpc as health_grpc

__all__ = [
    'argument', 'files', 'logs', 'service_info', 'service', 'service_grpc', 'template', 'workflow',
    'error_details', 'status', 'health', 'health_grpc',
]
