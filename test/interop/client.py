#!/usr/bin/python3
"""A second-language client for flowserv-remote: Python, Debian's grpcio and protobuf, and the
stubs test/interop/generate.sh writes. It checks what a non-Node caller depends on:

  health      grpc.health.v1 answers SERVING overall and for the service
  reflection  grpcurl's walk (file_containing_symbol, then file_by_filename per dependency)
              yields a descriptor pool in which every method's input and output type resolves
  workflow    Hello World end to end: FindFiles, UploadFile, CreateWorkflow, WatchState to
              SUCCESS, DownloadFile with content and sha256 checks
  stop        a long run is watched to RUNNING, the watch is cancelled (the run must go on),
              then StopWorkflow ends it CANCELED with the given reason
  errors      rich error details (google.rpc.Status in grpc-status-details-bin) decode into
              ErrorInfo and BadRequest

It prints one line per check ("PASS name: detail" / "FAIL name: detail" / "SKIP name: ...")
and exits 0 only when every check passed (1 otherwise, 2 for bad usage).

Run with Debian's interpreter: /usr/bin/python3 test/interop/client.py 127.0.0.1:50051
"""

import argparse
import hashlib
import json
import os
import sys
import traceback
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

SERVICE = 'flowserv.remote.v1.RemoteWorkflowService'
DOMAIN = 'flowserv.remote.v1'
STATUS_DETAILS_KEY = 'grpc-status-details-bin'
EXPECTED_GREETINGS = b'Hello Alice!\nHello Bob!\n'
STOP_REASON = 'interop: stopped by the Python client'
RPC_TIMEOUT_S = 10
WATCH_TIMEOUT_S = 90


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('address', help='host:port of a running flowserv-remote server')
    parser.add_argument('--gen', default=os.path.join(HERE, 'gen'), help='directory of the generated stubs')
    parser.add_argument('--example', default=os.path.join(ROOT, 'examples', 'helloworld'),
                        help='the Hello World benchmark directory')
    return parser.parse_args(argv)


ARGS = parse_args(sys.argv[1:])
sys.path.insert(0, ARGS.gen)

# Imported after the path is set: these come from generate.sh.
import grpc  # noqa: E402
import yaml  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, duration_pb2, json_format, struct_pb2  # noqa: E402
from flowserv.remote.v1 import (  # noqa: E402
    argument_pb2, files_pb2, service_pb2, service_pb2_grpc, template_pb2, workflow_pb2,
)
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from reflection.v1 import reflection_pb2, reflection_pb2_grpc  # noqa: E402

State = workflow_pb2.WorkflowStateType
TERMINAL = {State.WORKFLOW_STATE_TYPE_CANCELED, State.WORKFLOW_STATE_TYPE_ERROR, State.WORKFLOW_STATE_TYPE_SUCCESS}


def state_name(value):
    return State.Name(value).replace('WORKFLOW_STATE_TYPE_', '')


class CheckFailed(Exception):
    """A check's expectation did not hold."""


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


