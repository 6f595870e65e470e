"""Shared fixtures."""

from __future__ import annotations

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401 - registers the ids


@pytest.fixture
def fileops():
    env = gym.make("mosaic/FileOps-v0", split="all")
    yield env
    env.close()


def play(env, actions, seed=0, task_id=None):
    """Reset, play ``actions`` until the episode ends; return (observations, final info)."""
    options = {"task_id": task_id} if task_id else None
    obs, info = env.reset(seed=seed, options=options)
    seen = [obs]
    for a in actions:
        obs, reward, term, trunc, info = env.step(a)
        seen.append(obs)
        if term or trunc:
            break
    return seen, info
