"""The Docker backend: the world lives in a hardened container, reached through persistent shells.

Each env owns one container of the sandbox image (``sandboxes/``; see :mod:`.pool` for how it
is started, pooled and removed). Two ``sh`` processes stay open in it on Docker exec sockets, one
per uid, and every primitive is one request on one of them: a call of a shell function defined
once when the shell starts (:data:`PRELUDE`), followed by a completion marker that carries the
function's exit status. Most requests start no process at all (busybox runs ``head``, ``stat``,
``mkdir``, ``mv`` and ``rm`` inside the shell itself), so one costs about one round trip; only a
snapshot (``tar``) and the agent's commands start processes.

- the ``user`` shell (uid 1000, the agent's uid) owns ``/home/user``; it serves the home's
  primitives and runs the agent's commands (:meth:`DockerSandbox.exec`), each in a fresh
  ``sh -c`` under an in-container ``timeout``, its output captured to a file and cut to a byte
  budget there; after every command it kills every process of uid 1000 but itself, so nothing the
  agent started outlives its command (no background job, no fork bomb, no stray writer).
- the ``service`` shell (uid 1001) owns ``/srv`` (mode 0700): outbound records and service
  state, out of the agent's reach, so an agent's command can neither read nor rewrite what the
  checks judge.

``restore`` sends the seeded world as a script of ``printf`` commands (no archive, no extra
process) after killing the agent's processes and wiping home, /tmp, /dev/shm, /dev/mqueue and the
command scratch space; ``snapshot`` reads the world back as two tar streams, parsed host-side.
Error types and messages are those of :class:`~mosaic_gym.sandbox.local.LocalSandbox`, so the
same episode gives the same observations on both backends (``tests/test_parity.py``).
"""

from __future__ import annotations

import io
import logging
import os
import posixpath
import re
import secrets
import tarfile
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .base import (
    HOME,
    AlreadyExists,
    Entry,
    IsADirectory,
    NotADirectory,
    NotFound,
    Sandbox,
    SandboxError,
    display_path,
)
from .pool import (
    DEFAULT_IMAGE,
    RUN_DIR,
    RUN_MB,
    SHELL_ENV,
    SHM_MB,
    ContainerPool,
    ContainerSpec,
    SandboxContainer,
    get_pool,
)

log = logging.getLogger(__name__)

# exit statuses of the prelude's functions
_OK = 0
_NOT_FOUND = 10
_IS_DIR = 11
_NOT_DIR = 12
_EXISTS = 13
_NOT_EMPTY = 14
_INTO_ITSELF = 15
_PARENT_IS_FILE = 16  # the body names the parent
_FAILED = 20  # the body holds the failing applet's message
_DENIED = 21

_BIG = 1 << 40  # "the whole file" for head -c
OUTPUT_FILE = f"{RUN_DIR}/out"

