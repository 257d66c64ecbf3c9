"""File content to upload, named by its SHA-256: from a local path, from bytes in memory, or from
any ``open()`` callable that returns a binary file object (flowServ's IOHandle). The digest and
size are computed once, by streaming, so large files are never held in memory."""

import hashlib
import io
import os

READ_BYTES = 1024 * 1024


class Blob:
    """Content to upload. ``sha256`` (lowercase hex) and ``size`` are computed on first use."""

    def __init__(self, opener, name=''):
        self._open = opener
        self.name = name
        self._digest = None

    @classmethod
    def of(cls, source):
        """A Blob for a path (str or os.PathLike), bytes, or a Blob (returned as is)."""
        if isinstance(source, Blob):
            return source
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            return cls(lambda: io.BytesIO(data))
        if isinstance(source, (str, os.PathLike)):
            path = os.fspath(source)
            if not os.path.isfile(path):
                raise FileNotFoundError(f'not a file: {path}')
            return cls(lambda: open(path, 'rb'), os.path.basename(path))
        raise TypeError(f'cannot upload a {type(source).__name__}; give a path, bytes or a Blob')

    def open(self):
        """A binary file object positioned at the start (rewound if the opener reuses one)."""
        f = self._open()
        if f.seekable():
            f.seek(0)
        return f

    def chunks(self, size):
        """The content in pieces of at most ``size`` bytes."""
        f = self.open()
        try:
            while True:
                piece = f.read(size)
                if not piece:
                    return
                yield piece
        finally:
            if not isinstance(f, io.BytesIO):  # flowServ's IOBuffer hands out the same BytesIO every time
                f.close()

    def _compute(self):
        if self._digest is None:
            h, size = hashlib.sha256(), 0
            for piece in self.chunks(READ_BYTES):
                h.update(piece)
                size += len(piece)
            self._digest = (h.hexdigest(), size)
        return self._digest

    @property
    def sha256(self):
        return self._compute()[0]

    @property
    def size(self):
        return self._compute()[1]
