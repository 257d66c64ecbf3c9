"""The parts of flowServ's storage-volume interface this package touches, for use without
flowServ: a folder volume for run result files (``store``, ``load``, ``walk``, ``copy``), a file
handle, and a collecting volume that records what an ``InputFile``/``InputDirectory`` would copy
(``IOValue.copy(target)`` calls ``target.store(file=..., dst=...)`` per file) without copying."""

import os
import shutil


class LocalFile:
    """An IOHandle for a local file (flowServ's FSFile interface: ``open()``, ``size()``)."""

    def __init__(self, path):
        self.path = path

    def open(self):
        return open(self.path, 'rb')

    def size(self):
        return os.path.getsize(self.path)


class CollectingVolume:
    """Records ``(dst, IOHandle)`` for every file stored into it; stores nothing."""

    def __init__(self):
        self.files = []

    def store(self, file, dst):
        self.files.append((dst, file))


class FolderVolume:
    """A storage volume on a local folder, keys '/'-separated relative paths."""

    def __init__(self, basedir):
        self.basedir = os.path.abspath(basedir)
        os.makedirs(self.basedir, exist_ok=True)

    def _path(self, key):
        return os.path.join(self.basedir, *key.split('/'))

    def store(self, file, dst):
        target = self._path(dst)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with file.open() as src, open(target, 'wb') as out:
            shutil.copyfileobj(src, out)

    def load(self, key):
        return LocalFile(self._path(key))

    def walk(self, src=None):
        root = self.basedir if not src else self._path(src)
        if os.path.isfile(root):
            return [(src, LocalFile(root))]
        out = []
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                out.append((os.path.relpath(path, self.basedir).replace(os.sep, '/'), LocalFile(path)))
        return sorted(out)

    def copy(self, src, store, dst=None):
        copied = []
        for path in src if isinstance(src, list) else [src]:
            for key, handle in self.walk(path):
                if key == path:
                    target = dst or key
                else:
                    rel = key[len(path) + 1:] if path else key
                    target = f'{dst}/{rel}' if dst else key
                store.store(file=handle, dst=target)
                copied.append(target)
        return copied

    def erase(self):
        shutil.rmtree(self.basedir, ignore_errors=True)

    def describe(self):
        return f'folder {self.basedir}'