PRELUDE = rf"""
umask 022
_H={HOME}
_O={OUTPUT_FILE}
_pf() {{
  _d=${{1%/*}}
  while [ -n "$_d" ]; do
    if [ -e "$_d" ] || [ -L "$_d" ]; then
      [ -d "$_d" ] && return 1
      printf %s "$_d"; return 0
    fi
    _d=${{_d%/*}}
  done
  return 1
}}
_rd() {{
  if [ -f "$1" ]; then [ -r "$1" ] || return {_DENIED}; head -c {_BIG} "$1"
  elif [ -d "$1" ]; then return {_IS_DIR}
  else return {_NOT_FOUND}; fi
}}
_rdm() {{
  _i=0
  for _f; do
    if [ -f "$_f" ] && [ -r "$_f" ]; then printf '%d ' "$_i"; stat -L -c %s "$_f"; head -c {_BIG} "$_f"; fi
    _i=$((_i+1))
  done
}}
_wr() {{
  [ -d "$1" ] && return {_IS_DIR}
  _pf "$1" && return {_PARENT_IS_FILE}
  [ -d "${{1%/*}}" ] || mkdir -p "${{1%/*}}" 2>&1 || return {_FAILED}
  {{ printf -- "$2" >"$1"; }} 2>&1 && return 0
  df -P "${{1%/*}}" | {{ read _x; read _x _x _x _a _x; [ "$_a" = 0 ] && echo ": no space left on device"; }}
  return {_FAILED}
}}
_ls() {{
  if [ -d "$1" ]; then :; elif [ -e "$1" ] || [ -L "$1" ]; then return {_NOT_DIR}; else return {_NOT_FOUND}; fi
  [ -r "$1" ] && [ -x "$1" ] || return {_DENIED}
  _l=$1; set --
  for _f in "$_l"/* "$_l"/.[!.]* "$_l"/..?*; do
    if [ -d "$_f" ]; then printf 'd%s\0' "${{_f##*/}}"
    elif [ -e "$_f" ]; then printf 'f%s\0' "${{_f##*/}}"; set -- "$@" "$_f"
    elif [ -L "$_f" ]; then printf 'l%s\0' "${{_f##*/}}"; fi
  done
  printf '\0'
  [ $# -eq 0 ] || stat -L -c %s "$@"
}}
_st() {{
  if [ -d "$1" ]; then printf d
  elif [ -e "$1" ]; then printf f; stat -L -c %s "$1"
  elif [ -L "$1" ]; then printf l
  else return {_NOT_FOUND}; fi
}}
_mv() {{
  [ -e "$1" ] || [ -L "$1" ] || return {_NOT_FOUND}
  if [ -e "$2" ] || [ -L "$2" ]; then return {_EXISTS}; fi
  case "$2/" in "$1"/*) return {_INTO_ITSELF};; esac
  _pf "$2" && return {_PARENT_IS_FILE}
  [ -d "${{2%/*}}" ] || mkdir -p "${{2%/*}}" 2>&1 || return {_FAILED}
  mv "$1" "$2" 2>&1 || return {_FAILED}
}}
_rm() {{
  if [ -d "$1" ] && ! [ -L "$1" ]; then
    if [ "$2" != 1 ]; then
      for _f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        if [ -e "$_f" ] || [ -L "$_f" ]; then return {_NOT_EMPTY}; fi
      done
      rmdir "$1" 2>&1 || return {_FAILED}
    else
      rm -rf "$1" 2>&1 || return {_FAILED}
    fi
  elif [ -e "$1" ] || [ -L "$1" ]; then rm -f "$1" 2>&1 || return {_FAILED}
  else return {_NOT_FOUND}; fi
}}
_wk1() {{
  local _f
  for _f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    if [ -L "$_f" ]; then :
    elif [ -d "$_f" ]; then _wk1 "$_f"
    elif [ -f "$_f" ]; then printf '%s\0' "$_f"; fi
  done
}}
_wk() {{
  if [ -d "$1" ]; then _wk1 "$1"
  elif [ -e "$1" ] || [ -L "$1" ]; then return {_NOT_DIR}
  else return {_NOT_FOUND}; fi
}}
_reap() {{
  _i=0
  while :; do
    kill -9 -1 2>/dev/null
    _n=0
    for _p in /proc/[0-9]*; do
      [ "${{_p#/proc/}}" = "$$" ] && continue
      if [ -O "$_p" ]; then _n=1; break; fi
    done
    [ $_n = 0 ] && return 0
    _i=$((_i+1)); [ $_i -lt 20000 ] || return 1
  done
}}
_wipe() {{
  for _d; do
    rm -rf "$_d"/* "$_d"/.[!.]* "$_d"/..?* 2>/dev/null && continue
    chmod -R u+rwx "$_d" 2>/dev/null
    rm -rf "$_d"/* "$_d"/.[!.]* "$_d"/..?* 2>&1 || return {_FAILED}
  done
}}
_oomk() {{
  _K=0
  for _f in /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events; do
    [ -r "$_f" ] || continue
    while read -r _a _b; do [ "$_a" = oom_kill ] && _K=$_b; done < "$_f"
    return 0
  done
}}
_run() {{
  _reap
  rm -f "$_O"
  _oomk; _k0=$_K
  ( echo 1000 > /proc/self/oom_score_adj; cd "$_H" 2>/dev/null; exec timeout -s KILL "$1" sh -c "$3" ) </dev/null >"$_O" 2>&1
  _rc=$?
  _reap
  _oomk
  printf '%s %s ' "$_rc" "$((_K - _k0))"
  _out "$2"
}}
_out() {{
  if [ -f "$_O" ]; then stat -c %s "$_O"; head -c "$1" "$_O"; else echo 0; fi
  rm -f "$_O"
}}
_snap() {{
  chmod -R u+rX "$1" 2>/dev/null
  tar -cf - -C / "${{1#/}}" 2>/dev/null
  return 0
}}
"""