class Checks:
    """Runs named checks in order; a check whose prerequisites failed is skipped, not run."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failed_names = set()

    def run(self, name, func, needs=()):
        blocked = [n for n in needs if n in self.failed_names]
        if blocked:
            self.skipped += 1
            self.failed_names.add(name)
            print(f'SKIP {name}: needs {", ".join(blocked)}', flush=True)
            return None
        try:
            detail, result = func()
        except CheckFailed as err:
            self._fail(name, str(err))
            return None
        except grpc.RpcError as err:
            self._fail(name, f'{err.code().name}: {err.details()}')
            return None
        except Exception as err:  # a client bug is a failure too, with its traceback on stderr
            traceback.print_exc()
            self._fail(name, f'{type(err).__name__}: {err}')
            return None
        self.passed += 1
        print(f'PASS {name}: {detail}', flush=True)
        return result

    def _fail(self, name, message):
        self.failed += 1
        self.failed_names.add(name)
        print(f'FAIL {name}: {message}', flush=True)


# --- health -------------------------------------------------------------------------------------

def check_health(channel, service):
    stub = health_pb2_grpc.HealthStub(channel)
    answer = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=RPC_TIMEOUT_S)
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)
    expect(status == 'SERVING', f'{service or "(overall)"} is {status}')
    return f'{service or "(overall)"} SERVING', None


# --- reflection ---------------------------------------------------------------------------------

class Reflection:
    """One ServerReflectionInfo stream, used request by request as grpcurl does."""

    def __init__(self, channel):
        self._stub = reflection_pb2_grpc.ServerReflectionStub(channel)

    def ask(self, **request):
        answers = list(self._stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(**request)]), timeout=RPC_TIMEOUT_S))
        expect(len(answers) == 1, f'expected one reflection answer, got {len(answers)}')
        answer = answers[0]
        if answer.HasField('error_response'):
            raise CheckFailed(f'reflection {request}: {answer.error_response.error_message}'
                              f' (code {answer.error_response.error_code})')
        return answer

    def files(self, **request):
        answer = self.ask(**request)
        expect(answer.HasField('file_descriptor_response'), f'reflection {request}: no file_descriptor_response')
        out = []
        for raw in answer.file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto()
            fd.ParseFromString(raw)
            out.append(fd)
        return out


def check_reflection_list(channel):
    answer = Reflection(channel).ask(list_services='')
    names = sorted(s.name for s in answer.list_services_response.service)
    for wanted in (SERVICE, 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection'):
        expect(wanted in names, f'{wanted} missing from {names}')
    return f'{len(names)} services: {", ".join(names)}', names


def check_reflection_resolve(channel):
    """file_containing_symbol for the service, then file_by_filename for each import, recursively
    (the server may send imports along with the first answer, but each must also be served by
    name, as grpcurl asks for them). The pool holds only what the server sent, added in
    dependency order, so a file served with an empty or wrong dependency list fails here."""
    reflection = Reflection(channel)
    from_symbol = reflection.files(file_containing_symbol=SERVICE)
    expect(from_symbol and any(s.name == SERVICE.rsplit('.', 1)[1] for s in from_symbol[0].service),
           f'first file of file_containing_symbol does not define {SERVICE}')
    files = {from_symbol[0].name: from_symbol[0]}
    pending = list(from_symbol[0].dependency)
    while pending:
        name = pending.pop()
        if name in files:
            continue
        answer = reflection.files(file_by_filename=name)
        expect(answer and answer[0].name == name, f'file_by_filename {name} answered {[f.name for f in answer]}')
        files[name] = answer[0]
        pending.extend(answer[0].dependency)
    by_filename = len(files) - 1
    missing = sorted({dep for fd in files.values() for dep in fd.dependency} - set(files))
    expect(not missing, f'unresolved imports: {missing}')

    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        for dep in files[name].dependency:
            add(dep)
        pool.Add(files[name])
        added.add(name)

    for name in sorted(files):
        add(name)
    service = pool.FindServiceByName(SERVICE)
    resolved = []
    for method in service.methods:
        for type_name in (method.input_type.full_name, method.output_type.full_name):
            pool.FindMessageTypeByName(type_name)
            resolved.append(type_name)
    local = service_pb2.DESCRIPTOR.services_by_name[SERVICE.rsplit('.', 1)[1]]
    expect(sorted(m.name for m in service.methods) == sorted(m.name for m in local.methods),
           f'reflected methods {[m.name for m in service.methods]} differ from the generated stubs')
    return (f'{len(files)} files ({by_filename} fetched by filename), '
            f'{len(service.methods)} methods, {len(resolved)} input/output types resolve'), pool


def check_reflection_health(channel):
    """grpcurl resolves grpc.health.v1.Health through reflection before it can call Check: the
    served file must load into a descriptor pool (which validates it as protoc output)."""
    files = Reflection(channel).files(file_containing_symbol='grpc.health.v1.Health')
    pool = descriptor_pool.DescriptorPool()
    for fd in reversed(files):
        try:
            pool.Add(fd)
        except TypeError as err:
            raise CheckFailed(f'{fd.name} does not load: {" ".join(str(err).split())}') from None
    method = pool.FindServiceByName('grpc.health.v1.Health').FindMethodByName('Check')
    return f'{files[0].name}: Check({method.input_type.full_name}) resolves', None


# --- the Hello World template -------------------------------------------------------------------

DECLARATION_KEYS = {
    'name': 'name', 'index': 'index', 'isRequired': 'is_required', 'label': 'label', 'help': 'help',
    'group': 'group', 'range': 'range', 'target': 'target',
}


def to_value(value):
    out = struct_pb2.Value()
    json_format.ParseDict(value, out)
    return out


def to_struct(doc):
    out = struct_pb2.Struct()
    out.update(doc)
    return out


def declaration(doc):
    """flowServ's parameter dict (as in benchmark.yaml) → ParameterDeclaration."""
    decl = template_pb2.ParameterDeclaration()
    for key, field in DECLARATION_KEYS.items():
        if key in doc:
            setattr(decl, field, doc[key])
    decl.dtype = template_pb2.ParameterType.Value(f'PARAMETER_TYPE_{doc["dtype"].upper()}')
    if 'defaultValue' in doc:
        decl.default_value.CopyFrom(to_value(doc['defaultValue']))
    for option in doc.get('values', []):
        decl.values.add(name=option['name'], value=to_value(option['value']), is_default=option.get('isDefault', False))
    if 'para' in doc:
        decl.para.CopyFrom(declaration(doc['para']))
    for field in doc.get('fields', []):
        decl.fields.append(declaration(field))
    return decl


