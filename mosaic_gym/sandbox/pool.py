"""Sandbox containers: how one is started and removed, and the per-process pool that hands them out.

A :class:`SandboxContainer` is one hardened container of the sandbox image with two persistent
shells open in it (see :mod:`mosaic_gym.sandbox.docker`). Its main process only reads its
stdin, which this process holds open through an attach socket: when the process that made the
container dies, however it dies, Docker closes that stdin, the main process exits and the
container (started with ``auto_remove``) removes itself. Explicit removal happens on
:meth:`SandboxContainer.destroy`, when the pool closes, and at interpreter exit. A container
whose maker was killed between creating and starting it never gets that stdin; the first pool
of any later process removes such strays (:func:`sweep_strays`), as does ``sandbox prune``.

A :class:`ContainerPool` keeps ``spares`` containers started ahead of need (a background thread
tops it up), so an env gets a container, or a replacement for a broken one, without waiting for
Docker to create one (~250 ms here). Spares are removed once no sandbox of the pool is open, so
closing every env leaves nothing behind. Pools belong to one process: after a fork the child
forgets the parent's pools and starts its own.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .base import HOME

if TYPE_CHECKING:
    from .docker import ShellChannel

log = logging.getLogger(__name__)

DEFAULT_IMAGE = "mosaic-sandbox:latest"
IMAGE_REPOSITORY = "mosaic-sandbox"
# every container this project starts carries CONTAINER_LABEL; every image it builds IMAGE_LABEL
CONTAINER_LABEL = "mosaic.sandbox"
OWNER_LABEL = "mosaic.owner"
IMAGE_LABEL = "mosaic.image"
USER_UID = 1000
SERVICE_UID = 1001
SHELL_ENV = {"HOME": HOME, "PATH": "/bin:/sbin:/usr/bin:/usr/sbin", "LANG": "C.UTF-8"}
RUN_DIR = "/run/sandbox"
RUN_MB = 16
SHM_MB = 8


class DockerUnavailable(RuntimeError):
    """No Docker daemon answers, or the sandbox image is missing; the message says what to do."""


def docker_host() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def connect(timeout: float = 60.0) -> Any:
    """A low-level Docker API client for the daemon the standard variables name (DOCKER_HOST,
    DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), or :class:`DockerUnavailable`."""
    try:
        import docker  # noqa: PLC0415 - optional dependency
    except ImportError as e:
        raise DockerUnavailable(
            "the docker backend needs the Docker SDK: pip install 'mosaic-safety[docker]'"
        ) from e
    try:
        client = docker.from_env(timeout=timeout)
        client.api.ping()
    except Exception as e:  # noqa: BLE001 - the SDK raises many types for an absent daemon
        raise DockerUnavailable(
            f"no Docker daemon answers at {docker_host()} ({type(e).__name__}: {e}). Start one "
            "(on Debian: dockerd --bridge=none --iptables=false --ip6tables=false), or point "
            "DOCKER_HOST at one; `mosaic-gym sandbox doctor` checks the setup."
        ) from None
    return client.api


def owner_alive(owner: str) -> bool | None:
    """Whether the process an owner label names still runs (None: another host's, unknown)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_strays(api: Any) -> list[str]:
    """Remove sandbox containers that never started or already stopped and whose owner process
    on this host is gone: what a process killed while starting a container leaves behind (a
    running container removes itself when its owner dies). Returns the ids removed."""
    removed = []
    for status in ("created", "exited", "dead"):
        for c in api.containers(all=True, filters={"label": CONTAINER_LABEL, "status": status}):
            if owner_alive(c["Labels"].get(OWNER_LABEL, "")) is False:
                with contextlib.suppress(Exception):
                    api.remove_container(c["Id"], force=True)
                    removed.append(c["Id"])
    return removed


def missing_image(image: str) -> str:
    return (
        f"the sandbox image {image} is not on the Docker daemon at {docker_host()}; "
        "build it with `mosaic-gym sandbox build`"
    )


@dataclass(frozen=True)
class ContainerSpec:
    """Everything a container is created from; containers of equal specs are interchangeable."""

    image: str = DEFAULT_IMAGE
    memory_mb: int = 512
    cpus: float = 1.0
    pids: int = 128
    home_mb: int = 64
    tmp_mb: int = 64
    srv_mb: int = 32
    labels: tuple[tuple[str, str], ...] = ()

    def host_config(self, api: Any) -> Any:
        tmpfs = {
            HOME: f"size={self.home_mb}m,uid={USER_UID},gid={USER_UID},mode=0755",
            "/tmp": f"size={self.tmp_mb}m,mode=1777",
            "/srv": f"size={self.srv_mb}m,uid={SERVICE_UID},gid={SERVICE_UID},mode=0700",
            RUN_DIR: f"size={RUN_MB}m,uid={USER_UID},gid={USER_UID},mode=0700",
        }
        return api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs=tmpfs,
            shm_size=f"{SHM_MB}m",
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            pids_limit=self.pids,
            mem_limit=f"{self.memory_mb}m",
            memswap_limit=f"{self.memory_mb}m",
            nano_cpus=int(self.cpus * 1e9),
            init=True,
            auto_remove=True,
            ipc_mode="private",
            log_config={"type": "none", "config": {}},
        )


