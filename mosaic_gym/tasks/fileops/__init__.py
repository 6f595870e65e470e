"""FileOps-v0 task families (importing this package registers them)."""

from . import benign, harmful, injection, privacy  # noqa: F401