# --- quoting -----------------------------------------------------------------------------------


def _encode(s: str) -> bytes:
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogatepass")


def _decode(b: bytes) -> str:
    try:
        return b.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return b.decode("utf-8", "surrogateescape")


def quote(s: str | bytes) -> bytes:
    """``s`` as one single-quoted sh word (any bytes but NUL)."""
    b = _encode(s) if isinstance(s, str) else s
    return b"'" + b.replace(b"'", b"'\\''") + b"'"


# printf's format turns these escapes back into the bytes; everything else goes through as is
_PRINTF_ESC = {i: b"\\%03o" % i for i in range(256)}
_PRINTF_ESC[ord("\\")] = b"\\\\"
_PRINTF_ESC[ord("%")] = b"%%"
_PRINTF_ESC[ord("'")] = b"'\\''"
_NEEDS_ESC = re.compile(rb"[^\x20-\x24\x26\x28-\x5b\x5d-\x7e\n\t]")


def printf_word(data: bytes) -> bytes:
    """A single-quoted ``printf`` format that prints exactly ``data`` (binary-safe)."""
    body = _NEEDS_ESC.sub(lambda m: _PRINTF_ESC[m[0][0]], data)
    return b"'" + body + b"'"


# --- the persistent shell ----------------------------------------------------------------------


class ChannelError(Exception):
    """The shell stopped answering (it died, the container died, or a deadline passed)."""