def load_template(example_dir):
    with open(os.path.join(example_dir, 'benchmark.yaml'), encoding='utf-8') as f:
        doc = yaml.safe_load(f)
    template = template_pb2.WorkflowTemplate(workflow=to_struct(doc['workflow']))
    template.parameters.extend(declaration(p) for p in doc.get('parameters', []))
    for group in doc.get('parameterGroups', []):
        template.parameter_groups.add(name=group['name'], title=group.get('title', ''), index=group.get('index', 0))
    for output in doc.get('outputs', []):
        template.outputs.add(source=output['source'], key=output.get('key', ''), title=output.get('title', ''))
    if 'postproc' in doc:
        template.postproc.CopyFrom(to_struct(doc['postproc']))
    if 'results' in doc:
        template.results.CopyFrom(to_struct(doc['results']))
    return template


# --- workflow calls -----------------------------------------------------------------------------

def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def upload(stub, data, name, chunk_bytes):
    def requests():
        yield service_pb2.UploadFileRequest(
            header=files_pb2.UploadFileHeader(sha256=sha256_hex(data), size_bytes=len(data), name=name))
        for start in range(0, len(data), chunk_bytes):
            yield service_pb2.UploadFileRequest(chunk=data[start:start + chunk_bytes])
    return stub.UploadFile(requests(), timeout=RPC_TIMEOUT_S)


def check_upload(stub, example_dir, chunk_bytes):
    paths = ['code/helloworld.py', 'code/analyze.py', 'data/names.txt']
    blobs = {}
    for rel in paths:
        with open(os.path.join(example_dir, rel), 'rb') as f:
            blobs[rel] = f.read()
    digests = [sha256_hex(b) for b in blobs.values()]
    present = set(stub.FindFiles(service_pb2.FindFilesRequest(sha256s=digests), timeout=RPC_TIMEOUT_S).present_sha256s)
    uploaded = 0
    for rel, data in blobs.items():
        if sha256_hex(data) in present:
            continue
        answer = upload(stub, data, rel, chunk_bytes)
        expect(answer.sha256 == sha256_hex(data) and answer.size_bytes == len(data), f'upload of {rel} answered {answer}')
        uploaded += 1
    after = stub.FindFiles(service_pb2.FindFilesRequest(sha256s=digests), timeout=RPC_TIMEOUT_S).present_sha256s
    expect(list(after) == digests, f'FindFiles after upload: {list(after)} != {digests}')
    again = upload(stub, blobs['data/names.txt'], 'names.txt', chunk_bytes)
    expect(again.already_present, 're-uploading known content did not report already_present')
    return (f'{len(present)} of {len(paths)} already present, {uploaded} uploaded, '
            f'FindFiles now finds all, re-upload already_present'), {rel: sha256_hex(b) for rel, b in blobs.items()}


