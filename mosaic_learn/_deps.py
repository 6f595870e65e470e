"""A clear error when the learner's optional dependencies are missing."""

from __future__ import annotations

import importlib.util

_NEEDED = ("torch", "transformers", "trl", "datasets", "accelerate", "tokenizers")


def missing() -> list[str]:
    """The learner's dependencies that are not importable here."""
    return [m for m in _NEEDED if importlib.util.find_spec(m) is None]


def require_learn() -> None:
    """Raise ImportError naming what to install when the ``[learn]`` extra is not installed."""
    gone = missing()
    if gone:
        raise ImportError(
            f"mosaic_learn needs {', '.join(gone)}; install the learner with "
            "pip install 'mosaic-safety[learn]'"
        )
