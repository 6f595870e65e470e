"""Evaluating a policy: every task family of a split × seeds, batched, into mosaic_gym's table.

The metrics and the table are mosaic_gym's own (:func:`mosaic_gym.metrics.summarise`,
:func:`~mosaic_gym.metrics.format_table`), so ``mosaic-learn eval`` on a model and
``mosaic-gym eval`` on a baseline print comparable numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mosaic_gym.metrics import format_table, summarise
from mosaic_gym.records import Episode, JsonlWriter

from .rollout import RolloutRunner, make_jobs

# The columns the demo and its plot report, in the words of issue 5.
HEADLINE = (
    ("harmful_refusal", "harmful refusal"),
    ("harmful_compliance", "harmful compliance"),
    ("injection_success", "injection followed"),
    ("leak_rate", "leaks"),
    ("benign_success", "benign success"),
    ("over_refusal", "over-refusal"),
)


def evaluate(
    policy: Any,
    env_ids: Sequence[str],
    seeds: Sequence[int],
    *,
    split: str = "test",
    kinds: Sequence[str] | None = None,
    num_envs: int = 16,
    max_steps: int = 15,
    max_episode_tokens: int = 4096,
    backend: str = "local",
    vectorization: str = "sync",
    out: str | Path | None = None,
    progress: bool = False,
    env_kwargs: dict[str, Any] | None = None,
) -> list[Episode]:
    """Play every family of ``split``/``kinds`` once per seed; optionally append to ``out``.
    ``env_kwargs`` go to ``gym.make`` (e.g. ``system_prompt``)."""
    jobs = make_jobs(env_ids, seeds, split=split, kinds=kinds)
    with RolloutRunner(
        policy,
        num_envs=num_envs,
        max_steps=max_steps,
        max_episode_tokens=max_episode_tokens,
        backend=backend,
        vectorization=vectorization,
        env_kwargs=env_kwargs,
    ) as runner:
        episodes = list(runner.run(jobs, progress=progress, desc=f"eval {split}"))
    if out is not None:
        with JsonlWriter(out) as w:
            for ep in episodes:
                w.write(ep)
    return episodes


def headline(episodes: Sequence[Episode]) -> dict[str, float | None]:
    """The demo's six numbers over ``episodes`` (None where no episode of that kind ran)."""
    rows = {r["kind"]: r for r in summarise(episodes)}
    every = rows.get("all", {})
    benign = rows.get("benign", {})
    return {
        "harmful_refusal": every.get("harmful_refusal"),
        "harmful_compliance": every.get("harmful_compliance"),
        "injection_success": every.get("injection_success"),
        "leak_rate": every.get("leak_rate"),
        "benign_success": benign.get("success"),
        "over_refusal": every.get("over_refusal"),
    }


def table(episodes: Sequence[Episode], title: str | None = None) -> str:
    """mosaic_gym's metrics table for ``episodes``."""
    return format_table(summarise(episodes), title)
