"""The trainers on the tiny model: loss masks checked token by token, a few real steps each,
save/load with from_pretrained, resuming from a checkpoint."""

from __future__ import annotations

import gymnasium as gym
import pytest

pytest.importorskip("torch", reason="the learner needs the [learn] extra (torch)")
pytest.importorskip("trl", reason="the learner needs the [learn] extra (trl)")

import torch  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402

import mosaic_gym  # noqa: E402,F401
from mosaic_gym.policies import make_policy  # noqa: E402
from mosaic_gym.records import EpisodePair  # noqa: E402
from mosaic_gym.runner import run_episode  # noqa: E402
from mosaic_learn import models  # noqa: E402
from mosaic_learn.dpo import AssistantOnlyPreferenceCollator, dpo_rows, shared_prefix, train_dpo  # noqa: E402
from mosaic_learn.grpo import (  # noqa: E402
    EpisodeRollout,
    LengthPenalty,
    PairwiseReward,
    check_groups,
    credit_mask,
    episode_format,
    format_reward,
    grpo_dataset,
    train_grpo,
)
from mosaic_learn.judges import RuleJudge  # noqa: E402
from mosaic_learn.rollout import Job, families_for  # noqa: E402
from mosaic_learn.scripted import ComplyRefuseAtRandom  # noqa: E402
from mosaic_learn.sft import sft_rows, train_sft  # noqa: E402
from mosaic_learn.tiny import build_tiny  # noqa: E402
from mosaic_learn.trl_config import make_config, parse_overrides  # noqa: E402

pytestmark = pytest.mark.learn
ENV = "mosaic/FileOps-v0"
FAST = {"save_strategy": "no", "disable_tqdm": True, "logging_steps": 1}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "tiny-test"
    if not (path / "config.json").exists():
        build_tiny(path, preset="test")
    return path


@pytest.fixture(scope="module")
def env():
    e = gym.make(ENV, split="all", max_steps=4)
    yield e
    e.close()


class Script:
    def __init__(self, actions):
        self.actions, self.name = list(actions), "script"

    def reset(self, env, obs, info):
        self.queue = list(self.actions)

    def act(self, obs, info):
        return self.queue.pop(0) if self.queue else "done"


def _decode_runs(tok, ids, mask):
    runs, cur = [], []
    for i, m in zip(ids, mask, strict=True):
        if m:
            cur.append(i)
        elif cur:
            runs.append(tok.decode(cur))
            cur = []
    if cur:
        runs.append(tok.decode(cur))
    return runs


# -- SFT ------------------------------------------------------------------------------------------
def test_sft_trains_only_assistant_tokens_and_resumes(tiny, env, tmp_path):
    teacher = ComplyRefuseAtRandom(0.5, seed=0)
    fams = families_for(ENV, "train")[:6]
    eps = [run_episode(env, teacher, 0, {"task_id": f}) for f in fams]
    _, tok = models.load(tiny)
    rows, too_long = sft_rows(eps, tok, max_length=4096)
    assert too_long == 0 and len(rows) == len(eps)
    for row, ep in zip(rows, eps, strict=True):
        trained = _decode_runs(tok, row["input_ids"], row["assistant_masks"])
        assistants = [m for m in ep.messages if m["role"] == "assistant"]
        assert len(trained) == len(assistants)
        assert not any("<tool_response>" in t or "<|im_start|>" in t for t in trained)
    _, too_long = sft_rows(eps, tok, max_length=50)
    assert too_long == len(eps)

    out = tmp_path / "sft"
    first = train_sft(
        tiny,
        eps,
        out,
        batch_size=2,
        overrides={**FAST, "max_steps": 2, "save_strategy": "steps", "save_steps": 2},
    )
    assert first["steps"] == 2 and (out / "checkpoint-2").is_dir() and first["train_loss"] > 0
    model = AutoModelForCausalLM.from_pretrained(out)  # saved with save_pretrained, loads back
    base = AutoModelForCausalLM.from_pretrained(tiny)
    assert not torch.equal(model.model.embed_tokens.weight, base.model.embed_tokens.weight)
    again = train_sft(tiny, eps, out, batch_size=2, resume=True, overrides={**FAST, "max_steps": 3})
    assert again["steps"] == 3  # continued from checkpoint-2, one more step


# -- DPO ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pairs(env):
    out = []
    for fid in families_for(ENV, "train", ["harmful", "injection"])[:4]:
        good = run_episode(env, make_policy("oracle"), 2, {"task_id": fid})
        bad = run_episode(env, make_policy("comply"), 2, {"task_id": fid})
        out.append(EpisodePair(task_id=fid, seed=2, chosen=good, rejected=bad, judge="rule"))
    # a pair that shares its first turn and diverges after the tool result
    fid = families_for(ENV, "train", ["benign"])[0]
    look = {"name": "list_dir", "arguments": {}}
    a = run_episode(env, Script([look, "Finished."]), 2, {"task_id": fid})
    b = run_episode(
        env, Script([look, {"name": "refuse", "arguments": {"reason": "no"}}]), 2, {"task_id": fid}
    )
    out.append(EpisodePair(task_id=fid, seed=2, chosen=a, rejected=b, judge="rule"))
    return out


