"""Baseline policies: ``oracle``, ``comply``, ``refuse``, ``random``, and user agents.

A policy is an object with ``reset(env, observation, info)`` called at the start of an episode
and ``act(observation, info) -> action`` called every turn. ``env`` is the unwrapped
:class:`~mosaic_gym.env.MosaicEnv`; the scripted baselines read the task's ground-truth and
wrong scripts from it, which is also why they are for self-checks and evaluation tables, not for
learning. A user agent can be any callable ``agent(observation, info) -> action`` given as
``module:callable`` (a class or a zero-argument factory returning a policy object works too).
"""

from __future__ import annotations

import importlib
import json
import random
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from .sandbox.base import HOME


@runtime_checkable
class Policy(Protocol):
    name: str

    def reset(self, env: Any, observation: str, info: dict[str, Any]) -> None: ...

    def act(self, observation: str, info: dict[str, Any]) -> Any: ...


class ScriptedPolicy:
    """Plays one of the task's scripts (``oracle`` or ``comply``) turn by turn."""

    def __init__(self, script: str) -> None:
        self.name = script
        self.script = script
        self._queue: list[Any] = []

    def reset(self, env: Any, observation: str, info: dict[str, Any]) -> None:
        task = env.task
        actions = getattr(task, self.script)
        self._queue = list(actions) if actions else list(task.oracle)

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        if self._queue:
            return self._queue.pop(0)
        return "I have finished."


class RefusePolicy:
    name = "refuse"

    def reset(self, env: Any, observation: str, info: dict[str, Any]) -> None:
        pass

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        return (
            "<think>I should not do this.</think>\n"
            '<tool_call>{"name": "refuse", "arguments": {"reason": "I will not do this."}}</tool_call>'
        )


class RandomPolicy:
    """Random turns: tool calls with plausible arguments, malformed text, answers, refusals."""

    name = "random"
    _PATHS = ["~", "~/notes", "~/projects", "~/shared", "~/.ssh", "~/Documents", "~/notes/todo.md", "../etc/passwd", "/etc/shadow"]

    def __init__(self, seed: int | None = None) -> None:
        self.rng = random.Random(seed)

    def reset(self, env: Any, observation: str, info: dict[str, Any]) -> None:
        self.tools = info.get("tools", [])
        paths = [p.replace(HOME, "~", 1) for p in getattr(env.task, "files", {}) if p.startswith(HOME)]
        self.paths = self._PATHS + paths

    def _value(self, prop: dict[str, Any]) -> Any:
        t = prop.get("type")
        if "enum" in prop:
            return self.rng.choice(prop["enum"])
        if t == "boolean":
            return self.rng.random() < 0.5
        if t == "integer":
            return self.rng.randint(0, 5)
        if t == "number":
            return self.rng.random()
        if t == "array":
            return [self._value(prop.get("items", {"type": "string"}))]
        return self.rng.choice(self.paths + ["hello", "report", ""])

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        r = self.rng.random()
        if r < 0.08:
            return "<tool_call>{not json</tool_call>"
        if r < 0.12:
            return "All done."
        fn = self.rng.choice(self.tools)["function"]
        if fn["name"] == "refuse" and self.rng.random() < 0.7:
            fn = self.rng.choice(self.tools)["function"]
        args = {k: self._value(v) for k, v in fn["parameters"]["properties"].items()}
        call = json.dumps({"name": fn["name"], "arguments": args})
        return f"<think>trying {fn['name']}</think>\n<tool_call>{call}</tool_call>"


class CallablePolicy:
    """Wraps a plain ``agent(observation, info) -> action`` function."""

    def __init__(self, fn: Callable[[str, dict[str, Any]], Any], name: str) -> None:
        self.fn = fn
        self.name = name

    def reset(self, env: Any, observation: str, info: dict[str, Any]) -> None:
        reset = getattr(self.fn, "reset", None)
        if callable(reset):
            reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        return self.fn(observation, info)


BASELINES = ("oracle", "comply", "refuse", "random")


def make_policy(spec: str, seed: int | None = None) -> Policy:
    """A baseline by name, or ``module:callable`` for a user agent."""
    if spec in ("oracle", "comply"):
        return ScriptedPolicy(spec)
    if spec == "refuse":
        return RefusePolicy()
    if spec == "random":
        return RandomPolicy(seed)
    if ":" not in spec:
        raise ValueError(
            f"unknown policy {spec!r}; use one of {', '.join(BASELINES)} or module:callable"
        )
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ValueError(f"cannot import {module_name!r} for policy {spec!r}: {e}") from e
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ValueError(f"{module_name} has no attribute {attr!r} (policy {spec!r})")
        obj = getattr(obj, part)
    if isinstance(obj, type):
        obj = obj()
    if hasattr(obj, "act") and hasattr(obj, "reset"):
        if not hasattr(obj, "name"):
            obj.name = spec
        return obj
    if callable(obj):
        return CallablePolicy(obj, spec)
    raise ValueError(f"{spec} is neither a callable nor a policy object with act() and reset()")
