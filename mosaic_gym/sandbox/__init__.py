"""Sandbox backends: one primitive interface (``base``), an in-process world (``local``)."""

from .base import (
    HOME,
    AlreadyExists,
    Entry,
    IsADirectory,
    NotADirectory,
    NotFound,
    OutsideSandbox,
    Sandbox,
    SandboxError,
    display_path,
    resolve_user_path,
)
from .local import LocalSandbox

__all__ = [
    "HOME",
    "AlreadyExists",
    "Entry",
    "IsADirectory",
    "LocalSandbox",
    "NotADirectory",
    "NotFound",
    "OutsideSandbox",
    "Sandbox",
    "SandboxError",
    "display_path",
    "resolve_user_path",
]


def make_sandbox(backend: str, **options: object) -> Sandbox:
    """Build the sandbox for ``backend`` ("local" or "docker")."""
    if backend == "local":
        if options:
            raise TypeError(f"the local backend takes no options, got {sorted(options)}")
        return LocalSandbox()
    if backend == "docker":
        try:
            from .docker import DockerSandbox  # noqa: PLC0415 - optional dependency
        except ImportError as e:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "backend='docker' needs the docker extra and its backend module: "
                "pip install 'mosaic-safety[docker]'"
            ) from e
        return DockerSandbox(**options)
    raise ValueError(f"unknown backend {backend!r}; use 'local' (default) or 'docker'")
