"""Run policies over envs: one episode, or many into a JSONL file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gymnasium as gym

from .policies import Policy
from .records import Episode


def run_episode(
    env: gym.Env, policy: Policy, seed: int, options: dict[str, Any] | None = None
) -> Episode:
    """Play one episode of ``policy`` on ``env`` from ``seed``; return its Episode record."""
    obs, info = env.reset(seed=seed, options=options)
    policy.reset(env.unwrapped, obs, info)
    while True:
        action = policy.act(obs, info)
        obs, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            episode: Episode = info["episode"]
            episode.policy = getattr(policy, "name", None)
            return episode


def run_many(
    env: gym.Env, policy: Policy, seeds: list[int], options: dict[str, Any] | None = None
) -> Iterator[Episode]:
    for s in seeds:
        yield run_episode(env, policy, s, options)