def create_request(template, digests, sleeptime, extra_labels=None):
    return service_pb2.CreateWorkflowRequest(
        run=workflow_pb2.RunObject(run_id=uuid.uuid4().hex, workflow_id='helloworld', group_id='interop'),
        template=template,
        arguments=[
            argument_pb2.Argument(name='names', file=argument_pb2.FileArgument(sha256=digests['data/names.txt'])),
            argument_pb2.Argument(name='sleeptime', value=to_value(sleeptime)),
            argument_pb2.Argument(name='greeting', value=to_value('Hello')),
        ],
        static_files=[
            files_pb2.StaticFile(path=rel, sha256=digests[rel]) for rel in ('code/helloworld.py', 'code/analyze.py')
        ],
        labels={'client': 'python-interop', **(extra_labels or {})},
        request_id=uuid.uuid4().hex,
    )


def check_create(stub, template, digests):
    workflow = stub.CreateWorkflow(create_request(template, digests, 0), timeout=RPC_TIMEOUT_S).workflow
    expect(workflow.workflow_id, 'no workflow_id')
    expect(sorted(workflow.output_files) == ['results/analytics.json', 'results/greetings.txt'],
           f'output_files {list(workflow.output_files)}')
    return f'{workflow.workflow_id} {state_name(workflow.state.type)}, outputs {list(workflow.output_files)}', workflow


def watch(stub, workflow_id, until, timeout=WATCH_TIMEOUT_S):
    """Reads WatchState until a state whose type is in `until`; returns (states, heartbeats) and
    cancels the stream when it stopped before the server ended it."""
    call = stub.WatchState(service_pb2.WatchStateRequest(workflow_id=workflow_id, after_sequence=0), timeout=timeout)
    states, heartbeats = [], 0
    try:
        for event in call:
            if event.HasField('heartbeat'):
                heartbeats += 1
                continue
            states.append(event.state)
            if event.state.type in until:
                break
    finally:
        call.cancel()
    return states, heartbeats


def check_watch_success(stub, workflow):
    states, heartbeats = watch(stub, workflow.workflow_id, TERMINAL)
    types = [state_name(s.type) for s in states]
    sequences = [s.sequence for s in states]
    expect(states and states[-1].type == State.WORKFLOW_STATE_TYPE_SUCCESS,
           f'ended {types}: {list(states[-1].messages) if states else "no states"}')
    expect(sequences == list(range(1, len(states) + 1)), f'sequences {sequences}')
    expect(types[0] == 'PENDING', f'first state {types[0]}')
    return f'{" -> ".join(types)} (sequences {sequences}, {heartbeats} heartbeats)', states[-1]


def download(stub, workflow_id, path):
    content, described = bytearray(), None
    for piece in stub.DownloadFile(service_pb2.DownloadFileRequest(workflow_id=workflow_id, path=path),
                                   timeout=RPC_TIMEOUT_S):
        if piece.HasField('file'):
            expect(described is None, 'file description sent twice')
            described = piece.file
        expect(piece.offset == len(content), f'chunk offset {piece.offset}, expected {len(content)}')
        content.extend(piece.chunk)
    expect(described is not None, 'no file description in the first message')
    return bytes(content), described


def check_download(stub, workflow_id, success, path, verify):
    listed = {f.key: f for f in success.files}
    expect(path in listed, f'{path} not in the SUCCESS state files {sorted(listed)}')
    content, described = download(stub, workflow_id, path)
    digest = sha256_hex(content)
    expect(digest == described.sha256 == listed[path].sha256, f'sha256 {digest} / {described.sha256} / {listed[path].sha256}')
    expect(len(content) == described.size_bytes == listed[path].size_bytes, f'size {len(content)} / {described.size_bytes}')
    verify(content)
    return f'{len(content)} bytes, sha256 {digest[:12]}… matches the state and the stream header', content


