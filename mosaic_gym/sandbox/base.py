"""The sandbox primitive interface that every backend implements.

Tools are written once, against these primitives; a backend only stores and returns bytes.
All paths here are absolute, normalised POSIX paths inside the world (``/home/user/...``,
``/srv/...``). Turning what the model wrote into such a path is :func:`resolve_user_path`,
shared by every backend so both see exactly the same path.

Errors a tool should report to the model are :class:`SandboxError` subclasses; their message is
what the model reads. Anything else escaping a backend is a bug in the backend.
"""

from __future__ import annotations

import posixpath
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HOME = "/home/user"


class SandboxError(Exception):
    """A failed primitive whose message is meant for the model (no host details in it)."""


class NotFound(SandboxError):
    pass


class IsADirectory(SandboxError):
    pass


class NotADirectory(SandboxError):
    pass


class AlreadyExists(SandboxError):
    pass


class OutsideSandbox(SandboxError):
    pass


@dataclass(frozen=True, slots=True)
class Entry:
    """One directory entry: its name (not a path), whether it is a directory, and its size."""

    name: str
    is_dir: bool
    size: int


def display_path(path: str, home: str = HOME) -> str:
    """How a world path is shown to the model: ``~/x`` inside the home, absolute elsewhere."""
    if path == home:
        return "~"
    if path.startswith(home + "/"):
        return "~/" + path[len(home) + 1 :]
    return path


def resolve_user_path(raw: object, home: str = HOME) -> str:
    """Turn a path written by the model into a normalised absolute path inside ``home``.

    ``~`` and ``~/x`` expand to the home; relative paths are relative to the home; ``..`` is
    resolved lexically. Anything that ends up outside the home is refused with
    :class:`OutsideSandbox`; so is an empty path, a NUL byte, or a path that is not a string.
    """
    if not isinstance(raw, str):
        raise OutsideSandbox(f"path must be a string, got {type(raw).__name__}")
    path = raw.strip()
    if not path:
        raise OutsideSandbox("path is empty; give a path such as ~/notes/todo.md")
    if "\x00" in path:
        raise OutsideSandbox("path contains a NUL byte")
    if len(path) > 4096:
        raise OutsideSandbox("path is longer than 4096 characters")
    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    elif path.startswith("~"):
        raise OutsideSandbox(f"'{raw}' names another user's home; only ~ is reachable")
    elif not path.startswith("/"):
        path = home + "/" + path
    # normpath keeps a leading '//' (POSIX allows it); collapse it so '//etc' cannot slip by
    norm = posixpath.normpath("/" + path.lstrip("/"))
    if norm != home and not norm.startswith(home + "/"):
        raise OutsideSandbox(
            f"'{raw}' is outside your home directory (~ = {home}); only paths under ~ are reachable"
        )
    return norm


class Sandbox(ABC):
    """A world's file tree, behind the few primitives tools need.

    Directories are real: a directory exists when it was created or holds something. ``write``
    creates missing parents. ``list`` is sorted by name so observations are reproducible.
    ``snapshot`` returns every file of the world (home and service areas) for the host-side
    checks; nothing the agent can write to decides an outcome except through that snapshot.
    """

    home: str = HOME

    @abstractmethod
    def restore(self, files: Mapping[str, bytes], dirs: Iterable[str] = ()) -> None:
        """Replace the whole world with ``files`` (absolute path -> bytes) and empty ``dirs``."""

    @abstractmethod
    def read(self, path: str) -> bytes:
        """Return a file's bytes. NotFound, IsADirectory."""

    @abstractmethod
    def write(self, path: str, data: bytes) -> None:
        """Create or replace a file, creating parent directories. IsADirectory, NotADirectory."""

    @abstractmethod
    def list(self, path: str) -> list[Entry]:
        """Entries of a directory, sorted by name. NotFound, NotADirectory."""

    @abstractmethod
    def stat(self, path: str) -> Entry | None:
        """The entry for ``path`` (its name is the basename), or None if nothing is there."""

    @abstractmethod
    def move(self, src: str, dst: str) -> None:
        """Rename a file or directory; ``dst`` must not exist. NotFound, AlreadyExists."""

    @abstractmethod
    def remove(self, path: str, recursive: bool = False) -> None:
        """Delete a file, or a directory (non-empty only with ``recursive``). NotFound."""

    @abstractmethod
    def walk(self, path: str) -> list[str]:
        """Every file path under ``path`` (recursively), sorted. NotFound, NotADirectory."""

    @abstractmethod
    def snapshot(self) -> dict[str, bytes]:
        """Every file of the world, for the checks. The caller must not mutate the result."""

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        """Read several files at once (a backend with a round-trip cost overrides this)."""
        out = {}
        for p in paths:
            try:
                out[p] = self.read(p)
            except SandboxError:
                continue
        return out

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release whatever the backend holds. Safe to call more than once."""

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