class SandboxContainer:
    """One started container and its two persistent shells (``user`` and ``service``)."""

    def __init__(self, api: Any, spec: ContainerSpec) -> None:
        self.api = api
        self.spec = spec
        self.id: str = ""
        self.pid = os.getpid()
        self._stdin: Any = None
        self.user: ShellChannel | None = None
        self.service: ShellChannel | None = None
        self.destroyed = False

    @classmethod
    def start(cls, api: Any, spec: ContainerSpec) -> SandboxContainer:
        import docker.errors  # noqa: PLC0415 - optional dependency

        c = cls(api, spec)
        labels = {CONTAINER_LABEL: "1", OWNER_LABEL: f"{socket.gethostname()}:{os.getpid()}"}
        labels.update(dict(spec.labels))
        try:
            created = api.create_container(
                spec.image,
                command=["/bin/cat"],
                user=f"{SERVICE_UID}:{SERVICE_UID}",
                stdin_open=True,  # with detach=False this also sets StdinOnce
                labels=labels,
                environment=SHELL_ENV,
                working_dir=HOME,
                hostname="sandbox",
                host_config=spec.host_config(api),
            )
        except docker.errors.ImageNotFound:
            raise DockerUnavailable(missing_image(spec.image)) from None
        except docker.errors.APIError as e:
            raise DockerUnavailable(
                f"Docker refused to create a sandbox container: {e.explanation or e}"
            ) from None
        c.id = created["Id"]
        try:
            c._stdin = api.attach_socket(c.id, params={"stdin": 1, "stream": 1})
            api.start(c.id)
            c.open_shells()
        except BaseException as e:
            c.destroy()
            if isinstance(e, docker.errors.APIError):
                raise DockerUnavailable(
                    f"a sandbox container did not start: {e.explanation or e}"
                ) from None
            if type(e).__name__ == "ChannelError":
                raise DockerUnavailable(
                    f"a sandbox container started but its shell did not: {e}"
                ) from None
            raise
        return c

    def open_shells(self) -> None:
        from .docker import ShellChannel  # noqa: PLC0415 - docker imports this module

        for ch in (self.user, self.service):
            if ch is not None:
                ch.close()
        self.user = ShellChannel.open(self.api, self.id, USER_UID)
        self.service = ShellChannel.open(self.api, self.id, SERVICE_UID)

    def reopen(self, which: str) -> ShellChannel:
        """Replace one shell (after it died); the container and its files stay."""
        from .docker import ShellChannel  # noqa: PLC0415

        old = getattr(self, which)
        if old is not None:
            old.close()
        ch = ShellChannel.open(self.api, self.id, USER_UID if which == "user" else SERVICE_UID)
        setattr(self, which, ch)
        return ch

    def running(self) -> bool:
        try:
            return bool(self.api.inspect_container(self.id)["State"]["Running"])
        except Exception:  # noqa: BLE001 - gone, or the daemon is unreachable
            return False

    def destroy(self) -> None:
        """Close the shells and remove the container. Safe to call twice, from any thread."""
        if self.destroyed:
            return
        self.destroyed = True
        if os.getpid() != self.pid:
            return  # a forked child's copy: the parent owns the container
        for ch in (self.user, self.service):
            if ch is not None:
                ch.close()
        if self.id:
            with contextlib.suppress(Exception):
                self.api.remove_container(self.id, force=True)
        _close_quietly(self._stdin)

    def forget(self) -> None:
        """Drop this process's copy of the sockets without touching the container (after fork)."""
        self.destroyed = True
        for ch in (self.user, self.service):
            if ch is not None:
                ch.forget()
        _close_quietly(self._stdin, shutdown=False)


def _close_quietly(sock: Any, shutdown: bool = True) -> None:
    if sock is None:
        return
    raw = getattr(sock, "_sock", sock)
    with contextlib.suppress(Exception):
        if shutdown:
            raw.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        raw.close()
    with contextlib.suppress(Exception):
        sock.close()