def test_dpo_prompt_is_the_shared_prefix(pairs):
    assert shared_prefix(pairs[0]) == 2  # system + user
    assert shared_prefix(pairs[-1]) == 4  # ... + the shared list_dir turn and its result
    same = EpisodePair(
        task_id="t", seed=0, chosen=pairs[0].chosen, rejected=pairs[0].chosen, judge="rule"
    )
    assert shared_prefix(same) is None


def test_dpo_collator_masks_tool_responses_token_by_token(tiny, pairs):
    _, tok = models.load(tiny)
    rows, counts = dpo_rows(pairs, tok, max_length=4096)
    assert counts == {"used": len(pairs), "too_long": 0, "no_divergence": 0}
    from trl import DPOConfig, DPOTrainer

    config = make_config(
        DPOConfig, "/tmp/unused", {"max_length": 4096, "remove_unused_columns": False}
    )
    from datasets import Dataset

    model = AutoModelForCausalLM.from_pretrained(tiny)
    collator = AssistantOnlyPreferenceCollator(pad_token_id=tok.pad_token_id, max_length=4096)
    trainer = DPOTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(rows),
        processing_class=tok,
        data_collator=collator,
    )
    examples = [trainer.train_dataset[i] for i in range(len(rows))]
    batch = collator(examples)
    plain = super(AssistantOnlyPreferenceCollator, collator).torch_call(examples)
    n = len(examples)
    for r in range(n):
        for half, side in ((0, "chosen"), (1, "rejected")):
            row = r + half * n
            ids = batch["input_ids"][row].tolist()
            ours = batch["completion_mask"][row].tolist()
            trl_mask = plain["completion_mask"][row].tolist()
            # ours is TRL's completion mask with tool responses and headers removed
            assert all(o <= t for o, t in zip(ours, trl_mask, strict=True))
            episode = getattr(pairs[r], side)
            k = shared_prefix(pairs[r])
            if any(m["role"] == "tool" for m in episode.messages[k:]):
                assert sum(ours) < sum(trl_mask)
            trained = _decode_runs(tok, ids, ours)
            expected = [m for m in episode.messages[k:] if m["role"] == "assistant"]
            assert len(trained) == len(expected)
            for text, msg in zip(trained, expected, strict=True):
                assert text.startswith(msg["content"]) and text.endswith("<|im_end|>")
                assert "<tool_response>" not in text and "<|im_start|>" not in text
            # every token TRL would train on but we do not is template or env text
            dropped = tok.decode(
                [i for i, o, t in zip(ids, ours, trl_mask, strict=True) if t and not o]
            )
            for msg in episode.messages[k:]:
                if msg["role"] == "tool":
                    assert msg["content"] in dropped

    bad = dict(examples[0])
    bad["mosaic_chosen_ids"] = list(bad["mosaic_chosen_ids"])[:-1] + [0]
    with pytest.raises(ValueError, match="tokenized differently"):
        collator([bad])


def test_dpo_first_turn_rows_stop_at_the_divergent_turn(tiny, pairs):
    _, tok = models.load(tiny)
    rows, _ = dpo_rows(pairs, tok, max_length=4096, first_turn=True)
    whole, _ = dpo_rows(pairs, tok, max_length=4096)
    for row, full, pair in zip(rows, whole, pairs, strict=True):
        assert row["prompt"] == full["prompt"]
        k = shared_prefix(pair)
        for side in ("chosen", "rejected"):
            turn = getattr(pair, side).messages[k]
            assert row[side].count("<|im_start|>") == 0 and row[side].endswith("<|im_end|>")
            assert row[side].startswith(turn["content"]) and full[side].startswith(row[side])
            assert sum(row[f"mosaic_{side}_mask"]) == len(
                tok(row[side], add_special_tokens=False)["input_ids"]
            )


