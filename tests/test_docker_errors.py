"""What a user reads when the docker backend cannot work: what happened and what to do."""

from __future__ import annotations

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.sandbox.pool import DockerUnavailable
from tests.conftest import TEST_LABELS

pytest.importorskip("docker", reason="the docker extra is not installed")


def test_no_daemon_names_the_host_and_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-daemon.sock")
    with pytest.raises(DockerUnavailable) as e:
        gym.make("mosaic/FileOps-v0", backend="docker")
    msg = str(e.value)
    assert "no-daemon.sock" in msg and "DOCKER_HOST" in msg and "sandbox doctor" in msg


def test_bad_options_are_refused_by_name():
    with pytest.raises(ValueError, match="memry_mb"):
        gym.make("mosaic/FileOps-v0", backend="docker", memry_mb=512)


@pytest.mark.docker
def test_a_missing_image_says_to_build_it(docker_api):
    with pytest.raises(DockerUnavailable, match="mosaic-gym sandbox build"):
        gym.make(
            "mosaic/FileOps-v0",
            backend="docker",
            image="mosaic-sandbox:does-not-exist",
            labels=TEST_LABELS,
        )


@pytest.mark.docker
def test_limits_the_daemon_refuses_are_reported(docker_api):
    cpus = docker_api.info()["NCPU"] + 1  # more CPUs than the daemon's machine has
    if cpus > 64:
        pytest.skip("the daemon's machine has more CPUs than the option allows")
    env = gym.make(
        "mosaic/FileOps-v0", backend="docker", cpus=float(cpus), spares=0, labels=TEST_LABELS
    )
    try:
        with pytest.raises(DockerUnavailable, match="refused to create a sandbox container"):
            env.reset(seed=0)
    finally:
        env.close()