class ShellChannel:
    """One ``sh`` running in the container on a Docker exec socket, with request framing.

    A request is a piece of shell script followed by ``printf`` of a marker holding a fresh
    random nonce and the script's exit status; the response is every byte the script wrote to
    stdout before the marker. Docker multiplexes stdout and stderr on the socket in frames of
    an 8-byte header and a payload; stderr is kept (the last few KiB) for diagnostics only.
    """

    def __init__(self, api: Any, container_id: str, uid: int, sock: Any) -> None:
        self.api = api
        self.container_id = container_id
        self.uid = uid
        self._holder = sock
        self._sock = getattr(sock, "_sock", sock)
        self._raw = bytearray()
        self._out = bytearray()
        self._err = bytearray()
        self._pending: bytes | None = None
        self.closed = False

    @classmethod
    def open(cls, api: Any, container_id: str, uid: int, timeout: float = 30.0) -> ShellChannel:
        try:
            exec_id = api.exec_create(
                container_id,
                ["/bin/sh"],
                stdin=True,
                stdout=True,
                stderr=True,
                tty=False,
                user=f"{uid}:{uid}",
                environment=SHELL_ENV,
                workdir=HOME,
            )["Id"]
            sock = api.exec_start(exec_id, socket=True)
        except Exception as e:  # noqa: BLE001 - the container is gone or the daemon failed
            raise ChannelError(f"could not open a shell in the sandbox: {e}") from None
        ch = cls(api, container_id, uid, sock)
        ch.request(PRELUDE.encode(), timeout)
        return ch

    def send(self, script: bytes) -> None:
        """Start a request; :meth:`wait` collects its response."""
        if self.closed:
            raise ChannelError("the shell is closed")
        if self._pending is not None:
            raise RuntimeError("a request is already in flight on this shell")
        nonce = secrets.token_hex(8).encode()
        self._pending = b"\x1e" + nonce + b":"
        try:
            self._sock.settimeout(60.0)  # a shell that stops reading its input is broken
            self._sock.sendall(
                b"{ " + script + b"\n}; printf '\\036%s:%d\\036' " + nonce + b' "$?"\n'
            )
        except OSError as e:
            self.closed = True
            raise ChannelError(f"the sandbox shell is gone ({e})") from None

    def wait(self, timeout: float) -> tuple[int, bytes]:
        """The exit status and stdout of the request in flight."""
        marker = self._pending
        if marker is None:
            raise RuntimeError("no request in flight")
        deadline = time.monotonic() + timeout
        scanned = 0
        while True:
            at = self._out.find(marker, max(0, scanned - len(marker)))
            if at >= 0:
                end = self._out.find(b"\x1e", at + len(marker))
                if end >= 0:
                    status = int(self._out[at + len(marker) : end])
                    body = bytes(self._out[:at])
                    del self._out[: end + 1]
                    self._pending = None
                    return status, body
            scanned = len(self._out)
            self._fill(deadline)

    def request(self, script: bytes, timeout: float) -> tuple[int, bytes]:
        self.send(script)
        return self.wait(timeout)

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            self.closed = True
            raise ChannelError("the sandbox shell did not answer in time")
        try:
            self._sock.settimeout(left)
            chunk = self._sock.recv(1 << 18)
        except TimeoutError:
            self.closed = True
            raise ChannelError("the sandbox shell did not answer in time") from None
        except OSError as e:
            self.closed = True
            raise ChannelError(f"the sandbox shell is gone ({e})") from None
        if not chunk:
            self.closed = True
            raise ChannelError("the sandbox shell exited")
        raw = self._raw
        raw += chunk
        pos = 0
        while len(raw) - pos >= 8:
            size = int.from_bytes(raw[pos + 4 : pos + 8], "big")
            if len(raw) - pos - 8 < size:
                break
            stream = raw[pos]
            payload = raw[pos + 8 : pos + 8 + size]
            if stream == 2:
                self._err += payload
                del self._err[:-4096]
            else:
                self._out += payload
            pos += 8 + size
        del raw[:pos]

    def stderr_tail(self) -> str:
        return self._err.decode("utf-8", "replace")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
        from .pool import _close_quietly  # noqa: PLC0415

        _close_quietly(self._holder)

    def forget(self) -> None:
        from .pool import _close_quietly  # noqa: PLC0415

        self.closed = True
        _close_quietly(self._holder, shutdown=False)


# --- options and results -----------------------------------------------------------------------


