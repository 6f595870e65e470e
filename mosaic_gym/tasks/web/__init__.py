"""mosaic/Web-v0 task families and the seeded sites they run on (``sites``, ``pages``)."""

from . import benign, harmful, injection, privacy  # noqa: F401 - registers the families
