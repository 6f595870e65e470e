"""The same seeded episode gives the same observations and the same outcome on both backends.

Every task family of every available domain (found at collection time, so new domains and
families are covered as they land), several seeds, the oracle and the compliant script, then a
seeded random walk of file-tool calls, most of them wrong, on a few families: identical
observations, invalid-action notes, calls, conversations, outcomes and rewards (DESIGN.md
section 7). Only ``info["tools"]`` may differ: docker adds its docker-only tools (``shell``).
"""

from __future__ import annotations

import json
import random

import gymnasium as gym
import pytest

import mosaic_gym  # noqa: F401
from mosaic_gym.domains import ENV_IDS, available
from mosaic_gym.policies import make_policy
from mosaic_gym.runner import run_episode
from mosaic_gym.tasks.base import families_of
from tests.conftest import TEST_LABELS

pytestmark = pytest.mark.docker

SEEDS = (0, 1, 2)
POLICIES = ("oracle", "comply")


def _cases():
    for name in available():
        gym.make(ENV_IDS[name]).close()  # imports the domain, registering its families
        for fid in sorted(families_of(name)):
            yield pytest.param(name, fid, id=fid)


CASES = list(_cases())


@pytest.fixture(scope="module")
def envs(docker_api):
    made = {}
    for name in available():
        made[name] = (
            gym.make(ENV_IDS[name], split="all"),
            gym.make(ENV_IDS[name], split="all", backend="docker", labels=TEST_LABELS),
        )
    yield made
    for pair in made.values():
        for e in pair:
            e.close()


def assert_same_episode(a, b, where: str) -> None:
    for sa, sb in zip(a.steps, b.steps, strict=False):
        assert sa.observation == sb.observation, f"{where} step {sa.step}: observations differ"
        assert sa.invalid_action == sb.invalid_action, f"{where} step {sa.step}"
        assert sa.calls == sb.calls, f"{where} step {sa.step}: calls differ"
    assert len(a.steps) == len(b.steps), f"{where}: {len(a.steps)} vs {len(b.steps)} steps"
    assert a.messages == b.messages, f"{where}: conversations differ"
    assert a.outcome.model_dump() == b.outcome.model_dump(), f"{where}: outcomes differ"
    assert a.reward == b.reward, where
    assert (a.backend, b.backend) == ("local", "docker")


@pytest.mark.parametrize(("domain", "fid"), CASES)
def test_scripted_episodes_match(envs, domain, fid):
    local, docker = envs[domain]
    for policy in POLICIES:
        for seed in SEEDS:
            options = {"task_id": fid}
            a = run_episode(local, make_policy(policy), seed, options)
            b = run_episode(docker, make_policy(policy), seed, options)
            assert_same_episode(a, b, f"{fid} {policy} seed {seed}")


def _random_calls(rng: random.Random, task_files: list[str], n: int) -> list[dict]:
    homes = [p.replace("/home/user", "~", 1) for p in task_files if p.startswith("/home/user/")]
    dirs = sorted({p.rsplit("/", 1)[0] for p in homes})
    junk = [
        "~",
        "~/nope",
        "../etc/passwd",
        "/etc/shadow",
        "~/new dir/f.txt",
        "",
        "~root",
        "~/a/../b",
    ]
    paths = homes + dirs + junk

    def p() -> str:
        return rng.choice(paths)

    calls = []
    for _ in range(n):
        tool = rng.choice(["list_dir", "read_file", "write_file", "move", "delete", "search_files"])
        if tool == "list_dir":
            args = {"path": p()}
        elif tool == "read_file":
            args = {"path": p()}
        elif tool == "write_file":
            args = {
                "path": p(),
                "content": rng.choice(["x", "ünï\n" * 40, ""]),
                "append": rng.random() < 0.3,
            }
        elif tool == "move":
            args = {"source": p(), "destination": p()}
        elif tool == "delete":
            args = {"path": p(), "recursive": rng.random() < 0.5}
        else:
            args = {"query": rng.choice(["key", "TODO", "a", " ", "password"]), "path": p()}
        if rng.random() < 0.1:
            args = {"bogus": 1}
        calls.append({"name": tool, "arguments": args})
    return calls


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_file_tool_calls_match(envs, seed):
    local, docker = envs["fileops"]
    rng = random.Random(seed)
    fids = sorted(families_of("fileops"))
    for fid in rng.sample(fids, 3):
        local.reset(seed=seed, options={"task_id": fid})
        docker.reset(seed=seed, options={"task_id": fid})
        files = sorted(local.unwrapped.task.files)
        for turn in range(12):
            action = _random_calls(rng, files, rng.randrange(1, 4))
            text = "".join(f"<tool_call>{json.dumps(c)}</tool_call>" for c in action)
            oa, ra, ta, tra, ia = local.step(text)
            ob, rb, tb, trb, ib = docker.step(text)
            where = f"{fid} seed {seed} turn {turn}"
            assert oa == ob, where
            assert (ra, ta, tra, ia.get("invalid_action")) == (
                rb,
                tb,
                trb,
                ib.get("invalid_action"),
            ), where
            if ta or tra:
                break
        if not (ta or tra):
            oa, ra, *_, ia = local.step("done")
            ob, rb, *_, ib = docker.step("done")
            assert ia["outcome"] == ib["outcome"] and ra == rb, fid
        assert local.unwrapped.sandbox.snapshot() == docker.unwrapped.sandbox.snapshot(), fid


def test_only_the_tool_list_differs_and_only_by_docker_only_tools(envs):
    for domain, (local, docker) in envs.items():
        _, li = local.reset(seed=3)
        _, di = docker.reset(seed=3)
        lnames = [t["function"]["name"] for t in li["tools"]]
        dnames = [t["function"]["name"] for t in di["tools"]]
        docker_only = [t.name for t in local.unwrapped.domain.tools if "local" not in t.backends]
        assert sorted(dnames) == sorted(lnames + docker_only), domain
    assert "shell" in [t.name for t in envs["fileops"][0].unwrapped.domain.tools]
