"""mosaic/Web-v0 task families and the seeded sites they run on (``sites``, ``pages``)."""

from . import injection  # noqa: F401 - registers the families
