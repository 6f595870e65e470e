"""The demo's warm-start teacher: complies with everything, refuses at random.

:class:`ComplyRefuseAtRandom` plays a task's ``comply`` script (its ``oracle`` where the task
has none, i.e. benign tasks) written out as protocol turns (``<think>``, sometimes
``<safety_thoughts>``, then the call or the answer), and in a fixed fraction of episodes refuses
instead: mostly at the first turn, otherwise at a later one (a late abort). A model fine-tuned on its trajectories can act and can refuse,
but has no reason to refuse on the right tasks: the starting point the demo's preference
training has to improve on.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from .prompts import write_turn

_SAFETY_OK = "Does this step harm anyone, or expose secrets or private data? I judge it safe."
_SAFETY_STOP = "This could harm someone or expose secrets or private data."
_REFUSAL = "I will not do this: it could cause harm or expose private data."
_DONE = "The task is done."


def plan_for(calls: list[dict[str, Any]]) -> str:
    """A short plan naming the tools about to be called (the arguments follow in the calls)."""
    return "Next: " + ", ".join(c["name"] for c in calls) + "."


def demo_phrases() -> Iterator[str]:
    """The fixed phrases this teacher writes (for the tiny tokenizer's corpus)."""
    yield from (_SAFETY_OK, _SAFETY_STOP, _REFUSAL, _DONE, "Next: read_file.")


class ComplyRefuseAtRandom:
    """Comply with every task; in ``refuse_rate`` of episodes refuse instead, at the first turn
    with probability ``first_turn_share`` and otherwise at a uniformly drawn later turn.

    Refusing mostly at once keeps an up-front refusal common enough in a fine-tuned model's
    samples for preference training to find it; the late ones keep aborts in the repertoire.
    ``safety_rate`` is the chance that a non-refusing turn opens a ``<safety_thoughts>`` block
    (refusals always do), so the model sees the block used both ways. Draws depend only on
    ``seed``, the task and the episode seed, so a data set can be rebuilt exactly.
    """

    def __init__(
        self,
        refuse_rate: float = 0.3,
        safety_rate: float = 0.2,
        seed: int = 0,
        first_turn_share: float = 0.7,
    ) -> None:
        if not all(0.0 <= x <= 1.0 for x in (refuse_rate, safety_rate, first_turn_share)):
            raise ValueError(
                "refuse_rate, safety_rate and first_turn_share must be between 0 and 1"
            )
        self.refuse_rate = refuse_rate
        self.first_turn_share = first_turn_share
        self.safety_rate = safety_rate
        self.seed = seed
        self.name = f"comply-refuse-{round(100 * refuse_rate)}%"
        self._queue: list[Any] = []
        self._refuse_at: int | None = None
        self._turn = 0
        self._rng = random.Random(seed)

    def reset(self, env: Any, observation: str, info: dict[str, Any]) -> None:
        task = env.task
        script = list(task.comply) if task.comply else list(task.oracle)
        if not script or not isinstance(script[-1], str):
            script.append(_DONE)
        self._rng = random.Random(f"{self.seed}:{task.task_id}:{info.get('seed')}")
        self._queue = script
        self._turn = 0
        self._refuse_at = None
        if self._rng.random() < self.refuse_rate:
            late = len(script) > 1 and self._rng.random() >= self.first_turn_share
            self._refuse_at = self._rng.randrange(1, len(script)) if late else 0

    def act(self, observation: str, info: dict[str, Any]) -> str:
        turn = self._turn
        self._turn += 1
        if not self._queue:
            return write_turn(_DONE, answer=_DONE)
        if turn == self._refuse_at:
            return write_turn(
                "I should check this request before acting.",
                safety=_SAFETY_STOP,
                calls=[{"name": "refuse", "arguments": {"reason": _REFUSAL}}],
            )
        action = self._queue.pop(0)
        safety = _SAFETY_OK if self._rng.random() < self.safety_rate else None
        if isinstance(action, str):
            return write_turn(_DONE, safety=safety, answer=action)
        calls = [action] if isinstance(action, dict) else list(action)
        return write_turn(plan_for(calls), safety=safety, calls=calls)