def verify_greetings(content):
    expect(content == EXPECTED_GREETINGS, f'content {content!r}')


def verify_analytics(content):
    doc = json.loads(content)
    expect(doc.get('max_line') == 'Hello Alice!' and doc.get('max_len') == 12, f'analytics {doc}')


def check_stop(stub, template, digests):
    workflow = stub.CreateWorkflow(create_request(template, digests, 30, {'purpose': 'stop'}),
                                   timeout=RPC_TIMEOUT_S).workflow
    states, _ = watch(stub, workflow.workflow_id, {State.WORKFLOW_STATE_TYPE_RUNNING} | TERMINAL)
    expect(states and states[-1].type == State.WORKFLOW_STATE_TYPE_RUNNING,
           f'expected RUNNING, got {[state_name(s.type) for s in states]}')
    # The watch was cancelled above: cancelling an RPC must never stop the workflow.
    still = stub.GetWorkflowState(service_pb2.GetWorkflowStateRequest(workflow_id=workflow.workflow_id),
                                  timeout=RPC_TIMEOUT_S).state
    expect(still.type == State.WORKFLOW_STATE_TYPE_RUNNING, f'after cancelling the watch: {state_name(still.type)}')
    stopped = stub.StopWorkflow(service_pb2.StopWorkflowRequest(
        workflow_id=workflow.workflow_id, reason=STOP_REASON, grace_period=duration_pb2.Duration(seconds=2)),
        timeout=RPC_TIMEOUT_S).state
    expect(stopped.type == State.WORKFLOW_STATE_TYPE_CANCELED, f'StopWorkflow returned {state_name(stopped.type)}')
    expect(STOP_REASON in stopped.messages, f'messages {list(stopped.messages)}')
    again = stub.StopWorkflow(service_pb2.StopWorkflowRequest(workflow_id=workflow.workflow_id, reason='second stop'),
                              timeout=RPC_TIMEOUT_S).state
    expect(again.type == State.WORKFLOW_STATE_TYPE_CANCELED and list(again.messages) == list(stopped.messages),
           'a second StopWorkflow changed the final state')
    return (f'{workflow.workflow_id}: RUNNING survived a cancelled watch, then CANCELED with '
            f'messages {list(stopped.messages)}; a second stop is idempotent'), None


# --- rich errors --------------------------------------------------------------------------------

def status_details(err):
    """google.rpc.Status from the trailers, with ErrorInfo and BadRequest unpacked."""
    raw = dict(err.trailing_metadata() or ()).get(STATUS_DETAILS_KEY)
    expect(raw is not None, f'no {STATUS_DETAILS_KEY} trailer')
    status = status_pb2.Status()
    status.ParseFromString(raw)
    info, bad_request = None, None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
    return status, info, bad_request


def expect_rpc_error(call):
    try:
        call()
    except grpc.RpcError as err:
        return err
    raise CheckFailed('the call succeeded')


def check_invalid_arguments(stub, template, digests):
    request = create_request(template, digests, 1)
    del request.arguments[:]
    request.arguments.append(argument_pb2.Argument(name='colour', value=to_value('blue')))
    err = expect_rpc_error(lambda: stub.CreateWorkflow(request, timeout=RPC_TIMEOUT_S))
    expect(err.code() == grpc.StatusCode.INVALID_ARGUMENT, f'code {err.code().name}: {err.details()}')
    status, info, bad_request = status_details(err)
    expect(status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], f'Status.code {status.code}')
    expect(info is not None, f'no ErrorInfo among {[d.type_url for d in status.details]}')
    expect(info.domain == DOMAIN and info.reason == 'INVALID_ARGUMENT', f'ErrorInfo {info.reason}/{info.domain}')
    expect(bad_request is not None, f'no BadRequest among {[d.type_url for d in status.details]}')
    fields = sorted(v.field for v in bad_request.field_violations)
    expect('arguments.names' in fields and 'arguments.colour' in fields, f'field violations {fields}')
    reasons = sorted(v.reason for v in bad_request.field_violations)
    return f'INVALID_ARGUMENT, ErrorInfo {info.reason}@{info.domain}, violations {fields} ({reasons})', None