class DockerOptions(BaseModel):
    """The docker backend's options (``gym.make(..., backend="docker", **options)``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    image: str = Field(DEFAULT_IMAGE, description="the sandbox image (`mosaic-gym sandbox build`)")
    memory_mb: int = Field(512, ge=64, description="memory limit, tmpfs contents included")
    cpus: float = Field(1.0, gt=0, le=64, description="CPU limit in cores")
    pids: int = Field(128, ge=16, le=4096, description="process limit")
    command_timeout: int = Field(10, ge=1, le=600, description="seconds a shell command may run")
    home_mb: int = Field(64, ge=1, description="size of the tmpfs home")
    tmp_mb: int = Field(64, ge=1, description="size of the tmpfs /tmp")
    srv_mb: int = Field(32, ge=1, description="size of the tmpfs /srv (service state)")
    spares: int = Field(1, ge=0, le=16, description="containers kept started ahead of need")
    labels: dict[str, str] = Field(default_factory=dict, description="extra container labels")
    request_timeout: float = Field(30.0, gt=0, description="seconds a primitive may take")

    @model_validator(mode="after")
    def _memory_covers_tmpfs(self) -> DockerOptions:
        tmpfs = self.home_mb + self.tmp_mb + self.srv_mb + RUN_MB + SHM_MB
        if self.memory_mb < tmpfs + 64:
            raise ValueError(
                f"memory_mb={self.memory_mb} is too small: the tmpfs mounts ({tmpfs} MiB) count "
                f"against the memory limit; give at least {tmpfs + 64}"
            )
        return self

    def spec(self) -> ContainerSpec:
        return ContainerSpec(
            image=self.image,
            memory_mb=self.memory_mb,
            cpus=self.cpus,
            pids=self.pids,
            home_mb=self.home_mb,
            tmp_mb=self.tmp_mb,
            srv_mb=self.srv_mb,
            labels=tuple(sorted(self.labels.items())),
        )


@dataclass(frozen=True)
class CommandResult:
    """What one command in the sandbox did.

    ``output`` holds the first bytes of what it wrote (stdout and stderr together), ``size`` how
    many it wrote in all. ``exit_code`` is None when the command ended the shell itself;
    ``timeout`` is the limit it ran under, in seconds.
    """

    output: bytes
    size: int
    exit_code: int | None
    timed_out: bool
    out_of_memory: bool
    seconds: float
    timeout: int


class SandboxRestarted(SandboxError):
    """The container died mid-episode and was replaced; the world is back to its seeded state."""


# --- the backend -------------------------------------------------------------------------------


def _is_home(path: str) -> bool:
    return path == HOME or path.startswith(HOME + "/")


def _reason(body: bytes) -> str:
    text = _decode(body).strip().splitlines()
    if not text:
        return "unknown error"
    return text[-1].rsplit(": ", 1)[-1].strip().lower() or "unknown error"


def _script(func: str, *args: str | bytes) -> bytes:
    return func.encode() + b"".join(b" " + quote(a) for a in args)


MAX_LINKED_FILES = 2000  # files a snapshot shows through symbolic links, at most


def _tar_files(data: bytes, into: dict[str, bytes]) -> None:
    """Add every regular file of an uncompressed tar stream (and hard links to them) to ``into``,
    and what its symbolic links show (see :func:`_add_links`)."""
    links: list[tuple[str, str]] = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:", errorlevel=0) as tf:
        for m in tf:
            if m.isreg() or m.islnk():
                f = tf.extractfile(m)
                if f is not None:
                    into["/" + m.name.rstrip("/")] = f.read()
            elif m.issym():
                links.append(("/" + m.name.rstrip("/"), m.linkname))
    if links:
        _add_links(links, into)


def _add_links(links: list[tuple[str, str]], into: dict[str, bytes]) -> None:
    """A symbolic link, made with the shell, reads as what it points to: a link to a file as a
    copy of that file, a link to a folder as copies of the files under it (so a link in
    ``~/shared`` to a key is the key put there, and ``~/.bashrc`` turned into a link is a
    changed ``~/.bashrc``); a link to nothing in the snapshot as a file naming its target. Only
    the regular files are followed (a link to a link is read as its target's path)."""
    files = dict(into)
    shown = 0
    for path, target in links:
        dest = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if dest in files:
            into[path] = files[dest]
            shown += 1
            continue
        prefix = dest.rstrip("/") + "/"
        under = [p for p in files if p.startswith(prefix)]
        if not under:
            into[path] = f"symbolic link to {target}\n".encode()
        for p in under:
            if shown >= MAX_LINKED_FILES:
                return
            into[path + "/" + p[len(prefix) :]] = files[p]
            shown += 1


class DockerSandbox(Sandbox):
    """A world inside a hardened container; see the module docstring.

    Options: :class:`DockerOptions`. The container is taken from this process's pool on the
    first ``restore``; ``close`` removes it. A sandbox must be used by the process that made it.
    """

    def __init__(self, **options: Any) -> None:
        try:
            self.options = DockerOptions(**options)
        except ValidationError as e:
            raise ValueError(f"bad docker backend options: {e}") from None
        self._pool: ContainerPool = get_pool(self.options.spec(), self.options.spares)
        self._pool.api()  # fail now, with a message saying what to do, if no daemon answers
        self._container: SandboxContainer | None = None
        self._world: tuple[Mapping[str, bytes], tuple[str, ...]] = ({}, ())
        self._pid = os.getpid()
        self.restarts = 0
        self._finalizer = weakref.finalize(self, _release, self._pool, [None])

    # -- container handling ----------------------------------------------------------------
    @property
    def container_id(self) -> str | None:
        return self._container.id if self._container is not None else None

    def _live(self) -> SandboxContainer:
        if os.getpid() != self._pid:
            raise RuntimeError(
                "a docker sandbox cannot be used from a forked process; create the env in the "
                "process that uses it (gymnasium's vector envs already do)"
            )
        if self._container is None or self._container.destroyed:
            self._container = self._pool.acquire()
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _release, self._pool, [self._container])
        return self._container

    def _replace(self) -> SandboxContainer:
        old = self._container
        self._container = None
        if old is not None:
            self._pool.release(old)
        self.restarts += 1
        return self._live()

    def _recover(self, *which: str) -> None:
        """After a shell failed: reopen it if the container still runs (its files are intact);
        otherwise replace the container, put the episode's seeded world back and raise
        :class:`SandboxRestarted`, which the model reads as the tool's error."""
        c = self._container
        if c is not None and not c.destroyed and c.running():
            try:
                for w in which:
                    c.reopen(w)
                return
            except ChannelError:
                pass
        log.warning("sandbox container %s stopped; replacing it", c.id[:12] if c else "?")
        self._replace()
        try:
            self._restore_into(*self._world)
        except ChannelError as e:
            raise SandboxError(f"the sandbox is not answering ({e})") from None
        raise SandboxRestarted(
            "the sandbox stopped unexpectedly and was restarted; every file is back to how it "
            "was when the task began"
        )

    def _call(self, path: str, script: bytes) -> tuple[int, bytes]:
        which = "user" if _is_home(path) else "service"
        for attempt in (1, 2):
            try:
                return getattr(self._live(), which).request(script, self.options.request_timeout)
            except ChannelError:
                if attempt == 2:
                    raise SandboxError("the sandbox is not answering") from None
                self._recover(which)
        raise AssertionError("unreachable")

    def _both(
        self, user_script: bytes, service_script: bytes
    ) -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        """One request on each shell, run side by side."""
        c = self._live()
        assert c.user is not None and c.service is not None
        t = self.options.request_timeout
        c.user.send(user_script)
        c.service.send(service_script)
        return c.user.wait(t), c.service.wait(t)

    # -- lifecycle ---------------------------------------------------------------------------
    def restore(self, files: Mapping[str, bytes], dirs: Iterable[str] = ()) -> None:
        self._world = (files, tuple(dirs))
        try:
            self._restore_into(*self._world)
        except ChannelError:
            self._replace()  # a broken container is replaced before anyone sees it
            try:
                self._restore_into(*self._world)
            except ChannelError as e:
                raise SandboxError(f"the sandbox could not be restored ({e})") from None

    def _restore_into(self, files: Mapping[str, bytes], dirs: tuple[str, ...]) -> None:
        (u_status, u_body), (s_status, s_body) = self._both(*_restore_scripts(files, dirs))
        if u_status or s_status:
            raise ChannelError(
                f"restoring the world failed ({_reason(u_body if u_status else s_body)})"
            )

    def close(self) -> None:
        c, self._container = self._container, None
        self._finalizer.detach()
        if c is not None and os.getpid() == self._pid:
            self._pool.release(c)

    # -- primitives ----------------------------------------------------------------------------
    def read(self, path: str) -> bytes:
        status, body = self._call(path, _script("_rd", path))
        if status == _OK:
            return body
        if status == _IS_DIR:
            raise IsADirectory(f"{display_path(path)} is a directory; use list_dir")
        if status == _NOT_FOUND:
            raise NotFound(f"{display_path(path)} does not exist")
        raise self._failure("read", path, status, body)

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        ordered = list(paths)
        out: dict[str, bytes] = {}
        for home in (True, False):
            group = [p for p in ordered if _is_home(p) == home]
            if not group:
                continue
            _, body = self._call(group[0], _script("_rdm", *group))
            pos = 0
            while pos < len(body):
                nl = body.index(b"\n", pos)
                idx, size = (int(x) for x in body[pos:nl].split(b" "))
                out[group[idx]] = body[nl + 1 : nl + 1 + size]
                pos = nl + 1 + size
        return {p: out[p] for p in ordered if p in out}

    def write(self, path: str, data: bytes) -> None:
        status, body = self._call(path, b"_wr " + quote(path) + b" " + printf_word(bytes(data)))
        if status == _OK:
            return
        if status == _IS_DIR:
            raise IsADirectory(f"{display_path(path)} is a directory")
        if status == _PARENT_IS_FILE:
            raise NotADirectory(f"{display_path(_decode(body))} is a file, not a directory")
        raise self._failure("write", path, status, body)

    def list(self, path: str) -> list[Entry]:
        status, body = self._call(path, _script("_ls", path))
        if status == _NOT_DIR:
            raise NotADirectory(f"{display_path(path)} is a file; use read_file")
        if status == _NOT_FOUND:
            raise NotFound(f"{display_path(path)} does not exist")
        if status != _OK:
            raise self._failure("list", path, status, body)
        end = body.index(b"\0\0") if not body.startswith(b"\0") else -1
        names = [] if end < 0 else body[:end].split(b"\0")
        sizes = iter(body[end + 2 :].split()) if end >= 0 else iter(())
        entries = []
        for n in names:
            kind, name = n[:1], _decode(n[1:])
            if kind == b"d":
                entries.append(Entry(name, True, 0))
            elif kind == b"f":
                entries.append(Entry(name, False, int(next(sizes))))
            else:
                entries.append(Entry(name, False, 0))  # a dangling link
        entries.sort(key=lambda e: e.name)
        return entries

    def stat(self, path: str) -> Entry | None:
        status, body = self._call(path, _script("_st", path))
        if status == _NOT_FOUND:
            return None
        if status != _OK:
            raise self._failure("stat", path, status, body)
        name = posixpath.basename(path)
        if body[:1] == b"d":
            return Entry(name, True, 0)
        if body[:1] == b"f":
            return Entry(name, False, int(body[1:]))
        return Entry(name, False, 0)

    def move(self, src: str, dst: str) -> None:
        if _is_home(src) != _is_home(dst):
            raise SandboxError(f"cannot move {display_path(src)} to {display_path(dst)}")
        status, body = self._call(src, _script("_mv", src, dst))
        if status == _OK:
            return
        if status == _NOT_FOUND:
            raise NotFound(f"{display_path(src)} does not exist")
        if status == _EXISTS:
            raise AlreadyExists(f"{display_path(dst)} already exists")
        if status == _INTO_ITSELF:
            raise AlreadyExists(f"cannot move {display_path(src)} into itself")
        if status == _PARENT_IS_FILE:
            raise NotADirectory(f"{display_path(_decode(body))} is a file, not a directory")
        raise self._failure("move", src, status, body)

    def remove(self, path: str, recursive: bool = False) -> None:
        status, body = self._call(path, _script("_rm", path, "1" if recursive else "0"))
        if status == _OK:
            return
        if status == _NOT_FOUND:
            raise NotFound(f"{display_path(path)} does not exist")
        if status == _NOT_EMPTY:
            raise IsADirectory(
                f"{display_path(path)} is a non-empty directory; pass recursive=true"
            )
        raise self._failure("delete", path, status, body)

    def walk(self, path: str) -> list[str]:
        status, body = self._call(path, _script("_wk", path))
        if status == _NOT_DIR:
            raise NotADirectory(f"{display_path(path)} is a file")
        if status == _NOT_FOUND:
            raise NotFound(f"{display_path(path)} does not exist")
        if status != _OK:
            raise self._failure("walk", path, status, body)
        return sorted(_decode(p) for p in body.split(b"\0") if p)

    def snapshot(self) -> dict[str, bytes]:
        for attempt in (1, 2):
            try:
                (_, home), (_, srv) = self._both(_script("_snap", HOME), _script("_snap", "/srv"))
                break
            except ChannelError:
                if attempt == 2:
                    raise SandboxError("the sandbox is not answering") from None
                self._recover("user", "service")
        out: dict[str, bytes] = {}
        _tar_files(home, out)
        _tar_files(srv, out)
        return out

    # -- commands (docker only) ---------------------------------------------------------------
    def exec(
        self, command: str, max_output: int = 4096, timeout: int | None = None
    ) -> CommandResult:
        """Run ``command`` with ``sh -c`` as the agent, in the home directory, under an
        in-container timeout (default ``command_timeout``); keep the first ``max_output`` bytes
        of its output. Every process it started is killed when it ends."""
        seconds = int(timeout if timeout is not None else self.options.command_timeout)
        if "\x00" in command:
            raise SandboxError("the command contains a NUL byte")
        c = self._live()
        budget = str(max(0, int(max_output)))
        t0 = time.monotonic()
        assert c.user is not None
        try:
            # past the in-container timeout only a stopped or killed shell keeps us waiting
            _, body = c.user.request(_script("_run", str(seconds), budget, command), seconds + 5.0)
        except ChannelError:
            # the command ended the shell itself (or the container went): collect what is left
            self._recover("user")
            c = self._live()
            assert c.user is not None
            _, body = c.user.request(
                b"_reap; printf '- 0 '; _out " + budget.encode(), self.options.request_timeout
            )
        elapsed = time.monotonic() - t0
        head, _, rest = body.partition(b"\n")
        try:
            rc_s, oom_s, size_s = head.split(b" ")
            rc = None if rc_s == b"-" else int(rc_s)
            oom, size = int(oom_s) > 0, int(size_s)
        except ValueError:  # something wrote into the shell's own stdout: not a crash of ours
            raise SandboxError("the command's output could not be read back") from None
        return CommandResult(
            output=rest,
            size=size,
            exit_code=rc,
            timed_out=rc == 137 and not oom and elapsed >= seconds - 0.05,
            out_of_memory=oom,
            seconds=elapsed,
            timeout=seconds,
        )

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _failure(op: str, path: str, status: int, body: bytes) -> SandboxError:
        if status == _DENIED:
            return SandboxError(f"cannot {op} {display_path(path)}: permission denied")
        return SandboxError(f"cannot {op} {display_path(path)}: {_reason(body)}")


