"""Uploads and downloads.

Uploads stream a Blob in chunks of the server's ``upload_chunk_bytes`` after a header declaring
its sha256 and size (the server verifies both). Downloads are verified and resumable: bytes go to
``<target>.part`` while being hashed; a dropped stream is reopened at the byte offset reached, an
existing ``.part`` file (an earlier, interrupted download) is continued rather than fetched again,
and only a file whose size and sha256 match what the server announced is renamed to the target.
"""

import hashlib
import os
import time

import grpc

from ._proto import files as files_pb
from ._proto import service as service_pb
from ._retry import is_transient
from .errors import ChecksumMismatchError, from_rpc_error
from .states import OutputFile

PART_SUFFIX = '.part'


def upload(stub, blob, chunk_bytes, timeout):
    """UploadFile for one blob; returns the UploadFileResponse."""
    def requests():
        header = files_pb.UploadFileHeader(sha256=blob.sha256, size_bytes=blob.size)
        if blob.name:
            header.name = blob.name
        yield service_pb.UploadFileRequest(header=header)
        for piece in blob.chunks(chunk_bytes):
            yield service_pb.UploadFileRequest(chunk=piece)
    return stub.UploadFile(requests(), timeout=timeout)


class _Sink:
    """Where downloaded bytes go, hashed on the way; ``offset`` is how many bytes it holds."""

    def __init__(self, path):
        self.path = path
        self.hash = hashlib.sha256()
        self.offset = 0
        if path is not None and os.path.exists(path):
            with open(path, 'rb') as f:
                for piece in iter(lambda: f.read(1024 * 1024), b''):
                    self.hash.update(piece)
                    self.offset += len(piece)
        self._file = open(path, 'ab') if path is not None else None
        self._memory = [] if path is None else None

    def write(self, piece):
        self.hash.update(piece)
        self.offset += len(piece)
        if self._file is not None:
            self._file.write(piece)
        else:
            self._memory.append(piece)

    def close(self):
        if self._file is not None:
            self._file.close()

    def content(self):
        return b''.join(self._memory)


def _receive(stub, workflow_id, path, sink, timeout):
    """One DownloadFile stream from sink.offset; returns the announced OutputFile."""
    announced = None
    call = stub.DownloadFile(service_pb.DownloadFileRequest(workflow_id=workflow_id, path=path, offset=sink.offset),
                             timeout=timeout)
    try:
        for msg in call:
            if msg.HasField('file') and announced is None:
                announced = OutputFile(msg.file.key, msg.file.size_bytes, msg.file.sha256)
            if msg.offset != sink.offset:
                raise ChecksumMismatchError(f"'{path}': chunk at offset {msg.offset}, expected {sink.offset}",
                                            {'key': path})
            if msg.chunk:
                sink.write(msg.chunk)
    finally:
        call.cancel()
    return announced


def download(stub, workflow_id, path, target, timeout, policy):
    """Downloads output ``path`` of a workflow into the file ``target`` (None: into memory) and
    returns ``(OutputFile, content or None)``; raises ChecksumMismatchError when the content
    does not match what the server announced."""
    part = None if target is None else os.fspath(target) + PART_SUFFIX
    if part is not None:
        os.makedirs(os.path.dirname(os.path.abspath(part)), exist_ok=True)
    sink = _Sink(part)
    announced, failures = None, 0
    try:
        while True:
            try:
                announced = _receive(stub, workflow_id, path, sink, timeout) or announced
                break
            except grpc.RpcError as raw:
                err = from_rpc_error(raw)
                failures += 1
                if not is_transient(err, True) or failures >= policy.attempts:
                    raise err from raw
                time.sleep(policy.delay(failures))
    except BaseException:
        sink.close()
        raise
    sink.close()
    digest = sink.hash.hexdigest()
    if announced is None or sink.offset != announced.size_bytes or digest != announced.sha256:
        if part is not None:
            os.remove(part)  # never resume from content that is known to be wrong
        want = f'{announced.size_bytes} bytes, sha256 {announced.sha256}' if announced else 'a described file'
        raise ChecksumMismatchError(f"'{path}': got {sink.offset} bytes with sha256 {digest}, expected {want}",
                                    {'key': path})
    if part is None:
        return announced, sink.content()
    os.replace(part, os.fspath(target))
    return announced, None
