"""Shared fixtures."""

from __future__ import annotations

import os
import uuid

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401 - registers the ids
from mosaic_gym.domains import ENV_IDS


@pytest.fixture
def fileops():
    env = gym.make("mosaic/FileOps-v0", split="all")
    yield env
    env.close()


@pytest.fixture(scope="module")
def envs():
    """``envs(domain)``: that domain's env (all splits), made once per test module."""
    made = {}

    def get(domain):
        if domain not in made:
            made[domain] = gym.make(ENV_IDS[domain], split="all")
        return made[domain]

    yield get
    for e in made.values():
        e.close()


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


# --- the docker backend (tests/test_docker_*.py, tests/test_parity.py) ------------------------
REQUIRE_DOCKER = os.environ.get("MOSAIC_REQUIRE_DOCKER") == "1"
# every container the tests start carries this label, so they can check that none is left
TEST_LABELS = {"mosaic.test-run": uuid.uuid4().hex[:12]}


@pytest.fixture(scope="session")
def docker_api():
    """A Docker API client, with the sandbox image built (a lookup when it is up to date).

    Without a daemon the test is skipped with the reason; where MOSAIC_REQUIRE_DOCKER=1 (CI) it
    fails instead, so docker tests cannot silently not run there.
    """
    try:
        from mosaic_gym.sandbox import image
        from mosaic_gym.sandbox.pool import DockerUnavailable, connect

        api = connect(timeout=60)
        image.build(api, image.load_context())
    except (ImportError, DockerUnavailable, ValueError, RuntimeError) as e:
        msg = f"the docker backend cannot be tested here: {e}"
        if REQUIRE_DOCKER:
            pytest.fail(f"{msg} (MOSAIC_REQUIRE_DOCKER=1)")
        pytest.skip(msg)
    return api


def containers_of_this_run(api):
    """Containers (running or not) that this test run started."""
    key, value = next(iter(TEST_LABELS.items()))
    return api.containers(all=True, filters={"label": f"{key}={value}"})
