"""The in-process backend: the world is a dict of path -> bytes and a set of directories.

Nothing on the host is touched and no host command runs, so an escape is impossible by
construction; paths are still resolved by the shared rules of :mod:`mosaic_gym.sandbox.base`.
A reset shares the (immutable) bytes of the seeded world and only copies the dict of paths.
"""

from __future__ import annotations

import posixpath
from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping
from functools import lru_cache

from .base import (
    AlreadyExists,
    Entry,
    IsADirectory,
    NotADirectory,
    NotFound,
    Sandbox,
    display_path,
)


def _parents(path: str) -> list[str]:
    out = []
    parent = posixpath.dirname(path)
    while parent and parent != "/":
        out.append(parent)
        parent = posixpath.dirname(parent)
    return out


@lru_cache(maxsize=1 << 16)
def _folders_from(folder: str) -> tuple[str, ...]:
    """``folder`` and every folder above it (``/a/b`` -> ``/a/b``, ``/a``; the root only when
    given itself)."""
    out = []
    while folder:
        out.append(folder)
        folder = folder[: folder.rfind("/")]
    return tuple(out)


@lru_cache(maxsize=1 << 16)
def _folders_above(path: str) -> tuple[str, ...]:
    """Every folder above ``path`` (the root not named)."""
    return _folders_from(path[: path.rfind("/")])


class LocalSandbox(Sandbox):
    """An in-memory world. Cheap to restore; closing just drops the dicts."""

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}
        self._dirs: set[str] = set()
        # every file and folder path in sorted order, made when first needed (listing a folder
        # of a world of hundreds of files then reads its own range only); kept up to date by
        # write, dropped by the rarer changes (move, remove, restore)
        self._order: list[str] | None = None
        # (paths, folders given, the folders) of the last restore that worked them out
        self._last_folders: tuple[tuple[str, ...], tuple[str, ...], frozenset[str]] = ((), (), frozenset())

    # -- lifecycle -----------------------------------------------------------------------------
    def restore(self, files: Mapping[str, bytes], dirs: Iterable[str] = ()) -> None:
        self._files = dict(files)
        paths, dirs = tuple(self._files), tuple(dirs)
        last_paths, last_dirs, last_known = self._last_folders
        if paths == last_paths and dirs == last_dirs:
            # the same paths as the last restore (a group's rollouts of one task and seed): the
            # same folders, which depend on the paths alone
            known = set(last_known)
        else:
            # every folder above a file, and each given folder (a file's path given as a folder
            # stands for the folder holding it) with those above it: one C-level pass over the
            # paths, each path's folders looked up in a per-process cache (world paths recur
            # from reset to reset, so the usual lookup finds them)
            known = set().union(*map(_folders_above, paths))
            for path in dirs:
                known.update(_folders_above(path) if path in self._files else _folders_from(path))
            self._last_folders = (paths, dirs, frozenset(known))
        self._dirs = known
        self._order = None

    def close(self) -> None:
        self._files = {}
        self._dirs = set()
        self._order = None

    # -- primitives ----------------------------------------------------------------------------
    def _is_dir(self, path: str) -> bool:
        return path in self._dirs or path == "/"

    def read(self, path: str) -> bytes:
        data = self._files.get(path)
        if data is not None:
            return data
        if self._is_dir(path):
            raise IsADirectory(f"{display_path(path)} is a directory; use list_dir")
        raise NotFound(f"{display_path(path)} does not exist")

    def write(self, path: str, data: bytes) -> None:
        if self._is_dir(path):
            raise IsADirectory(f"{display_path(path)} is a directory")
        parents = _parents(path)
        for p in parents:
            if p in self._files:
                raise NotADirectory(f"{display_path(p)} is a file, not a directory")
        if self._order is not None:
            for p in (*parents, path):
                if p not in self._dirs and p not in self._files:
                    insort(self._order, p)
        self._dirs.update(parents)
        self._files[path] = bytes(data)

    def list(self, path: str) -> list[Entry]:
        if path in self._files:
            raise NotADirectory(f"{display_path(path)} is a file; use read_file")
        if not self._is_dir(path):
            raise NotFound(f"{display_path(path)} does not exist")
        prefix = path.rstrip("/") + "/"
        cut = len(prefix)
        files, dirs = self._files, self._dirs
        out = []
        for p in self._under(prefix):
            if "/" not in p[cut:]:
                # a path both a file and a folder lists as the folder
                out.append(Entry(p[cut:], True, 0) if p in dirs else Entry(p[cut:], False, len(files[p])))
        return out

    def _under(self, prefix: str) -> list[str]:
        """Every file and folder path that starts with ``prefix``, in sorted order."""
        order = self._order
        if order is None:
            order = self._order = sorted(self._files.keys() | self._dirs)
        start = end = bisect_left(order, prefix)
        n = len(order)
        while end < n and order[end].startswith(prefix):
            end += 1
        return order[start:end]

    def stat(self, path: str) -> Entry | None:
        name = posixpath.basename(path)
        data = self._files.get(path)
        if data is not None:
            return Entry(name, False, len(data))
        if self._is_dir(path):
            return Entry(name, True, 0)
        return None

    def move(self, src: str, dst: str) -> None:
        if self.stat(src) is None:
            raise NotFound(f"{display_path(src)} does not exist")
        if self.stat(dst) is not None:
            raise AlreadyExists(f"{display_path(dst)} already exists")
        if dst == src or dst.startswith(src + "/"):
            raise AlreadyExists(f"cannot move {display_path(src)} into itself")
        for p in _parents(dst):
            if p in self._files:
                raise NotADirectory(f"{display_path(p)} is a file, not a directory")
        self._dirs.update(_parents(dst))
        if src in self._files:
            self._files[dst] = self._files.pop(src)
            self._order = None
            return
        prefix = src + "/"
        for p in [p for p in self._files if p.startswith(prefix)]:
            self._files[dst + p[len(src) :]] = self._files.pop(p)
        moved = {d for d in self._dirs if d == src or d.startswith(prefix)}
        self._dirs -= moved
        self._dirs.update(dst + d[len(src) :] for d in moved)
        self._order = None

    def remove(self, path: str, recursive: bool = False) -> None:
        if path in self._files:
            del self._files[path]
            self._order = None
            return
        if not self._is_dir(path):
            raise NotFound(f"{display_path(path)} does not exist")
        self._order = None
        prefix = path + "/"
        inside = [p for p in self._files if p.startswith(prefix)]
        subdirs = {d for d in self._dirs if d.startswith(prefix)}
        if (inside or subdirs) and not recursive:
            raise IsADirectory(f"{display_path(path)} is a non-empty directory; pass recursive=true")
        for p in inside:
            del self._files[p]
        self._dirs -= subdirs
        self._dirs.discard(path)

    def walk(self, path: str) -> list[str]:
        if path in self._files:
            raise NotADirectory(f"{display_path(path)} is a file")
        if not self._is_dir(path):
            raise NotFound(f"{display_path(path)} does not exist")
        files = self._files
        return [p for p in self._under(path.rstrip("/") + "/") if p in files]

    def snapshot(self) -> dict[str, bytes]:
        return dict(self._files)
