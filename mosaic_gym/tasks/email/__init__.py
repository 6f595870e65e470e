"""The Email domain's world, checks, injected goals and task families (importing registers them)."""

from . import benign, harmful, injection, privacy  # noqa: F401
