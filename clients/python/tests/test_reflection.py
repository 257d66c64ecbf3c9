"""What grpcurl needs from the server, checked from Python: health answers SERVING, and server
reflection (file_containing_symbol, then file_by_filename for each import) yields a descriptor
pool in which every method's input and output type resolves."""

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool

from flowserv_remote._gen.flowserv.remote.v1 import service_pb2
from flowserv_remote._gen.grpc.reflection.v1 import reflection_pb2, reflection_pb2_grpc

SERVICE = 'flowserv.remote.v1.RemoteWorkflowService'


class Reflection:
    """One ServerReflectionInfo stream per request, as grpcurl uses it."""

    def __init__(self, channel):
        self._stub = reflection_pb2_grpc.ServerReflectionStub(channel)

    def ask(self, **request):
        answers = list(self._stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(**request)]),
                                                       timeout=10))
        assert len(answers) == 1
        assert not answers[0].HasField('error_response'), answers[0].error_response.error_message
        return answers[0]

    def files(self, **request):
        out = []
        for raw in self.ask(**request).file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto()
            fd.ParseFromString(raw)
            out.append(fd)
        return out


def test_reflection_lists_the_services(server):
    with grpc.insecure_channel(server.address) as channel:
        names = {s.name for s in Reflection(channel).ask(list_services='').list_services_response.service}
    assert {SERVICE, 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection'} <= names


def test_reflection_resolves_every_type_as_grpcurl_does(server):
    with grpc.insecure_channel(server.address) as channel:
        reflection = Reflection(channel)
        first = reflection.files(file_containing_symbol=SERVICE)[0]
        files, pending = {first.name: first}, list(first.dependency)
        while pending:
            name = pending.pop()
            if name not in files:
                fd = reflection.files(file_by_filename=name)[0]
                assert fd.name == name
                files[name] = fd
                pending.extend(fd.dependency)
    pool, added = descriptor_pool.DescriptorPool(), set()

    def add(name):
        if name not in added:
            for dep in files[name].dependency:
                add(dep)
            pool.Add(files[name])
            added.add(name)

    for name in sorted(files):
        add(name)
    service = pool.FindServiceByName(SERVICE)
    for method in service.methods:
        pool.FindMessageTypeByName(method.input_type.full_name)
        pool.FindMessageTypeByName(method.output_type.full_name)
    generated = service_pb2.DESCRIPTOR.services_by_name['RemoteWorkflowService']
    assert sorted(m.name for m in service.methods) == sorted(m.name for m in generated.methods)


def test_reflected_health_file_loads(server):
    with grpc.insecure_channel(server.address) as channel:
        files = Reflection(channel).files(file_containing_symbol='grpc.health.v1.Health')
    pool = descriptor_pool.DescriptorPool()
    for fd in reversed(files):
        pool.Add(fd)
    assert pool.FindServiceByName('grpc.health.v1.Health').FindMethodByName('Check')