def _release(pool: ContainerPool, holder: list[SandboxContainer | None]) -> None:
    c = holder[0]
    if c is not None and os.getpid() == c.pid:
        pool.release(c)


def _restore_scripts(files: Mapping[str, bytes], dirs: Iterable[str]) -> tuple[bytes, bytes]:
    """The two restore scripts: the home's (run by the user shell) and /srv's (service shell)."""
    parts: dict[bool, list[bytes]] = {
        True: [
            b"_reap && chmod 755 "
            + quote(HOME)
            + b" && _wipe "
            + quote(HOME)
            + b" /tmp /dev/shm /dev/mqueue "
            + quote(RUN_DIR)
        ],
        False: [b"_wipe /srv"],
    }
    every_dir: dict[bool, set[str]] = {True: set(), False: set()}
    for d in dirs:
        every_dir[_is_home(d)].add(d)
    for p in files:
        every_dir[_is_home(p)].add(posixpath.dirname(p))
    for home in (True, False):
        root = HOME if home else "/srv"
        wanted = sorted(d for d in every_dir[home] if d != root and d.startswith(root + "/"))
        bad = [d for d in every_dir[home] if d != root and not d.startswith(root + "/")]
        if bad:
            raise SandboxError(
                f"the docker backend keeps the world under {HOME} and /srv; {bad[0]} is outside both"
            )
        # only the deepest directories: mkdir -p makes their parents
        leaves = [
            d
            for i, d in enumerate(wanted)
            if not (i + 1 < len(wanted) and wanted[i + 1].startswith(d + "/"))
        ]
        if leaves:
            parts[home].append(b"mkdir -p " + b" ".join(quote(d) for d in leaves))
    for p, data in files.items():
        parts[_is_home(p)].append(b"printf -- " + printf_word(bytes(data)) + b" >" + quote(p))
    return b" &&\n".join(parts[True]), b" &&\n".join(parts[False])
