"""mosaic_gym: multi-step tool-use tasks where an agent must learn when to act and when to refuse.

``import mosaic_gym`` registers the ``mosaic/*`` ids with gymnasium::

    env = gymnasium.make("mosaic/FileOps-v0")
"""

from __future__ import annotations

__version__ = "0.1.0"

import gymnasium as _gym

from .domains import ENV_IDS
from .domains import available as _available


def _register() -> None:
    for name in _available():
        env_id = ENV_IDS[name]
        if env_id not in _gym.registry:
            _gym.register(
                id=env_id,
                entry_point="mosaic_gym.env:MosaicEnv",
                kwargs={"domain": name},
                disable_env_checker=False,
            )


_register()

from .env import MosaicEnv  # noqa: E402
from .records import Episode, EpisodePair, JsonlWriter, read_jsonl, write_jsonl  # noqa: E402

__all__ = [
    "ENV_IDS",
    "Episode",
    "EpisodePair",
    "JsonlWriter",
    "MosaicEnv",
    "__version__",
    "read_jsonl",
    "write_jsonl",
]