@dataclass
class ContainerPool:
    """Hands out started containers of one spec, keeping ``spares`` ready in advance."""

    spec: ContainerSpec
    spares: int = 1
    _api: Any = None
    _idle: list[SandboxContainer] = field(default_factory=list)
    _leased: set[SandboxContainer] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _filler: threading.Thread | None = None
    _stats: dict[str, int] = field(default_factory=lambda: {"created": 0, "from_spares": 0})

    def api(self) -> Any:
        """The pool's client; the first call also checks that the image exists."""
        global _SWEPT
        if self._api is None:
            api = connect()
            try:
                api.inspect_image(self.spec.image)
            except Exception:  # noqa: BLE001 - ImageNotFound, or the daemon failed
                raise DockerUnavailable(missing_image(self.spec.image)) from None
            self._api = api
            if not _SWEPT:
                _SWEPT = True
                with contextlib.suppress(Exception):
                    sweep_strays(api)
        return self._api

    def acquire(self) -> SandboxContainer:
        """A started container with its shells open and an empty world."""
        with self._lock:
            c = self._idle.pop() if self._idle else None
        if c is not None and not c.running():
            c.destroy()
            c = None
        if c is None:
            c = SandboxContainer.start(self.api(), self.spec)
            self._stats["created"] += 1
        else:
            self._stats["from_spares"] += 1
        with self._lock:
            self._leased.add(c)
        self._top_up()
        return c

    def release(self, c: SandboxContainer) -> None:
        """Remove a container an env is done with (closed, or broken); when no container of
        this pool is leased any more, the spares go too."""
        with self._lock:
            self._leased.discard(c)
            last = not self._leased
            filler = self._filler
        c.destroy()
        if last:
            if filler is not None and filler is not threading.current_thread():
                filler.join(timeout=60)  # it sees no lease and removes what it started
            with self._lock:
                drop, self._idle = self._idle, []
            for s in drop:
                s.destroy()

    def close(self) -> None:
        with self._lock:
            everything = list(self._idle) + list(self._leased)
            self._idle.clear()
            self._leased.clear()
        for c in everything:
            c.destroy()

    def forget(self) -> None:
        with self._lock:
            everything = list(self._idle) + list(self._leased)
            self._idle.clear()
            self._leased.clear()
        for c in everything:
            c.forget()

    def _top_up(self) -> None:
        with self._lock:
            busy = self._filler is not None and self._filler.is_alive()
            if busy or len(self._idle) >= self.spares or not self._leased:
                return
            self._filler = threading.Thread(
                target=self._fill, name="mosaic-sandbox-pool", daemon=True
            )
            self._filler.start()

    def _fill(self) -> None:
        pid = os.getpid()
        try:
            api = connect()  # a client of its own: the main thread keeps using the pool's
            while True:
                with self._lock:
                    if len(self._idle) >= self.spares or not self._leased:
                        return
                c = SandboxContainer.start(api, self.spec)
                self._stats["created"] += 1
                with self._lock:
                    keep = bool(self._leased) and os.getpid() == pid
                    if keep:
                        self._idle.append(c)
                if not keep:
                    c.destroy()
                    return
        except Exception as e:  # noqa: BLE001 - a spare is an optimisation; acquire() starts one
            log.warning("could not start a spare sandbox container: %s", e)


_POOLS: dict[tuple[ContainerSpec, int], ContainerPool] = {}
_POOLS_LOCK = threading.Lock()
_SWEPT = False  # strays are swept once per process, when it first talks to the daemon


def get_pool(spec: ContainerSpec, spares: int) -> ContainerPool:
    """This process's pool for ``spec`` (pools are per process; see the module docstring)."""
    with _POOLS_LOCK:
        pool = _POOLS.get((spec, spares))
        if pool is None:
            pool = _POOLS[(spec, spares)] = ContainerPool(spec, spares)
        return pool


def close_all_pools() -> None:
    """Remove every container this process started. Runs at interpreter exit."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for p in pools:
        p.close()


def _forget_after_fork() -> None:
    # The child must neither use nor remove its parent's containers; it only drops its copies
    # of the sockets, so the parent's dead-man stdin closes when the parent itself goes.
    global _POOLS_LOCK
    _POOLS_LOCK = threading.Lock()
    pools = list(_POOLS.values())
    _POOLS.clear()
    for p in pools:
        p._lock = threading.Lock()
        p._filler = None
        p.forget()


atexit.register(close_all_pools)
os.register_at_fork(after_in_child=_forget_after_fork)
