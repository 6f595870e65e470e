from . import benign, harmful, injection, privacy  # noqa: F401