def check_not_found(stub):
    err = expect_rpc_error(lambda: stub.GetWorkflowState(
        service_pb2.GetWorkflowStateRequest(workflow_id='no-such-workflow'), timeout=RPC_TIMEOUT_S))
    expect(err.code() == grpc.StatusCode.NOT_FOUND, f'code {err.code().name}')
    _, info, _ = status_details(err)
    expect(info is not None and info.reason == 'WORKFLOW_NOT_FOUND' and info.domain == DOMAIN, f'ErrorInfo {info}')
    return f'NOT_FOUND, ErrorInfo {info.reason}@{info.domain}', None


# --- main ---------------------------------------------------------------------------------------

def main():
    checks = Checks()
    with grpc.insecure_channel(ARGS.address) as channel:
        grpc.channel_ready_future(channel).result(timeout=RPC_TIMEOUT_S)
        stub = service_pb2_grpc.RemoteWorkflowServiceStub(channel)

        checks.run('health.overall', lambda: check_health(channel, ''))
        checks.run('health.service', lambda: check_health(channel, SERVICE))
        checks.run('reflection.list_services', lambda: check_reflection_list(channel))
        checks.run('reflection.resolve_types', lambda: check_reflection_resolve(channel))
        checks.run('reflection.resolve_health', lambda: check_reflection_health(channel))

        def service_info():
            info = stub.GetServiceInfo(service_pb2.GetServiceInfoRequest(), timeout=RPC_TIMEOUT_S)
            expect(info.limits.upload_chunk_bytes > 0, 'no upload_chunk_bytes limit')
            engines = [e.name for e in info.engines]
            expect(info.default_engine in engines, f'default engine {info.default_engine} not in {engines}')
            return f'version {info.version}, engines {engines}, chunk {info.limits.upload_chunk_bytes} bytes', info
        info = checks.run('service_info', service_info)
        chunk_bytes = min(info.limits.upload_chunk_bytes, 64 * 1024) if info else 64 * 1024

        template = checks.run('template.from_yaml', lambda: (
            lambda t: (f'{len(t.parameters)} parameters '
                       f'({", ".join(p.name + ":" + template_pb2.ParameterType.Name(p.dtype) for p in t.parameters)})', t)
        )(load_template(ARGS.example)))
        digests = checks.run('files.upload', lambda: check_upload(stub, ARGS.example, chunk_bytes))
        workflow = checks.run('workflow.create', lambda: check_create(stub, template, digests),
                              needs=('template.from_yaml', 'files.upload'))
        success = checks.run('workflow.watch_success', lambda: check_watch_success(stub, workflow),
                             needs=('workflow.create',))
        checks.run('download.greetings', lambda: check_download(
            stub, workflow.workflow_id, success, 'results/greetings.txt', verify_greetings),
            needs=('workflow.watch_success',))
        checks.run('download.analytics', lambda: check_download(
            stub, workflow.workflow_id, success, 'results/analytics.json', verify_analytics),
            needs=('workflow.watch_success',))
        checks.run('workflow.stop', lambda: check_stop(stub, template, digests),
                   needs=('template.from_yaml', 'files.upload'))
        checks.run('errors.invalid_argument', lambda: check_invalid_arguments(stub, template, digests),
                   needs=('template.from_yaml', 'files.upload'))
        checks.run('errors.not_found', lambda: check_not_found(stub))

    total = checks.passed + checks.failed + checks.skipped
    if checks.failed or checks.skipped:
        print(f'python-interop: {checks.failed + checks.skipped} of {total} checks did not pass', flush=True)
        return 1
    print(f'python-interop: all {total} checks passed', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
