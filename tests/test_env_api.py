"""The Env as third-party RL code sees it: gym.make, check_env, vector envs, wrappers."""

from __future__ import annotations

import gc
import weakref

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import mosaic_gym
from mosaic_gym.env import MosaicEnv
from tests.conftest import play

TID_BENIGN = "fileops.benign.clean_build_artifacts"
TID_HARMFUL = "fileops.harmful.wipe_colleague_project"


def test_make_with_no_arguments_and_check_env():
    env = gym.make("mosaic/FileOps-v0")
    assert isinstance(env.unwrapped, MosaicEnv)
    check_env(env.unwrapped)
    obs, info = env.reset(seed=1)
    assert isinstance(obs, str) and obs
    for key in ("tools", "messages", "task_id", "kind", "seed"):
        assert key in info
    assert [m["role"] for m in info["messages"]] == ["system", "user"]
    assert any(t["function"]["name"] == "refuse" for t in info["tools"])
    env.close()


def test_same_seed_same_task_and_world():
    a = gym.make("mosaic/FileOps-v0", split="all")
    b = gym.make("mosaic/FileOps-v0", split="all")
    for seed in (0, 5, 99):
        oa, ia = a.reset(seed=seed)
        ob, ib = b.reset(seed=seed)
        assert oa == ob and ia["task_id"] == ib["task_id"]
        assert a.unwrapped.sandbox.snapshot() == b.unwrapped.sandbox.snapshot()
    # seeds pick different tasks
    ids = {a.reset(seed=s)[1]["task_id"] for s in range(600)}
    assert len(ids) == len(a.unwrapped.families)


def test_reset_without_seed_is_reproducible_after_seeding():
    env = gym.make("mosaic/FileOps-v0")
    env.reset(seed=3)
    first = [env.reset()[1]["seed"] for _ in range(3)]
    env.reset(seed=3)
    assert [env.reset()[1]["seed"] for _ in range(3)] == first


def test_kinds_and_split_filter():
    env = gym.make("mosaic/FileOps-v0", kinds=["harmful"])
    assert {env.reset(seed=s)[1]["kind"] for s in range(10)} == {"harmful"}
    with pytest.raises(ValueError, match="kinds"):
        gym.make("mosaic/FileOps-v0", kinds=["evil"])
    with pytest.raises(ValueError, match="split"):
        gym.make("mosaic/FileOps-v0", split="dev")
    with pytest.raises(ValueError, match="backend"):
        gym.make("mosaic/FileOps-v0", backend="vm")


def test_bad_reset_options_raise_clear_errors(fileops):
    with pytest.raises(ValueError, match="unknown task_id"):
        fileops.reset(seed=0, options={"task_id": "fileops.benign.nope"})
    with pytest.raises(ValueError, match="unknown reset options"):
        fileops.reset(seed=0, options={"tsak_id": TID_BENIGN})
    with pytest.raises(ValueError, match="unknown attack"):
        fileops.reset(
            seed=0,
            options={"task_id": "fileops.injection.summarise_meeting_notes", "attack": "nope"},
        )


def test_step_before_reset_raises():
    env = MosaicEnv()
    with pytest.raises(RuntimeError, match="reset"):
        env.step("hi")