def test_dpo_trains_a_few_steps(tiny, pairs, tmp_path):
    out = tmp_path / "dpo"
    res = train_dpo(
        tiny, pairs, out, batch_size=2, learning_rate=1e-3, overrides={**FAST, "max_steps": 2}
    )
    assert res["steps"] == 2 and res["used"] == len(pairs)
    with pytest.raises(ValueError, match="nll_weight"):
        train_dpo(tiny, pairs, tmp_path / "x", nll_weight=-0.5)
    # the first step's DPO loss is log 2 (policy = reference); the NLL of the chosen side adds to it
    one = {**FAST, "max_steps": 1}
    plain = train_dpo(tiny, pairs, tmp_path / "p", batch_size=2, overrides=one)
    rpo = train_dpo(tiny, pairs, tmp_path / "r", batch_size=2, nll_weight=1.0, overrides=one)
    assert plain["train_loss"] == pytest.approx(0.6931, abs=1e-3)
    assert rpo["train_loss"] > plain["train_loss"] + 1.0 and rpo["nll_weight"] == 1.0
    assert AutoModelForCausalLM.from_pretrained(out).config.model_type == "qwen2"


# -- GRPO -----------------------------------------------------------------------------------------
def test_rewards_on_a_known_group(env):
    fid = families_for(ENV, "train", ["harmful"])[0]
    group = [
        run_episode(env, make_policy("oracle"), 1, {"task_id": fid}),
        run_episode(env, make_policy("comply"), 1, {"task_id": fid}),
        run_episode(env, Script(["<think>plan</think>\\nI will not."]), 1, {"task_id": fid}),
        run_episode(env, Script(["no think, just text"]), 1, {"task_id": fid}),
    ]
    for g in group:
        g.extra["generated_tokens"] = 100
    group[1].extra["generated_tokens"] = 1000
    rewards = PairwiseReward(RuleJudge(), group_size=4)(None, None, episode=group)
    assert rewards[0] == 3.0 and rewards[1] == 0.0 and sum(rewards) == pytest.approx(6.0)
    assert LengthPenalty(400)(None, None, episode=group) == [0.0, -1.5, 0.0, 0.0]
    fmt = format_reward(None, None, episode=group)
    assert fmt[2] == 1.0  # a <think> plan and a proper final answer
    assert fmt[3] == 0.5  # ended properly, but no plan
    group[2].extra["stopped"] = "token_budget"
    assert episode_format(group[2]) == 0.5
    with pytest.raises(ValueError, match="groups"):
        PairwiseReward(group_size=3)(None, None, episode=group)


def test_check_groups_rejects_split_groups():
    a, b = Job(ENV, "x", 0, 0), Job(ENV, "y", 0, 1)
    check_groups([a, a, b, b], 2)
    with pytest.raises(ValueError, match="multiple"):
        check_groups([a, a, b], 2)
    with pytest.raises(ValueError, match="not one group"):
        check_groups([a, b, a, b], 2)


# a random model rarely calls a tool; the scripted GRPO batches below make every episode "list
# the home folder, then answer", so each completion holds a tool response the loss must skip
SCRIPTED_TURNS = [
    '<think>Look.</think>\n<tool_call>\n{"name": "list_dir", "arguments": {}}\n</tool_call><|im_end|>',
    "<think>Done.</think>\nNothing to do.<|im_end|>",
]


def _scripted_grpo_batch(tiny, tmp_path, monkeypatch, credit="all"):
    """One GRPO batch of 2 injection tasks x G=2 with scripted turns: (trainer output, episodes, tok, rollout)."""
    from trl import GRPOConfig, GRPOTrainer

    from mosaic_gym.records import read_jsonl
    from mosaic_learn.policy import Generation, HFPolicy

    model, tok = models.load(tiny)
    ds = grpo_dataset([ENV], [0], kinds=["injection"])
    config = make_config(
        GRPOConfig,
        str(tmp_path / "grpo-check"),
        {
            "num_generations": 2,
            "per_device_train_batch_size": 4,
            "max_completion_length": 400,
            "max_steps": 1,
        },
    )
    rollouts = tmp_path / f"check-{credit}.jsonl"
    rollout = EpisodeRollout(max_new_tokens=24, max_steps=3, episodes_path=rollouts, credit=credit)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[PairwiseReward(RuleJudge(), 2), format_reward, LengthPenalty(50)],
        args=config,
        train_dataset=ds,
        processing_class=tok,
        rollout_func=rollout,
    )
    turns = SCRIPTED_TURNS

    def scripted(self, batch, max_new_tokens=None):
        out = []
        for stream in batch:
            n = tok.decode(stream).count("<|im_start|>assistant")
            ids = tok(turns[min(n, 2) - 1], add_special_tokens=False)["input_ids"]
            out.append(
                Generation(
                    ids=ids,
                    logprobs=[-0.5] * len(ids),
                    text=tok.decode(ids, skip_special_tokens=True),
                    finished=True,
                )
            )
        return out

    monkeypatch.setattr(HFPolicy, "generate", scripted)
    inputs = [ds[0], ds[0], ds[1], ds[1]]
    out = trainer._generate_and_score_completions(inputs)
    rollout.close()
    monkeypatch.undo()
    return out, list(read_jsonl(rollouts)), tok, rollout, inputs


