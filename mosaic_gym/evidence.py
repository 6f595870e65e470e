"""What the host-side checks see of an episode: the world before and after, and the trace.

Checks are pure functions of an :class:`Evidence`. Paths may be given as the model writes them
(``~/x``) or as world paths (``/home/user/x``, ``/srv/...``).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .sandbox.base import HOME, SandboxError, display_path, resolve_user_path

# argument names that hold home paths, across every domain's tools
PATH_ARGS = ("path", "source", "destination", "attachments")


@dataclass
class CallRecord:
    """One executed tool call: its step, name, validated arguments, and how it went."""

    step: int
    name: str
    arguments: dict[str, Any]
    ok: bool
    output: str = ""
    error: str | None = None

    def mentions(self, needle: str) -> bool:
        return needle in json.dumps(self.arguments, ensure_ascii=False)

    def paths(self, home: str = HOME) -> list[str]:
        """The world paths this call named in its path arguments (unresolvable ones skipped)."""
        out = []
        for key in PATH_ARGS:
            vals = self.arguments.get(key)
            for v in vals if isinstance(vals, list) else [vals]:
                if isinstance(v, str):
                    try:
                        out.append(resolve_user_path(v, home))
                    except SandboxError:
                        continue
        return out


def world_path(path: str, home: str = HOME) -> str:
    """``~/x`` -> ``/home/user/x``; world paths are returned unchanged."""
    if path == "~":
        return home
    if path.startswith("~/"):
        return home + path[1:]
    return path


@dataclass
class Evidence:
    before: Mapping[str, bytes]
    after: Mapping[str, bytes]
    trace: list[CallRecord] = field(default_factory=list)
    answer: str | None = None
    refused: bool = False
    refusal_reason: str | None = None
    refusal_step: int | None = None
    steps: int = 0
    home: str = HOME
    # (step, text) of each turn's text that was not the final answer (see ParsedTurn.said)
    said: list[tuple[int, str]] = field(default_factory=list)

    # -- state ---------------------------------------------------------------------------------
    def text(self, path: str, after: bool = True) -> str | None:
        """A file's text (after the episode by default), or None if it is absent."""
        data = (self.after if after else self.before).get(world_path(path, self.home))
        return None if data is None else data.decode("utf-8", "replace")

    def exists(self, path: str, after: bool = True) -> bool:
        """Whether a file, or any file under a directory, exists."""
        p = world_path(path, self.home)
        world = self.after if after else self.before
        if p in world:
            return True
        prefix = p.rstrip("/") + "/"
        return any(k.startswith(prefix) for k in world)

    def files_under(self, directory: str, after: bool = True) -> dict[str, bytes]:
        prefix = world_path(directory, self.home).rstrip("/") + "/"
        world = self.after if after else self.before
        # the checks of one episode ask for the same few folders many times over a world of
        # hundreds of files: each answer is kept (the worlds are never changed once evidence)
        cache = self.__dict__.setdefault("_files_under", {})
        key = (prefix, after, id(world), len(world))
        found = cache.get(key)
        if found is None:
            found = cache[key] = {p: world[p] for p in self._paths_starting(world, prefix)}
        return dict(found)

    def _paths_starting(self, world: Mapping[str, bytes], prefix: str) -> list[str]:
        """The paths of ``world`` that start with ``prefix``, in the world's order: looked for in
        the paths joined by NULs, made once per world (a few C-level searches instead of a test
        per path: a Workspace world holds over two hundred files)."""
        joins = self.__dict__.setdefault("_joined_paths", {})
        key = (id(world), len(world))
        joined = joins.get(key)
        if joined is None:
            joined = "\x00" + "\x00".join(world)
            if joined.count("\x00") != len(world):
                joined = ""  # a path holding a NUL itself (no sandbox makes one): test each
            joins[key] = joined
        if not joined:
            return [p for p in world if p.startswith(prefix)]
        out = []
        needle = "\x00" + prefix
        at = joined.find(needle)
        while at >= 0:
            end = joined.find("\x00", at + 1)
            if end < 0:
                end = len(joined)
            out.append(joined[at + 1 : end])
            at = joined.find(needle, end)
        return out

    def removed(self) -> list[str]:
        return sorted(p for p in self.before if p not in self.after)

    def created(self) -> list[str]:
        return sorted(p for p in self.after if p not in self.before)

    def modified(self) -> list[str]:
        return sorted(p for p, v in self.after.items() if p in self.before and self.before[p] != v)

    def find_content(self, data: bytes, after: bool = True) -> list[str]:
        """Every path whose content equals ``data``."""
        world = self.after if after else self.before
        return sorted(p for p, v in world.items() if v == data)

    def texts_containing(self, needle: str, under: str | None = None) -> list[str]:
        world = self.files_under(under) if under else self.after
        nb = needle.encode("utf-8")
        return sorted(p for p, v in world.items() if nb in v)

    # -- trace ---------------------------------------------------------------------------------
    def calls(self, name: str | None = None, ok: bool | None = None) -> list[CallRecord]:
        return [
            c
            for c in self.trace
            if (name is None or c.name == name) and (ok is None or c.ok == ok)
        ]

    def step_touching(self, path: str) -> int | None:
        """The last step whose successful call named ``path`` (either spelling), else None."""
        p = world_path(path, self.home)
        spellings = {p, display_path(p, self.home)}
        if p.startswith(self.home + "/"):
            spellings.add(p[len(self.home) + 1 :])
        for c in reversed(self.trace):
            if c.ok and any(c.mentions(s) for s in spellings):
                return c.step
        # a move of a parent directory also touches the file
        for c in reversed(self.trace):
            if c.ok and c.name in {"move", "delete", "shell"}:
                for parent in _parents(p):
                    if c.mentions(display_path(parent, self.home)) or c.mentions(parent):
                        return c.step
        return None


def _parents(path: str) -> list[str]:
    parts = path.rstrip("/").split("/")
    return ["/".join(parts[:i]) for i in range(len(parts) - 1, 1, -1)]


def matches(path: str, patterns: Iterable[str], home: str = HOME) -> bool:
    """Whether a world path matches any glob (given as ``~/...`` or world paths).

    ``*`` crosses directory boundaries, so ``~/build/*`` covers the whole subtree; a pattern
    that names a directory also covers everything under it.
    """
    shown = display_path(path, home)
    for pat in patterns:
        if fnmatch.fnmatchcase(shown, pat) or fnmatch.fnmatchcase(path, pat):
            return True
        base = pat.rstrip("/")
        if shown.startswith(base + "/") or path.startswith(world_path(base, home) + "/"):
            return True
    return False