def test_tool_call_then_answer(fileops):
    seen, info = play(
        fileops,
        [
            '<think>look</think><tool_call>{"name": "list_dir", "arguments": {"path": "~/projects"}}</tool_call>',
            "Done.",
        ],
        task_id=TID_BENIGN,
    )
    assert seen[1].startswith("<tool_response>\n~/projects:") and seen[1].endswith(
        "</tool_response>"
    )
    assert "outcome" in info and info["episode"].steps[-1].answer == "Done."
    roles = [m["role"] for m in info["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant"]
    assert info["messages"][2]["tool_calls"][0]["function"] == {
        "name": "list_dir",
        "arguments": {"path": "~/projects"},
    }


def test_invalid_action_is_an_observation_and_the_episode_goes_on(fileops):
    fileops.reset(seed=0)
    obs, r, term, trunc, info = fileops.step(
        '<tool_call>{"name": "rm_rf", "arguments": {}}</tool_call>'
    )
    assert not term and not trunc and r == 0.0
    assert "unknown tool 'rm_rf'" in info["invalid_action"] and "error" in obs
    obs, r, term, trunc, info = fileops.step({"name": "read_file", "arguments": {"path": 5}})
    assert "bad arguments for read_file" in info["invalid_action"]
    obs, *_, info = fileops.step({"name": "read_file", "arguments": {"path": "~/nope"}})
    assert "invalid_action" not in info and "error: ~/nope does not exist" in obs


def test_a_malformed_call_in_a_turn_runs_nothing(fileops):
    fileops.reset(seed=0, options={"task_id": TID_BENIGN})
    before = fileops.unwrapped.sandbox.snapshot()
    fileops.step(
        [{"name": "delete", "arguments": {"path": "~/notes", "recursive": True}}, {"name": "nope"}]
    )
    assert fileops.unwrapped.sandbox.snapshot() == before


def test_refuse_is_terminal_and_later_calls_do_not_run(fileops):
    fileops.reset(seed=0, options={"task_id": TID_HARMFUL})
    before = fileops.unwrapped.sandbox.snapshot()
    obs, r, term, trunc, info = fileops.step(
        [
            {"name": "refuse", "arguments": {"reason": "no"}},
            {"name": "delete", "arguments": {"path": "~/notes", "recursive": True}},
        ]
    )
    assert term and r == 1.0 and info["outcome"]["refused"] and "not run" in obs
    assert fileops.unwrapped.sandbox.snapshot() == before
    obs, r, term, trunc, info = fileops.step("again")
    assert term and "episode is over" in info["invalid_action"]


def test_truncation_at_max_steps():
    env = gym.make("mosaic/FileOps-v0", max_steps=3)
    env.reset(seed=0)
    for _i in range(3):
        obs, r, term, trunc, info = env.step({"name": "list_dir", "arguments": {}})
    assert trunc and not term and info["outcome"]["truncated"]


def test_output_budget_truncates_with_notice():
    env = gym.make("mosaic/FileOps-v0", output_budget=300, split="all")
    env.reset(seed=0)
    env.step({"name": "write_file", "arguments": {"path": "~/big.txt", "content": "é" * 5000}})
    obs, *_ = env.step({"name": "read_file", "arguments": {"path": "~/big.txt"}})
    assert "[output truncated: showing" in obs and "of 10000 bytes]" in obs


def test_reward_fn_replaces_the_reward():
    env = gym.make("mosaic/FileOps-v0", reward_fn=lambda o: 42.0 if o["refused"] else -7.0)
    env.reset(seed=0)
    _, r, *_ = env.step({"name": "refuse", "arguments": {"reason": "x"}})
    assert r == 42.0


def test_render_ansi_is_the_conversation():
    env = gym.make("mosaic/FileOps-v0", render_mode="ansi")
    obs, _ = env.reset(seed=0)
    env.step({"name": "list_dir", "arguments": {}})
    text = env.render()
    assert "[system]" in text and obs in text and "[tool:list_dir]" in text


def test_close_and_garbage_collection_release_the_sandbox():
    env = MosaicEnv()
    env.reset(seed=0)
    sb = env.sandbox
    env.close()
    assert sb.snapshot() == {}
    env2 = MosaicEnv()
    env2.reset(seed=0)
    sb2, ref = env2.sandbox, weakref.ref(env2)
    del env2
    gc.collect()
    assert ref() is None and sb2.snapshot() == {}


def _episode_actions(n):
    return [{"name": "list_dir", "arguments": {}}] * n + ["done"]


@pytest.mark.parametrize("vector_cls", [gym.vector.SyncVectorEnv, gym.vector.AsyncVectorEnv])
def test_vector_envs_run_whole_episodes(vector_cls):
    fns = [lambda: gym.make("mosaic/FileOps-v0") for _ in range(3)]
    venv = (
        vector_cls(fns)
        if vector_cls is gym.vector.SyncVectorEnv
        else vector_cls(fns, shared_memory=True)
    )
    try:
        obs, info = venv.reset(seed=[10, 11, 12])
        assert len(obs) == 3 and all(isinstance(o, str) and o for o in obs)
        finished = [False] * 3
        for action in [
            '<tool_call>{"name": "list_dir", "arguments": {}}</tool_call>',
            "<think>x</think>é 日本 🙂 done",
        ]:
            obs, rew, term, trunc, info = venv.step([action] * 3)
            for i, t in enumerate(term):
                finished[i] |= bool(t)
        assert all(finished)
        # gymnasium stacks dict infos per key, with a mask of the envs that set it
        assert list(info["outcome"]["kind"]) and all(info["_outcome"])
        assert all(
            k in ("benign", "harmful", "injection", "privacy") for k in info["outcome"]["kind"]
        )
        obs, rew, term, trunc, info = venv.step(["x"] * 3)  # the autoreset step
        assert not any(term)
        obs, rew, term, trunc, info = venv.step(
            ['<tool_call>{"name": "list_dir", "arguments": {}}</tool_call>'] * 3
        )
        assert all("<tool_response>" in o for o in obs)
    finally:
        venv.close()


def test_record_episode_statistics_with_another_key():
    env = gym.wrappers.RecordEpisodeStatistics(
        gym.make("mosaic/FileOps-v0"), stats_key="episode_stats"
    )
    env.reset(seed=0)
    *_, info = env.step("done")
    assert "episode_stats" in info and "episode" in info


def test_version_and_registration():
    assert mosaic_gym.__version__
    assert "mosaic/FileOps-v0" in gym.registry


@pytest.mark.parametrize(
    "env_id",
    [
        mosaic_gym.ENV_IDS[n]
        for n in __import__("mosaic_gym.domains", fromlist=["available"]).available()
    ],
)
def test_every_env_makes_with_defaults_and_passes_check_env(env_id):
    env = gym.make(env_id)
    check_env(env.unwrapped)
    obs, info = env.reset(seed=0)
    assert obs and info["env_id"] == env_id
    names = {t["function"]["name"] for t in info["tools"]}
    assert "refuse" in names and "shell" not in names  # shell exists on docker only
    env.close()


def test_repeated_task_and_seed_reuses_the_built_instance_but_episodes_stay_independent(fileops):
    fileops.reset(seed=4, options={"task_id": TID_BENIGN})
    first = fileops.unwrapped.task
    fileops.step({"name": "delete", "arguments": {"path": "~/notes", "recursive": True}})
    fileops.reset(seed=4, options={"task_id": TID_BENIGN})
    assert fileops.unwrapped.task is first  # built once
    assert fileops.unwrapped.sandbox.snapshot() == first.files  # the world is pristine again
    fileops.reset(seed=5, options={"task_id": TID_BENIGN})
    assert fileops.unwrapped.task is not first


def test_system_prompt_is_configurable():
    from mosaic_gym.prompts import SHORT_SYSTEM_PROMPT, SYSTEM_PROMPT

    for prompt in (SHORT_SYSTEM_PROMPT, "Be brief."):
        env = gym.make("mosaic/FileOps-v0", system_prompt=prompt)
        _, info = env.reset(seed=0)
        assert info["messages"][0] == {"role": "system", "content": prompt}
        env.close()
    _, info = gym.make("mosaic/FileOps-v0").reset(seed=0)
    assert info["messages"][0]["content"] == SYSTEM_PROMPT
    # the short form states the same protocol
    for needle in ("<think>", "<safety_thoughts>", "<tool_call>", "refuse", "final answer"):
        assert needle in SHORT_SYSTEM_PROMPT and needle in SYSTEM_PROMPT
