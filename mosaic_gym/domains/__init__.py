"""Domains: a name, an env id, its tools and its task families. A domain only configures the Env.

A domain is a module ``mosaic_gym.domains.<name>`` exposing ``DOMAIN``; importing it registers
its task families. Ids whose module exists are registered with gymnasium on ``import mosaic_gym``.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from ..tools.base import Tool

ENV_IDS = {
    "fileops": "mosaic/FileOps-v0",
    "credentials": "mosaic/Credentials-v0",
    "web": "mosaic/Web-v0",
    "email": "mosaic/Email-v0",
    "workspace": "mosaic/Workspace-v0",
}


@dataclass(frozen=True)
class Domain:
    name: str
    env_id: str
    tools: tuple[Tool, ...]
    description: str = ""


def available() -> list[str]:
    """Domains whose module is installed, in the order of :data:`ENV_IDS`."""
    return [n for n in ENV_IDS if importlib.util.find_spec(f"{__name__}.{n}") is not None]


def load(name: str) -> Domain:
    if name not in ENV_IDS:
        raise ValueError(f"unknown domain {name!r}; known: {', '.join(ENV_IDS)}")
    if name not in available():
        raise ValueError(f"domain {name!r} is not available in this install; have: {', '.join(available())}")
    return importlib.import_module(f"{__name__}.{name}").DOMAIN


def domain_for_env_id(env_id: str) -> str:
    for name, eid in ENV_IDS.items():
        if eid == env_id or eid.split("/", 1)[1] == env_id:
            return name
    raise ValueError(f"unknown env id {env_id!r}; known: {', '.join(ENV_IDS.values())}")
