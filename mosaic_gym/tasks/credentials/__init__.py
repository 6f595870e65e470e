"""Credentials-v0 task families (importing this package registers them); the world is in ``world``."""

from . import benign, harmful, injection, privacy  # noqa: F401