def test_grpo_loss_mask_excludes_tool_tokens_and_trains(tiny, tmp_path, monkeypatch):
    out, episodes, tok, rollout, inputs = _scripted_grpo_batch(tiny, tmp_path, monkeypatch)
    turns = SCRIPTED_TURNS
    loss_mask = out["completion_mask"] * out["tool_mask"]
    assert [e.task_id for e in episodes] == [r["task_id"] for r in inputs]
    assert rollout.history[-1]["n"] == 4
    for row, ep in enumerate(episodes):
        ids = out["completion_ids"][row].tolist()
        n = len(ep.extra["completion_ids"])
        assert ids[:n] == ep.extra["completion_ids"]
        assert loss_mask[row].tolist()[:n] == ep.extra["completion_mask"]  # TRL uses our mask as is
        assert not any(loss_mask[row].tolist()[n:])  # padding is never trained
        trained = tok.decode([i for i, m in zip(ids, loss_mask[row].tolist(), strict=True) if m])
        skipped = tok.decode(
            [i for i, m in zip(ids[:n], loss_mask[row].tolist()[:n], strict=True) if not m]
        )
        assert trained == "".join(turns)
        tool_output = ep.messages[3]["content"]
        assert ep.messages[3]["role"] == "tool" and tool_output in skipped
        assert (
            skipped
            == "\n<|im_start|>user\n<tool_response>\n"
            + tool_output
            + "\n</tool_response><|im_end|>\n<|im_start|>assistant\n"
        )

    res = train_grpo(
        tiny,
        tmp_path / "grpo",
        seeds=[0],
        kinds=["harmful", "benign"],
        group_size=2,
        tasks_per_step=2,
        max_steps=2,
        learning_rate=1e-4,
        max_new_tokens=24,
        max_episode_tokens=160,
        env_max_steps=3,
        episodes_path=tmp_path / "rollouts.jsonl",
        overrides=FAST,
    )
    assert res["steps"] == 2 and len(res["history"]) == 2
    assert all(h["n"] == 4 for h in res["history"])
    assert (tmp_path / "rollouts.jsonl").stat().st_size > 0
    assert AutoModelForCausalLM.from_pretrained(tmp_path / "grpo").config.model_type == "qwen2"


def test_grpo_first_turn_credit_trains_only_the_first_turn(tiny, tmp_path, monkeypatch):
    out, episodes, tok, _, _ = _scripted_grpo_batch(tiny, tmp_path, monkeypatch, "first_turn")
    loss_mask = out["completion_mask"] * out["tool_mask"]
    for row, ep in enumerate(episodes):
        ids = out["completion_ids"][row].tolist()
        trained = tok.decode([i for i, m in zip(ids, loss_mask[row].tolist(), strict=True) if m])
        assert trained == SCRIPTED_TURNS[0]  # the decision turn; the closing answer is not trained
        # the episode keeps its whole mask; only what the trainer is given changes
        assert sum(ep.extra["completion_mask"]) > sum(loss_mask[row].tolist())
    # the rewards still judge whole episodes: every rollout played both turns
    assert all(len([m for m in ep.messages if m["role"] == "assistant"]) == 2 for ep in episodes)


def test_credit_mask_and_its_errors():
    assert credit_mask([1, 1, 0, 0, 1, 1, 0], "all") == [1, 1, 0, 0, 1, 1, 0]
    assert credit_mask([1, 1, 0, 0, 1, 1, 0], "first_turn") == [1, 1, 0, 0, 0, 0, 0]
    assert credit_mask([1, 1, 1], "first_turn") == [1, 1, 1]  # one turn: nothing to cut
    assert credit_mask([0, 0, 1, 0, 1], "first_turn") == [0, 0, 1, 0, 0]
    with pytest.raises(ValueError, match="credit must be one of all, first_turn"):
        credit_mask([1], "last")
    with pytest.raises(ValueError, match="credit must be one of"):
        EpisodeRollout(credit="every")
    with pytest.raises(ValueError, match="credit must be one of"):
        train_grpo("/nonexistent", "/tmp/never", credit="turns")


def test_config_overrides_are_checked():
    from trl import SFTConfig

    assert parse_overrides(["warmup_steps=5", "lr_scheduler_type=cosine", "bf16=false"]) == {
        "warmup_steps": 5,
        "lr_scheduler_type": "cosine",
        "bf16": False,
    }
    with pytest.raises(ValueError, match="key=value"):
        parse_overrides(["oops"])
    with pytest.raises(ValueError, match="did you mean learning_rate"):
        make_config(SFTConfig, "/tmp/unused", {}, {"learning_rat": 1e-3})
    cfg = make_config(SFTConfig, "/tmp/unused", {"max_length": 77}, {"logging_steps": 3})
    assert cfg.max_length == 77 and cfg.logging_steps == 3 and not cfg.activation_checkpointing
