"""Policies and batched rollouts: left-padded batches, token streams and their masks token by
token, vector envs, resumable output, and the OpenAI-compatible endpoint policy."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import gymnasium as gym
import pytest

pytest.importorskip("torch", reason="the learner needs the [learn] extra (torch)")
pytest.importorskip("trl", reason="the learner needs the [learn] extra (trl)")

import mosaic_gym  # noqa: E402,F401
from mosaic_gym.protocol import parse_turn  # noqa: E402
from mosaic_gym.records import read_jsonl  # noqa: E402
from mosaic_gym.runner import run_episode  # noqa: E402
from mosaic_learn.policy import EndpointPolicy, HFPolicy, Sampling  # noqa: E402
from mosaic_learn.prompts import render  # noqa: E402
from mosaic_learn.rollout import BUDGET_STOP_ANSWER, Job, RolloutRunner, make_jobs, run_to_file  # noqa: E402
from mosaic_learn.tiny import build_tiny  # noqa: E402

pytestmark = pytest.mark.learn
ENV = "mosaic/FileOps-v0"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "tiny-test"
    if not (path / "config.json").exists():
        build_tiny(path, preset="test")
    return path


@pytest.fixture(scope="module")
def policy(tiny):
    return HFPolicy(tiny, sampling=Sampling(temperature=1.0, max_new_tokens=24))


def test_batched_generation_matches_one_at_a_time(tiny):
    greedy = HFPolicy(tiny, sampling=Sampling(temperature=0.0, max_new_tokens=12))
    env = gym.make(ENV)
    streams = []
    for seed in range(3):
        _, info = env.reset(seed=seed)
        ids = greedy.prompt_ids(info["messages"], info["tools"])
        streams.append(ids[: len(ids) - 7 * seed])  # different lengths: left padding matters
    batched = greedy.generate(streams)
    for stream, got in zip(streams, batched, strict=True):
        alone = greedy.generate([stream])[0]
        assert got.ids == alone.ids
        assert got.logprobs == pytest.approx(alone.logprobs, abs=1e-4)
        assert len(got.ids) <= 12 and all(lp <= 0 for lp in got.logprobs)
    capped = greedy.generate(streams, [3, 5, 1])
    for g, cap, full in zip(capped, [3, 5, 1], batched, strict=True):
        assert g.ids == full.ids[:cap]  # each stream's own cap, in one batch
        assert len(g.ids) == cap or g.finished


def _runs(ids, mask):
    """Maximal runs of equal mask value: [(value, [ids...]), ...]."""
    out = []
    for i, m in zip(ids, mask, strict=True):
        if out and out[-1][0] == m:
            out[-1][1].append(i)
        else:
            out.append((m, [i]))
    return out


def test_token_stream_masks_tool_tokens(policy):
    jobs = make_jobs([ENV], [0], kinds=["benign", "injection"])[:4]
    with RolloutRunner(policy, num_envs=3, max_steps=3, max_episode_tokens=400) as runner:
        episodes = list(runner.run(jobs))
    assert sorted(Job.of(e).key for e in episodes) == sorted(j.key for j in jobs)
    tok = policy.tokenizer
    for ep in episodes:
        x = ep.extra
        ids, mask, lps = x["completion_ids"], x["completion_mask"], x["logprobs"]
        assert len(ids) == len(mask) == len(lps) and x["generated_tokens"] == sum(mask)
        prompt = render(tok, ep.messages[:2], ep.tools, add_generation_prompt=True)
        assert x["prompt_ids"] == tok(prompt, add_special_tokens=False)["input_ids"]
        assert all(lp == 0.0 for lp, m in zip(lps, mask, strict=True) if not m)
        runs = _runs(ids, mask)
        assert runs[0][0] == 1  # the completion starts with the model's first turn
        # the conversation, turn by turn: model turn, env answer, model turn, ...
        turns = [m for m in ep.messages[2:] if m["role"] == "assistant"]
        if x["stopped"]:
            turns = turns[:-1]  # the runner's fixed closing answer never enters the stream
        generated = [r for v, r in runs if v == 1]
        supplied = [r for v, r in runs if v == 0]
        assert len(generated) == len(turns)
        assert len(supplied) == len(turns) - 1 + (1 if x["stopped"] else 0)
        for k, (run, msg) in enumerate(zip(generated, turns, strict=True)):
            text = tok.decode(run, skip_special_tokens=True)
            assert parse_turn(text).content == msg["content"]  # what the env received
            if k < len(supplied):
                # token by token, the env's answer as the template writes it, and nothing else
                i = ep.messages.index(msg)
                answers = []
                for m in ep.messages[i + 1 :]:
                    if m["role"] != "tool":
                        break
                    answers.append(m["content"])
                closing = "" if run[-1] == policy.turn_end_id else "<|im_end|>"
                expected = (
                    closing
                    + "\n<|im_start|>user\n"
                    + "\n".join(f"<tool_response>\n{a}\n</tool_response>" for a in answers)
                    + "<|im_end|>\n<|im_start|>assistant\n"
                )
                assert tok.decode(supplied[k]) == expected


def test_budget_stop_closes_the_episode_with_a_fixed_answer(policy, monkeypatch):
    from mosaic_learn.policy import Generation

    tok = policy.tokenizer
    call = tok(
        '<tool_call>\n{"name": "list_dir", "arguments": {}}\n</tool_call><|im_end|>',
        add_special_tokens=False,
    )["input_ids"]

    def always_list(self, batch, max_new_tokens=None):  # a model that never stops on its own
        return [
            Generation(
                ids=call,
                logprobs=[0.0] * len(call),
                text=tok.decode(call, skip_special_tokens=True),
                finished=True,
            )
            for _ in batch
        ]

    monkeypatch.setattr(HFPolicy, "generate", always_list)
    jobs = make_jobs([ENV], [0], kinds=["privacy"])[:2]
    with RolloutRunner(policy, num_envs=2, max_steps=15, max_episode_tokens=100) as runner:
        episodes = list(runner.run(jobs))
    for ep in episodes:
        assert ep.extra["stopped"] == "token_budget"
        assert ep.messages[-1] == {"role": "assistant", "content": BUDGET_STOP_ANSWER}
        assert ep.outcome.steps < 15 and not ep.outcome.truncated
        # it stopped at the first turn boundary past the budget, never mid-turn
        ends, total = [], 0
        for value, run in _runs(ep.extra["completion_ids"], ep.extra["completion_mask"]):
            total += len(run)
            if value == 0:
                ends.append(total)
        assert ends[-1] == len(ep.extra["completion_ids"]) >= 100
        assert all(e < 100 for e in ends[:-1])
        assert ep.extra["generated_tokens"] == len(call) * (ep.outcome.steps - 1)


def test_async_vector_env_gives_the_same_greedy_episodes(tiny):
    greedy = HFPolicy(tiny, sampling=Sampling(temperature=0.0, max_new_tokens=16))
    jobs = make_jobs([ENV], [1], kinds=["harmful"])[:3]
    out = {}
    for mode in ("sync", "async"):
        with RolloutRunner(
            greedy, num_envs=2, vectorization=mode, max_steps=2, max_episode_tokens=200
        ) as r:
            out[mode] = {
                Job.of(e).key: (e.messages, e.extra["completion_ids"]) for e in r.run(jobs)
            }
    assert out["sync"] == out["async"]


def test_run_to_file_resumes(policy, tmp_path):
    jobs = make_jobs([ENV], [0], kinds=["harmful"], group_size=2)[:4]
    path = tmp_path / "eps.jsonl"
    with RolloutRunner(policy, num_envs=2, max_steps=2, max_episode_tokens=120) as runner:
        assert run_to_file(runner, jobs[:3], path, progress=False) == (3, 0)
        assert run_to_file(runner, jobs, path, progress=False) == (1, 3)
    eps = list(read_jsonl(path))
    assert sorted(Job.of(e).key for e in eps) == sorted(j.key for j in jobs)
    assert all(e.policy == policy.name for e in eps)


def test_make_jobs_groups_and_rejects_bad_input():
    jobs = make_jobs([ENV], [0, 1], kinds=["harmful"], group_size=3)
    assert len(jobs) % 6 == 0 and [j.index for j in jobs[:3]] == [0, 1, 2]
    assert len({(j.task_id, j.seed) for j in jobs[:3]}) == 1
    test_fams = {j.task_id for j in make_jobs([ENV], [0], split="test")}
    train_fams = {j.task_id for j in make_jobs([ENV], [0], split="train")}
    assert test_fams and not test_fams & train_fams
    with pytest.raises(ValueError, match="kinds"):
        make_jobs([ENV], [0], kinds=["evil"])
    with pytest.raises(ValueError, match="split"):
        make_jobs([ENV], [0], split="dev")
    with pytest.raises(ValueError, match="group_size"):
        make_jobs([ENV], [0], group_size=0)


def test_hf_policy_plays_one_env_through_the_gym_runner(policy):
    env = gym.make(ENV, max_steps=2)
    ep = run_episode(env, policy, 3)
    assert ep.outcome.steps >= 1 and ep.messages[2]["role"] == "assistant"
    with pytest.raises(FileNotFoundError, match="not a saved model"):
        HFPolicy("/nonexistent/model")


class _FakeServer(BaseHTTPRequestHandler):
    requests: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((self.path, self.headers.get("Authorization"), body))
        if len(body["messages"]) == 2:
            msg = {
                "content": "<think>look first</think>",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "list_dir", "arguments": '{"path": "~"}'},
                    }
                ],
            }
        else:
            msg = {"content": "All done.", "tool_calls": None}
        data = json.dumps({"choices": [{"message": msg}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


def test_endpoint_policy_against_a_local_openai_compatible_server():
    server = HTTPServer(("127.0.0.1", 0), _FakeServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        pol = EndpointPolicy(
            url, "served-model", api_key="k", sampling=Sampling(temperature=0.2, max_new_tokens=64)
        )
        jobs = make_jobs([ENV], [0], kinds=["benign"])[:2]
        with RolloutRunner(pol, num_envs=2, max_steps=4) as runner:
            eps = list(runner.run(jobs))
        for ep in eps:
            assert [m["role"] for m in ep.messages] == [
                "system",
                "user",
                "assistant",
                "tool",
                "assistant",
            ]
            assert ep.messages[2]["tool_calls"][0]["function"] == {
                "name": "list_dir",
                "arguments": {"path": "~"},
            }
            assert ep.messages[-1]["content"] == "All done."
            assert "completion_ids" not in ep.extra
        path, auth, body = _FakeServer.requests[-1]
        assert (
            path == "/v1/chat/completions"
            and auth == "Bearer k"
            and body["model"] == "served-model"
        )
        assert body["temperature"] == 0.2 and body["max_tokens"] == 64 and body["tools"]
        tool_msgs = [m for m in body["messages"] if m["role"] == "tool"]
        call_ids = [
            c["id"] for m in body["messages"] if m.get("tool_calls") for c in m["tool_calls"]
        ]
        assert tool_msgs and tool_msgs[0]["tool_call_id"] in call_ids
        with pytest.raises(RuntimeError, match="cannot reach"):
            EndpointPolicy("http://127.0.0.1:9", "m", timeout_s=2).act(
                "", {"messages": [{"role": "user", "content": "hi"}]}
            )
    finally:
        server.shutdown()
    with pytest.raises(ValueError, match="http"):
        EndpointPolicy("localhost:8000", "m")
